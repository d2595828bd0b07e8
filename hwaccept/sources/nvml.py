"""The NVML seam: calls into libnvidia-ml through pynvml, each bounded by a timeout.

A GPU that fell off the bus can make NVML block for minutes inside the driver, so
every call runs on a worker thread and is abandoned after `timeout` seconds; later
calls for that GPU fail at once instead of hanging the station. Results are plain
JSON values (ctypes structures become dicts), which is also how they are recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from hwaccept.record import Record
from hwaccept.sources.nvml_calls import ADAPTERS, to_json
from hwaccept.static_types import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import queue
    from typing import Any

DEFAULT_TIMEOUT = 10.0
NVML_LIBRARY = "libnvidia-ml.so.1"

NOT_SUPPORTED = "NOT_SUPPORTED"
NOT_RECORDED = "NOT_RECORDED"
GPU_IS_LOST = "GPU_IS_LOST"
UNKNOWN = "UNKNOWN"
TIMEOUT = "TIMEOUT"
GPU_FAILURE_CODES = frozenset({GPU_IS_LOST, UNKNOWN, TIMEOUT})


class NvmlError(Exception):
    """An NVML call did not return a value; `code` is the NVML_ERROR_* suffix."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class NvmlAbsent(NvmlError):
    """The value does not exist here (NOT_SUPPORTED, or not in a snapshot)."""


class NvmlGpuFailed(NvmlError):
    """The GPU stopped answering (GPU_IS_LOST, UNKNOWN, or a timed-out call)."""


class NvmlCallFailed(NvmlError):
    """Any other NVML error (NO_PERMISSION, INVALID_ARGUMENT, ...)."""


def nvml_error(code: str, message: str = "") -> NvmlError:
    """Build the exception class that matches an NVML error code."""
    if code in (NOT_SUPPORTED, NOT_RECORDED):
        return NvmlAbsent(code, message)
    if code in GPU_FAILURE_CODES:
        return NvmlGpuFailed(code, message)
    return NvmlCallFailed(code, message)


class NvmlStatus(Record):
    """Whether NVML could be used at all, and if not, why (a fact, not a crash)."""

    available: bool
    reason: str | None = None


class Nvml(Protocol):
    """NVML calls by name; devices are addressed by index."""

    def status(self) -> NvmlStatus:
        """Initialise NVML once and say whether it is usable."""
        ...

    def system(self, fn: str, *args: int) -> Any:
        """Call a system-level NVML function (`nvmlSystemGetDriverVersion`)."""
        ...

    def device(self, index: int, fn: str, *args: int) -> Any:
        """Call a device-level NVML function on the GPU at `index`."""
        ...


def call_key(fn: str, args: tuple[int, ...]) -> str:
    """Key of a call in a recording: `nvmlDeviceGetTotalEccErrors(1, 1)`."""
    return f"{fn}({', '.join(str(a) for a in args)})" if args else fn


class CallTimeoutError(Exception):
    """A call did not return within its deadline."""


class DeadlineCaller:
    """Runs calls on a daemon worker thread and gives up on them after a deadline.

    A call that times out leaves its worker blocked; the caller moves on to a fresh
    worker, and the blocked one exits if the call ever returns.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._queue: queue.Queue[tuple[Callable[[], Any], _Box] | None] | None = None

    def _start(self) -> queue.Queue[tuple[Callable[[], Any], _Box] | None]:
        import queue

        jobs: queue.Queue[tuple[Callable[[], Any], _Box] | None] = queue.Queue()
        threading.Thread(target=_work, args=(jobs,), daemon=True, name="nvml-call").start()
        return jobs

    def call(self, func: Callable[[], Any]) -> Any:
        """Run `func()` and return its value or raise its exception or a timeout."""
        if self._queue is None:
            self._queue = self._start()
        box = _Box()
        self._queue.put((func, box))
        if not box.done.wait(self.timeout):
            self._queue.put(None)
            self._queue = None
            raise CallTimeoutError
        if box.error is not None:
            raise box.error
        return box.value


class _Box:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


def _work(jobs: queue.Queue[tuple[Callable[[], Any], _Box] | None]) -> None:
    while (job := jobs.get()) is not None:
        func, box = job
        try:
            box.value = func()
        except BaseException as exc:
            box.error = exc
        box.done.set()


class LiveNvml:
    """NVML of this machine through pynvml (nvidia-ml-py).

    Args:
        lib: the pynvml module, or an object with the same functions (tests).
        timeout: seconds any single call may take.

    """

    def __init__(self, lib: Any = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._lib = lib
        self._caller = DeadlineCaller(timeout)
        self._status: NvmlStatus | None = None
        self._handles: dict[int, Any] = {}
        self._failed: dict[int, NvmlGpuFailed] = {}
        self._hung: NvmlGpuFailed | None = None

    def status(self) -> NvmlStatus:  # noqa: D102
        if self._status is None:
            self._status = self._init()
        return self._status

    def _init(self) -> NvmlStatus:
        if self._lib is None:
            if not _library_present():
                return NvmlStatus(False, f"no NVIDIA driver: {NVML_LIBRARY} not found")
            try:
                import pynvml
            except ImportError:
                return NvmlStatus(False, "nvidia-ml-py (pynvml) is not installed")
            self._lib = pynvml
        lib = self._lib
        try:
            self._caller.call(lib.nvmlInit)
        except CallTimeoutError:
            return NvmlStatus(False, f"NVML initialisation hung (> {self._caller.timeout:g}s)")
        except lib.NVMLError as exc:
            return NvmlStatus(False, _init_failure(lib, exc))
        return NvmlStatus(True)

    def _invoke(self, func: Callable[[], Any]) -> Any:
        if self._hung is not None:
            raise self._hung
        lib = self._lib
        try:
            return to_json(self._caller.call(func))
        except CallTimeoutError:
            raise NvmlGpuFailed(TIMEOUT, f"no answer within {self._caller.timeout:g}s") from None
        except lib.NVMLError as exc:
            raise nvml_error(_code_name(lib, exc.value), str(exc)) from None
        except Exception as exc:
            raise NvmlCallFailed("PYNVML", f"{type(exc).__name__}: {exc}") from None

    def system(self, fn: str, *args: int) -> Any:  # noqa: D102
        self._require()
        lib = self._lib
        try:
            return self._invoke(lambda: getattr(lib, fn)(*args))
        except NvmlGpuFailed as exc:
            if exc.code == TIMEOUT:
                self._hung = exc
            raise

    def device(self, index: int, fn: str, *args: int) -> Any:  # noqa: D102
        self._require()
        if self._hung is not None:
            raise self._hung
        if index in self._failed:
            raise self._failed[index]
        lib = self._lib
        try:
            if index not in self._handles:
                self._handles[index] = self._caller.call(
                    lambda: lib.nvmlDeviceGetHandleByIndex(index))
            handle = self._handles[index]
            adapter = ADAPTERS.get(fn)
            if adapter is not None:
                return self._invoke(lambda: adapter(lib, handle, *args))
            return self._invoke(lambda: getattr(lib, fn)(handle, *args))
        except CallTimeoutError:
            self._failed[index] = NvmlGpuFailed(TIMEOUT, f"no answer within "
                                                f"{self._caller.timeout:g}s")
            raise self._failed[index] from None
        except lib.NVMLError as exc:
            raise self._note(index, nvml_error(_code_name(lib, exc.value), str(exc))) from None
        except NvmlGpuFailed as exc:
            raise self._note(index, exc) from None

    def _note(self, index: int, exc: NvmlError) -> NvmlError:
        if isinstance(exc, NvmlGpuFailed):
            self._failed[index] = exc
        return exc

    def _require(self) -> None:
        status = self.status()
        if not status.available:
            raise NvmlCallFailed("UNINITIALIZED", status.reason or "NVML unavailable")


def _library_present() -> bool:
    """Whether the dynamic loader finds libnvidia-ml, as pynvml's nvmlInit would.

    Checked first so that a machine without the driver does not pay for importing pynvml.
    """
    import ctypes

    try:
        ctypes.CDLL(NVML_LIBRARY)
    except OSError:
        return False
    return True


def _code_name(lib: Any, value: int) -> str:
    for name in dir(lib):
        if name.startswith("NVML_ERROR_") and getattr(lib, name) == value:
            return name.removeprefix("NVML_ERROR_")
    return f"CODE_{value}"


def _init_failure(lib: Any, exc: Any) -> str:
    code = _code_name(lib, exc.value)
    if code == "LIBRARY_NOT_FOUND":
        return f"no NVIDIA driver: {NVML_LIBRARY} not found"
    if code == "DRIVER_NOT_LOADED":
        return "no NVIDIA driver: the nvidia kernel module is not loaded"
    return f"NVML initialisation failed: {code}: {exc}"


class ReplayNvml:
    """Answers NVML calls from a recording (see docs/snapshot.md, `nvml.json`).

    A call missing from the recording is absent (`NOT_RECORDED`), so a snapshot
    imported from partial sources replays with unknowns, never invented values.
    """

    def __init__(self, recording: dict[str, Any]) -> None:
        status = recording.get("status", {})
        self._status = NvmlStatus(bool(status.get("available")), status.get("reason"))
        self._system: dict[str, Any] = recording.get("system", {})
        self._gpus: dict[str, dict[str, Any]] = recording.get("gpus", {})
        self.calls: list[str] = []

    def status(self) -> NvmlStatus:  # noqa: D102
        return self._status

    def system(self, fn: str, *args: int) -> Any:  # noqa: D102
        return self._answer(self._system, call_key(fn, args))

    def device(self, index: int, fn: str, *args: int) -> Any:  # noqa: D102
        return self._answer(self._gpus.get(str(index), {}), call_key(fn, args))

    def _answer(self, calls: dict[str, Any], key: str) -> Any:
        if not self._status.available:
            raise NvmlCallFailed("UNINITIALIZED", self._status.reason or "NVML unavailable")
        self.calls.append(key)
        if key not in calls:
            raise NvmlAbsent(NOT_RECORDED, key)
        answer = calls[key]
        if isinstance(answer, dict) and "error" in answer and len(answer) <= 2:
            raise nvml_error(str(answer["error"]), str(answer.get("message", "")))
        if isinstance(answer, dict) and "value" in answer and len(answer) == 1:
            return answer["value"]
        return answer
