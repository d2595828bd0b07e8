"""How NVML answers become JSON, and the calls pynvml does not wrap as plain functions."""

from __future__ import annotations

import ctypes
from collections.abc import Callable

from hwaccept.static_types import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


def to_json(value: Any) -> Any:
    """Turn a pynvml result (ints, bytes, ctypes structures, arrays) into JSON data."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, ctypes.Structure):
        return {name: to_json(getattr(value, name)) for name, *_ in value._fields_}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, ctypes.Array | list | tuple):
        return [to_json(item) for item in value]
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return to_json(value.value) if hasattr(value, "value") else str(value)


def _fabric_info_v(lib: Any, handle: Any) -> Any:
    info = lib.c_nvmlGpuFabricInfo_v2_t()
    info.version = lib.nvmlGpuFabricInfo_v2
    lib.nvmlDeviceGetGpuFabricInfoV(handle, ctypes.byref(info))
    return info


def _fabric_info(lib: Any, handle: Any) -> Any:
    info = lib.c_nvmlGpuFabricInfo_t()
    lib.nvmlDeviceGetGpuFabricInfo(handle, ctypes.byref(info))
    return info


ADAPTERS: dict[str, Callable[..., Any]] = {
    "nvmlDeviceGetGpuFabricInfoV": _fabric_info_v,
    "nvmlDeviceGetGpuFabricInfo": _fabric_info,
}
"""Device calls that take an output structure instead of returning a value."""
