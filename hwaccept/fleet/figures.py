"""The fleet report's figures, read from the history database in three queries.

A history of 100,000 runs holds millions of part rows, so nothing here reads them all. One
query reads the runs (for yield and for each server's latest run), one the tallies that
ingest keeps of part-runs tested and failed per day, SKU, kind, model, slot position and
firmware version (`part_tallies`, the finest grain every table rolls up from), and one
the few part rows that failed (through their own index), with their codes and actions.

A part-run is one part seen in one run; a failed part-run is one whose cases failed. A
slot position is the part's `slot`, else its PCI address: chassis of one SKU place the
same slot at the same address.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from hwaccept.fleet.clusters import clustered
from hwaccept.history.database import HistoryDB
from hwaccept.history.schema import part_tallies, parts, runs

CubeRow = sa.Row[Any]

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


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(",")) if text else ()


def _read_runs(conn: sa.Connection, since: str | None) -> dict[int, Run]:
    query = sa.select(runs.c.id, runs.c.system_serial, runs.c.hostname, runs.c.sku,
                      runs.c.started_at, runs.c.run_id, runs.c.complete, runs.c.verdict,
                      runs.c.source)
    if since:
        query = query.where(runs.c.started_at >= since)
    found = {}
    for row in conn.execute(query.order_by(runs.c.started_at, runs.c.id)):
        system = row.system_serial or row.hostname or row.source
        found[row.id] = Run(row.id, system, row.hostname or "", row.sku or NO_SKU,
                            row.started_at or "", row.run_id or "", bool(row.complete),
                            row.verdict or "")
    return found


_POSITION = sa.func.coalesce(parts.c.slot, parts.c.bdf, "")


def _read_cube(conn: sa.Connection, since: str | None) -> list[CubeRow]:
    """Part-runs tested and failed per (SKU, kind, model, position, firmware)."""
    keys = (part_tallies.c.sku, part_tallies.c.kind, part_tallies.c.model,
            part_tallies.c.position, part_tallies.c.firmware)
    query = (sa.select(*keys, sa.func.sum(part_tallies.c.tested),
                       sa.func.sum(part_tallies.c.failed)).group_by(*keys))
    if since:
        query = query.where(part_tallies.c.day >= since[:10])
    return list(conn.execute(query))


def _read_failed(conn: sa.Connection, found: dict[int, Run]) -> list[FailedPart]:
    query = (sa.select(parts.c.run, parts.c.kind, parts.c.part, parts.c.serial, _POSITION,
                       parts.c.model, parts.c.firmware, parts.c.failure_codes, parts.c.actions)
             .where(parts.c.failing > 0).order_by(parts.c.run, parts.c.kind, parts.c.part))
    return [FailedPart(found[row.run], row.kind, row.part, row.serial or "", row[4],
                       row.model or NO_MODEL, row.firmware or "", _split(row.failure_codes),
                       _split(row.actions))
            for row in conn.execute(query) if row.run in found]


def _date(stamp: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(stamp[:10])
    except ValueError:
        return None


def period_of(first: datetime.date, last: datetime.date) -> str:
    """Days for two months or less, weeks for two years or less, else months."""
    span = (last - first).days
    return "day" if span <= 62 else "week" if span <= 731 else "month"


def period_start(day: datetime.date, period: str) -> datetime.date:
    """The first day of the period `day` falls in (weeks start on Monday)."""
    if period == "week":
        return day - datetime.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def yields(found: Iterable[Run], period: str) -> list[YieldPoint]:
    """Run yield and first-pass yield per SKU and period, oldest first."""
    tally: dict[tuple[str, datetime.date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    seen: set[str] = set()
    for run in found:
        day = _date(run.started_at)
        if day is None:
            continue
        counts = tally[run.sku, period_start(day, period)]
        counts[0] += 1
        counts[1] += run.accepted
        if run.system not in seen:
            seen.add(run.system)
            counts[2] += 1
            counts[3] += run.accepted
    return [YieldPoint(sku, when, *counts) for (sku, when), counts in sorted(tally.items())]


def _family_rates(totals: dict[tuple[str, ...], list[int]],
                  chassis: dict[tuple[str, ...], set[str]],
                  serials: dict[tuple[str, ...], set[str]],
                  family: int) -> list[Rate]:
    """Each group's rate, flagged against its family: the groups sharing its first `family` keys."""
    whole: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
    for key, (tested, failed) in totals.items():
        whole[key[:family]][0] += tested
        whole[key[:family]][1] += failed
    rates = []
    for key, (tested, failed) in totals.items():
        all_tested, all_failed = whole[key[:family]]
        flagged, chance = clustered(failed, tested, len(chassis.get(key, ())),
                                    all_failed, all_tested,
                                    compared=len(totals))
        rates.append(Rate(key, tested, failed, len(chassis.get(key, ())),
                          len(serials.get(key, ())), flagged, chance))
    return sorted(rates, key=lambda r: (not r.flagged, -r.failed, r.key))


def _rates(cube: Sequence[CubeRow], failed: Sequence[FailedPart],
           ) -> tuple[list[Rate], list[Rate], list[Rate]]:
    """Failure rates by model, by slot position and by firmware version."""
    by: dict[str, dict[tuple[str, ...], list[int]]] = {
        "model": defaultdict(lambda: [0, 0]), "slot": defaultdict(lambda: [0, 0]),
        "firmware": defaultdict(lambda: [0, 0])}
    for row in cube:
        sku, kind, model, position, firmware, tested, failures = tuple(row)
        keys = {"model": (kind, model or NO_MODEL),
                "slot": (sku or NO_SKU, kind, position) if kind not in WHOLE_MACHINE and position
                else None,
                "firmware": (kind, model or NO_MODEL, firmware) if firmware else None}
        for name, key in keys.items():
            if key is not None:
                by[name][key][0] += int(tested)
                by[name][key][1] += int(failures or 0)
    chassis: dict[str, dict[tuple[str, ...], set[str]]] = defaultdict(lambda: defaultdict(set))
    serials: dict[str, dict[tuple[str, ...], set[str]]] = defaultdict(lambda: defaultdict(set))
    for part in failed:
        for name, key in (("model", (part.kind, part.model)),
                          ("slot", (part.run.sku, part.kind, part.position)),
                          ("firmware", (part.kind, part.model, part.firmware))):
            chassis[name][key].add(part.run.system)
            serials[name][key].add(part.serial or part.part)
    models = _family_rates(by["model"], chassis["model"], serials["model"], 1)
    slots = _family_rates(by["slot"], chassis["slot"], serials["slot"], 2)
    firmware = _family_rates(by["firmware"], chassis["firmware"], serials["firmware"], 2)
    return ([r for r in models if r.key[0] not in WHOLE_MACHINE],
            slots, [r for r in firmware if r.key[0] not in WHOLE_MACHINE])


def codes(failed: Iterable[FailedPart]) -> list[CodeCount]:
    """Each failure code with how many part-runs, parts and chassis it struck; most first."""
    grouped: dict[str, list[FailedPart]] = defaultdict(list)
    for part in failed:
        for code in part.codes or ("(no code)",):
            grouped[code].append(part)
    found = [CodeCount(code, len(members), len({(p.kind, p.part) for p in members}),
                       len({p.run.system for p in members}),
                       tuple(sorted({p.kind for p in members})),
                       tuple(sorted({a for p in members for a in p.actions})))
             for code, members in grouped.items()]
    return sorted(found, key=lambda c: (-c.failed, c.code))


def offenders(failed: Iterable[FailedPart]) -> list[Offender]:
    """Parts (by serial) that failed in two chassis or more; most chassis first."""
    by_serial: dict[tuple[str, str], list[FailedPart]] = defaultdict(list)
    for part in failed:
        if part.serial and part.kind not in WHOLE_MACHINE:
            by_serial[part.kind, part.serial].append(part)
    found = [Offender(serial, kind, members[-1].model, tuple(members))
             for (kind, serial), members in by_serial.items()
             if len({p.run.system for p in members}) > 1]
    return sorted(found, key=lambda o: (-len(o.chassis), -len(o.failures), o.serial))


def awaiting(found: Iterable[Run], failed: Iterable[FailedPart]) -> list[Awaiting]:
    """Servers whose latest run was rejected or incomplete, latest first."""
    latest: dict[str, Run] = {}
    for run in found:
        latest[run.system] = run
    due = {run.id: run for run in latest.values() if not run.accepted}
    parts_of: dict[int, list[FailedPart]] = defaultdict(list)
    for part in failed:
        if part.run.id in due:
            parts_of[part.run.id].append(part)
    waiting = [Awaiting(run, tuple(parts_of.get(run_id, ()))) for run_id, run in due.items()]
    return sorted(waiting, key=lambda a: (a.run.started_at, a.run.id), reverse=True)


def fleet_figures(db: HistoryDB, since: datetime.date | None = None) -> Fleet:
    """Read and count everything the fleet report shows.

    Args:
        db: the history database.
        since: leave out runs started before this day.

    Raises:
        HistoryError: the database could not be read.

    """
    after = since.isoformat() if since else None

    def read() -> tuple[dict[int, Run], list[CubeRow], list[FailedPart]]:
        with db.transaction() as conn:
            found = _read_runs(conn, after)
            return found, _read_cube(conn, after), _read_failed(conn, found)

    found, cube, failed = db.retrying("cannot read the runs for the fleet report", read)
    ordered = sorted(found.values(), key=lambda r: (r.started_at != "", r.started_at, r.id))
    days = [day for run in ordered if (day := _date(run.started_at))]
    period = period_of(days[0], days[-1]) if days else "day"
    models, slots, firmware = _rates(cube, failed)
    return Fleet(
        source=db.display, runs=len(found), systems=len({r.system for r in ordered}),
        first=days[0].isoformat() if days else "", last=days[-1].isoformat() if days else "",
        period=period, yields=tuple(yields(ordered, period)), models=tuple(models),
        slots=tuple(slots), firmware=tuple(firmware), codes=tuple(codes(failed)),
        offenders=tuple(offenders(failed)), awaiting=tuple(awaiting(ordered, failed)),
        notes=tuple(_notes(ordered)))


def _notes(ordered: Sequence[Run]) -> list[str]:
    notes = []
    if unnamed := sum(r.sku == NO_SKU for r in ordered):
        notes.append(f"{unnamed} run{'s' if unnamed > 1 else ''} name no SKU (reports of other "
                     "tools, or runs without a profile)")
    if undated := sum(r.started_at == "" for r in ordered):
        notes.append(f"{undated} run{'s' if undated > 1 else ''} without a start time are left "
                     "out of yield over time")
    return notes
