"""Reads on threads of their own: results in order, errors where they are asked for."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from hwaccept.inventory.concurrency import Ahead, in_background, per_device
from hwaccept.sources.commands import CommandResult, CommandStatus


def test_a_background_call_runs_on_its_own_thread() -> None:
    here = threading.get_ident()
    result = in_background(threading.get_ident)
    assert result() != here


def test_an_exception_is_raised_where_the_result_is_asked_for() -> None:
    def broken() -> None:
        raise OSError(5, "Input/output error")

    result = in_background(broken)
    with pytest.raises(OSError, match="Input/output error"):
        result()


def test_devices_are_read_at_once_and_answered_in_their_order() -> None:
    started: list[str] = []
    everyone = threading.Barrier(4, timeout=10)

    def read(name: str) -> str:
        started.append(name)
        everyone.wait()
        time.sleep(0.01 * (4 - len(name)))
        return name.upper()

    assert per_device(read, ["a", "bb", "ccc", "dddd"]) == ("A", "BB", "CCC", "DDDD")
    assert sorted(started) == ["a", "bb", "ccc", "dddd"]


class CountingRunner:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.lock = threading.Lock()

    def run(self, argv: Sequence[str], timeout: float = 30.0) -> CommandResult:
        with self.lock:
            self.calls.append(tuple(argv))
        return CommandResult(tuple(argv), CommandStatus.EXITED, 0, f"{len(self.calls)}\n")


def test_a_started_command_answers_its_run_once() -> None:
    runner = CountingRunner()
    ahead = Ahead(runner)
    ahead.start(["smartctl", "-j", "-x", "/dev/vda"], 60.0)
    first = ahead.run(["smartctl", "-j", "-x", "/dev/vda"], 60.0)
    again = ahead.run(["smartctl", "-j", "-x", "/dev/vda"], 60.0)
    other = ahead.run(["ethtool", "eth0"], 10.0)
    assert (first.stdout, again.stdout, other.stdout) == ("1\n", "2\n", "3\n")
    assert runner.calls == [("smartctl", "-j", "-x", "/dev/vda")] * 2 + [("ethtool", "eth0")]
