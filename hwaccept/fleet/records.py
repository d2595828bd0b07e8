"""What the fleet report shows, as records: runs, failed parts, yields, rates, offenders.

A part-run is one part seen in one run; a failed part-run is one whose cases failed. A
slot position is the part's `slot`, else its PCI address: chassis of one SKU place the
same slot at the same address.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

NO_SKU = "(no SKU)"
NO_MODEL = "(no model)"
WHOLE_MACHINE = frozenset({"system", "unknown"})
"""Kinds that are not parts in a slot: the system's own checks, other tools' cases."""


@dataclass(frozen=True)
class Run:
    """A stored run, as the fleet report needs it."""

    id: int
    system: str
    hostname: str
    sku: str
    started_at: str
    run_id: str
    complete: bool
    verdict: str

    @property
    def accepted(self) -> bool:
        """Complete, and no case failed."""
        return self.complete and self.verdict != "FAIL"


@dataclass(frozen=True)
class FailedPart:
    """A part that failed in a run."""

    run: Run
    kind: str
    part: str
    serial: str
    position: str
    model: str
    firmware: str
    codes: tuple[str, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class YieldPoint:
    """One SKU's acceptance over one period."""

    sku: str
    period: datetime.date
    runs: int
    accepted: int
    new_systems: int
    """Systems whose first run fell in this period."""
    first_pass: int
    """Of those, how many were accepted on that first run."""

    @property
    def first_pass_yield(self) -> float | None:
        """Share of new systems accepted at their first run."""
        return self.first_pass / self.new_systems if self.new_systems else None

    @property
    def run_yield(self) -> float:
        """Share of runs accepted."""
        return self.accepted / self.runs


@dataclass(frozen=True)
class Rate:
    """Failures in one group of part-runs (a model, a slot, a firmware version)."""

    key: tuple[str, ...]
    tested: int
    failed: int
    chassis: int = 0
    """Distinct chassis among the failures."""
    parts: int = 0
    """Distinct parts among the failures."""
    flagged: bool = False
    """The failures cluster here (see `clusters`)."""
    chance: float = 1.0
    """How likely this many failures were at the rate of the rest of its family."""

    @property
    def rate(self) -> float:
        """Failed part-runs per part-run tested."""
        return self.failed / self.tested if self.tested else 0.0


@dataclass(frozen=True)
class CodeCount:
    """How often a failure code was found."""

    code: str
    failed: int
    parts: int
    chassis: int
    kinds: tuple[str, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Offender:
    """A part that failed in more than one chassis."""

    serial: str
    kind: str
    model: str
    failures: tuple[FailedPart, ...]

    @property
    def chassis(self) -> tuple[str, ...]:
        """The chassis it failed in, in the order it failed there."""
        return tuple(dict.fromkeys(f.run.system for f in self.failures))


@dataclass(frozen=True)
class Awaiting:
    """A server whose latest run was rejected or did not finish."""

    run: Run
    failed: tuple[FailedPart, ...]


@dataclass(frozen=True)
class Fleet:
    """Everything the fleet report shows."""

    source: str
    runs: int
    systems: int
    first: str
    last: str
    period: str
    """`day`, `week` or `month`: how yield is grouped."""
    yields: tuple[YieldPoint, ...]
    models: tuple[Rate, ...]
    """Keyed (kind, model)."""
    slots: tuple[Rate, ...]
    """Keyed (sku, kind, position)."""
    firmware: tuple[Rate, ...]
    """Keyed (kind, model, firmware)."""
    codes: tuple[CodeCount, ...]
    offenders: tuple[Offender, ...]
    awaiting: tuple[Awaiting, ...]
    notes: tuple[str, ...] = field(default=())
