"""Running one read per device at once.

A server's eight NVMe drives each need their own smartctl (about 10 ms apiece), and
waiting for them in turn adds up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Device = TypeVar("Device")
Result = TypeVar("Result")

MAX_WORKERS = 16


def per_device(read: Callable[[Device], Result], devices: Sequence[Device]) -> tuple[Result, ...]:
    """`read` applied to every device concurrently; results in the devices' order."""
    if len(devices) <= 1:
        return tuple(read(device) for device in devices)
    workers = min(len(devices), MAX_WORKERS)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="device") as pool:
        return tuple(pool.map(read, devices))
