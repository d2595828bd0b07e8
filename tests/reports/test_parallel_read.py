"""Reports read on every core come back in order, with the unreadable ones named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hwaccept.reports.junit_read import read_junit
from hwaccept.reports.junit_write import junit_xml
from hwaccept.reports.model import CaseResult, RunReport
from hwaccept.reports.parallel_read import SERIAL_BELOW, WINDOW, read_all, read_each


def write_reports(folder: Path, count: int) -> list[str]:
    paths = []
    for n in range(count):
        path = folder / f"{n:04d}.xml"
        if n == 7:
            path.write_text("<testsuites><testsuite")
        else:
            run = RunReport("x", {"system_serial": f"SYS-{n}"},
                            (CaseResult(f"t.py::test[{n}]", "passed"),))
            path.write_text(junit_xml(run))
        paths.append(str(path))
    return paths


def test_a_pool_reads_many_reports_in_their_order(tmp_path: Path) -> None:
    paths = write_reports(tmp_path, 2 * WINDOW + 13)
    outcomes = list(read_all(paths, workers=2))
    assert [path for path, _, _ in outcomes] == paths
    assert [(r.identity["system_serial"] if r else None) for _, r, _ in outcomes] == [
        None if n == 7 else f"SYS-{n}" for n in range(len(paths))]
    assert outcomes[7][2] == (f"{paths[7]}: not well-formed XML (unclosed token: line 1, "
                              "column 12)")
    assert outcomes[100][1] == read_junit(paths[100])


def test_a_few_reports_are_read_here(tmp_path: Path) -> None:
    paths = write_reports(tmp_path, SERIAL_BELOW - 1)
    assert [r for _, r, _ in read_all(paths, workers=2)] == [
        None if n == 7 else read_junit(p) for n, p in enumerate(paths)]


def system_serial(path: str) -> str:
    return read_junit(path).identity["system_serial"]


def test_any_reader_of_a_module_runs_in_the_pool(tmp_path: Path) -> None:
    paths = write_reports(tmp_path, WINDOW + SERIAL_BELOW)
    assert [(path, value) for path, value, _ in read_each(paths, system_serial, workers=2)] == [
        (path, None if n == 7 else f"SYS-{n}") for n, path in enumerate(paths)]


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")
def test_the_kernel_is_asked_to_read_each_report_ahead(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    paths = write_reports(tmp_path, WINDOW + SERIAL_BELOW)
    asked: list[int] = []

    def advise(descriptor: int, offset: int, length: int, advice: int) -> None:
        assert (offset, length, advice) == (0, 0, os.POSIX_FADV_WILLNEED)
        asked.append(os.fstat(descriptor).st_ino)

    monkeypatch.setattr(os, "posix_fadvise", advise)
    assert len(list(read_each([*paths, str(tmp_path / "gone.xml")], system_serial,
                              workers=2))) == len(paths) + 1
    assert asked == [os.stat(path).st_ino for path in paths]
