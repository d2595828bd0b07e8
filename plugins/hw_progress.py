"""A long burn-in shows, every so often, which device is under which load and the time left.

`--hw-progress SECONDS` (default 30; 0 turns it off) prints a block while a run that selects
burn-in tests (`-m` naming `burnin`) goes on: how many tests are done, an estimate of the
time left, and one line per running test with its device, its time so far and its planned
duration. It works from the events every run has: the controller of an xdist run sees each
test start and finish on any worker, so the block covers every worker. A test's device is
its xdist group (`gpu:0000:19:00.0`), else its parameter id.

The estimate takes every burn-in test to load its device for the planned duration and the
workers to share them evenly: rough, and said to be.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time

import pytest

from plugins.hw_burnin import burnin_plan

PROGRESS_HELP = ("Seconds between burn-in progress reports: which device is under which "
                 "load, and the time left (default 30; 0: none)")
DEFAULT_INTERVAL = 30.0
_GROUP = re.compile(r"@([^@\]]+)$")
_PARAMETER = re.compile(r"\[([^\]]*)\]")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register --hw-progress."""
    parser.getgroup("hwaccept").addoption("--hw-progress", metavar="SECONDS", type=float,
                                          default=DEFAULT_INTERVAL, help=PROGRESS_HELP)


def device_of(nodeid: str) -> str:
    """`gpu:0000:19:00.0` from an xdist group suffix, else the parameter id, else `-`."""
    group = _GROUP.search(nodeid)
    if group:
        return group[1]
    parameter = _PARAMETER.search(nodeid)
    return parameter[1] if parameter else "-"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(max(seconds, 0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


class Progress:
    """What runs now and what is left, from test starts and finishes; printed by a thread.

    Registered as a plugin of its own for the run, so its hooks keep their state.
    """

    def __init__(self, config: pytest.Config, interval: float) -> None:
        self.config = config
        self.interval = interval
        self.total = 0
        self.done = 0
        self.running: dict[str, float] = {}
        self.workers = max(1, int(getattr(config.option, "numprocesses", 0) or 1))
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="hwaccept-progress",
                                       daemon=True)

    def lines(self, now: float) -> list[str]:
        """The block: a summary, then each running test by device."""
        seconds = burnin_plan(self.config).seconds
        with self.lock:
            running = sorted(self.running.items(), key=lambda item: device_of(item[0]))
            left = max(self.total - self.done, 0)
        waiting = max(left - len(running), 0)
        current = max((seconds - (now - started) for _, started in running), default=0.0)
        estimate = current + seconds * waiting / self.workers
        head = (f"hwaccept burn-in: {self.done} of {self.total} tests done, "
                f"{len(running)} running; about {_clock(estimate)} left")
        rows = [f"  {device_of(nodeid):<24} {nodeid.split('::')[-1].split('@')[0]}  "
                f"{_clock(now - started)} of {_clock(seconds)}" for nodeid, started in running]
        return [head, *rows]

    def _loop(self) -> None:
        """Print the block every `interval`, around pytest's output capture of a test."""
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        capture = self.config.pluginmanager.get_plugin("capturemanager")
        while not self.stopping.wait(self.interval):
            if reporter is None or not self.running:
                continue
            block = self.lines(time.monotonic())
            with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
                for line in block:
                    reporter.write_line(line)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Without xdist: the run's own items."""
        self.total = len(session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        """Under xdist, on the controller: every worker collects the same tests."""
        self.total = len(ids)

    def pytest_sessionstart(self) -> None:
        """Start printing."""
        self.thread.start()

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        """A test began, here or on a worker."""
        with self.lock:
            self.running[nodeid] = time.monotonic()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """A test's teardown ended."""
        if report.when == "teardown":
            with self.lock:
                if self.running.pop(report.nodeid, None) is not None:
                    self.done += 1

    def pytest_unconfigure(self) -> None:
        """Stop printing."""
        self.stopping.set()


def pytest_configure(config: pytest.Config) -> None:
    """Register the run's progress when it selects burn-in tests (on the controller)."""
    interval = config.getoption("--hw-progress", None)
    if interval is not None and interval < 0:
        raise pytest.UsageError(f"--hw-progress: expected 0 or more seconds, got {interval:g}")
    if (interval and not hasattr(config, "workerinput")
            and "burnin" in (config.getoption("markexpr", "") or "")):
        config.pluginmanager.register(Progress(config, interval), "hwaccept-progress")
