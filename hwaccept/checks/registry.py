"""A check: a name, a family, whether the profile asks for it, its components, its judge.

Each check gives one finding per component it runs on. The acceptance tests parametrize
over `components` (labelled by `label`) and call `judge` per test; `check_all` runs them
all at once. A check the profile does not ask for (`wanted` is False) is not run.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from hwaccept.inventory.records import Inventory
from hwaccept.profiles.schema import Profile

from .findings import Finding, Judgment, Outcome, Part, Verdict, make_finding
from .parts import system_part

C = TypeVar("C")
S = TypeVar("S")


class Family(enum.Enum):
    """Check families, in the order findings are listed."""

    GPU = "gpu"
    NVSWITCH = "nvswitch"
    PCIE = "pcie"
    NIC = "nic"
    IB = "ib"
    DISK = "disk"
    CPU = "cpu"
    MEMORY = "memory"
    SYSTEM = "system"
    KERNEL = "kernel"

    @property
    def order(self) -> int:
        """Position in the listing order."""
        return list(Family).index(self)


@dataclass(frozen=True)
class Context:
    """What every check reads: the profile and the machine's inventory."""

    profile: Profile
    inventory: Inventory


def never_unknown(_context: Context) -> str | None:
    """`unread` for a check whose components are always known."""
    return None


@dataclass(frozen=True)
class Check(Generic[C]):
    """One comparison between a profile key (or section) and a kind of component.

    `unread` says why the inventory may lack the components (an imported snapshot that
    does not list them, no NVIDIA driver); when there are none, the check gives one
    UNKNOWN finding with that reason instead of silently none.
    """

    name: str
    family: Family
    summary: str  # what it compares, one line
    wanted: Callable[[Profile], bool]
    components: Callable[[Context], Sequence[C]]
    label: Callable[[C], str]  # a stable id for the component, before it is judged
    judge: Callable[[Context, C], Finding]
    unread: Callable[[Context], str | None] = never_unknown

    def run(self, context: Context) -> list[Finding]:
        """One finding per component; none when the profile does not ask.

        With no components, one UNKNOWN finding when `unread` gives a reason, else none.
        """
        if not self.wanted(context.profile):
            return []
        found = [self.judge(context, component) for component in self.components(context)]
        reason = None if found else self.unread(context)
        return found or ([self.nothing_to_check(context, reason)] if reason else [])

    def nothing_to_check(self, context: Context, reason: str) -> Finding:
        """UNKNOWN for the family: the inventory may lack the parts this check is about."""
        part = system_part(context.inventory, self.family.value, self.family.value)
        return make_finding(self.name, self.family.value, part,
                            Outcome(Judgment(Verdict.UNKNOWN, f"nothing to check: {reason}")))


AnyCheck = Check[Any]
"""A check over any kind of component, as registries hold them."""


def per_component(name: str, family: Family, summary: str, *,
                  wanted: Callable[[Profile], bool],
                  components: Callable[[Context], Sequence[C]], label: Callable[[C], str],
                  part: Callable[[Context, C], Part],
                  judge: Callable[[Context, C], Outcome],
                  unread: Callable[[Context], str | None] = never_unknown) -> Check[C]:
    """A check whose judge gives an `Outcome` for a component identified by `part`."""
    def run(context: Context, component: C) -> Finding:
        return make_finding(name, family.value, part(context, component),
                            judge(context, component))
    return Check(name, family, summary, wanted, components, label, run, unread)


def section_check(name: str, family: Family, summary: str, *,
                  section: Callable[[Profile], S | None], keys: Sequence[str],
                  components: Callable[[Context], Sequence[C]], label: Callable[[C], str],
                  part: Callable[[Context, C], Part],
                  judge: Callable[[S, C, Context], Outcome],
                  unread: Callable[[Context], str | None] = never_unknown) -> Check[C]:
    """A per-component check asked for by any of `keys` of one profile section.

    `judge` receives that section (never None), the component and the context.
    """
    def run(context: Context, component: C) -> Outcome:
        return judge(required(section, context.profile, name), component, context)
    return per_component(name, family, summary, wanted=asks(section, *keys),
                         components=components, label=label, part=part, judge=run,
                         unread=unread)


def is_set(value: object) -> bool:
    """Whether a profile value says anything: not None, and a sub-section with a key set."""
    if isinstance(value, BaseModel):
        return any(is_set(getattr(value, key)) for key in type(value).model_fields)
    return value is not None


def asks(section: Callable[[Profile], S | None], *keys: str) -> Callable[[Profile], bool]:
    """`wanted` for a check driven by `keys` of a profile section (any of them set)."""
    def wanted(profile: Profile) -> bool:
        spec = section(profile)
        return spec is not None and any(is_set(getattr(spec, key)) for key in keys)
    return wanted


def required(section: Callable[[Profile], S | None], profile: Profile, check: str) -> S:
    """The section a check was asked for by (present whenever its `wanted` holds).

    Raises:
        LookupError: the check was judged although the profile does not ask for it.

    """
    spec = section(profile)
    if spec is None:
        raise LookupError(f"{check} judged without its profile section")
    return spec
