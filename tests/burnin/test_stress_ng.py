"""stress-ng: its YAML report read, its exit statuses judged, and a real run on this machine."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from hwaccept.burnin.stress_ng import metrics_of, run_stress, stress_argv
from hwaccept.sources.commands import DEFAULT_TIMEOUT, CommandResult, CommandStatus, LiveRunner

REPORT = Path(__file__).resolve().parents[1] / "fixtures" / "stress-ng" / (
    "stress-ng-0.15.06_cpu-vm_2s.yaml")


class Ended:
    """A runner whose command ends with `status` and prints `stderr`."""

    def __init__(self, status: int, stderr: str = "") -> None:
        self.status, self.stderr = status, stderr
        self.argv: list[str] = []

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> CommandResult:
        self.argv = list(argv)
        return CommandResult(tuple(argv), CommandStatus.EXITED, self.status, "", self.stderr)


def test_the_yaml_report_gives_each_stressors_rate() -> None:
    found = metrics_of(REPORT.read_text())
    assert [(m.stressor, m.bogo_ops) for m in found] == [("cpu", 1760.0), ("vm", 43108.0)]
    assert found[0].per_second == pytest.approx(878.030958)


@pytest.mark.parametrize("text", ["", ": not yaml [", "metrics: 3", "- a\n- b\n",
                                  "metrics:\n  - stressor: cpu\n    bogo-ops: lots\n"])
def test_a_report_without_metrics_gives_none(text: str) -> None:
    assert metrics_of(text) == ()


def test_the_command_loads_every_cpu_and_most_memory_verified() -> None:
    assert stress_argv("/usr/bin/stress-ng", 600.4, "/tmp/r.yaml") == [
        "/usr/bin/stress-ng", "--cpu", "0", "--vm", "1", "--vm-bytes", "70%", "--verify",
        "--oom-avoid", "--timeout", "600s", "--metrics-brief", "--yaml", "/tmp/r.yaml"]


@pytest.mark.parametrize(("status", "failed"), [(0, False), (2, True), (5, True), (6, True),
                                                (3, False), (7, False)])
def test_exit_statuses_that_point_at_the_hardware_fail(status: int, failed: bool) -> None:
    stderr = ("stress-ng: fail:  [4242] vm: detected 8 bit errors while stressing memory\n"
              if failed else "")
    run = run_stress(Ended(status, stderr), "stress-ng", 1, 10)
    assert (run.status, run.failed) == (status, failed)
    assert run.failures == ((("stress-ng: fail:  [4242] vm: detected 8 bit errors while "
                              "stressing memory"),) if failed else ())


def test_a_run_that_never_ended_says_why() -> None:
    class Hung(Ended):
        def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> CommandResult:
            return CommandResult(tuple(argv), CommandStatus.TIMEOUT, None, "", "", timeout)

    run = run_stress(Hung(0), "stress-ng", 1, 5)
    assert (run.status, run.failed) == (None, False)
    assert "5" in (run.problem or "")


@pytest.mark.skipif(shutil.which("stress-ng") is None,
                    reason="stress-ng is not installed (apt-get install stress-ng)")
def test_a_real_run_verifies_and_reports_its_rates() -> None:
    """One second is too short for the memory stressor to map its 70 %: it may report none."""
    run = run_stress(LiveRunner(), shutil.which("stress-ng") or "", 1, 60)
    assert (run.status, run.failed, run.failures) == (0, False, ())
    rates = {m.stressor: m.per_second for m in run.metrics}
    assert rates["cpu"] > 0
    assert set(rates) <= {"cpu", "vm"}
