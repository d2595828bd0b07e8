"""CPU and memory under load with stress-ng: how to run it and what its ending means.

`stress-ng --cpu 0 --vm 1 --vm-bytes P% --verify` loads every CPU and most of the free
memory for the burn-in's duration and checks what the stressors compute. Its exit status
says how it went (stress-ng(1), EXIT STATUS): 2, 5 and 6 mean a stressor failed, died of
a signal or exited unexpectedly, which on a healthy system points at the hardware; 1, 3
and 4 mean stress-ng itself could not do the work (options, resources, an unimplemented
stressor); 7 means its counters may be untrustworthy, mostly after an OOM kill. Its YAML
report (`--yaml`) gives each stressor's bogo operations per second.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any

import yaml

from hwaccept.sources.commands import CommandStatus, Runner

MEMORY_PERCENT = 70
"""Share of the memory the `vm` stressor takes: most of it, leaving room for the system."""
EXIT_MEANING = {
    1: "stress-ng could not run: wrong options or a fatal resource issue in its harness",
    2: "one or more stressors failed",
    3: "a stressor could not start for lack of resources",
    4: "a stressor is not implemented on this system",
    5: "a stressor was killed by an unexpected signal",
    6: "a stressor exited unexpectedly",
    7: "the bogo-ops counters may be untrustworthy (a stressor was OOM-killed?)",
}
HARDWARE_FAILURES = frozenset({2, 5, 6})
"""Exit statuses that, on a healthy system, point at the hardware."""


@dataclass(frozen=True)
class StressMetric:
    """One stressor's work, from the YAML report."""

    stressor: str
    bogo_ops: float
    per_second: float
    """Bogo operations per second of wall-clock time."""


@dataclass(frozen=True)
class StressRun:
    """One run of stress-ng: how it ended, what it did, and what it said went wrong."""

    status: int | None
    """The exit status; None when it did not run to its end (not installed, timed out)."""
    problem: str | None
    """Why it did not run to its end."""
    metrics: tuple[StressMetric, ...]
    failures: tuple[str, ...]
    """Its `fail:` lines."""

    @property
    def failed(self) -> bool:
        """A stressor failed in a way that points at the hardware."""
        return self.status in HARDWARE_FAILURES


def stress_argv(binary: str, seconds: float, report: str) -> list[str]:
    """Every CPU and MEMORY_PERCENT of the memory, verified, for `seconds`."""
    return [binary, "--cpu", "0", "--vm", "1", "--vm-bytes", f"{MEMORY_PERCENT}%",
            "--verify", "--oom-avoid", "--timeout", f"{max(1, round(seconds))}s",
            "--metrics-brief", "--yaml", report]


def metrics_of(text: str) -> tuple[StressMetric, ...]:
    """The stressors' metrics of a `--yaml` report; none when it holds none or is not YAML."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        return ()
    rows = data.get("metrics") if isinstance(data, dict) else None
    found = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("stressor"), str):
            continue
        try:
            found.append(StressMetric(row["stressor"], float(row.get("bogo-ops", 0)),
                                      float(row.get("bogo-ops-per-second-real-time", 0))))
        except (TypeError, ValueError):
            continue
    return tuple(found)


def run_stress(runner: Runner, binary: str, seconds: float, timeout: float) -> StressRun:
    """Run stress-ng for `seconds` and read how it went."""
    with tempfile.TemporaryDirectory(prefix="hwaccept-stress-") as folder:
        report = os.path.join(folder, "stress-ng.yaml")
        result = runner.run(stress_argv(binary, seconds, report), timeout=timeout)
        try:
            with open(report, encoding="utf-8", errors="replace") as handle:
                metrics = metrics_of(handle.read())
        except OSError:
            metrics = ()
    if result.status is not CommandStatus.EXITED:
        return StressRun(None, result.describe(), metrics, ())
    lines = (result.stdout + "\n" + result.stderr).splitlines()
    failures = tuple(line.strip() for line in lines if " fail: " in line or "FAILED" in line)
    return StressRun(result.returncode, None, metrics, failures)
