"""Burn-in progress: which device is under which load and the time left, while the run goes."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.hw_progress import device_of

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO / "snapshots" / "hgx-h100-8gpu.tar.gz"

SUITE = """
import time
import pytest

@pytest.mark.burnin
@pytest.mark.parametrize("device", ["gpu0", "gpu1"])
def test_load(device):
    time.sleep(0.6)
"""


def test_device_names_come_from_the_group_else_the_parameter() -> None:
    assert device_of("t.py::test_x[gpu0-123]@gpu:0000:19:00.0") == "gpu:0000:19:00.0"
    assert device_of("t.py::test_x[nvme0n1]") == "nvme0n1"
    assert device_of("t.py::test_cpu_memory_stress") == "-"


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makeini("[pytest]\nmarkers =\n    burnin: stress\n")
    pytester.makepyfile(test_suite=SUITE)
    return pytester.runpytest_subprocess(
        "-p", "plugins.hw_options", "-p", "plugins.hw_inventory", "-p", "plugins.hw_profile",
        "-p", "plugins.hw_burnin", "-p", "plugins.hw_progress", "-p", "no:cacheprovider",
        f"--hw-snapshot={SNAPSHOT}", "--hw-burnin-minutes=0.01", "-m", "burnin", *args)


def test_a_burnin_run_reports_its_loads_and_time_left(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--hw-progress=0.2")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "hwaccept burn-in: 0 of 2 tests done, 1 running; about *:* left",
        "  gpu0 * test_load[[]gpu0[]]  0:00 of 0:00"])


def test_under_xdist_the_controller_reports_every_worker(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--hw-progress=0.2", "-n", "2")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["hwaccept burn-in: 0 of 2 tests done, 2 running; *",
                                 "  gpu0 *", "  gpu1 *"])


def test_zero_turns_it_off(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--hw-progress=0")
    result.assert_outcomes(passed=2)
    assert "hwaccept burn-in:" not in result.stdout.str()
