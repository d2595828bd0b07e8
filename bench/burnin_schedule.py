"""Burn-in scheduling under pytest-xdist: makespan against the ideal, and same-device overlaps.

Usage: `.venv/bin/python bench/burnin_schedule.py [--runs N] [--workers N] [--scale X]
[--modes MODE ...]`

Writes a synthetic suite to a scratch folder: 8 GPUs, each with 2 to 6 stress tests of
known, unequal durations (sleeps, so the machine's cores are no bottleneck), 16 read-only
tests without a group, and one `system` test. Like hwtests, the collection interleaves the
devices (each stress test in turn for every GPU) and mixes the read-only tests in. Every
test records its start and stop (CLOCK_MONOTONIC, which every process on the machine
shares) in a file of its own. The suite runs with `-n N` (default 8) in four modes:

- hw_schedule: `-n N` with plugins.hw_schedule loaded, as the project runs it;
- load: `-n N --dist load`, xdist's default, which knows nothing of devices;
- loadgroup: `-n N --dist loadgroup` with xdist's own scheduler, for reference. On
  pytest 9.2 it groups nothing: xdist renames each grouped test by writing `item._nodeid`,
  which pytest no longer reads (pytest-xdist issue #1386);
- loadgroup*: the same with a conftest that makes the renaming take effect, to show
  how xdist's scheduler groups where it works (pytest before 9.2).

For each it prints the makespan (first start to last stop), the ideal (the longest
per-device total plus the system test, which must run alone), their ratio (target
<= 1.15 for hw_schedule), the pytest command's wall time (worker start-up included),
when the last read-only test ended, and the overlaps found in the recorded times: pairs
of tests of one device that ran at once, and tests that ran while the system test did.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from hwaccept.burnin.plan import SYSTEM_GROUP as SYSTEM

GPUS = ("0000:18:00.0", "0000:2a:00.0", "0000:3a:00.0", "0000:5d:00.0",
        "0000:9a:00.0", "0000:ab:00.0", "0000:ba:00.0", "0000:db:00.0")
STRESS = ((1.0, 0.5, 1.0, 0.5, 1.0), (0.5, 0.5, 0.5), (1.0, 1.0, 0.75, 0.75),
          (0.25, 0.5, 0.25, 0.5, 0.25, 0.25), (1.5, 1.5), (0.75, 0.25, 0.75, 0.25),
          (0.5, 1.0, 0.5, 0.5, 1.0, 0.25), (1.0, 0.25))
"""Seconds of each stress test, per GPU in GPUS' order."""
FREE = 16
FREE_SECONDS = 0.1
SYSTEM_SECONDS = 0.75

SUITE = '''
import json
import os
import time
from pathlib import Path

from hwaccept.burnin.plan import SYSTEM_GROUP as SYSTEM

import pytest

CASES = json.loads(Path(__file__).with_name("cases.json").read_text())


def case(name, group, seconds):
    marks = [pytest.mark.xdist_group(group)] if group else []
    return pytest.param(group, seconds, id=name, marks=marks)


@pytest.mark.parametrize(("group", "seconds"), [case(*c) for c in CASES])
def test_case(request, group, seconds):
    start = time.monotonic()
    time.sleep(seconds)
    stop = time.monotonic()
    record = {"id": request.node.callspec.id, "group": group, "start": start, "stop": stop,
              "worker": os.environ.get("PYTEST_XDIST_WORKER", "")}
    Path(os.environ["BENCH_RECORDS"], record["id"] + ".json").write_text(json.dumps(record))
'''

REPAIR = '''
import pytest
from _pytest.nodeid import coerce_node_id


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        renamed = item.__dict__.get("_nodeid")
        if renamed:
            item._id = coerce_node_id(renamed)
'''
"""A conftest that makes xdist's `@group` renaming take effect again on pytest 9.2."""

MODES = {
    "hw_schedule": ["-p", "plugins.hw_schedule"],
    "load": ["--dist", "load"],
    "loadgroup": ["--dist", "loadgroup"],
    "loadgroup*": ["--dist", "loadgroup", "-p", "repair_loadgroup"],
}


@dataclass(frozen=True)
class Record:
    """One test's run as it recorded it."""

    id: str
    group: str | None
    start: float
    stop: float


Case = tuple[str, str | None, float]


def cases(scale: float) -> list[Case]:
    """The suite's tests in collection order: (id, xdist group or None, seconds)."""
    free: list[Case] = [(f"read{n:02d}", None, FREE_SECONDS * scale) for n in range(FREE)]
    ordered = free[: FREE // 2]
    for turn in range(max(len(durations) for durations in STRESS)):
        for number, (bdf, durations) in enumerate(zip(GPUS, STRESS, strict=True)):
            if turn < len(durations):
                ordered.append((f"gpu{number}-stress{turn}", f"gpu:{bdf}",
                                durations[turn] * scale))
        if turn == 0:
            ordered.append(("nccl-all-reduce", SYSTEM, SYSTEM_SECONDS * scale))
    return ordered + free[FREE // 2:]


def ideal(scale: float) -> float:
    """The longest per-device total plus the system test."""
    return (max(sum(durations) for durations in STRESS) + SYSTEM_SECONDS) * scale


def write_suite(folder: Path, scale: float) -> None:
    (folder / "cases.json").write_text(json.dumps(cases(scale)))
    (folder / "test_synthetic.py").write_text(SUITE)
    (folder / "repair_loadgroup.py").write_text(REPAIR)
    (folder / "pytest.ini").write_text("[pytest]\n")


def run(folder: Path, mode: str, workers: int) -> tuple[float, list[Record]]:
    records = folder / f"records-{mode}"
    records.mkdir()
    env = {**os.environ, "BENCH_RECORDS": str(records),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "pytest", "-c", str(folder / "pytest.ini"),
               "--rootdir", str(folder), "-p", "no:cacheprovider", "-q", "-n", str(workers),
               *MODES[mode], str(folder / "test_synthetic.py")]
    started = time.monotonic()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,
                          check=False)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{mode}: pytest exited {done.returncode}\n{done.stdout[-3000:]}"
                         f"{done.stderr[-3000:]}")
    found = [Record(**{k: v for k, v in json.loads(p.read_text()).items() if k != "worker"})
             for p in records.iterdir()]
    return wall, found


def overlaps(records: list[Record]) -> tuple[int, int]:
    """Pairs of tests of one device that overlapped; tests that overlapped a system test."""
    same_device = 0
    by_group: dict[str, list[Record]] = {}
    for record in records:
        if record.group and record.group != SYSTEM:
            by_group.setdefault(record.group, []).append(record)
    for group in by_group.values():
        same_device += sum(1 for n, a in enumerate(group) for b in group[n + 1:]
                           if a.start < b.stop and b.start < a.stop)
    systems = [r for r in records if r.group == SYSTEM]
    beside_system = sum(1 for s in systems for r in records
                        if r is not s and r.start < s.stop and s.start < r.stop)
    return same_device, beside_system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every test's duration by this")
    parser.add_argument("--modes", nargs="+", choices=sorted(MODES), default=list(MODES))
    args = parser.parse_args()
    expected = len(cases(args.scale))
    best = ideal(args.scale)
    system = SYSTEM_SECONDS * args.scale
    print(f"{expected} tests: {len(GPUS)} GPUs x 2..6 stress tests, {FREE} read-only, "
          f"1 system; -n {args.workers}; ideal {best:.2f} s (longest device "
          f"{best - system:.2f} s + system {system:.2f} s)")
    print(f"{'mode':<12} {'makespan':>9} {'ratio':>6} {'wall':>7} {'reads done':>11} "
          f"{'same-device overlaps':>21} {'beside system':>14}")
    for _ in range(args.runs):
        for mode in args.modes:
            with tempfile.TemporaryDirectory(prefix="burnin-schedule-") as scratch:
                folder = Path(scratch)
                write_suite(folder, args.scale)
                wall, records = run(folder, mode, args.workers)
            if len(records) != expected:
                raise SystemExit(f"{mode}: {len(records)} of {expected} tests recorded")
            first = min(r.start for r in records)
            makespan = max(r.stop for r in records) - first
            reads = max(r.stop for r in records if r.group is None) - first
            same_device, beside_system = overlaps(records)
            print(f"{mode:<12} {makespan:>8.2f}s {makespan / best:>6.3f} {wall:>6.2f}s "
                  f"{reads:>10.2f}s {same_device:>21} {beside_system:>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
