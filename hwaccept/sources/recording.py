"""Record what a run reads through the three seams ("record what you read").

Each `Recording*` class wraps a live source, passes every call through unchanged,
and keeps the answer on a `Tape`; `hwaccept.snapshot` writes the tape to a
snapshot that replays through `TreeFiles`, `ReplayNvml` and `ReplayRunner`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hwaccept.sources.commands import DEFAULT_TIMEOUT, CommandResult, Runner
from hwaccept.sources.file_tree import FileTree
from hwaccept.sources.files import Files, UdevDevice
from hwaccept.sources.nvml import Nvml, NvmlError, NvmlStatus, call_key


@dataclass
class Tape:
    """Everything read through the seams during one inventory."""

    files: FileTree = field(default_factory=FileTree)
    commands: dict[tuple[str, ...], CommandResult] = field(default_factory=dict)
    nvml_status: NvmlStatus | None = None
    nvml_system: dict[str, Any] = field(default_factory=dict)
    nvml_gpus: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def nvml_recording(self) -> dict[str, Any]:
        """The NVML part of the tape in the `nvml.json` layout."""
        status = self.nvml_status or NvmlStatus(False, "NVML was not queried")
        return {
            "status": {"available": status.available, "reason": status.reason},
            "system": dict(sorted(self.nvml_system.items())),
            "gpus": {k: dict(v) for k, v in sorted(self.nvml_gpus.items(), key=_index_key)},
        }


def _index_key(item: tuple[str, Any]) -> int:
    return int(item[0]) if item[0].isdigit() else 1 << 30


def _error_answer(exc: NvmlError) -> dict[str, str]:
    answer = {"error": exc.code}
    if exc.message:
        answer["message"] = exc.message
    return answer


class RecordingFiles:
    """A `Files` that records every answer of the wrapped one."""

    def __init__(self, inner: Files, tape: Tape) -> None:
        self.inner = inner
        self.tape = tape

    def read_bytes(self, path: str) -> bytes:  # noqa: D102
        try:
            data = self.inner.read_bytes(path)
        except (FileNotFoundError, IsADirectoryError):
            raise
        except OSError as exc:
            with self.tape.lock:
                self.tape.files.errors[path] = (exc.errno or 0, exc.strerror or str(exc))
            raise
        with self.tape.lock:
            self.tape.files.contents[path] = data
        return data

    def listdir(self, path: str) -> list[str]:  # noqa: D102
        names = self.inner.listdir(path)
        with self.tape.lock:
            self.tape.files.listings[path] = list(names)
        return names

    def realpath(self, path: str) -> str:  # noqa: D102
        resolved = self.inner.realpath(path)
        with self.tape.lock:
            if resolved != path:
                self.tape.files.links[path] = resolved
            else:
                self.tape.files.present.add(path)
        return resolved

    def devices(self, subsystem: str) -> tuple[UdevDevice, ...]:  # noqa: D102
        found = self.inner.devices(subsystem)
        with self.tape.lock:
            self.tape.files.udev[subsystem] = found
        return found


class RecordingRunner:
    """A `Runner` that records every result of the wrapped one."""

    def __init__(self, inner: Runner, tape: Tape) -> None:
        self.inner = inner
        self.tape = tape

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> CommandResult:  # noqa: D102
        result = self.inner.run(argv, timeout)
        with self.tape.lock:
            self.tape.commands[tuple(argv)] = result
        return result


class RecordingNvml:
    """An `Nvml` that records every answer, values and errors alike."""

    def __init__(self, inner: Nvml, tape: Tape) -> None:
        self.inner = inner
        self.tape = tape

    def status(self) -> NvmlStatus:  # noqa: D102
        status = self.inner.status()
        self.tape.nvml_status = status
        return status

    def system(self, fn: str, *args: int) -> Any:  # noqa: D102
        return self._record(self.tape.nvml_system, fn, args,
                            lambda: self.inner.system(fn, *args))

    def device(self, index: int, fn: str, *args: int) -> Any:  # noqa: D102
        calls = self.tape.nvml_gpus.setdefault(str(index), {})
        return self._record(calls, fn, args, lambda: self.inner.device(index, fn, *args))

    def _record(self, calls: dict[str, Any], fn: str, args: tuple[int, ...],
                call: Any) -> Any:
        key = call_key(fn, args)
        try:
            value = call()
        except NvmlError as exc:
            calls[key] = _error_answer(exc)
            raise
        calls[key] = value
        return value
