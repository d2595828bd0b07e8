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
from typing import Generic, TypeVar

Device = TypeVar("Device")
Result = TypeVar("Result")


class Background(Generic[Result]):
    """One call running on its own thread; `result()` waits for it."""

    def __init__(self, call: Callable[[], Result]) -> None:
        self._call = call
        self._value: Result | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="inventory-read")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as exc:  # re-raised by result(), in the caller's thread
            self._error = exc

    def result(self) -> Result:
        """The call's return value; its exception is raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def per_device(read: Callable[[Device], Result], devices: Sequence[Device]) -> tuple[Result, ...]:
    """`read` applied to every device concurrently; results in the devices' order."""
    if len(devices) <= 1:
        return tuple(read(device) for device in devices)
    started = [Background(partial(read, device)) for device in devices]
    return tuple(each.result() for each in started)
