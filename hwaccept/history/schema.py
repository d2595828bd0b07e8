"""The history database's tables, as the latest migration leaves them.

`runs` holds one row per run, `parts` one row per component a run saw (with
its firmware, from the firmware checks' measured values), `results` one
row per test case: its outcome and the message pytest gave it (`outcome_message`), each
property of the JUnit contract in a column of its name, and in `properties` the case's
properties as JSON, but only when those columns cannot give them back as they were
(other keys, a key twice, another order): a report of the suite stores none.

`parts` and `results` are clustered by their keys on SQLite (`WITHOUT ROWID`): a run's
rows are appended together, and read together. The indexes serve `hwaccept history`
and RMA look-ups: parts by serial and component id, runs by system serial and time; and
the fleet report: the parts that failed (a partial index).

`part_tallies` counts part-runs tested and failed by day, SKU, kind, model, slot position
(the part's slot, else its PCI address) and firmware, kept as runs are stored: the fleet
report reads a few thousand rows instead of every part of every run.

Queries and ingest use these definitions; `migrations` builds and upgrades databases to
match them (and keeps its own `schema_version` table), and a test checks that the two
agree.
"""

from __future__ import annotations

import sqlalchemy as sa

from hwaccept.reports.model import CASE_KEYS, OUTCOMES, SUITE_KEYS

metadata = sa.MetaData()

COUNT_COLUMNS = tuple(f"count_{outcome}" for outcome in OUTCOMES)
"""How many cases of each outcome a run had: `count_passed`, `count_failed`, ..."""

PART_COLUMNS = ("component_id", "serial", "slot", "bdf", "model")
"""Case properties that describe the part itself; a part row takes the first seen."""

RESULT_COLUMNS = CASE_KEYS
"""Each property of the JUnit contract has a `results` column of its name."""

runs = sa.Table(
    "runs", metadata,
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
    *(sa.Column(name, sa.Integer, nullable=False) for name in COUNT_COLUMNS),
    sa.Column("ingested_at", sa.Text, nullable=False),
    sa.UniqueConstraint("run_key", name="runs_run_key_unique"),
)

parts = sa.Table(
    "parts", metadata,
    sa.Column("run", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("part", sa.Text, primary_key=True),
    *(sa.Column(name, sa.Text) for name in PART_COLUMNS),
    sa.Column("verdict", sa.Text),
    sa.Column("failure_codes", sa.Text, nullable=False),
    sa.Column("actions", sa.Text, nullable=False),
    sa.Column("cases", sa.Integer, nullable=False),
    sa.Column("failing", sa.Integer, nullable=False),
    sa.Column("firmware", sa.Text),
    sqlite_with_rowid=False,
)

results = sa.Table(
    "results", metadata,
    sa.Column("run", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("nodeid", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("duration", sa.Float, nullable=False),
    sa.Column("outcome_message", sa.Text, nullable=False),
    *(sa.Column(name, sa.Text) for name in RESULT_COLUMNS),
    sa.Column("properties", sa.Text),
    sqlite_with_rowid=False,
)

part_tallies = sa.Table(
    "part_tallies", metadata,
    *(sa.Column(name, sa.Text, primary_key=True)
      for name in ("day", "sku", "kind", "model", "position", "firmware")),
    sa.Column("tested", sa.Integer, nullable=False),
    sa.Column("failed", sa.Integer, nullable=False),
)

TALLY_KEYS = ("day", "sku", "kind", "model", "position", "firmware")
"""What `part_tallies` counts part-runs by; a value not known is stored as ''."""

sa.Index("ix_parts_serial", parts.c.serial)
sa.Index("ix_parts_component_id", parts.c.component_id)
sa.Index("ix_runs_system_serial", runs.c.system_serial)
sa.Index("ix_runs_started_at", runs.c.started_at)
sa.Index("ix_parts_failing", parts.c.run, sqlite_where=parts.c.failing > 0,
         postgresql_where=parts.c.failing > 0)

