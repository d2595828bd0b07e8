"""Reads that wait on commands, run on threads of their own.

A server's eight NVMe drives each need their own smartctl (about 10 ms apiece), and
waiting for them in turn adds up. A thread per read is enough: each spends its time
waiting on a child process, and there are tens of them at most. (`concurrent.futures`
would do the same, but importing it imports `logging`, 4 ms of `hwaccept inventory`.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial

from hwaccept.sources.commands import DEFAULT_TIMEOUT, CommandResult, Runner
from hwaccept.static_types import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeVar

    Device = TypeVar("Device")
    Result = TypeVar("Result")


def in_background(call: Callable[[], Result]) -> Callable[[], Result]:
    """Start `call` on a thread of its own; what it returns waits for the call's result.

    The call's exception is raised there, in the caller's thread.
    """
    outcome: list[Result] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # raised again by result(), in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=work, daemon=True, name="inventory-read")
    thread.start()

    def result() -> Result:
        thread.join()
        if failure:
            raise failure[0]
        return outcome[0]

    return result


def per_device(read: Callable[[Device], Result], devices: Sequence[Device]) -> tuple[Result, ...]:
    """`read` applied to every device concurrently; results in the devices' order."""
    if len(devices) <= 1:
        return tuple(read(device) for device in devices)
    started = [in_background(partial(read, device)) for device in devices]
    return tuple(result() for result in started)


class Ahead:
    """A runner whose commands can be started before anyone asks for them.

    `start` runs a command on its own thread at once; `run` of the same argv then waits
    for that run instead of starting another. Anything else goes to the wrapped runner.
    """

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self._started: dict[tuple[str, ...], Callable[[], CommandResult]] = {}

    def start(self, argv: Sequence[str], timeout: float) -> None:
        """Run `argv` now, for a later `run`."""
        self._started[tuple(argv)] = in_background(partial(self.runner.run, argv, timeout))

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> CommandResult:  # noqa: D102
        started = self._started.pop(tuple(argv), None)
        return started() if started else self.runner.run(argv, timeout)
