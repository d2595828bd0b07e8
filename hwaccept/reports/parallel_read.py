"""Many JUnit reports read on every core, in order, with a bounded number in memory.

Parsing XML is most of what ingesting or deciding over thousands of reports costs, and
one process uses one core. Reports are read by a pool of processes a window at a time,
the next window already being read while the caller works on the current one, so the
database inserts of `hwaccept ingest` overlap the parsing; at most two windows of
reports are held at once. A handful of files is read in this process: starting a pool
costs more than it saves.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TypeVar

from hwaccept.errors import ReportError
from hwaccept.reports.junit_read import read_junit
from hwaccept.reports.model import RunReport

WINDOW = 200
SERIAL_BELOW = 64
CHUNK = 8

T = TypeVar("T")

Outcome = tuple[str, RunReport | None, str | None]
"""A path, and its report or the one-line reason it could not be read."""


def read_one(path: str) -> Outcome:
    """One report, or why not (errors travel back from a worker as text)."""
    return _attempt(read_junit, path)


def _attempt(read: Callable[[str], T], path: str) -> tuple[str, T | None, str | None]:
    try:
        return path, read(path), None
    except ReportError as exc:
        return path, None, exc.msg


def read_all(paths: Sequence[str], workers: int | None = None) -> Iterator[Outcome]:
    """Every report of `paths`, in their order."""
    return read_each(paths, read_junit, workers)


def read_each(paths: Sequence[str], read: Callable[[str], T],
              workers: int | None = None) -> Iterator[tuple[str, T | None, str | None]]:
    """`read` of every path, in their order, or the one-line reason it raised ReportError.

    `read` runs in worker processes, so it is a module's function and what it returns
    travels back pickled: the smaller, the less this process spends taking it in.
    """
    count = workers or os.cpu_count() or 1
    attempt = partial(_attempt, read)
    if len(paths) < SERIAL_BELOW or count < 2:
        yield from map(attempt, paths)
        return
    windows = [paths[start:start + WINDOW] for start in range(0, len(paths), WINDOW)]
    with ProcessPoolExecutor(max_workers=count) as pool:
        pending = deque(pool.map(attempt, _read_ahead(window), chunksize=CHUNK)
                        for window in windows[:2])
        for window in windows[2:]:
            yield from pending.popleft()
            pending.append(pool.map(attempt, _read_ahead(window), chunksize=CHUNK))
        while pending:
            yield from pending.popleft()


def _read_ahead(paths: Sequence[str]) -> Sequence[str]:
    """`paths`, once the kernel has been asked to start reading them into its cache.

    Reports not read lately are on disk, and a worker that reads one waits for the disk
    instead of parsing; asked a window ahead, the disk reads while the workers parse
    the window before it.
    """
    if not hasattr(os, "posix_fadvise"):
        return paths
    for path in paths:
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(descriptor)
    return paths
