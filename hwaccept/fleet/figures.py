"""The fleet report's figures: the queries' rows rolled up by SKU, model, slot and firmware.

Yield per SKU and period, failure rates per model, slot position and firmware version
(clusters flagged by hwaccept.fleet.clusters), failures per code, repeat offenders, and the
servers whose latest run awaits action.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from hwaccept.fleet.clusters import clustered
from hwaccept.fleet.queries import CubeRow, read_cube, read_failed, read_runs
from hwaccept.fleet.records import (
    NO_MODEL,
    NO_SKU,
    WHOLE_MACHINE,
    Awaiting,
    CodeCount,
    FailedPart,
    Fleet,
    Offender,
    Rate,
    Run,
    YieldPoint,
)
from hwaccept.history.database import HistoryDB


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
            found = read_runs(conn, after)
            return found, read_cube(conn, after), read_failed(conn, found)

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
