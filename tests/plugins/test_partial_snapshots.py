"""A snapshot imported from one file holds part of a machine.

What it lacks is skipped as not in the snapshot, never failed as missing hardware.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hwaccept.importers.run import Input, import_files, write_snapshot
from tests.corpus import CORPUS
from tests.plugins.test_acceptance_runs import run_suite


def imported(tmp_path: Path, capture: Path) -> Path:
    result = import_files([Input(str(capture))])
    assert result.errors == []
    out = tmp_path / "partial.tar.gz"
    write_snapshot(str(out), result)
    return out


def test_an_ibstat_alone_fails_nothing(pytester: pytest.Pytester, tmp_path: Path) -> None:
    snapshot = imported(tmp_path, CORPUS / "ib" / "gpud_ibstat_8xH100_all-active.txt")
    result = run_suite(pytester, "--hw-snapshot", str(snapshot),
                       "--hw-profile", "dell-xe9680-h100")
    assert result.ret == 0, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines(["*gpu_count: *NVML is not in this snapshot*"])
    assert result.parseoutcomes()["passed"] >= 12


def test_a_dmesg_alone_fails_only_on_what_it_shows(pytester: pytest.Pytester,
                                                   tmp_path: Path) -> None:
    log = CORPUS / "kmsg" / "gpud_dmesg_H100-XE9680_xid119-gsp-timeout.log"
    snapshot = imported(tmp_path, log)
    result = run_suite(pytester, "--hw-snapshot", str(snapshot),
                       "--hw-profile", "dell-xe9680-h100")
    assert result.ret == 1
    assert result.parseoutcomes()["failed"] == 1
    result.stdout.fnmatch_lines(["*0000:9b:00.0: fail: Xid 119 x5 (GSP RPC Timeout) — "
                                 "GPU_XID_119 → RESET_GPU*",
                                 "FAILED *test_kernel_xid[[]GPU_at_0000:9b:00.0[]]*"])
