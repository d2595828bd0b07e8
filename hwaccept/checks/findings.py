"""What a check says about one component: a verdict with the JUnit contract's fields.

The fields are the properties every acceptance testcase carries (docs in DESIGN.md, "JUnit
contract"): `component`, `component_id` (the serial where the part has one, else its PCI
address or name), `serial`, `slot`, `bdf`, `model`, `check`, `measured`, `expected`,
`unit`, `verdict`, and on a finding `failure_code` and `action`. Verdicts add MARGINAL
(within a limit's marginal band) and UNKNOWN (the inventory does not hold the value) to
the contract's PASS, WARN, FAIL and WAIVED. A check names a failure code (and, where the
action depends on it, a situation); the action comes from catalog.py, never from the check.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from .catalog import Action, Situation, action_for

__all__ = [
    "Action", "Finding", "Judgment", "Outcome", "Part", "Verdict", "failed", "make_finding",
    "marginal", "passed", "show", "unknown", "warned", "worst",
]


class Verdict(enum.StrEnum):
    """How a component compares with the profile."""

    PASS = "PASS"
    MARGINAL = "MARGINAL"
    WARN = "WARN"
    FAIL = "FAIL"
    WAIVED = "WAIVED"
    UNKNOWN = "UNKNOWN"

    @property
    def severity(self) -> int:
        """Rank for picking the worst of several verdicts (FAIL highest)."""
        return _SEVERITY[self]


_SEVERITY = {
    Verdict.PASS: 0,
    Verdict.WAIVED: 1,
    Verdict.UNKNOWN: 2,
    Verdict.MARGINAL: 3,
    Verdict.WARN: 4,
    Verdict.FAIL: 5,
}


@dataclass(frozen=True)
class Part:
    """The identity of the component a finding is about."""

    component: str  # gpu, nvswitch, pcie, nic, ib, disk, cpu, memory, system
    component_id: str  # serial, else PCI address, else name
    name: str  # what people call it: GPU 3, eth0, mlx5_0/1, nvme0n1
    serial: str | None = None
    bdf: str | None = None
    slot: str | None = None
    model: str | None = None
    who: str = ""  # how a technician's line names it (gpu3, system); the name when empty

    @property
    def identities(self) -> tuple[str, ...]:
        """Every string a waiver may name this part by."""
        return tuple(i for i in (self.component_id, self.serial, self.bdf, self.slot, self.name)
                     if i)


@dataclass(frozen=True)
class Judgment:
    """A verdict on one value, before it is tied to a check and a part."""

    verdict: Verdict
    message: str
    failure_code: str | None = None
    action: Action | None = None


def passed(message: str) -> Judgment:
    """A PASS with its message."""
    return Judgment(Verdict.PASS, message)


def unknown(message: str) -> Judgment:
    """An UNKNOWN saying what is missing."""
    return Judgment(Verdict.UNKNOWN, message)


def failed(message: str, code: str, situation: Situation | None = None) -> Judgment:
    """A FAIL with its failure code and the catalog's action (in `situation`, if given)."""
    return Judgment(Verdict.FAIL, message, code, action_for(code, situation))


def warned(message: str, code: str, situation: Situation | None = None) -> Judgment:
    """A WARN with its failure code and the catalog's action (in `situation`, if given)."""
    return Judgment(Verdict.WARN, message, code, action_for(code, situation))


def marginal(message: str, code: str, situation: Situation | None = None) -> Judgment:
    """A MARGINAL with its failure code and the catalog's action (in `situation`, if given)."""
    return Judgment(Verdict.MARGINAL, message, code, action_for(code, situation))


def worst(judgments: Iterable[Judgment]) -> Judgment:
    """The most severe judgment; messages of every non-passing one are joined.

    Raises:
        ValueError: there is no judgment at all.

    """
    items = list(judgments)
    if not items:
        raise ValueError("worst() of no judgments")
    top = max(items, key=lambda j: j.verdict.severity)
    if top.verdict is Verdict.PASS:
        return Judgment(Verdict.PASS, "; ".join(j.message for j in items))
    others = [j.message for j in items if j is not top and j.verdict is not Verdict.PASS]
    return Judgment(top.verdict, "; ".join([top.message, *others]), top.failure_code,
                    top.action)


@dataclass(frozen=True)
class Outcome:
    """A judgment with the values it compared, as the finding will show them."""

    judgment: Judgment
    measured: object = None
    expected: object = None
    unit: str | None = None


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one component, with the JUnit contract's properties."""

    check: str
    family: str  # gpu, nvswitch, pcie, nic, ib, disk, cpu, memory, system, kernel
    component: str
    component_id: str
    name: str
    verdict: Verdict
    message: str
    measured: str | None = None
    expected: str | None = None
    unit: str | None = None
    serial: str | None = None
    bdf: str | None = None
    slot: str | None = None
    model: str | None = None
    failure_code: str | None = None
    action: Action | None = None
    who: str = ""  # how the technician's line names the component; the name when empty

    @property
    def identities(self) -> tuple[str, ...]:
        """Every string a waiver may name the component by."""
        return tuple(i for i in (self.component_id, self.serial, self.bdf, self.slot, self.name)
                     if i)

    def line(self) -> str:
        """One line for a technician: who, what, and on a finding its code and action.

        `gpu3 (SN 1654922004712, 0000:9d:00.0): PCIe link x8, expected x16 —
        PCIE_LINK_DOWNTRAINED → RESEAT`; the details in parentheses are the serial and the
        PCI address where known (the address only when it is not already the name).
        """
        who = self.who or self.name
        details = [d for d in (f"SN {self.serial}" if self.serial else None,
                               self.bdf if self.bdf != who else None) if d]
        text = f"{who} ({', '.join(details)})" if details else who
        text += f": {' '.join(self.message.splitlines())}"
        if self.failure_code:
            text += f" — {self.failure_code}" + (f" → {self.action}" if self.action else "")
        return text

    def properties(self) -> list[tuple[str, str]]:
        """The JUnit properties, in contract order, leaving out those not known."""
        values = (
            ("component", self.component), ("component_id", self.component_id),
            ("serial", self.serial), ("slot", self.slot), ("bdf", self.bdf),
            ("model", self.model), ("check", self.check), ("measured", self.measured),
            ("expected", self.expected), ("unit", self.unit), ("verdict", str(self.verdict)),
            ("failure_code", self.failure_code),
            ("action", str(self.action) if self.action else None), ("message", self.message),
        )
        return [(key, value) for key, value in values if value is not None]


def make_finding(check: str, family: str, part: Part, outcome: Outcome) -> Finding:
    """Tie an outcome to its check and part; a PASS or UNKNOWN carries no code or action."""
    judgment = outcome.judgment
    finding_kind = judgment.verdict not in (Verdict.PASS, Verdict.UNKNOWN)
    return Finding(
        check=check, family=family, component=part.component,
        component_id=part.component_id, name=part.name, verdict=judgment.verdict,
        message=judgment.message, measured=show(outcome.measured),
        expected=show(outcome.expected), unit=outcome.unit, serial=part.serial,
        bdf=part.bdf, slot=part.slot, model=part.model,
        failure_code=judgment.failure_code if finding_kind else None,
        action=judgment.action if finding_kind else None, who=part.who,
    )


def show(value: object) -> str | None:
    """A value as a property string: numbers without noise, booleans as yes/no."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
