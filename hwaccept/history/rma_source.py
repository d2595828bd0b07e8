"""What RMA decisions need from the history, read without rebuilding every run.

`hwaccept rma --db` over thousands of runs would spend most of its time rebuilding each
run's hundred cases; a decision only needs each part's sightings, which the `parts`
table holds one row per run and part, and the checks behind its failures, which only the
failed cases carry. So three queries: the runs, their parts, and their failed cases
(with the cases of another tool's reports, which name no part and so have no part row).
"""

from __future__ import annotations

import sqlalchemy as sa

from hwaccept.history.database import HistoryDB
from hwaccept.history.schema import parts, results, runs
from hwaccept.reports.model import ERROR, FAILED, case_name
from hwaccept.rma.observations import Failure, RunRef, Sighting, in_run_order, part_key

_NAMES = (results.c.component_id, results.c.serial, results.c.bdf, results.c.slot)
_UNNAMED = sa.and_(*(column.is_(None) for column in _NAMES))


def _run_refs(conn: sa.Connection) -> dict[int, RunRef]:
    query = sa.select(runs.c.id, runs.c.source, runs.c.started, runs.c.system_serial,
                      runs.c.hostname, runs.c.complete)
    return {row.id: RunRef(row.source, row.started or "",
                           row.system_serial or row.hostname or row.source.rsplit("/", 1)[-1],
                           bool(row.complete))
            for row in conn.execute(query)}


def _failed_and_unnamed(conn: sa.Connection, refs: dict[int, RunRef],
                        found: dict[tuple[int, str, str], Sighting]) -> None:
    """Attach each failed case to its part; make a part of each unnamed case.

    A part row counts all its cases as passed; each failed one is taken off.
    """
    from_rows = set(found)
    query = (sa.select(results).where(sa.or_(results.c.outcome.in_((FAILED, ERROR)), _UNNAMED))
             .order_by(results.c.run, results.c.position))
    for row in conn.execute(query):
        name = case_name(row.nodeid)
        names = (row.component_id, row.serial, row.bdf, row.slot)
        key = (row.run, *part_key(row.component, names, name))
        sighting = found.get(key)
        if sighting is None:
            sighting = found[key] = Sighting(refs[row.run], key[1], key[2])
        if row.outcome in (FAILED, ERROR):
            sighting.failures.append(Failure(row.check or name, row.failure_code or "",
                                             row.action or "", row.outcome_message))
            sighting.passed -= key in from_rows
        else:
            sighting.passed += 1


def rma_sightings(db: HistoryDB) -> list[Sighting]:
    """Every part of every stored run as the RMA diagnoser sees it, oldest run first."""
    def read() -> list[Sighting]:
        with db.transaction() as conn:
            refs = _run_refs(conn)
            found: dict[tuple[int, str, str], Sighting] = {}
            for row in conn.execute(sa.select(parts)):
                found[row.run, row.kind, row.part] = Sighting(
                    refs[row.run], row.kind, row.part, row.serial or "",
                    row.slot or row.bdf or "", row.model or "", passed=row.cases)
            _failed_and_unnamed(conn, refs, found)
        return in_run_order(found.values())

    return db.retrying("cannot read the runs for RMA decisions", read)
