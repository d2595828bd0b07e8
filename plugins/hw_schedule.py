"""Scheduling under pytest-xdist: one test at a time per device, `system` tests alone.

A stress test names the device it loads with `pytest.mark.xdist_group("<kind>:<id>")`;
group `system` (hwaccept.burnin.plan.SYSTEM_GROUP) loads the whole machine. Two stress
tests of one GPU at once would each measure half a GPU, and an NCCL all-reduce beside
anything else measures the neighbour too, so a run under xdist must keep them apart while
it runs different devices, and the read-only checks, side by side.

xdist's own `--dist loadgroup` cannot be relied on for that. It sends a group's tests
to one worker, but it tells the controller the group by renaming each test (`@group`
after its id) through `item._nodeid`, which pytest 9.2 no longer reads: there it groups
nothing (pytest-xdist issue #1386). Where it works it still runs the `system` group
beside the others and queues read-only tests behind whole groups. So this plugin brings
its own scheduler, used for `-n N` without `--dist` and for `--dist loadgroup`
(an explicit `--dist load`, `loadscope`, ... stays xdist's own):

- Each worker writes, once it has collected, which groups each test names to a file in a
  folder the controller made for the run (its name reaches the workers through xdist's
  `workerinput`). Test ids stay as they are, so reports name tests alike with and
  without `-n`. Workers therefore run on this machine (`-n`, `--tx popen`).
- A device belongs to the worker holding any of its tests until it has run them, so a
  device's tests never run at once, and a worker running a device's test is sent that
  device's next one. A test naming several groups loads each of those devices.
- A worker with nothing to run next takes, in this order: read-only tests (tests without
  a group, so the acceptance checks come first and never wait behind stress work), unless
  more workers hold no device than there are unclaimed devices, in which case it claims
  a device first; then a watch (a group named `watch:...`, such as the network links'
  test, which loads nothing and must span the other loads), then the unclaimed device
  with the most tests left (every stress test loads its device for the same
  `--hw-burnin-minutes`, so the count is the work); then,
  once nothing else is left to send, the `system` tests, all on one worker.
- A `system` test starts only when every other worker has finished its tests, and while
  it runs no other worker is sent anything, read-only tests included: it runs alone.

xdist's worker protocol shapes the rest: a worker runs a test only once it holds the next
one (pytest needs `nextitem` for teardown) or has been told to shut down. So the
controller tracks each worker's queue; the head runs once anything follows it, and
every decision that lets a queued test start (sending a test after it, or shutting the
worker down) is checked against the rules above. A busy worker is sent one more test of
its device (or more read-only tests) than it needs, so its next test starts without
waiting for the controller.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter, deque
from collections.abc import Generator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import pytest

from hwaccept.burnin.plan import SYSTEM_GROUP, WATCH_PREFIX

WORKERINPUT_KEY = "hw_schedule_groups"
FOLDER_KEY = pytest.StashKey[Path]()
DEFAULT_DIST_KEY = pytest.StashKey[bool]()
FOLLOWING = 2
"""A worker runs the first test of its queue only once a second follows (or it must stop)."""
AHEAD = 3
"""Tests a busy worker's queue is topped up to, so its next test starts without waiting."""


class Worker(Protocol):
    """What the scheduler uses of xdist's WorkerController."""

    workerinput: dict[str, Any]
    config: pytest.Config

    @property
    def shutting_down(self) -> bool:
        """Whether the worker was told to finish its queue and stop, or is gone."""

    def send_runtest_some(self, indices: Sequence[int]) -> None:
        """Append tests (indices into the collection) to the worker's queue."""

    def shutdown(self) -> None:
        """Tell the worker to run what it holds and stop."""


@pytest.hookimpl(wrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Generator[None, object, object]:
    """Note a run given `-n` without `--dist`, before xdist turns that into `--dist load`."""
    if (getattr(config.option, "numprocesses", None)
            and getattr(config.option, "dist", None) == "no"
            and not getattr(config.option, "distload", False)):
        config.stash[DEFAULT_DIST_KEY] = True
    return (yield)


def pytest_configure(config: pytest.Config) -> None:
    """Make the folder workers report groups to, when this plugin schedules the run."""
    if hasattr(config, "workerinput") or not distributes(config):
        return
    remote = [spec for spec in config.getoption("tx") if "popen" not in spec]
    if remote:
        raise pytest.UsageError(
            f"hw_schedule: workers on other machines ({', '.join(remote)}) cannot report "
            "which devices their tests load; use -n N, or an explicit --dist")
    folder = Path(tempfile.mkdtemp(prefix="hw-schedule-"))
    config.stash[FOLDER_KEY] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def distributes(config: pytest.Config) -> bool:
    """Whether xdist runs this session and leaves the scheduling to this plugin."""
    dist = getattr(config.option, "dist", "no")
    if dist == "no" or not getattr(config.option, "tx", None):
        return False
    return dist == "loadgroup" or config.stash.get(DEFAULT_DIST_KEY, False)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Worker) -> None:
    """Tell a starting worker where to report its tests' groups."""
    folder = node.config.stash.get(FOLDER_KEY, None)
    if folder is not None:
        node.workerinput[WORKERINPUT_KEY] = str(folder)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """On a worker: write each collected test's groups before xdist reports the collection."""
    workerinput: dict[str, Any] = getattr(session.config, "workerinput", {})
    folder = workerinput.get(WORKERINPUT_KEY)
    if not folder:
        return
    groups = {item.nodeid: sorted(named) for item in session.items if (named := groups_of(item))}
    path = Path(folder) / f"{workerinput['workerid']}.json"
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(groups))
    os.replace(partial, path)


def groups_of(item: pytest.Item) -> set[str]:
    """The xdist groups a test names (xdist's default name for a mark without one)."""
    return {str(mark.args[0]) if mark.args else str(mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config) -> DeviceScheduling | None:
    """The device scheduler for `-n N` without `--dist`, and for `--dist loadgroup`."""
    folder = config.stash.get(FOLDER_KEY, None)
    if folder is None:
        return None
    from xdist.workermanage import parse_tx_spec_config  # type: ignore[import-untyped]

    return DeviceScheduling(config, folder, len(parse_tx_spec_config(config)))


class DeviceScheduling:
    """xdist's scheduler interface: one test per device at a time, `system` tests alone."""

    def __init__(self, config: pytest.Config, folder: Path, numnodes: int) -> None:
        self.config = config
        self.numnodes = numnodes
        self.folder = folder
        self.collection: list[str] | None = None
        self._collections: dict[Worker, list[str]] = {}
        self._queues: dict[Worker, list[int]] = {}
        self._loads: list[frozenset[str]] = []
        self._free: deque[int] = deque()
        self._grouped: list[int] = []
        self._system: deque[int] = deque()

    @property
    def nodes(self) -> list[Worker]:
        """Every worker the scheduler knows."""
        return list(self._queues)

    @property
    def collection_is_completed(self) -> bool:
        """Whether every worker started with the run has reported its collection."""
        return len(self._collections) >= self.numnodes

    @property
    def tests_finished(self) -> bool:
        """Every test sent, and every worker either idle or told to finish its queue."""
        if not self.collection_is_completed or self.collection is None or self._unsent():
            return False
        return all(not queue or node.shutting_down for node, queue in self._queues.items())

    @property
    def has_pending(self) -> bool:
        """Tests not yet sent, or sent and not yet run."""
        return bool(self._unsent() or any(self._queues.values()))

    def add_node(self, node: Worker) -> None:
        """Take a new worker (one started with the run, or one replacing a crashed one)."""
        self._queues[node] = []

    def add_node_collection(self, node: Worker, collection: Sequence[str]) -> None:
        """Keep a worker's collection; a late worker's must equal the run's."""
        if self.collection is not None and list(collection) != self.collection:
            self._report_difference(node, list(collection))
            return
        self._collections[node] = list(collection)

    def mark_test_complete(self, node: Worker, item_index: int, duration: float = 0) -> None:
        """A worker finished a test: take it off the worker's queue and send what may follow."""
        self._queues[node].remove(item_index)
        self._dispatch()

    def mark_test_pending(self, item: str) -> None:
        """Run a test again (a plugin asked for it after its worker crashed)."""
        assert self.collection is not None
        self._requeue([self.collection.index(item)])
        self._dispatch()

    def remove_pending_tests_from_node(self, node: Worker, indices: Sequence[int]) -> None:
        """Only for schedulers that steal queued tests back, which this one never does."""
        raise NotImplementedError

    def remove_node(self, node: Worker) -> str | None:
        """A worker ended; when it crashed, return the test it was running, queue the rest."""
        queue = self._queues.pop(node)
        if not queue or self.collection is None:
            self._dispatch()
            return None
        self._requeue(queue[1:])
        self._dispatch()
        return self.collection[queue[0]]

    def schedule(self) -> None:
        """Start the run once every worker has collected (again for a replacement worker)."""
        if self.collection is not None:
            self._dispatch()
            return
        first, collection = next(iter(self._collections.items()))
        for node, other in self._collections.items():
            if other != collection:
                self._report_difference(node, other)
                self.collection = []
                return
        self.collection = collection
        groups = self._read_groups(first)
        if groups is None:
            self.collection = []
            return
        for index, nodeid in enumerate(collection):
            named = frozenset(groups.get(nodeid, ()))
            self._loads.append(named)
            if SYSTEM_GROUP in named:
                self._system.append(index)
            elif named:
                self._grouped.append(index)
            else:
                self._free.append(index)
        self._dispatch()

    def _read_groups(self, node: Worker) -> dict[str, list[str]] | None:
        path = self.folder / f"{node.workerinput['workerid']}.json"
        try:
            groups: dict[str, list[str]] = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            self._collection_error(f"hw_schedule: no device groups from worker "
                                   f"{node.workerinput['workerid']} ({error}); no test was run")
            return None
        return groups

    def _report_difference(self, node: Worker, collection: list[str]) -> None:
        reference = self.collection or next(iter(self._collections.values()))
        first = next((n for n, (a, b) in enumerate(zip(reference, collection, strict=False))
                      if a != b), min(len(reference), len(collection)))
        self._collection_error(
            f"hw_schedule: worker {node.workerinput['workerid']} collected other tests "
            f"({len(collection)} against {len(reference)}, first difference at test "
            f"{first}); every worker must collect the same tests")

    def _collection_error(self, message: str) -> None:
        self.config.hook.pytest_collectreport(report=pytest.CollectReport(
            nodeid="", outcome="failed", longrepr=message, result=[]))

    def _unsent(self) -> int:
        return len(self._free) + len(self._grouped) + len(self._system)

    def _requeue(self, indices: Sequence[int]) -> None:
        for index in sorted(indices, reverse=True):
            if SYSTEM_GROUP in self._loads[index]:
                self._system.appendleft(index)
            elif self._loads[index]:
                self._grouped.append(index)
            else:
                self._free.appendleft(index)
        self._grouped.sort()

    def _live(self) -> list[Worker]:
        return [node for node in self._queues
                if node in self._collections and not node.shutting_down]

    def _is_system(self, index: int) -> bool:
        return SYSTEM_GROUP in self._loads[index]

    def _holds_system(self, node: Worker) -> bool:
        return any(self._is_system(index) for index in self._queues[node])

    def _owners(self) -> dict[str, Worker]:
        return {device: node for node, queue in self._queues.items() for index in queue
                for device in self._loads[index] if device != SYSTEM_GROUP}

    def _devices_of(self, node: Worker) -> set[str]:
        return {device for index in self._queues[node] for device in self._loads[index]
                if device != SYSTEM_GROUP}

    def _system_started_beside(self, node: Worker) -> bool:
        """Whether a `system` test on another worker runs or is due to run."""
        for other, queue in self._queues.items():
            if other is not node:
                due = len(queue) if other.shutting_down else len(queue) - 1
                if any(self._is_system(index) for index in queue[:max(due, 0)]):
                    return True
        return False

    def _others_idle(self, node: Worker) -> bool:
        return not any(queue for other, queue in self._queues.items() if other is not node)

    def _may_start(self, node: Worker, after: list[int], shutdown: bool) -> bool:
        """Whether the tests of `node` that would become due may start.

        `after` is the queue once sent; with `shutdown` every test in it becomes due,
        else all but the last.
        """
        before = self._queues[node]
        due_before = len(before) if node.shutting_down else len(before) - 1
        due_after = len(after) if shutdown else len(after) - 1
        starting = after[max(due_before, 0):max(due_after, 0)]
        if not starting:
            return True
        if self._system_started_beside(node):
            return False
        return not any(self._is_system(index) for index in starting) or self._others_idle(node)

    def _chain(self, node: Worker, owners: dict[str, Worker]) -> int | None:
        """The next test of a device `node` holds, if it may take it."""
        mine = self._devices_of(node)
        if not mine:
            return None
        for index in self._grouped:
            loads = self._loads[index]
            if loads & mine and all(owners.get(device, node) is node for device in loads):
                return index
        return None

    def _claim(self, node: Worker, owners: dict[str, Worker]) -> int | None:
        """The first test of a watch, else of the unclaimed device with the most tests left."""
        left = Counter(device for index in self._grouped for device in self._loads[index])
        best: tuple[tuple[bool, int], int] | None = None
        for index in self._grouped:
            loads = self._loads[index]
            if any(owners.get(device, node) is not node for device in loads):
                continue
            work = max((device.startswith(WATCH_PREFIX), left[device]) for device in loads)
            if best is None or work > best[0]:
                best = (work, index)
        return best[1] if best else None

    def _claim_first(self, owners: dict[str, Worker]) -> bool:
        """Whether more workers hold no device than there are unclaimed devices."""
        unclaimed = {device for index in self._grouped for device in self._loads[index]
                     if device not in owners}
        spare = sum(1 for node in self._live() if not self._devices_of(node))
        return spare > len(unclaimed)

    def _free_chunk(self) -> list[int]:
        size = max(1, len(self._free) // (4 * max(1, len(self._live()))))
        return list(islice(self._free, size))

    def _ahead(self, node: Worker) -> list[int]:
        """What `node` may hold beyond the test after the running one."""
        if self._holds_system(node) and self._system:
            return [self._system[0]]
        chain = self._chain(node, self._owners())
        if chain is not None:
            return [chain]
        queued_device = any(self._loads[index] for index in self._queues[node])
        return self._free_chunk() if self._free and not queued_device else []

    def _choose(self, node: Worker) -> list[int]:
        """What `node` should take next."""
        owners = self._owners()
        if self._holds_system(node) and self._system:
            return [self._system[0]]
        chain = self._chain(node, owners)
        if chain is not None:
            return [chain]
        claim = self._claim(node, owners)
        if self._free and (claim is None or not self._claim_first(owners)):
            return self._free_chunk()
        if claim is not None:
            return [claim]
        if (self._system and not self._grouped and not self._free
                and not any(self._holds_system(other) for other in self._queues)):
            return [self._system[0]]
        return []

    def _offer(self, node: Worker, ahead: bool) -> bool:
        chosen = self._ahead(node) if ahead else self._choose(node)
        if not chosen or not self._may_start(node, self._queues[node] + chosen, False):
            return False
        for index in chosen:
            if self._is_system(index):
                self._system.remove(index)
            elif self._loads[index]:
                self._grouped.remove(index)
            else:
                self._free.popleft()
        self._queues[node].extend(chosen)
        node.send_runtest_some(chosen)
        return True

    def _dispatch(self) -> None:
        if self.collection is None:
            return
        sent = True
        while sent:
            sent = False
            for node in self._live():
                if len(self._queues[node]) < FOLLOWING and self._offer(node, ahead=False):
                    sent = True
        for node in self._live():
            if FOLLOWING <= len(self._queues[node]) < AHEAD:
                self._offer(node, ahead=True)
        for node in self._live():
            if self._done_with(node):
                node.shutdown()

    def _done_with(self, node: Worker) -> bool:
        """Whether `node` should be told to finish its queue and stop."""
        queue = self._queues[node]
        if len(queue) >= FOLLOWING:
            return False
        unsent = self._unsent()
        if not queue:
            only_system_held = (len(self._system) == unsent and any(
                self._holds_system(other) for other in self._queues if other is not node))
            return unsent == 0 or only_system_held
        if not self._may_start(node, queue, True):
            return False
        if unsent == 0:
            return True
        others = [other for other in self._live() if other is not node]
        return not self._holds_system(node) and bool(others)
