"""The schema's versions: an ordered list of migrations, each applied once, in a transaction.

The `schema_version` table records every version applied, when and by which hwaccept.
Each migration spells out its own tables and indexes as they were when it was written,
so an old database is upgraded through the very steps a new one is built by; `schema`
describes where they lead. A database whose version is newer than the last migration
here was written by a newer hwaccept, which may store what this one cannot read: it is
refused rather than written to.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from hwaccept import __version__
from hwaccept.errors import HistoryError
from hwaccept.history.sightings import refuse_newer
from hwaccept.reports.model import OUTCOMES, SUITE_KEYS

MIGRATION_LOCK = 0x6877_6869_7374
"""PostgreSQL advisory lock held while migrating, so two processes never both migrate."""

_versions = sa.MetaData()
schema_version = sa.Table(
    "schema_version", _versions,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.Text, nullable=False),
    sa.Column("applied_by", sa.Text, nullable=False),
)

_v1 = sa.MetaData()
_v1_runs = sa.Table(
    "runs", _v1,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_key", sa.String(64), nullable=False),
    sa.Column("key_kind", sa.String(8), nullable=False),
    sa.Column("content_digest", sa.String(64), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    *(sa.Column(key, sa.Text) for key in SUITE_KEYS),
    sa.Column("started_at", sa.Text),
    sa.Column("extra_identity", sa.Text, nullable=False),
    sa.Column("notes", sa.Text, nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("verdict", sa.Text),
    sa.Column("failure_codes", sa.Text, nullable=False),
    sa.Column("cases", sa.Integer, nullable=False),
    *(sa.Column(f"count_{outcome}", sa.Integer, nullable=False) for outcome in OUTCOMES),
    sa.Column("ingested_at", sa.Text, nullable=False),
    sa.UniqueConstraint("run_key", name="runs_run_key_unique"),
)
_v1_parts = sa.Table(
    "parts", _v1,
    sa.Column("run", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("part", sa.Text, primary_key=True),
    *(sa.Column(name, sa.Text) for name in ("component_id", "serial", "slot", "bdf", "model",
                                            "verdict")),
    sa.Column("failure_codes", sa.Text, nullable=False),
    sa.Column("actions", sa.Text, nullable=False),
    sa.Column("cases", sa.Integer, nullable=False),
    sa.Column("failing", sa.Integer, nullable=False),
    sqlite_with_rowid=False,
)
_v1_results = sa.Table(
    "results", _v1,
    sa.Column("run", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("nodeid", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("duration", sa.Float, nullable=False),
    sa.Column("outcome_message", sa.Text, nullable=False),
    *(sa.Column(name, sa.Text) for name in (
        "component", "component_id", "serial", "slot", "bdf", "model", "check", "measured",
        "expected", "unit", "verdict", "failure_code", "action", "message")),
    sa.Column("properties", sa.Text),
    sqlite_with_rowid=False,
)


def _create_tables(conn: sa.Connection) -> None:
    _v1.create_all(conn, checkfirst=False)


def _index_lookups(conn: sa.Connection) -> None:
    for name, table, column in (("ix_parts_serial", "parts", "serial"),
                                ("ix_parts_component_id", "parts", "component_id"),
                                ("ix_runs_system_serial", "runs", "system_serial"),
                                ("ix_runs_started_at", "runs", "started_at")):
        conn.execute(sa.text(f"CREATE INDEX {name} ON {table} ({column})"))


def _part_firmware(conn: sa.Connection) -> None:
    """Add `parts.firmware`, filled from the stored firmware checks' measured values."""
    from hwaccept.reports.components import firmware_text

    conn.execute(sa.text("ALTER TABLE parts ADD COLUMN firmware TEXT"))
    checks = sa.text(
        'SELECT run, component, component_id, serial, bdf, slot, "check", measured '
        "FROM results WHERE measured IS NOT NULL AND "
        '("check" LIKE \'%bios\' OR "check" LIKE \'%firmware\' OR "check" LIKE \'%bmc\')')
    found: dict[tuple[int, str, str], list[tuple[str | None, str | None]]] = {}
    for row in conn.execute(checks):
        name = row.component_id or row.serial or row.bdf or row.slot
        if name:
            found.setdefault((row.run, row.component or "unknown", name), []).append(
                (row.check, row.measured))
    updates = [{"firmware": firmware, "run": run, "kind": kind, "part": part}
               for (run, kind, part), pairs in found.items() if (firmware := firmware_text(pairs))]
    if updates:
        conn.execute(sa.text("UPDATE parts SET firmware = :firmware "
                             "WHERE run = :run AND kind = :kind AND part = :part"), updates)


_v4 = sa.MetaData()
_v4_tallies = sa.Table(
    "part_tallies", _v4,
    *(sa.Column(name, sa.Text, primary_key=True)
      for name in ("day", "sku", "kind", "model", "position", "firmware")),
    sa.Column("tested", sa.Integer, nullable=False),
    sa.Column("failed", sa.Integer, nullable=False),
)


def _fleet_tallies(conn: sa.Connection) -> None:
    """The part tallies and the failing parts' index, filled from the runs stored so far."""
    _v4.create_all(conn, checkfirst=False)
    where = " WHERE failing > 0"
    conn.execute(sa.text(f"CREATE INDEX ix_parts_failing ON parts (run){where}"))
    conn.execute(sa.text(
        "INSERT INTO part_tallies (day, sku, kind, model, position, firmware, tested, failed) "
        "SELECT COALESCE(SUBSTR(r.started_at, 1, 10), ''), COALESCE(r.sku, ''), p.kind, "
        "COALESCE(p.model, ''), COALESCE(p.slot, p.bdf, ''), COALESCE(p.firmware, ''), "
        "COUNT(*), SUM(CASE WHEN p.failing > 0 THEN 1 ELSE 0 END) "
        "FROM parts p JOIN runs r ON r.id = p.run GROUP BY 1, 2, 3, 4, 5, 6"))


@dataclass(frozen=True)
class Migration:
    """One step of the schema: the version it leads to and how to get there."""

    version: int
    summary: str
    apply: Callable[[sa.Connection], None]


MIGRATIONS = (
    Migration(1, "runs, parts and results", _create_tables),
    Migration(2, "indexes for look-ups by part serial, system serial and component id",
              _index_lookups),
    Migration(3, "each part's firmware version, for failures by firmware", _part_firmware),
    Migration(4, "part-runs tested and failed per day, SKU, model, slot and firmware, and an "
                 "index of the parts that failed, for the fleet report", _fleet_tallies),
)
LATEST = MIGRATIONS[-1].version


def version_of(conn: sa.Connection, display: str) -> int:
    """The schema version the database has: 0 for an empty database.

    Raises:
        HistoryError: the database holds other tables but no `schema_version`: it is
            some other application's database, not ours to write into.

    """
    tables = set(sa.inspect(conn).get_table_names())
    if schema_version.name not in tables:
        if tables:
            raise HistoryError(f"{display}: has tables ({', '.join(sorted(tables))}) but no "
                               "schema_version; not a hwaccept history database")
        return 0
    return conn.scalar(sa.select(sa.func.max(schema_version.c.version))) or 0


def migrate(conn: sa.Connection, display: str, target: int = LATEST) -> int:
    """Apply the migrations the database lacks, up to `target`, in the caller's transaction.

    The caller holds a write transaction (on SQLite `BEGIN IMMEDIATE`, which already
    excludes other writers); on PostgreSQL an advisory lock serialises migrators. The
    version is read again under the lock: another process may have migrated meanwhile.

    Returns:
        The version the database has now.

    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
    version = version_of(conn, display)
    refuse_newer(version, display)
    if version == 0:
        _versions.create_all(conn, checkfirst=False)
    for migration in MIGRATIONS[version:target]:
        migration.apply(conn)
        conn.execute(sa.insert(schema_version).values(
            version=migration.version, applied_by=f"hwaccept {__version__}",
            applied_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")))
    return max(version, target)
