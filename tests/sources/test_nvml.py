"""The NVML seam: real pynvml without a driver, and a stand-in library for the rest.

The stand-in raises pynvml's own exception classes, so the live code sees exactly
what nvidia-ml-py raises on a machine with GPUs.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pynvml
import pytest

from hwaccept.sources.nvml import (
    LiveNvml,
    NvmlAbsent,
    NvmlCallFailed,
    NvmlGpuFailed,
    NvmlStatus,
    ReplayNvml,
)


class Raise:
    """A stand-in answer: raise pynvml's error for this NVML return code."""

    def __init__(self, code: int) -> None:
        self.code = code


HANG = "hang"


class FakeLibrary:
    """Enough of pynvml for LiveNvml; records calls, per-GPU behaviour set by tests."""

    NVMLError = pynvml.NVMLError

    def __init__(self, behaviour: dict[tuple[int, str], Any] | None = None) -> None:
        self.behaviour = behaviour or {}
        self.calls: list[tuple[int, str]] = []
        self.release = threading.Event()
        for name in dir(pynvml):
            if name.startswith("NVML_ERROR_"):
                setattr(self, name, getattr(pynvml, name))

    def nvmlInit(self) -> None:
        return None

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def __getattr__(self, fn: str) -> Any:
        def call(handle: int, *args: int) -> Any:
            self.calls.append((handle, fn))
            action = self.behaviour.get((handle, fn), b"value")
            if action == HANG:
                self.release.wait(10)
            if isinstance(action, Raise):
                raise pynvml.NVMLError(action.code)
            return action
        return call


def test_real_pynvml_without_a_driver_is_a_fact() -> None:
    status = LiveNvml().status()
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError_LibraryNotFound:
        assert status == NvmlStatus(False, "no NVIDIA driver: libnvidia-ml.so.1 not found")
    else:
        pynvml.nvmlShutdown()
        assert status.available


def test_calls_answer_json_values() -> None:
    nvml = LiveNvml(FakeLibrary())
    assert nvml.status().available
    assert nvml.device(0, "nvmlDeviceGetName") == "value"


def test_not_supported_is_an_absent_value() -> None:
    not_supported = Raise(pynvml.NVML_ERROR_NOT_SUPPORTED)
    nvml = LiveNvml(FakeLibrary({(0, "nvmlDeviceGetSerial"): not_supported}))
    with pytest.raises(NvmlAbsent):
        nvml.device(0, "nvmlDeviceGetSerial")
    assert nvml.device(0, "nvmlDeviceGetName") == "value"


@pytest.mark.parametrize("code", [pynvml.NVML_ERROR_GPU_IS_LOST, pynvml.NVML_ERROR_UNKNOWN])
def test_a_lost_gpu_is_failed_and_not_called_again(code: int) -> None:
    library = FakeLibrary({(3, "nvmlDeviceGetTemperature"): Raise(code)})
    nvml = LiveNvml(library)
    with pytest.raises(NvmlGpuFailed):
        nvml.device(3, "nvmlDeviceGetTemperature")
    with pytest.raises(NvmlGpuFailed):
        nvml.device(3, "nvmlDeviceGetName")
    assert (3, "nvmlDeviceGetName") not in library.calls
    assert nvml.device(2, "nvmlDeviceGetName") == "value"


def test_a_hanging_call_times_out_and_marks_only_that_gpu() -> None:
    library = FakeLibrary({(5, "nvmlDeviceGetPowerUsage"): HANG})
    nvml = LiveNvml(library, timeout=0.2)
    start = time.monotonic()
    with pytest.raises(NvmlGpuFailed) as caught:
        nvml.device(5, "nvmlDeviceGetPowerUsage")
    assert caught.value.code == "TIMEOUT"
    with pytest.raises(NvmlGpuFailed):
        nvml.device(5, "nvmlDeviceGetName")
    assert time.monotonic() - start < 2
    assert nvml.device(4, "nvmlDeviceGetName") == "value"
    library.release.set()


def test_other_errors_are_call_failures() -> None:
    denied = Raise(pynvml.NVML_ERROR_NO_PERMISSION)
    nvml = LiveNvml(FakeLibrary({(0, "nvmlDeviceGetSerial"): denied}))
    with pytest.raises(NvmlCallFailed) as caught:
        nvml.device(0, "nvmlDeviceGetSerial")
    assert caught.value.code == "NO_PERMISSION"


def test_driver_not_loaded_and_hung_init_are_reasons() -> None:
    class NotLoaded(FakeLibrary):
        def nvmlInit(self) -> None:
            raise pynvml.NVMLError(pynvml.NVML_ERROR_DRIVER_NOT_LOADED)

    class Hung(FakeLibrary):
        def nvmlInit(self) -> None:
            time.sleep(5)

    assert LiveNvml(NotLoaded()).status() == NvmlStatus(
        False, "no NVIDIA driver: the nvidia kernel module is not loaded")
    assert LiveNvml(Hung(), timeout=0.1).status() == NvmlStatus(
        False, "NVML initialisation hung (> 0.1s)")
    with pytest.raises(NvmlCallFailed):
        LiveNvml(NotLoaded()).device(0, "nvmlDeviceGetName")


def test_replay_answers_values_errors_and_unknowns() -> None:
    nvml = ReplayNvml({
        "status": {"available": True},
        "system": {"nvmlSystemGetDriverVersion": "535.161.08"},
        "gpus": {"0": {"nvmlDeviceGetSerial": {"error": "NOT_SUPPORTED"},
                       "nvmlDeviceGetTotalEccErrors(1, 1)": 2,
                       "nvmlDeviceGetName": {"error": "GPU_IS_LOST"}}},
    })
    assert nvml.system("nvmlSystemGetDriverVersion") == "535.161.08"
    assert nvml.device(0, "nvmlDeviceGetTotalEccErrors", 1, 1) == 2
    with pytest.raises(NvmlAbsent):
        nvml.device(0, "nvmlDeviceGetSerial")
    with pytest.raises(NvmlGpuFailed):
        nvml.device(0, "nvmlDeviceGetName")
    with pytest.raises(NvmlAbsent) as caught:
        nvml.device(1, "nvmlDeviceGetName")
    assert caught.value.code == "NOT_RECORDED"


def test_a_hung_system_call_stops_all_further_nvml_calls() -> None:
    class Library(FakeLibrary):
        def nvmlSystemGetDriverVersion(self) -> str:
            self.release.wait(10)
            return "never"

    library = Library()
    nvml = LiveNvml(library, timeout=0.1)
    with pytest.raises(NvmlGpuFailed):
        nvml.system("nvmlSystemGetDriverVersion")
    with pytest.raises(NvmlGpuFailed):
        nvml.device(0, "nvmlDeviceGetName")
    assert library.calls == []
    library.release.set()
