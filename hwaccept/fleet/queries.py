"""The fleet report's three queries of the history database.

A history of 100,000 runs holds millions of part rows, so none of these reads them all.
One reads the runs (for yield and for each server's latest run), one the tallies that
ingest keeps of part-runs tested and failed per day, SKU, kind, model, slot position and
firmware version (`part_tallies`, the finest grain every table rolls up from), and one the
few part rows that failed (through their own index), with their codes and actions.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hwaccept.fleet.records import NO_MODEL, NO_SKU, FailedPart, Run
from hwaccept.history.schema import part_tallies, parts, runs

CubeRow = sa.Row[Any]


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(",")) if text else ()


def read_runs(conn: sa.Connection, since: str | None) -> dict[int, Run]:
    """Every run started on or after `since` (every run when None), by row id."""
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


def read_cube(conn: sa.Connection, since: str | None) -> list[CubeRow]:
    """Part-runs tested and failed per (SKU, kind, model, position, firmware)."""
    keys = (part_tallies.c.sku, part_tallies.c.kind, part_tallies.c.model,
            part_tallies.c.position, part_tallies.c.firmware)
    query = (sa.select(*keys, sa.func.sum(part_tallies.c.tested),
                       sa.func.sum(part_tallies.c.failed)).group_by(*keys))
    if since:
        query = query.where(part_tallies.c.day >= since[:10])
    return list(conn.execute(query))


def read_failed(conn: sa.Connection, found: dict[int, Run]) -> list[FailedPart]:
    """The parts that failed in the runs of `found`, in run order."""
    query = (sa.select(parts.c.run, parts.c.kind, parts.c.part, parts.c.serial, _POSITION,
                       parts.c.model, parts.c.firmware, parts.c.failure_codes, parts.c.actions)
             .where(parts.c.failing > 0).order_by(parts.c.run, parts.c.kind, parts.c.part))
    return [FailedPart(found[row.run], row.kind, row.part, row.serial or "", row[4],
                       row.model or NO_MODEL, row.firmware or "", _split(row.failure_codes),
                       _split(row.actions))
            for row in conn.execute(query) if row.run in found]
