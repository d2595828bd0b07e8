"""Runs taken apart into what each one saw of each part.

A part is keyed by its system and `component_id` (a serial where it has one, else its
PCI address or name). Reports from other tools carry no properties: each of their test
cases becomes a part of unknown kind, named by the case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hwaccept.reports.model import ERROR, FAILED, RunReport

UNKNOWN_KIND = "unknown"
FAILING = frozenset({FAILED, ERROR})


@dataclass(frozen=True)
class RunRef:
    """Which run: its file, when it started, and the system it tested."""

    source: str
    started: str
    system: str
    complete: bool


@dataclass(frozen=True)
class Failure:
    """One failed check of a part in one run."""

    check: str
    code: str
    action: str
    message: str


@dataclass
class Sighting:
    """A part as one run saw it: identity, and the checks it failed and passed."""

    run: RunRef
    kind: str
    component_id: str
    serial: str = ""
    slot: str = ""
    model: str = ""
    failures: list[Failure] = field(default_factory=list)
    passed: int = 0

    @property
    def failed(self) -> bool:
        """Whether any check of the part failed in this run."""
        return bool(self.failures)


def system_of(run: RunReport) -> str:
    """The system serial, else its hostname, else the report's file name."""
    return system_named(run.identity, run.source)


def system_named(identity: Mapping[str, str], source: str) -> str:
    """The system a run's identity names: as `system_of`."""
    return identity.get("system_serial") or identity.get("hostname") or Path(source).name


def run_ref(run: RunReport) -> RunRef:
    """The run as decisions cite it."""
    return RunRef(run.source, run.identity.get("started", ""), system_of(run), run.complete)


def part_key(kind: str | None, names: tuple[str | None, ...], name: str) -> tuple[str, str]:
    """(kind, id) of the part a case is about: the first of `names` it gives.

    `names` are its component id, serial, BDF and slot, in that order.

    The history database keys its parts the same way. A case naming no part (another
    tool's) is a part of unknown kind named by the case.
    """
    for found in names:
        if found:
            return kind or UNKNOWN_KIND, found
    return UNKNOWN_KIND, name


CaseView = tuple[str, str, str, Mapping[str, str]]
"""A case as sightings need it: its name, outcome, message, and properties (the last
value of each name)."""


def sightings(run: RunReport) -> list[Sighting]:
    """Every part the run's cases name, with what the run found about it."""
    return sightings_of(run_ref(run), ((case.name, case.outcome, case.message,
                                        dict(case.properties)) for case in run.cases))


def sightings_of(ref: RunRef, cases: Iterable[CaseView]) -> list[Sighting]:
    """As `sightings`, from the run's reference and its cases taken apart."""
    found: dict[tuple[str, str], Sighting] = {}
    for name, outcome, message, properties in cases:
        get = properties.get
        key = part_key(get("component"), (get("component_id"), get("serial"), get("bdf"),
                                          get("slot")), name)
        sighting = found.get(key)
        if sighting is None:
            sighting = found[key] = Sighting(ref, *key)
        if not sighting.serial:
            sighting.serial = get("serial") or ""
        if not sighting.slot:
            sighting.slot = get("slot") or get("bdf") or ""
        if not sighting.model:
            sighting.model = get("model") or ""
        if outcome in FAILING:
            sighting.failures.append(Failure(get("check") or name, get("failure_code") or "",
                                             get("action") or "", message))
        else:
            sighting.passed += 1
    return list(found.values())


def all_sightings(runs: Iterable[RunReport]) -> list[Sighting]:
    """Every part of every run, oldest run first (by start time, then file)."""
    return in_run_order([s for run in runs for s in sightings(run)])


def in_run_order(found: Iterable[Sighting]) -> list[Sighting]:
    """Sightings oldest run first (by start time, then file); a run's own order kept."""
    return sorted(found, key=lambda s: (s.run.started, s.run.source))
