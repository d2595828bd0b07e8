"""The schema: built by its migrations as schema.py describes it, upgraded, newer refused."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from hwaccept import __version__
from hwaccept.errors import HistoryError
from hwaccept.history import schema
from hwaccept.history.database import HistoryDB, connect, open_database
from hwaccept.history.ingest import ingest
from hwaccept.history.migrations import LATEST, MIGRATIONS, migrate, schema_version
from hwaccept.history.queries import history_of
from hwaccept.history.report_rows import report_rows
from hwaccept.reports.model import CaseResult, RunReport
from tests.history.runs import GPU_MODEL, bdf, gpu_serials, server_run


def shape(conn: sa.Connection) -> dict[str, Any]:
    """Each table's columns, primary key, unique constraints and indexes, as stored."""
    inspector = sa.inspect(conn)
    found: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        found[table] = {
            "columns": [(c["name"], c["nullable"]) for c in inspector.get_columns(table)],
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "unique": sorted(tuple(u["column_names"]) for u in
                             inspector.get_unique_constraints(table)),
            "indexes": sorted((i["name"], tuple(i["column_names"]))
                              for i in inspector.get_indexes(table)
                              if not i.get("duplicates_constraint")),
        }
    return found


def store_unmigrated(db: HistoryDB, report: RunReport, *, firmware: bool = False) -> None:
    """Store `report` as a hwaccept of an older schema did: without tallies.

    The parts keep their firmware only with `firmware` (schema version 3).
    """
    rows = report_rows(report)
    with db.transaction(write=True) as conn:
        rows.link(conn.scalar(sa.insert(schema.runs).values(rows.run).returning(schema.runs.c.id)))
        conn.execute(sa.insert(schema.results), rows.results)
        if firmware:
            conn.execute(sa.insert(schema.parts), rows.parts)
            return
        conn.execute(sa.text("INSERT INTO parts (run, kind, part, component_id, serial, slot, "
                             "bdf, model, verdict, failure_codes, actions, cases, failing) "
                             "VALUES (:run, :kind, :part, :component_id, :serial, :slot, :bdf, "
                             ":model, :verdict, :failure_codes, :actions, :cases, :failing)"),
                     rows.parts)


def described(table: sa.Table) -> dict[str, Any]:
    """The same, as schema.py declares it."""
    return {
        "columns": [(c.name, c.nullable) for c in table.columns],
        "primary key": [c.name for c in table.primary_key.columns],
        "unique": sorted(tuple(c.name for c in u.columns) for u in table.constraints
                         if isinstance(u, sa.UniqueConstraint)),
        "indexes": sorted((i.name, tuple(c.name for c in i.columns)) for i in table.indexes),
    }


def test_a_new_database_is_built_as_schema_py_describes(db_url: str) -> None:
    with open_database(db_url) as db, db.transaction() as conn:
        found = shape(conn)
        versions = conn.execute(sa.select(schema_version.c.version,
                                          schema_version.c.applied_by)).all()
    expected = {t.name: described(t) for t in schema.metadata.sorted_tables}
    assert {name: found[name] for name in expected} == expected
    assert set(found) == {*expected, "schema_version"}
    assert versions == [(m.version, f"hwaccept {__version__}") for m in MIGRATIONS]
    assert LATEST == len(MIGRATIONS) == 4


def test_a_version_1_database_is_upgraded_and_keeps_its_runs(db_url: str) -> None:
    old = connect(db_url)
    with old.transaction(write=True) as conn:
        assert migrate(conn, old.display, target=1) == 1
    with old.transaction() as conn:
        assert shape(conn)["parts"]["indexes"] == []
    store_unmigrated(old, server_run("SYS-OLD", gpu_serials(1654922004700),
                                     "2026-01-01T00:00:00Z"))
    old.close()

    with open_database(db_url) as db:
        with db.transaction() as conn:
            found = shape(conn)
            versions = conn.scalars(sa.select(schema_version.c.version)).all()
        sightings = history_of(db, "1654922004703")
    assert versions == [1, 2, 3, 4]
    assert found["parts"]["indexes"] == described(schema.parts)["indexes"]
    assert found["runs"]["indexes"] == described(schema.runs)["indexes"]
    assert [(s.system_serial, s.bdf, s.verdict) for s in sightings] == [
        ("SYS-OLD", "0000:48:00.0", "PASS")]


def test_opening_twice_migrates_once(db_url: str) -> None:
    open_database(db_url).close()
    with open_database(db_url) as db, db.transaction() as conn:
        assert conn.scalars(sa.select(schema_version.c.version)).all() == [1, 2, 3, 4]


def test_a_version_2_database_gets_each_parts_firmware_from_its_stored_checks(
        db_url: str) -> None:
    old = connect(db_url)
    with old.transaction(write=True) as conn:
        assert migrate(conn, old.display, target=2) == 2
    gpus = gpu_serials(1654922004700, 2)
    run = server_run("SYS-FW", gpus, "2026-01-01T00:00:00Z")
    vbios = [CaseResult(f"hwtests/test_gpu.py::test_gpu_vbios[gpu{slot}-{serial}]", "passed",
                        0.0, "", (("component", "gpu"), ("component_id", serial),
                                  ("check", "gpu_vbios"), ("measured", f"96.00.89.00.0{slot}")))
             for slot, serial in enumerate(gpus)]
    store_unmigrated(old, dataclasses.replace(run, cases=(*run.cases, *vbios)))
    old.close()

    with open_database(db_url) as db, db.transaction() as conn:
        found = dict(conn.execute(sa.select(schema.parts.c.part, schema.parts.c.firmware)).all())
    assert found == {"SYS-FW": None, gpus[0]: "96.00.89.00.00", gpus[1]: "96.00.89.00.01"}


def test_a_database_from_a_newer_hwaccept_is_refused(db_url: str) -> None:
    with open_database(db_url) as db, db.transaction(write=True) as conn:
        conn.execute(sa.insert(schema_version).values(
            version=LATEST + 1, applied_at="2030-01-01T00:00:00+00:00",
            applied_by="hwaccept 9.0"))
        display = db.display
    with pytest.raises(HistoryError) as refused:
        open_database(db_url)
    assert refused.value.msg == (
        f"{display}: schema version {LATEST + 1} was written by a newer hwaccept; this one "
        f"({__version__}) knows up to version {LATEST}. Upgrade hwaccept to use this database")


def test_another_applications_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE users (name TEXT)")
    with pytest.raises(HistoryError, match=r"has tables \(users\) but no schema_version; not "
                                           r"a hwaccept history database"):
        open_database(path)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with open_database(tmp_path / "h.db") as db, db.transaction() as conn:
        modes = [conn.exec_driver_sql(f"PRAGMA {p}").scalar()
                 for p in ("journal_mode", "foreign_keys", "synchronous")]
    assert modes == ["wal", 1, 1]


def test_sqlite_urls_and_paths_name_the_same_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = server_run("SYS-A", gpu_serials(1654922004700), "2026-01-01T00:00:00Z")
    with open_database("sqlite:///relative.db") as db:
        assert ingest(db, [run]).added == 1
    with open_database(tmp_path / "relative.db") as db:
        assert ingest(db, [run]).already_present == 1
    with open_database(f"sqlite:///{tmp_path}/relative.db") as db:
        assert ingest(db, [run]).already_present == 1


@pytest.mark.parametrize(("target", "message"), [
    ("mysql://user@host/db", r"^mysql://\.\.\.: not a history database URL; use a file path, "
                             r"sqlite:///PATH or postgresql://USER@HOST/DB$"),
    ("sqlite://", r"^sqlite://: give the file, e\.g\. sqlite:///reports/history\.db$"),
    ("{tmp}/missing/h.db", r"/missing/h\.db: folder .*/missing does not exist$"),
])
def test_bad_targets_are_refused_with_the_reason(tmp_path: Path, target: str,
                                                 message: str) -> None:
    with pytest.raises(HistoryError, match=message):
        open_database(target.format(tmp=tmp_path))


def test_a_missing_file_is_not_made_when_reading(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with pytest.raises(HistoryError, match=r"h\.db: no history database here \(`hwaccept "
                                           r"ingest` makes one\)"):
        open_database(path, create=False)
    assert not path.exists()


def tallies(db: HistoryDB) -> list[tuple[Any, ...]]:
    with db.transaction() as conn:
        return [tuple(row) for row in conn.execute(
            sa.select(schema.part_tallies).order_by(*schema.part_tallies.primary_key))]


def test_a_version_3_database_gets_the_tallies_ingest_would_have_kept(db_url: str) -> None:
    failing = server_run("SYS-T1", gpu_serials(1654922004700), "2026-02-01T10:00:00Z",
                         failing={"1654922004703": "GPU_ECC_DBE"})
    other = server_run("SYS-T2", gpu_serials(1654922005700), "2026-02-02T10:00:00Z")
    old = connect(db_url)
    with old.transaction(write=True) as conn:
        assert migrate(conn, old.display, target=3) == 3
    for report in (failing, other):
        store_unmigrated(old, report, firmware=True)
    old.close()
    with open_database(db_url) as db:
        upgraded = tallies(db)
        with db.transaction(write=True) as conn:
            for table in (schema.part_tallies, schema.results, schema.parts, schema.runs):
                conn.execute(sa.delete(table))
        ingest(db, [failing, other])
        kept = tallies(db)
    assert upgraded == kept
    assert ("2026-02-01", "hgx-h100-8gpu", "gpu", GPU_MODEL, bdf(3), "", 1, 1) in kept
    assert sum(row[6] for row in kept) == 2 * (1 + 8)
