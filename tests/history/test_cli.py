"""`hwaccept ingest` and `hwaccept history`, through their handlers: output and exit codes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from hwaccept.cli.history import history, ingest
from hwaccept.history.database import open_database
from hwaccept.history.migrations import LATEST, schema_version
from hwaccept.reports.junit_write import junit_xml
from tests.history.runs import gpu_serials, server_run

MOVED = "1654922004703"
RUNS = [
    server_run("SYS-A", gpu_serials(1654922004700), "2026-03-01T08:00:00Z",
               failing={MOVED: "GPU_ECC_DBE"}),
    server_run("SYS-A", gpu_serials(1654922004700), "2026-03-02T08:00:00Z"),
    server_run("SYS-B", [MOVED, *gpu_serials(1654922004801, 7)], "2026-03-05T08:00:00Z"),
]


def write_reports(folder: Path) -> list[str]:
    paths = []
    for number, run in enumerate(RUNS):
        path = folder / run.identity["system_serial"] / f"{number}" / "junit.xml"
        path.parent.mkdir(parents=True)
        path.write_text(junit_xml(run), encoding="utf-8")
        paths.append(str(path))
    return paths


def ingest_args(db: Path | None, *reports: str | Path) -> argparse.Namespace:
    return argparse.Namespace(db=str(db) if db else None, reports=[str(r) for r in reports])


def history_args(db: Path | None, serial: str, *, as_json: bool = False) -> argparse.Namespace:
    return argparse.Namespace(db=str(db) if db else None, serial=serial, json=as_json)


def test_ingest_stores_readable_reports_and_names_the_rest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_reports(tmp_path / "reports")
    (tmp_path / "reports" / "broken.xml").write_text("<testsuites><testsuite>")
    db = tmp_path / "history.db"
    first = ingest(ingest_args(db, tmp_path / "reports"))
    out, err = capsys.readouterr()
    again = ingest(ingest_args(db, *sorted((tmp_path / "reports").glob("SYS-*/*/junit.xml"))))
    out_again, err_again = capsys.readouterr()
    assert (first, again) == (2, 0)
    assert out == f"{db}: 4 reports: 3 added, 0 already present, 1 unreadable\n"
    assert err.startswith(f"hwaccept: skipped: {tmp_path}/reports/broken.xml: not well-formed")
    assert err.count("\n") == 1
    assert (out_again, err_again) == (f"{db}: 3 reports: 0 added, 3 already present\n", "")


def test_history_of_a_moved_part_prints_both_chassis(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "history.db"
    assert ingest(ingest_args(db, *write_reports(tmp_path))) == 0
    capsys.readouterr()
    assert history(history_args(db, MOVED)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{MOVED}: 3 runs in 2 chassis (SYS-A, SYS-B)"
    assert lines[1].split() == ["STARTED", "CHASSIS", "HOST", "SLOT/BDF", "PART", "MODEL",
                                "VERDICT", "FAILURES", "ACTION", "RUN"]
    assert [line.split()[:5] for line in lines[2:]] == [
        ["2026-03-05T08:00:00Z", "SYS-B", "node-sys-b", "0000:18:00.0", "gpu"],
        ["2026-03-02T08:00:00Z", "SYS-A", "node-sys-a", "0000:48:00.0", "gpu"],
        ["2026-03-01T08:00:00Z", "SYS-A", "node-sys-a", "0000:48:00.0", "gpu"],
    ]
    assert lines[4].split()[5:] == [MOVED, "NVIDIA", "H100", "80GB", "HBM3", "FAIL",
                                    "GPU_ECC_DBE", "RMA_GPU", "run-SYS-A-2026-03-01T08:00:00Z"]
    assert [line.split()[10:13] for line in lines[2:4]] == [["PASS", "-", "-"]] * 2


def test_history_of_a_system_as_text_and_json(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "history.db"
    ingest(ingest_args(db, *write_reports(tmp_path)))
    capsys.readouterr()
    assert history(history_args(db, "SYS-A")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "SYS-A: 2 runs of this system"
    assert [line.split() for line in lines[2:]] == [
        ["2026-03-02T08:00:00Z", "SYS-A", "node-sys-a", "-", "system", "HGX", "H100", "8-GPU",
         "PASS", "-", "-", "run-SYS-A-2026-03-02T08:00:00Z"],
        ["2026-03-01T08:00:00Z", "SYS-A", "node-sys-a", "-", "system", "HGX", "H100", "8-GPU",
         "FAIL", "GPU_ECC_DBE", "(failing:", f"{MOVED})", "-", "run-SYS-A-2026-03-01T08:00:00Z"],
    ]
    assert history(history_args(db, "SYS-A", as_json=True)) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["serial"], document["database"]) == ("SYS-A", str(db))
    assert [(r["started"], r["kind"], r["verdict"], r["failure_codes"], r["failing_parts"])
            for r in document["runs"]] == [
        ("2026-03-02T08:00:00Z", "system", "PASS", [], []),
        ("2026-03-01T08:00:00Z", "system", "FAIL", ["GPU_ECC_DBE"], [MOVED]),
    ]


def test_an_unknown_serial_is_a_finding(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "history.db"
    ingest(ingest_args(db, *write_reports(tmp_path)))
    capsys.readouterr()
    assert history(history_args(db, "NOPE")) == 1
    assert capsys.readouterr() == ("", f"no runs of serial NOPE in {db}\n")
    assert history(history_args(db, "NOPE", as_json=True)) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["runs"] == []
    assert err == f"no runs of serial NOPE in {db}\n"


def test_database_errors_exit_2_with_one_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.db"
    assert history(history_args(missing, MOVED)) == 2
    assert capsys.readouterr() == ("", f"hwaccept: error: {missing}: no history database "
                                       "here (`hwaccept ingest` makes one)\n")
    newer = tmp_path / "newer.db"
    with open_database(newer) as db, db.transaction(write=True) as conn:
        conn.execute(sa.insert(schema_version).values(version=99, applied_at="-",
                                                      applied_by="hwaccept 9"))
    report = write_reports(tmp_path / "r")[0]
    assert ingest(ingest_args(newer, report)) == 2
    assert history(history_args(newer, MOVED)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [f"hwaccept: error: {newer}: schema version 99 was written by a "
                                f"newer hwaccept; this one ({_version()}) knows up to version "
                                f"{LATEST}. Upgrade hwaccept to use this database"] * 2


def _version() -> str:
    from hwaccept import __version__

    return __version__


def test_bad_report_arguments_exit_2(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "history.db"
    assert ingest(ingest_args(db, tmp_path / "nowhere")) == 2
    assert capsys.readouterr().err == f"hwaccept: error: {tmp_path}/nowhere: no such file or " \
                                      "folder\n"
    (tmp_path / "empty").mkdir()
    assert ingest(ingest_args(db, tmp_path / "empty")) == 2
    assert capsys.readouterr().err == f"hwaccept: error: no JUnit reports (*.xml) in " \
                                      f"{tmp_path}/empty\n"


def test_the_default_database_is_reports_history_db_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    paths = write_reports(tmp_path / "in")
    monkeypatch.chdir(tmp_path)
    assert ingest(ingest_args(None, *paths)) == 0
    assert history(history_args(None, MOVED)) == 0
    assert (tmp_path / "reports" / "history.db").is_file()
    assert capsys.readouterr().out.startswith(
        "reports/history.db: 3 reports: 3 added, 0 already present\n"
        f"{MOVED}: 3 runs in 2 chassis (SYS-A, SYS-B)\n")


def test_a_test_runs_start_up_does_not_import_sqlalchemy() -> None:
    code = ("import sys, conftest, hwaccept.cli.main, hwaccept.reports.junit_read, "
            "hwaccept.reports.junit_write\n"
            "[__import__(n) for n in conftest.pytest_plugins if n.startswith('plugins.')]\n"
            "print('plugins.hw_report' in sys.modules, "
            "sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'))")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout == "True []\n"
