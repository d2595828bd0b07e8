"""Burn-in scheduling under xdist: one test per device at a time, `system` tests alone.

Two layers. The scheduler is driven directly by simulated workers that follow xdist's
protocol (a worker runs the head of its queue once something follows it or it was told
to shut down), finishing tests in many random orders, with the rules checked after every
step. Then small suites run under real xdist workers, each test recording when it
started and stopped, and the recorded times are checked for the same rules. Only
invariants are asserted, never durations: the machine is shared and noisy.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from hwaccept.burnin.plan import SYSTEM_GROUP, WATCH_PREFIX
from plugins.hw_schedule import DeviceScheduling

GPU_A, GPU_B, GPU_C, DISK = "gpu:0000:18:00.0", "gpu:0000:2a:00.0", "gpu:0000:3a:00.0", \
    "disk:nvme0n1"

WATCH = f"{WATCH_PREFIX}network"

Case = tuple[str, tuple[str, ...]]


def cases_of(groups: tuple[str, ...], count: int, name: str) -> list[Case]:
    return [(f"{name}{n}", groups) for n in range(count)]


SCENARIOS: dict[str, tuple[int, list[Case]]] = {
    "devices": (3, cases_of((), 2, "read") + cases_of((GPU_A,), 3, "a")
                + cases_of((SYSTEM_GROUP,), 1, "nccl") + cases_of((GPU_B,), 2, "b")
                + cases_of((DISK,), 2, "disk") + cases_of((), 2, "late-read")),
    "more devices than workers": (2, [
        case for n, count in enumerate((1, 4, 2, 3, 1, 2))
        for case in cases_of((f"gpu:{n}",), count, f"gpu{n}-")]
        + cases_of((), 5, "read") + cases_of((SYSTEM_GROUP,), 2, "nccl")),
    "more workers than devices": (4, cases_of((GPU_A,), 3, "a") + cases_of((), 6, "read")
                                  + cases_of((SYSTEM_GROUP,), 1, "nccl")),
    "tests loading two devices": (3, cases_of((GPU_A, GPU_B), 2, "p2p") + cases_of(
        (GPU_A,), 2, "a") + cases_of((GPU_B,), 2, "b") + cases_of((GPU_C,), 1, "c")
        + cases_of((), 2, "read")),
    "read-only only": (3, cases_of((), 40, "read")),
    "a watch": (2, cases_of((GPU_A,), 4, "a") + cases_of((GPU_B,), 3, "b")
                + cases_of((WATCH,), 1, "links") + cases_of((), 2, "read")),
    "system only": (2, cases_of((SYSTEM_GROUP,), 3, "nccl")),
}


@dataclass(eq=False)
class SimulatedWorker:
    """A worker as xdist's controller sees it, running the head of its queue when due."""

    name: str
    config: pytest.Config
    sent: list[int]
    queue: list[int] = field(default_factory=list)
    down: bool = False
    workerinput: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workerinput["workerid"] = self.name

    @property
    def shutting_down(self) -> bool:
        return self.down

    def send_runtest_some(self, indices: Sequence[int]) -> None:
        assert not self.down, "a test sent to a worker told to shut down"
        self.queue.extend(indices)
        self.sent.extend(indices)

    def shutdown(self) -> None:
        self.down = True

    def running(self) -> int | None:
        due = self.queue and (len(self.queue) > 1 or self.down)
        return self.queue[0] if due else None


@dataclass
class Simulation:
    """What happened: completion order, and whether two devices ever ran at once."""

    finished: list[int] = field(default_factory=list)
    crashed: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    concurrent: bool = False


def check_running(running: list[frozenset[str]]) -> bool:
    """Assert the rules over tests running at one moment; whether two devices ran at once."""
    for a, b in combinations(running, 2):
        assert SYSTEM_GROUP not in a | b, f"a system test ran beside another: {a}, {b}"
        assert not a & b, f"two tests of {set(a & b)} ran at once"
    return sum(1 for loads in running if loads) > 1


def simulate(tmp_path: Path, config: pytest.Config, workers: int, cases: list[Case], *,
             seed: int | None, crash_at: int | None = None) -> Simulation:
    """Run `cases` on simulated workers, one running test ending at each step.

    The test that ends is a random one, or with `seed` None the one running longest; at
    step `crash_at` its worker crashes instead, and a new worker takes its place.
    """
    collection = [name for name, _ in cases]
    loads = [frozenset(groups) for _, groups in cases]
    folder = tmp_path / f"groups-{seed}-{crash_at}"
    folder.mkdir()
    scheduler = DeviceScheduling(config, folder, workers)
    result = Simulation()
    count = 0

    def start_worker() -> SimulatedWorker:
        nonlocal count
        worker = SimulatedWorker(f"gw{count}", config, result.sent)
        count += 1
        (folder / f"{worker.name}.json").write_text(
            json.dumps({name: list(groups) for name, groups in cases if groups}))
        scheduler.add_node(worker)
        scheduler.add_node_collection(worker, collection)
        return worker

    live = [start_worker() for _ in range(workers)]
    scheduler.schedule()
    chance = random.Random(seed)
    started: dict[tuple[str, int], int] = {}
    steps = 0
    while True:
        running = [worker for worker in live if worker.running() is not None]
        result.concurrent |= check_running([loads[w.queue[0]] for w in running])
        if not running:
            break
        for worker in running:
            started.setdefault((worker.name, worker.queue[0]), steps)
        if seed is None:
            worker = min(running, key=lambda w: started[(w.name, w.queue[0])])
        else:
            worker = chance.choice(running)
        steps += 1
        if steps == crash_at:
            crashed = scheduler.remove_node(worker)
            assert crashed == collection[worker.queue[0]]
            result.crashed.append(worker.queue[0])
            live.remove(worker)
            live.append(start_worker())
            scheduler.schedule()
            continue
        index = worker.queue.pop(0)
        result.finished.append(index)
        scheduler.mark_test_complete(worker, index)
        if scheduler.tests_finished:
            for other in live:
                other.shutdown()
        for other in [w for w in live if w.down and not w.queue]:
            assert scheduler.remove_node(other) is None
            live.remove(other)
    assert scheduler.tests_finished, "the run stalled with tests left"
    assert all(w.down and not w.queue for w in live)
    return result


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_rules_hold_in_any_completion_order(tmp_path: Path, pytestconfig: pytest.Config,
                                                scenario: str) -> None:
    workers, cases = SCENARIOS[scenario]
    free = {n for n, (_, groups) in enumerate(cases) if not groups}
    system = {n for n, (_, groups) in enumerate(cases) if SYSTEM_GROUP in groups}
    devices = {group for _, groups in cases for group in groups} - {SYSTEM_GROUP}
    for seed in [None, *range(30)]:
        run = simulate(tmp_path, pytestconfig, workers, cases, seed=seed)
        assert sorted(run.finished) == list(range(len(cases)))
        assert sorted(run.sent) == list(range(len(cases)))
        if seed is None and len(devices) > 1:
            assert run.concurrent, "no two devices were ever loaded at once"
        order = {index: n for n, index in enumerate(run.finished)}
        assert all(order[s] > order[o] for s in system for o in order if o not in system), \
            "a system test ran before the other tests were done"
        if free and workers <= len(devices):
            last_free = max(run.sent.index(index) for index in free)
            assert all(run.sent.index(n) > last_free for n in range(len(cases))
                       if n not in free), "read-only tests were sent after stress tests"
        watches = [n for n, (_, groups) in enumerate(cases) if WATCH in groups]
        if watches:
            first_loads = [n for n in run.sent if cases[n][1]][:workers]
            assert watches[0] in first_loads, "a watch waited behind device loads"
        if free and devices and workers > len(devices):
            assert any(n not in free for n in run.sent[:workers]), \
                "a device waited for read-only tests although workers were spare"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_crashed_worker_hands_back_its_queue(tmp_path: Path, pytestconfig: pytest.Config,
                                               scenario: str) -> None:
    workers, cases = SCENARIOS[scenario]
    for crash_at in range(1, 25, 3):
        for seed in range(10):
            run = simulate(tmp_path, pytestconfig, workers, cases, seed=seed,
                           crash_at=crash_at)
            assert sorted(run.finished + run.crashed) == list(range(len(cases)))
            assert len(run.crashed) == (1 if crash_at <= len(cases) else 0)


SUITE = '''
import json
import os
import time
from pathlib import Path

import pytest

RECORDS = Path(__file__).with_name("records")
CASES = CASES_HERE


def note(name, event):
    with open(RECORDS / f"{name}.jsonl", "a") as out:
        out.write(json.dumps({"event": event, "t": time.monotonic()}) + "\\n")


def case(name, groups, seconds, behaviour):
    marks = [pytest.mark.xdist_group(group) for group in groups]
    if behaviour == "hang":
        marks.append(pytest.mark.timeout(1, method="signal"))
    return pytest.param(name, seconds, behaviour, id=name, marks=marks)


@pytest.mark.parametrize(("name", "seconds", "behaviour"), [case(*c) for c in CASES])
def test_case(name, seconds, behaviour):
    note(name, "start")
    try:
        if behaviour == "crash":
            os._exit(1)
        time.sleep(30 if behaviour == "hang" else seconds)
        assert behaviour != "fail", "planted failure"
    finally:
        note(name, "stop")
'''


@dataclass(frozen=True)
class Ran:
    """One test's recorded run; `stop` is None when its worker died under it."""

    name: str
    groups: frozenset[str]
    start: float
    stop: float | None

    def overlaps(self, other: Ran) -> bool:
        if self.stop is None or other.stop is None:
            return False
        return self.start < other.stop and other.start < self.stop


Timed = tuple[str, tuple[str, ...], float, str]


def run_suite(pytester: pytest.Pytester, cases: list[Timed],
              *args: str) -> tuple[pytest.RunResult, dict[str, Ran]]:
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_suite=SUITE.replace("CASES_HERE", repr(cases)))
    records = pytester.mkdir("records")
    result = pytester.runpytest_subprocess("-p", "plugins.hw_schedule", "-p",
                                           "no:cacheprovider", "-v", *args)
    ran = {}
    for name, groups, _, _ in cases:
        path = records / f"{name}.jsonl"
        events = [json.loads(line) for line in path.read_text().splitlines()] \
            if path.exists() else []
        starts = [e["t"] for e in events if e["event"] == "start"]
        stops = [e["t"] for e in events if e["event"] == "stop"]
        assert len(starts) == 1, f"{name} started {len(starts)} times\n{result.stdout.str()}"
        ran[name] = Ran(name, frozenset(groups), starts[0], stops[0] if stops else None)
    return result, ran


def assert_scheduled(ran: dict[str, Ran]) -> None:
    """The recorded times keep the rules, and the run did use its workers side by side."""
    for a, b in combinations(ran.values(), 2):
        if a.overlaps(b):
            assert SYSTEM_GROUP not in a.groups | b.groups, f"{a.name} overlapped {b.name}"
            assert not a.groups & b.groups, f"{a.name} and {b.name} loaded one device at once"
    assert any(a.overlaps(b) for a, b in combinations(ran.values(), 2)
               if a.groups and b.groups), "no two devices were ever loaded at once"
    free = [r for r in ran.values() if not r.groups]
    grouped = [r.stop for r in ran.values() if r.groups and r.stop is not None]
    assert min(r.start for r in free) < max(grouped), "read-only tests waited for stress"


def test_devices_never_overlap_under_xdist(pytester: pytest.Pytester) -> None:
    cases: list[Timed] = [
        ("read0", (), 0.2, "pass"), ("a0", (GPU_A,), 0.3, "pass"),
        ("b0", (GPU_B,), 0.2, "pass"), ("nccl", (SYSTEM_GROUP,), 0.3, "pass"),
        ("a1", (GPU_A,), 0.2, "pass"), ("disk0", (DISK,), 0.4, "pass"),
        ("p2p", (GPU_A, GPU_B), 0.2, "pass"), ("b1", (GPU_B,), 0.3, "pass"),
        ("read1", (), 0.2, "pass"), ("a2", (GPU_A,), 0.2, "pass"),
        ("disk1", (DISK,), 0.2, "pass"), ("read2", (), 0.2, "pass")]
    result, ran = run_suite(pytester, cases, "-n", "3")
    result.assert_outcomes(passed=len(cases))
    result.stdout.fnmatch_lines(["scheduling tests via DeviceScheduling"])
    assert not [line for line in result.stdout.lines if "PASSED" in line and "@" in line], \
        "test ids were renamed"
    assert_scheduled(ran)


def test_a_failing_hanging_or_crashing_test_stops_only_itself(
        pytester: pytest.Pytester) -> None:
    cases: list[Timed] = [
        ("a-fails", (GPU_A,), 0.2, "fail"), ("b0", (GPU_B,), 0.3, "pass"),
        ("read0", (), 0.2, "pass"), ("a-hangs", (GPU_A,), 0.2, "hang"),
        ("b1", (GPU_B,), 0.3, "pass"), ("a-crashes", (GPU_A,), 0.2, "crash"),
        ("a-after", (GPU_A,), 0.2, "pass"), ("b2", (GPU_B,), 0.2, "pass"),
        ("nccl", (SYSTEM_GROUP,), 0.2, "pass"), ("read1", (), 0.2, "pass")]
    result, ran = run_suite(pytester, cases, "-n", "2")
    result.assert_outcomes(passed=len(cases) - 3, failed=3)
    for pattern in ("*FAILED*a-fails*", "*Timeout*", "*crashed while running*a-crashes*"):
        result.stdout.fnmatch_lines([pattern])
    assert ran["a-crashes"].stop is None
    assert ran["a-after"].stop is not None
    assert_scheduled(ran)


def test_other_distribution_modes_stay_xdists(pytester: pytest.Pytester) -> None:
    cases: list[Timed] = [(f"read{n}", (), 0.0, "pass") for n in range(4)]
    result, _ = run_suite(pytester, cases, "-n", "2", "--dist", "load")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["scheduling tests via LoadScheduling"])


def test_the_plugin_is_harmless_without_xdist(pytester: pytest.Pytester) -> None:
    cases: list[Timed] = [("read0", (), 0.0, "pass"), ("a0", (GPU_A,), 0.0, "pass")]
    result, _ = run_suite(pytester, cases, "-p", "no:xdist")
    result.assert_outcomes(passed=2)


def test_workers_on_other_machines_are_refused(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest_subprocess("-p", "plugins.hw_schedule", "--dist", "loadgroup",
                                           "--tx", "ssh=nowhere//python=python3")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*hw_schedule: workers on other machines*"])
