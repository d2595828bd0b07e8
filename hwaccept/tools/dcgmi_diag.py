"""Results of NVIDIA DCGM's diagnostic from the JSON of `dcgmi diag -r <level> -j`.

Keys from DCGM's `dcgmi/Diag.cpp` and `nvvs/include/NvvsJsonStrings.h`
(https://github.com/NVIDIA/DCGM); layouts as the samples in tests/fixtures/burnin show them:

- NVVS 1.x / DCGM 2.x: `"DCGM GPU Diagnostic"` -> `test_categories` -> `tests` -> `results`;
  `gpu_ids` ("0" or "0,1,2,3"), upper-case `status`, `info` / `warnings` lists of strings
  or null (NVIDIA's NVVS 1.7 test fixture has warning objects with `error_id`), `version`
  in the root object.
- DCGM 3.x: `gpu_id` or `gpu_ids`; `info` may be one string of messages joined by ", ";
  warning objects `{"warning", "error_id", "error_category", "error_severity"}` (Deployment
  tests spell the text `warnings`); `version`, `Driver Version Detected`, `GPU Device Serials`
  at the top level.
- DCGM 4.x: `"DCGM Diagnostic"`; results name `entity_group` / `entity_id`, tests add a
  `test_summary`, versions move to `metadata`, serials to `entity_groups`.

Deployment (software) results name no GPU: they hold for every GPU. Numbers in the `info`
text (PCIe bandwidth and latency, GFLOPS, power, stress level, memory allocated) become
`DiagMeasurement`s; `error_id` values are DCGM's `dcgmError_t` codes (`dcgm_errors.h`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from hwaccept.tools.json_output import load_object

ROOTS = ("DCGM GPU Diagnostic", "DCGM Diagnostic")
STATUSES = {"pass": "Pass", "fail": "Fail", "warn": "Warn", "skip": "Skip", "not run": "Not Run"}
"""Status words dcgmi prints (any case) -> the spelling of DCGM 3.x and later."""

_GPU = r"(?:GPU (\d+):? )*"
MEASUREMENTS = tuple((name, re.compile(_GPU + pattern)) for name, pattern in (
    ("gpu_to_host_bandwidth_gbps", r"GPU to Host bandwidth:\s*([\d.]+) GB/s"),
    ("host_to_gpu_bandwidth_gbps", r"Host to GPU bandwidth:\s*([\d.]+) GB/s"),
    ("bidirectional_bandwidth_gbps", r"bidirectional bandwidth:\s*([\d.]+) GB/s"),
    ("gpu_to_host_latency_us", r"GPU to Host latency:\s*([\d.]+) us"),
    ("host_to_gpu_latency_us", r"Host to GPU latency:\s*([\d.]+) us"),
    ("bidirectional_latency_us", r"bidirectional latency:\s*([\d.]+) us"),
    ("gflops", r"calculated at approximately ([\d.]+) gigaflops"),
    ("power_average_w", r"power average:\s*([\d.]+) W"),
    ("temperature_average_c", r"temperature average:\s*([\d.]+) C"),
    ("relative_stress_level", r"relative stress level:?\s*([\d.]+)"),
    ("memory_allocated_bytes", r"Allocated (\d+) bytes"),
))
"""Measurement name (unit in the name) -> pattern of the `info` text, after "GPU N" prefixes."""


class DcgmDiagError(ValueError):
    """The text is not the JSON of `dcgmi diag -j`, or a result in it is malformed."""


@dataclass(frozen=True)
class DiagWarning:
    """One entry of a result's `warnings`."""

    message: str  # "warning" (or "warnings") of the entry, or the entry itself when a string
    error_id: int | None  # "error_id": DCGM error code (dcgmError_t); None in NVVS 1.x
    error_category: int | None  # "error_category" (DCGM 3.x on)
    error_severity: int | None  # "error_severity" (DCGM 3.x on)


@dataclass(frozen=True)
class DiagMeasurement:
    """A number a plugin reported in its `info` text."""

    gpu_id: int | None  # the "GPU N" before it, else the result's only GPU, else None
    name: str  # a MEASUREMENTS name, unit included: "gpu_to_host_bandwidth_gbps", ...
    value: float  # the number as printed


@dataclass(frozen=True)
class DiagResult:
    """One entry of a test's `results`."""

    gpu_ids: tuple[int, ...]  # "gpu_ids" / "gpu_id" / GPU "entity_id"; () when none is named
    status: str  # "status": Pass, Fail, Warn, Skip or Not Run
    warnings: tuple[DiagWarning, ...]  # "warnings"
    info: tuple[str, ...]  # "info", as printed
    measurements: tuple[DiagMeasurement, ...]  # numbers found in "info"


@dataclass(frozen=True)
class DiagTest:
    """One entry of a category's `tests`."""

    category: str  # "category" of the enclosing test category: Deployment, Hardware, ...
    name: str  # "name": "PCIe", "Memory Bandwidth", "targeted_power", "diagnostic", ...
    results: tuple[DiagResult, ...]  # "results"
    summary: DiagResult | None  # "test_summary" (DCGM 4.x); None before


@dataclass(frozen=True)
class DcgmDiag:
    """A whole `dcgmi diag -j` document."""

    version: str | None  # DCGM / NVVS "version" (top level, root object or "metadata")
    driver_version: str | None  # "Driver Version Detected"
    runtime_error: str | None  # "runtime_error": the diagnostic could not run
    serials: Mapping[int, str]  # "GPU Device Serials" (3.x) / "entity_groups" (4.x)
    tests: tuple[DiagTest, ...]  # every test of every category, in printed order


def parse_dcgmi_diag(text: str) -> DcgmDiag:
    """Parse the JSON of `dcgmi diag -r <level> -j`; lines before the JSON are skipped.

    Raises:
        DcgmDiagError: not JSON, no diagnostic root object, or a malformed test or result.

    """
    start = re.search(r"^\s*\{", text, re.MULTILINE)
    try:
        data = load_object(text[start.start() if start else 0:], "dcgmi diag -j", "-j")
    except ValueError as exc:
        raise DcgmDiagError(str(exc)) from None
    key = next((key for key in ROOTS if key in data), None)
    if key is None or not isinstance(data[key], dict):
        raise DcgmDiagError(f"no {' or '.join(map(repr, ROOTS))} object in the document")
    root = data[key]
    metadata = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    texts = [root.get("version", data.get("version", metadata.get("version"))),
             data.get("Driver Version Detected", metadata.get("Driver Version Detected")),
             root.get("runtime_error")]
    if not all(value is None or isinstance(value, str) for value in texts):
        raise DcgmDiagError(f"version, driver version or runtime_error is not a string: {texts}")
    version, driver, runtime_error = texts
    return DcgmDiag(version, driver, runtime_error, _serials(data), tuple(_tests(root)))


def parse_diag_test(data: Mapping[str, Any], category: str = "") -> DiagTest:
    """Parse one element of a category's `tests`.

    Raises:
        DcgmDiagError: the test has no name, or a result is malformed.

    """
    name = data.get("name") if isinstance(data, Mapping) else None
    if not isinstance(name, str):
        raise DcgmDiagError(f"a test without a name in category {category!r}: {_short(data)}")
    results = tuple(_result(entry, name) for entry in _list(data.get("results", []), name))
    summary = data.get("test_summary")
    return DiagTest(category, name, results,
                    None if summary is None else _result(summary, f"{name} test_summary"))


def _tests(root: Mapping[str, Any]) -> Iterator[DiagTest]:
    for category in _list(root.get("test_categories", []), "test_categories"):
        if not isinstance(category, dict):
            raise DcgmDiagError(f"a test category is not an object: {_short(category)}")
        name = str(category.get("category", ""))
        yield from (parse_diag_test(test, name) for test in _list(category.get("tests", []), name))


def _result(data: Any, test: str) -> DiagResult:
    if not isinstance(data, dict) or not isinstance(data.get("status"), str):
        raise DcgmDiagError(f"{test}: a result without a status: {_short(data)}")
    status = STATUSES.get(data["status"].lower())
    if status is None:
        raise DcgmDiagError(f"{test}: unknown status {data['status']!r}")
    gpus = _gpu_ids(data, test)
    info = tuple(str(entry) for entry in _entries(data.get("info"), f"{test} info"))
    warnings = _entries(data.get("warnings"), f"{test} warnings")
    return DiagResult(gpus, status, tuple(_warning(entry, test) for entry in warnings), info,
                      tuple(found for message in info for found in _measurements(message, gpus)))


def _gpu_ids(data: Mapping[str, Any], test: str) -> tuple[int, ...]:
    value = data.get("gpu_ids", data.get("gpu_id", data.get("entity_id")))
    if value is None or data.get("entity_group", "GPU") != "GPU":
        return ()
    try:
        return tuple(int(part) for part in str(value).split(","))
    except ValueError:
        raise DcgmDiagError(f"{test}: GPU ids are not numbers: {value!r}") from None


def _entries(value: Any, where: str) -> list[Any]:
    """`info` / `warnings`: null, one string or object, or a list of them."""
    if value is None:
        return []
    return [value] if isinstance(value, str | dict) else _list(value, where)


def _warning(entry: Any, test: str) -> DiagWarning:
    if isinstance(entry, str):
        return DiagWarning(entry, None, None, None)
    message = entry.get("warning", entry.get("warnings")) if isinstance(entry, dict) else None
    if not isinstance(message, str):
        raise DcgmDiagError(f"{test}: a warning without text: {_short(entry)}")
    return DiagWarning(message, entry.get("error_id"), entry.get("error_category"),
                       entry.get("error_severity"))


def _measurements(message: str, gpus: tuple[int, ...]) -> list[DiagMeasurement]:
    fallback = gpus[0] if len(gpus) == 1 else None
    return [DiagMeasurement(fallback if match[1] is None else int(match[1]), name,
                            float(match[2]))
            for name, pattern in MEASUREMENTS for match in pattern.finditer(message)]


def _serials(data: Mapping[str, Any]) -> dict[int, str]:
    """GPU index -> serial: `GPU Device Serials` (3.x) or the GPU `entity_groups` (4.x)."""
    try:
        pairs = list(data.get("GPU Device Serials", {}).items())
        for group in data.get("entity_groups", []):
            if group.get("entity_group") == "GPU":
                pairs += [(entity.get("entity_id"), entity["serial_num"])
                          for entity in group["entities"] if "serial_num" in entity]
        return {int(gpu): str(serial) for gpu, serial in pairs}
    except (AttributeError, KeyError, TypeError, ValueError):
        raise DcgmDiagError("GPU serials are not a map of GPU index to serial") from None


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise DcgmDiagError(f"{where}: expected a JSON array, got {_short(value)}")
    return value


def _short(value: Any) -> str:
    """A JSON value for an error message: one line, at most 100 characters."""
    text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."
