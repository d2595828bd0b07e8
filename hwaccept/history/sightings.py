"""Where a part or a system has been: the look-up as SQL text, and its rows as sightings.

The SQL is plain text with `:serial` parameters, which both executors take: SQLAlchemy's
`text()` for any database (hwaccept.history.queries), and Python's own sqlite3 for a
SQLite file (hwaccept.history.sqlite_lookup), so that `hwaccept history` answers without
importing SQLAlchemy (a quarter of a second here, five times the look-up's budget).
Nothing in this module imports SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from hwaccept import __version__
from hwaccept.errors import HistoryError

SCHEMA_VERSION = 4
"""The schema version this code reads and writes (the last migration's)."""


def refuse_newer(version: int, display: str) -> None:
    """Raise HistoryError for a schema this hwaccept does not know."""
    if version > SCHEMA_VERSION:
        raise HistoryError(f"{display}: schema version {version} was written by a newer "
                           f"hwaccept; this one ({__version__}) knows up to version "
                           f"{SCHEMA_VERSION}. Upgrade hwaccept to use this database")


def no_database(path: str) -> HistoryError:
    """The error for a SQLite file that is not there."""
    return HistoryError(f"{path}: no history database here (`hwaccept ingest` makes one)")

SYSTEM = "system"
"""The `kind` of a sighting of a whole system, found by its system serial."""

_RUN = ("r.id, r.started, r.started_at, r.run_id, r.system_serial, r.hostname, r.sku, "
        "r.complete, r.source")

PART_SQL = (f"SELECT {_RUN}, p.kind, p.component_id, p.serial, p.slot, p.bdf, p.model, "
            "p.verdict, p.failure_codes, p.actions FROM parts p JOIN runs r ON r.id = p.run "
            "WHERE (p.serial = :serial OR p.component_id = :serial) "
            "AND (r.system_serial IS NULL OR r.system_serial != :serial)")
"""Runs that saw a part with this serial (as serial or component id). A run's
whole-machine parts carry the system serial; in its own runs they are the system."""

SYSTEM_SQL = (f"SELECT {_RUN}, r.product, r.verdict, r.failure_codes FROM runs r "
              "WHERE r.system_serial = :serial")
"""Runs of the system with this serial."""

FAILING_SQL = ("SELECT p.run, p.part FROM parts p JOIN runs r ON r.id = p.run "
               "WHERE r.system_serial = :serial AND p.failing > 0 "
               "ORDER BY p.run, p.kind, p.part")
"""The parts that failed in each run of the system with this serial."""

Row = Mapping[Any, Any]


class Sighting(NamedTuple):
    """One run that saw a part (or a system): where it was and how it did.

    A named tuple rather than a dataclass: `hwaccept history` answers in a few tens of
    milliseconds, and importing dataclasses alone would take a fifth of that.
    """

    started: str | None
    system_serial: str | None
    """The chassis the part was in."""
    hostname: str | None
    sku: str | None
    run_id: str | None
    complete: bool
    source: str
    kind: str
    """The component kind (`gpu`, `nic`, ...), or `system` for a system serial's runs."""
    component_id: str | None
    serial: str | None
    slot: str | None
    bdf: str | None
    model: str | None
    verdict: str | None
    failure_codes: tuple[str, ...]
    actions: tuple[str, ...]
    failing_parts: tuple[str, ...] = ()
    """For a system: the component ids of its parts that failed in this run."""
    started_at: str | None = None
    """`started` as sortable UTC text."""
    order: int = 0
    """The run's row id: later ingests sort after earlier ones of the same time."""

    def as_json(self) -> dict[str, Any]:
        """The sighting as JSON-ready data, without the internal sort keys."""
        data = self._asdict()
        del data["started_at"], data["order"]
        return data


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(",")) if text else ()


def _run_fields(row: Row) -> dict[str, Any]:
    return {"started": row["started"], "system_serial": row["system_serial"],
            "hostname": row["hostname"], "sku": row["sku"], "run_id": row["run_id"],
            "complete": bool(row["complete"]), "source": row["source"],
            "started_at": row["started_at"], "order": row["id"]}


def _newest_first(sighting: Sighting) -> tuple[bool, str, int]:
    return sighting.started_at is not None, sighting.started_at or "", sighting.order


def sightings(serial: str, part_rows: Iterable[Row], system_rows: Iterable[Row],
              failing_rows: Iterable[Row]) -> list[Sighting]:
    """The rows of the three queries as sightings, newest run first (undated ones last)."""
    failing: dict[int, list[str]] = {}
    for row in failing_rows:
        failing.setdefault(row["run"], []).append(row["part"])
    found = [Sighting(**_run_fields(row), kind=row["kind"], component_id=row["component_id"],
                      serial=row["serial"], slot=row["slot"], bdf=row["bdf"],
                      model=row["model"], verdict=row["verdict"],
                      failure_codes=_split(row["failure_codes"]),
                      actions=_split(row["actions"]))
             for row in part_rows]
    found += [Sighting(**_run_fields(row), kind=SYSTEM, component_id=serial, serial=serial,
                       slot=None, bdf=None, model=row["product"], verdict=row["verdict"],
                       failure_codes=_split(row["failure_codes"]), actions=(),
                       failing_parts=tuple(failing.get(row["id"], ())))
              for row in system_rows]
    return sorted(found, key=_newest_first, reverse=True)
