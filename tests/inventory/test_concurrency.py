"""Reads on threads of their own: results in order, errors where they are asked for."""

from __future__ import annotations

import threading
import time

import pytest

from hwaccept.inventory.concurrency import in_background, per_device


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
