"""`hwaccept fleet report`: the page written, and one-line errors with exit 2."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from hwaccept.cli.main import main
from hwaccept.history.database import open_database
from hwaccept.history.ingest import ingest
from hwaccept.history.migrations import schema_version
from tests.fleet_report.history_cases import small_fleet


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "history.db"
    with open_database(path) as db:
        ingest(db, small_fleet())
    return path


def test_the_report_is_written_and_named(history: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fleet.html"
    assert main(["fleet", "report", "--db", str(history), "-o", str(out)]) == 0
    line = capsys.readouterr().out
    assert line.startswith(f"hwaccept: fleet report of 5 runs of 4 servers (2 awaiting action) "
                           f"in {out} (")
    assert "<h1>hwaccept fleet report</h1>" in out.read_text(encoding="utf-8")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_since_narrows_the_report(history: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fleet.html"
    assert main(["fleet", "report", "--db", str(history), "-o", str(out),
                 "--since", "2026-05-03"]) == 0
    assert "of 2 runs of 2 servers" in capsys.readouterr().out


def test_a_missing_database_is_one_line_and_exit_2(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.db"
    assert main(["fleet", "report", "--db", str(missing), "-o", str(tmp_path / "f.html")]) == 2
    assert capsys.readouterr() == ("", f"hwaccept: error: {missing}: no history database here "
                                       "(`hwaccept ingest` makes one)\n")
    assert not missing.exists()
    assert not (tmp_path / "f.html").exists()


def test_a_database_of_a_newer_hwaccept_is_refused(history: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with open_database(history) as db, db.transaction(write=True) as conn:
        conn.execute(sa.insert(schema_version).values(version=99, applied_at="-",
                                                      applied_by="hwaccept 9"))
    assert main(["fleet", "report", "--db", str(history), "-o", str(tmp_path / "f.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"hwaccept: error: {history}: schema version 99 was written by a "
                          "newer hwaccept")
    assert err.count("\n") == 1


def test_an_output_folder_that_does_not_exist_is_named(history: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       ) -> None:
    out = tmp_path / "nowhere" / "fleet.html"
    assert main(["fleet", "report", "--db", str(history), "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"hwaccept: error: {out}: folder {out.parent} does not exist\n")


def test_a_bad_day_is_a_usage_error(history: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["fleet", "report", "--db", str(history), "-o", str(tmp_path / "f.html"),
              "--since", "May 3"])
    assert stopped.value.code == 2
    assert "argument --since: expected a day as YYYY-MM-DD, got 'May 3'" in (
        capsys.readouterr().err)
