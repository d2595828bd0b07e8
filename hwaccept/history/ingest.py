"""Storing run reports in the history database, each once, whoever else is storing them.

Reports are stored a batch to a transaction: each run row is inserted with `ON CONFLICT
DO NOTHING` on the unique run key (see `report_rows` for what makes two reports the same
run), and only the process whose insert made the row adds the parts and results, and
counts the parts into the fleet report's tallies. Two processes ingesting the same report
at once thus store it once, and a report is either wholly in the database or not at all.
A batch whose transaction fails because the database went away is tried again (see
`HistoryDB.retrying`); batches committed before it stay.
"""

from __future__ import annotations

import functools
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hwaccept.errors import HistoryError
from hwaccept.history.database import HistoryDB
from hwaccept.history.report_rows import ReportRows, Row, report_rows, tally_keys
from hwaccept.history.schema import TALLY_KEYS, part_tallies, parts, results, runs
from hwaccept.reports.model import RunReport


@dataclass(frozen=True)
class Ingested:
    """What became of one report."""

    source: str
    run_key: str
    added: bool
    differs: bool = False
    """Already present under the same run key, but with other content (the first is kept)."""


@dataclass(frozen=True)
class IngestSummary:
    """What became of every report of one `ingest` call, in order."""

    reports: tuple[Ingested, ...]

    @property
    def added(self) -> int:
        """Reports stored by this call."""
        return sum(r.added for r in self.reports)

    @property
    def already_present(self) -> int:
        """Reports the database held already (stored earlier, or by another process)."""
        return sum(not r.added for r in self.reports)

    @property
    def differing(self) -> tuple[Ingested, ...]:
        """Reports of a run already stored from a report with other content."""
        return tuple(r for r in self.reports if r.differs)


BATCH = 50
"""Reports stored per transaction."""


@functools.lru_cache(maxsize=4)
def _insert_run(dialect: str) -> sa.Insert:
    """INSERT a run unless its key is there; RETURNING its id only when inserted."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return (postgresql.insert(runs).on_conflict_do_nothing(index_elements=[runs.c.run_key])
                .returning(runs.c.id))
    from sqlalchemy.dialects import sqlite

    return (sqlite.insert(runs).on_conflict_do_nothing(index_elements=[runs.c.run_key])
            .returning(runs.c.id))


@functools.lru_cache(maxsize=16)
def _insert_sql(dialect: sa.Dialect, table: sa.Table,
                columns: tuple[str, ...]) -> tuple[str, Callable[[Row], Any] | None]:
    """The INSERT for `columns` in the dialect's parameter style, and what orders a row.

    The second is None for a named style (psycopg's `%(name)s`): dict rows serve as they
    are. For a positional one (SQLite's `?`) it turns a row into its values in order.
    """
    compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
    if compiled.positional and compiled.positiontup:
        return str(compiled), operator.itemgetter(*compiled.positiontup)
    return str(compiled), None


def _insert_many(conn: sa.Connection, table: sa.Table, rows: list[Row]) -> None:
    """Insert `rows` with one `executemany` of the driver.

    The statement is compiled by SQLAlchemy for the connection's dialect; the rows go to
    the driver directly (as tuples for SQLite, as dicts for psycopg): SQLAlchemy's own
    per-row parameter handling, and SQLite's named parameters, each cost about as much
    as the database's own work.
    """
    if not rows:
        return
    sql, positional = _insert_sql(conn.dialect, table, tuple(rows[0]))
    conn.exec_driver_sql(sql, [positional(row) for row in rows] if positional else rows)


def _store(db: HistoryDB, batch: list[ReportRows]) -> list[tuple[bool, bool]]:
    """Store a batch of reports in one transaction; per report (added, differs)."""
    try:
        return _store_once(db, batch)
    except UnicodeEncodeError:
        for rows in batch:
            rows.escape_surrogates()
        return _store_once(db, batch)


def _store_once(db: HistoryDB, batch: list[ReportRows]) -> list[tuple[bool, bool]]:
    with db.transaction(write=True) as conn:
        stored = [_store_rows(conn, db.dialect, rows) for rows in batch]
        _add_tallies(conn, db.dialect, [rows for rows, (added, _) in zip(batch, stored,
                                                                          strict=True) if added])
        return stored


@functools.lru_cache(maxsize=4)
def _add_tally(dialect: str) -> sa.Insert:
    """Add to a tally's counts, making it when it is not there yet."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        insert: postgresql.Insert | sqlite.Insert = postgresql.insert(part_tallies)
    else:
        from sqlalchemy.dialects import sqlite

        insert = sqlite.insert(part_tallies)
    return insert.on_conflict_do_update(
        index_elements=list(TALLY_KEYS),
        set_={"tested": part_tallies.c.tested + insert.excluded.tested,
              "failed": part_tallies.c.failed + insert.excluded.failed})


def _add_tallies(conn: sa.Connection, dialect: str, added: list[ReportRows]) -> None:
    """Count the parts of the runs this batch stored into `part_tallies`.

    One statement for the batch, its keys in order, so that two batches stored at once
    lock the same tallies in the same order.
    """
    tested: Counter[tuple[str, ...]] = Counter()
    failed: Counter[tuple[str, ...]] = Counter()
    for rows in added:
        for key, failing in tally_keys(rows):
            tested[key] += 1
            failed[key] += failing
    if tested:
        conn.execute(_add_tally(dialect), [
            {**dict(zip(TALLY_KEYS, key, strict=True)), "tested": tested[key],
             "failed": failed[key]} for key in sorted(tested)])


def _store_rows(conn: sa.Connection, dialect: str, rows: ReportRows) -> tuple[bool, bool]:
    run_id = conn.execute(_insert_run(dialect), rows.run).scalar()
    if run_id is None:
        stored = conn.scalar(sa.select(runs.c.content_digest)
                             .where(runs.c.run_key == rows.run["run_key"]))
        return False, stored != rows.run["content_digest"]
    rows.link(run_id)
    _insert_many(conn, parts, rows.parts)
    _insert_many(conn, results, rows.results)
    return True, False


def _batches(reports: Iterable[RunReport], size: int) -> Iterator[list[tuple[RunReport,
                                                                              ReportRows]]]:
    batch: list[tuple[RunReport, ReportRows]] = []
    for report in reports:
        batch.append((report, report_rows(report)))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest(db: HistoryDB, reports: Iterable[RunReport], batch: int = BATCH) -> IngestSummary:
    """Store every report the database does not hold yet.

    `reports` is consumed lazily, `batch` reports at a time, so a generator reading
    thousands of files never holds them all. Each batch is one transaction: a commit per
    report cost as much as parsing the report. A batch that fails is rolled back and
    retried whole; run keys keep a retried report from being stored twice.

    Raises:
        HistoryError: the database stayed unreachable; it names the first report of the
            batch it stopped at and how many of this call's reports are stored.

    """
    done: list[Ingested] = []
    for group in _batches(reports, batch):
        first = group[0][0].source
        try:
            stored = db.retrying(f"cannot store {first}",
                                 functools.partial(_store, db, [rows for _, rows in group]))
        except HistoryError as exc:
            kept = sum(r.added for r in done)
            raise HistoryError(f"{exc.msg}; {kept} report{'s' if kept != 1 else ''} "
                               "stored before it are kept") from None
        done += [Ingested(report.source, rows.run["run_key"], added, differs)
                 for (report, rows), (added, differs) in zip(group, stored, strict=True)]
    return IngestSummary(tuple(done))
