"""The acceptance suite as a burn-in station runs it: live, from a snapshot, under xdist."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from hwaccept.snapshot import capture

REPO = Path(__file__).resolve().parents[2]


def run_suite(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        str(REPO / "hwtests"), "-m", "acceptance", "--rootdir", str(REPO),
        "-c", str(REPO / "pyproject.toml"), "-p", "no:cacheprovider", "-rfs", *args)


def test_live_run_on_this_machine(pytester: pytest.Pytester) -> None:
    result = run_suite(pytester)
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes.get("failed", 0) == 0
    assert outcomes["passed"] >= 3
    result.stdout.fnmatch_lines(["hwaccept: reading this machine"])
    if not Path("/proc/driver/nvidia").exists():
        result.stdout.fnmatch_lines(["SKIPPED*no GPUs to check: no NVIDIA driver*"])


def test_parallel_run_gives_the_same_outcomes(pytester: pytest.Pytester) -> None:
    """The same outcomes; only a serial run counts the burn-in tests `-m` deselected."""
    serial = run_suite(pytester).parseoutcomes()
    parallel = run_suite(pytester, "-n", "2").parseoutcomes()
    assert serial.pop("deselected") > 0
    assert parallel == serial


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("snapshot")
    capture(str(base / "vm.tar.gz"))
    with tarfile.open(base / "vm.tar.gz") as tar:
        tar.extractall(base / "vm", filter="data")
    return base / "vm"


def test_a_planted_read_error_fails_only_that_device(pytester: pytest.Pytester,
                                                     unpacked: Path) -> None:
    meta = json.loads((unpacked / "files.json").read_text())
    first = sorted(p for p in (unpacked / "files/sys/devices").rglob("vendor"))[0]
    path = "/" + first.relative_to(unpacked / "files").as_posix()
    first.unlink()
    meta["errors"][path] = {"errno": 5, "message": "Input/output error"}
    (unpacked / "files.json").write_text(json.dumps(meta))
    result = run_suite(pytester, "--hw-snapshot", str(unpacked))
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1
    address = first.parent.name
    result.stdout.fnmatch_lines([f"*{path}: Input/output error*",
                                 f"FAILED*test_pci_device_readable[[]{address}-*"])


def test_an_unreadable_snapshot_stops_the_run(pytester: pytest.Pytester, tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00 truncated")
    result = run_suite(pytester, "--hw-snapshot", str(bad))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {bad}: truncated or corrupt archive*"])
    assert "Traceback" not in result.stderr.str()
