"""What a check says about one component: a verdict with the JUnit contract's fields.

The fields are the properties every acceptance testcase carries (docs in DESIGN.md, "JUnit
contract"): `component`, `component_id` (the serial where the part has one, else its PCI
address or name), `serial`, `slot`, `bdf`, `model`, `check`, `measured`, `expected`,
`unit`, `verdict`, and on a finding `failure_code` and `action`. Verdicts add MARGINAL
(within a limit's marginal band) and UNKNOWN (the inventory does not hold the value) to
the contract's PASS, WARN, FAIL and WAIVED.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


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


class Action(enum.StrEnum):
    """What a technician does about a finding (the RMA process reads these names)."""

    RETEST = "RETEST"
    RESET_GPU = "RESET_GPU"
    RESEAT = "RESEAT"
    REPLACE_CABLE = "REPLACE_CABLE"
    REPLACE_DIMM = "REPLACE_DIMM"
    UPDATE_FIRMWARE = "UPDATE_FIRMWARE"
    UPDATE_DRIVER = "UPDATE_DRIVER"
    CONFIGURE = "CONFIGURE"
    INSPECT = "INSPECT"
    RMA_GPU = "RMA_GPU"
    RMA_NIC = "RMA_NIC"
    RMA_DISK = "RMA_DISK"
    RMA_BOARD = "RMA_BOARD"


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


def failed(message: str, code: str, action: Action) -> Judgment:
    """A FAIL with its failure code and action."""
    return Judgment(Verdict.FAIL, message, code, action)


def warned(message: str, code: str, action: Action) -> Judgment:
    """A WARN with its failure code and action."""
    return Judgment(Verdict.WARN, message, code, action)


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

    @property
    def identities(self) -> tuple[str, ...]:
        """Every string a waiver may name the component by."""
        return tuple(i for i in (self.component_id, self.serial, self.bdf, self.slot, self.name)
                     if i)

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
        action=judgment.action if finding_kind else None,
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
