"""What nvidia-smi printed about GPUs, written back as the NVML answers it printed.

nvidia-smi is a client of NVML: `nvidia-smi -q` and `nvidia-smi -q -x` print, field by
field, what NVML calls answered (nvidia-smi(1), GPU ATTRIBUTES). Both importers fill the
same `GpuFacts` / `SystemFacts` with the values exactly as printed ("81559 MiB",
"Enabled", "N/A") and `record` turns them into the calls of docs/snapshot.md, keyed as
hwaccept.inventory.gpus reads them:

- Strings (`nvmlDeviceGetName`, `...Serial`, `...UUID`, `...BoardPartNumber`,
  `...VbiosVersion`, `...InforomImageVersion`, `nvmlSystemGetDriverVersion`) as printed;
  `nvmlDeviceGetCount` is "Attached GPUs".
- `nvmlSystemGetCudaDriverVersion`: "12.2" -> 12020 (1000 * major + 10 * minor, the
  encoding nvidia-smi decodes to print it).
- `nvmlDeviceGetPciInfo`: the fields of pynvml's `nvmlPciInfo_t` nvidia-smi prints
  (`busId` as printed, `domain`, `bus`, `device`, `pciDeviceId`, `pciSubSystemId` from
  hex); the GPU's own heading ("GPU 00000000:19:00.0", `<gpu id=...>`) is NVML's bus id
  and stands in when "Bus Id" is not printed (filtered `-d` output).
- `nvmlDeviceGetMemoryInfo`: `{"total": bytes}` from FB Memory Usage Total: nvidia-smi
  prints the byte count divided by 2^20, so MiB x 2^20 is exact for the whole-MiB sizes
  frame buffers have (and at most 1 MiB low otherwise).
- Modes: Enabled/Disabled and Yes/No as 1/0 (NVML_FEATURE_ENABLED is 1);
  `nvmlDeviceGetEccMode` and `nvmlDeviceGetMigMode` are `[current, pending]`.
- `nvmlDeviceGetTotalEccErrors(error_type, counter)` (0 corrected / 1 uncorrected,
  0 volatile / 1 aggregate): NVML's total is "the total set of errors across the entire
  device", the sum over its memory locations (nvml.h, nvmlDeviceGetTotalEccErrors and
  nvmlMemoryLocation_t). Layouts with a "Total" line (Volta and older: Single Bit /
  Double Bit per location) give it directly. From Turing the locations are DRAM and
  SRAM (NVML_MEMORY_LOCATION_DRAM / _SRAM, "Turing+"), printed as "DRAM Correctable",
  "SRAM Correctable", ... so corrected = SRAM + DRAM correctable and uncorrected = SRAM
  + DRAM uncorrectable, where Ampere and later split the SRAM uncorrectable count into
  "Parity" and "SEC-DED" (nvidia-smi(1), ECC Errors), which are added back. The
  threshold flag and the per-unit "Aggregate Uncorrectable SRAM Sources" break that
  SRAM count down again and are not added.
- `nvmlDeviceGetRetiredPages(cause)` (0 multiple single-bit, 1 double-bit): NVML answers
  the list of retired page addresses; nvidia-smi prints only how many. The count is
  recorded as a list of that many nulls, each "a retired page whose address the input
  does not give" (the inventory counts the list). `...PendingStatus` is "Pending Page
  Blacklist" (older: "Pending").
- `nvmlDeviceGetRemappedRows`: `[correctable, uncorrectable, pending, failure]`.
- `nvmlDeviceGetTemperature(0)`: GPU Current Temp in C.
- `nvmlDeviceGetPowerUsage`: milliwatts from "Power Draw" (W with two decimals, so to
  10 mW). Newer outputs print "Average Power Draw" and "Instantaneous Power Draw"
  instead; NVML's power usage "on Ampere (except GA100) or newer GPUs ... returns power
  averaged over 1 sec interval. On GA100 and older architectures, instantaneous power"
  (nvml.h), and the average is "only supported on Ampere (except GA100) or newer"
  (nvidia-smi(1)): so the average when it is printed as a value, else the instant one.
- `nvmlDeviceGetEnforcedPowerLimit`: "Enforced Power Limit" (older outputs), renamed
  "Current Power Limit" next to "Requested Power Limit" (the limit software set): a
  platform cap shows as Current below Requested (nvidia-smi -q -d POWER in
  stackhpc/ansible-slurm-appliance#975: 500 W current, 700 W requested).
- `nvmlDeviceGetClockInfo(1|2)` / `nvmlDeviceGetMaxClockInfo(1|2)`: SM / Memory lines of
  Clocks and Max Clocks (NVML_CLOCK_SM 1, NVML_CLOCK_MEM 2), MHz.
- Clock event reasons: the bit mask of the reasons printed "Active" (bits as nvml.h
  nvmlClocksEventReason*); a reason printed "N/A" is one the GPU does not support, so
  it is not active. "Clocks Event Reasons" (r535 and later) is recorded as
  `nvmlDeviceGetCurrentClocksEventReasons`, the older "Clocks Throttle Reasons" as
  `nvmlDeviceGetCurrentClocksThrottleReasons`.
- PCIe: "Current" and "Max" of PCIe Generation and Link Width. "Max" is "the maximum
  PCI-E link generation possible with this GPU and system configuration ... if the GPU
  supports a higher PCIe generation than the system supports then this reports the
  system PCIe generation" (nvidia-smi --help-query-gpu, pcie.link.gen.max), which is
  nvmlDeviceGetMaxPcieLinkGeneration ("possible with this device and system"); "Device
  Max" is nvmlDeviceGetGpuMaxPcieLinkGeneration ("supported by this GPU") and "Host Max"
  the root port's, neither of which is that call.
- `nvmlDeviceGetGpuFabricInfoV`: `{"state", "status", "cliqueId", "clusterUuid"}` from
  Fabric: state Not Supported/Not Started/In Progress/Completed -> 0..3
  (nvmlGpuFabricState_t), status the nvmlReturn_t whose text is printed ("Success" 0),
  the cluster UUID's 16 bytes in printed order. The health mask is not printed as NVML
  answers it and is not recorded.

Printed values that are NVML answers other than a value (nvidia-smi prints
nvmlErrorString, sometimes in brackets):

- "N/A", "Not Supported": NVML answered NOT_SUPPORTED (nvidia-smi(1): "Any unsupported
  data is indicated by a N/A").
- "Unknown Error" -> UNKNOWN; "GPU is lost" -> GPU_IS_LOST; "GPU requires reset" /
  "GPU requires restart" -> RESET_REQUIRED; "Insufficient Permissions" -> NO_PERMISSION;
  "Requested functionality has been deprecated" -> DEPRECATED; "Timeout" -> TIMEOUT;
  "Corrupted infoROM" -> CORRUPTED_INFOROM; and the other nvmlErrorString texts
  (`ERROR_TEXTS`) to their codes: each is the text nvmlErrorString gives that code
  (pynvml NVMLError._errcode_to_string, nvml.h).
- "ERR!": nvidia-smi's mark for a value it failed to read, without the code; NVML's
  catch-all is UNKNOWN ("on any unexpected error"), so that is recorded.

A field nvidia-smi did not print is not recorded. A value printed over several lines
(ECC mode, a total summed from locations, remapped rows) is one NVML answer: an error
on any line is that answer; "N/A" on every line is NOT_SUPPORTED; a mix of values and
"N/A", or a value not understood, is not recorded and is noted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, Protocol

from hwaccept.importers.parts import Parts
from hwaccept.sources.nvml import call_key

NOT_SUPPORTED = "NOT_SUPPORTED"

ERROR_TEXTS: dict[str, str] = {
    "n/a": NOT_SUPPORTED,
    "not supported": NOT_SUPPORTED,
    "err!": "UNKNOWN",
    "unknown error": "UNKNOWN",
    "gpu is lost": "GPU_IS_LOST",
    "gpu requires reset": "RESET_REQUIRED",
    "gpu requires restart": "RESET_REQUIRED",
    "insufficient permissions": "NO_PERMISSION",
    "requested functionality has been deprecated": "DEPRECATED",
    "timeout": "TIMEOUT",
    "corrupted inforom": "CORRUPTED_INFOROM",
    "uninitialized": "UNINITIALIZED",
    "invalid argument": "INVALID_ARGUMENT",
    "already initialized": "ALREADY_INITIALIZED",
    "not found": "NOT_FOUND",
    "insufficient size": "INSUFFICIENT_SIZE",
    "insufficient external power": "INSUFFICIENT_POWER",
    "driver not loaded": "DRIVER_NOT_LOADED",
    "interrupt request issue": "IRQ_ISSUE",
    "nvml shared library not found": "LIBRARY_NOT_FOUND",
    "function not found": "FUNCTION_NOT_FOUND",
    "the operating system has blocked the request.": "OPERATING_SYSTEM",
    "rm has detected an nvml/rm version mismatch.": "LIB_RM_VERSION_MISMATCH",
    "insufficient memory": "MEMORY",
    "no data": "NO_DATA",
}
"""nvmlErrorString text (lower case, brackets removed) -> NVML_ERROR_ suffix."""

RETURN_CODES: dict[str, int] = {
    "SUCCESS": 0, "UNINITIALIZED": 1, "INVALID_ARGUMENT": 2, NOT_SUPPORTED: 3,
    "NO_PERMISSION": 4, "ALREADY_INITIALIZED": 5, "NOT_FOUND": 6, "INSUFFICIENT_SIZE": 7,
    "INSUFFICIENT_POWER": 8, "DRIVER_NOT_LOADED": 9, "TIMEOUT": 10, "IRQ_ISSUE": 11,
    "LIBRARY_NOT_FOUND": 12, "FUNCTION_NOT_FOUND": 13, "CORRUPTED_INFOROM": 14,
    "GPU_IS_LOST": 15, "RESET_REQUIRED": 16, "OPERATING_SYSTEM": 17,
    "LIB_RM_VERSION_MISMATCH": 18, "MEMORY": 20, "NO_DATA": 21, "DEPRECATED": 26,
    "UNKNOWN": 999,
}
"""nvmlReturn_t values (nvml.h), for the fabric registration status."""

FABRIC_STATES = {"not supported": 0, "not started": 1, "in progress": 2, "completed": 3}
"""nvmlGpuFabricState_t by its printed name."""

CLOCK_REASON_BITS: dict[str, int] = {
    "gpu_idle": 0x1,
    "applications_clocks_setting": 0x2,
    "sw_power_cap": 0x4,
    "hw_slowdown": 0x8,
    "sync_boost": 0x10,
    "sw_thermal_slowdown": 0x20,
    "hw_thermal_slowdown": 0x40,
    "hw_power_brake_slowdown": 0x80,
    "display_clocks_setting": 0x100,
    "unknown": 0x8000000000000000,
}
"""nvmlClocksEventReason* bits by the XML element suffix nvidia-smi prints them under."""

EVENT_REASONS_CALL = "nvmlDeviceGetCurrentClocksEventReasons"
THROTTLE_REASONS_CALL = "nvmlDeviceGetCurrentClocksThrottleReasons"
MIB = 1 << 20

Printed = str | None
"""A value as nvidia-smi printed it; None when it did not print the field."""


@dataclass
class SystemFacts:
    """The header of an nvidia-smi log."""

    driver_version: Printed = None
    cuda_version: Printed = None
    attached_gpus: Printed = None


@dataclass
class GpuFacts:
    """What nvidia-smi printed about one GPU, every value as printed.

    Attributes:
        heading_bus_id: the bus id the GPU's block is headed with.
        ecc_errors: (error type, counter) -> the printed counts whose sum is NVML's total.
        retired_pages: page retirement cause -> printed count.
        clock_reasons: reason bit -> printed state (Active / Not Active / N/A).
        clock_reasons_legacy: printed under the older "Clocks Throttle Reasons" title.

    """

    heading_bus_id: Printed = None
    name: Printed = None
    serial: Printed = None
    uuid: Printed = None
    board_part_number: Printed = None
    vbios_version: Printed = None
    inforom_image_version: Printed = None
    persistence_mode: Printed = None
    mig_mode: tuple[Printed, Printed] = (None, None)
    pci_bus_id: Printed = None
    pci_domain: Printed = None
    pci_bus: Printed = None
    pci_device: Printed = None
    pci_device_id: Printed = None
    pci_sub_system_id: Printed = None
    pcie_gen_current: Printed = None
    pcie_gen_max: Printed = None
    pcie_width_current: Printed = None
    pcie_width_max: Printed = None
    fb_memory_total: Printed = None
    ecc_mode: tuple[Printed, Printed] = (None, None)
    ecc_errors: dict[tuple[int, int], list[Printed]] = field(default_factory=dict)
    retired_pages: dict[int, Printed] = field(default_factory=dict)
    retired_pages_pending: Printed = None
    remapped_rows: tuple[Printed, Printed, Printed, Printed] = (None, None, None, None)
    temperature: Printed = None
    power_draw: Printed = None
    power_draw_average: Printed = None
    power_draw_instant: Printed = None
    enforced_power_limit: Printed = None
    sm_clock: Printed = None
    memory_clock: Printed = None
    max_sm_clock: Printed = None
    max_memory_clock: Printed = None
    clock_reasons: dict[int, Printed] = field(default_factory=dict)
    clock_reasons_legacy: bool = False
    fabric_state: Printed = None
    fabric_status: Printed = None
    fabric_clique_id: Printed = None
    fabric_cluster_uuid: Printed = None


class Section(Protocol):
    """A section of nvidia-smi output addressed by the text output's names.

    `value` and `has` follow a path of names below the section; a section printed as
    one value ("Remapped Rows : N/A", `<remapped_rows>N/A</remapped_rows>`) stands for
    every line it would have held.
    """

    def value(self, *path: str) -> Printed:
        """The value printed at `path`, None when not printed."""
        ...

    def has(self, *path: str) -> bool:
        """Whether something was printed at `path`."""
        ...


def ecc_errors(section: Section | None) -> dict[tuple[int, int], list[Printed]]:
    """The printed counts whose sums are NVML's ECC totals (see the module docstring)."""
    if section is None:
        return {}
    found: dict[tuple[int, int], list[Printed]] = {}
    for counter, timescale in ((0, "Volatile"), (1, "Aggregate")):
        if not section.has(timescale):
            continue
        if section.has(timescale, "Single Bit") or section.has(timescale, "Double Bit"):
            for error_type, kind in ((0, "Single Bit"), (1, "Double Bit")):
                found[(error_type, counter)] = [section.value(timescale, kind, "Total")]
            continue
        sram = (["SRAM Uncorrectable"] if section.has(timescale, "SRAM Uncorrectable")
                else ["SRAM Uncorrectable Parity", "SRAM Uncorrectable SEC-DED"])
        for error_type, names in ((0, ["SRAM Correctable", "DRAM Correctable"]),
                                  (1, [*sram, "DRAM Uncorrectable"])):
            found[(error_type, counter)] = [section.value(timescale, n) for n in names]
    return found


def error_code(printed: str) -> str | None:
    """The NVML_ERROR_ suffix a printed value stands for, or None for a value."""
    return ERROR_TEXTS.get(printed.strip().strip("[]").strip().lower())


_NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)\s*([A-Za-z/%]*)$")


def _quantity(printed: str, unit: str) -> Decimal:
    match = _NUMBER.match(printed.strip())
    if match is None or match[2] != unit:
        raise ValueError(printed)
    return Decimal(match[1])


def whole(unit: str = "") -> Callable[[str], int]:
    """A converter of `29 C`, `16x`, `0` (with `unit`) to an integer."""
    def convert(printed: str) -> int:
        value = _quantity(printed, unit)
        if value != value.to_integral_value():
            raise ValueError(printed)
        return int(value)
    return convert


def milli(unit: str) -> Callable[[str], int]:
    """A converter of `67.74 W` to thousandths (67740)."""
    def convert(printed: str) -> int:
        return int((_quantity(printed, unit) * 1000).to_integral_value())
    return convert


def mebibytes(printed: str) -> int:
    """`81559 MiB` -> bytes."""
    return whole("MiB")(printed) * MIB


def hexadecimal(printed: str) -> int:
    """`0x233010DE` or `233010DE` -> integer."""
    return int(printed.strip().removeprefix("0x").removeprefix("0X"), 16)


def flag(printed: str) -> int:
    """Enabled/Disabled, Yes/No, Active/Not Active -> 1/0."""
    word = printed.strip().lower()
    if word in ("enabled", "yes", "active"):
        return 1
    if word in ("disabled", "no", "not active"):
        return 0
    raise ValueError(printed)


def unknown_pages(printed: str) -> list[None]:
    """A retired-page count -> that many pages whose address the input does not give."""
    return [None] * whole()(printed)


def cuda_version(printed: str) -> int:
    """`12.2` -> 12020."""
    match = re.fullmatch(r"(\d+)\.(\d+)", printed.strip())
    if match is None:
        raise ValueError(printed)
    return int(match[1]) * 1000 + int(match[2]) * 10


def text(printed: str) -> str:
    """A string answer as printed."""
    return printed.strip()


def uuid_bytes(printed: str) -> list[int]:
    """`50000000-0000-0000-0000-000000000005` -> its 16 bytes."""
    digits = printed.strip().replace("-", "")
    if len(digits) != 32:
        raise ValueError(printed)
    return list(bytes.fromhex(digits))


def fabric_state(printed: str) -> int:
    """A printed nvmlGpuFabricState_t name -> its value."""
    state = FABRIC_STATES.get(printed.strip().lower())
    if state is None:
        raise ValueError(printed)
    return state


def return_code(printed: str) -> int:
    """A printed nvmlReturn_t ("Success", "Unknown Error") -> its value."""
    if printed.strip().lower() == "success":
        return RETURN_CODES["SUCCESS"]
    code = error_code(printed)
    if code is None or code not in RETURN_CODES:
        raise ValueError(printed)
    return RETURN_CODES[code]


class _Absent:
    """Nothing to record."""


ABSENT = _Absent()


class _Unreadable(Exception):
    """A printed value that is neither a value this code reads nor an NVML error."""


def _error(code: str) -> dict[str, str]:
    return {"error": code}


def answer(printed: Printed, convert: Callable[[str], Any]) -> Any:
    """NVML's answer for one printed value: the value, `{"error": CODE}` or ABSENT."""
    if printed is None:
        return ABSENT
    code = error_code(printed)
    if code is not None:
        return _error(code)
    try:
        return convert(printed)
    except (ValueError, InvalidOperation):
        raise _Unreadable(printed) from None


def joined(printed: Sequence[Printed], convert: Callable[[str], Any],
           join: Callable[[list[Any]], Any]) -> Any:
    """One NVML answer printed over several lines (see the module docstring)."""
    if all(p is None for p in printed):
        return ABSENT
    if any(p is None for p in printed):
        raise _Unreadable(" / ".join(p or "(not printed)" for p in printed))
    values = [p for p in printed if p is not None]
    codes = [error_code(p) for p in values]
    failures = [c for c in codes if c is not None and c != NOT_SUPPORTED]
    if failures:
        return _error(failures[0])
    if all(c == NOT_SUPPORTED for c in codes):
        return _error(NOT_SUPPORTED)
    if any(codes):
        raise _Unreadable(" / ".join(values))
    try:
        return join([convert(p) for p in values])
    except (ValueError, InvalidOperation):
        raise _Unreadable(" / ".join(values)) from None


class _Calls:
    """The calls of one GPU (or the system) being recorded, with notes on what was not."""

    def __init__(self, calls: dict[str, Any], notes: list[str], label: str) -> None:
        self.calls = calls
        self.notes = notes
        self.label = label

    def put(self, fn: str, args: tuple[int, ...], make: Callable[[], Any]) -> None:
        key = call_key(fn, args)
        try:
            value = make()
        except _Unreadable as exc:
            self.notes.append(f"{self.label} {key}: {exc.args[0]!r} is not understood; "
                              "not recorded")
            return
        if value is not ABSENT:
            self.calls[key] = value

    def one(self, fn: str, printed: Printed, convert: Callable[[str], Any],
            *args: int) -> None:
        self.put(fn, args, lambda: answer(printed, convert))


def _reasons_mask(printed: dict[int, Printed]) -> Any:
    states = list(printed.values())
    codes = [error_code(p) if p is not None else None for p in states]
    if states and all(c == NOT_SUPPORTED for c in codes):
        return _error(NOT_SUPPORTED)
    failures = [c for c in codes if c is not None and c != NOT_SUPPORTED]
    if failures:
        return _error(failures[0])
    mask = 0
    for bit, state in printed.items():
        if state is None or error_code(state) is not None:
            continue
        try:
            active = flag(state)
        except ValueError:
            raise _Unreadable(state) from None
        mask |= bit if active else 0
    return mask


def _pci_info(gpu: GpuFacts, calls: _Calls) -> dict[str, Any]:
    info: dict[str, Any] = {}
    bus_id = gpu.pci_bus_id if gpu.pci_bus_id and not error_code(gpu.pci_bus_id) \
        else gpu.heading_bus_id
    if bus_id:
        info["busId"] = bus_id.strip()
    for key, printed in (("domain", gpu.pci_domain), ("bus", gpu.pci_bus),
                         ("device", gpu.pci_device), ("pciDeviceId", gpu.pci_device_id),
                         ("pciSubSystemId", gpu.pci_sub_system_id)):
        if printed is None or error_code(printed):
            continue
        try:
            info[key] = hexadecimal(printed)
        except ValueError:
            calls.notes.append(f"{calls.label} nvmlDeviceGetPciInfo {key}: {printed!r} is "
                               "not understood; not recorded")
    return info


def _fabric(gpu: GpuFacts) -> Any:
    state = answer(gpu.fabric_state, fabric_state)
    if not isinstance(state, int):
        return state
    info: dict[str, Any] = {"state": state}
    for key, printed, convert in (("status", gpu.fabric_status, return_code),
                                  ("cliqueId", gpu.fabric_clique_id, whole()),
                                  ("clusterUuid", gpu.fabric_cluster_uuid, uuid_bytes)):
        if printed is not None and error_code(printed) is None:
            info[key] = answer(printed, convert)
    return info


def _power_draw(gpu: GpuFacts) -> Printed:
    if gpu.power_draw is not None:
        return gpu.power_draw
    average = gpu.power_draw_average
    if average is not None and error_code(average) is None:
        return average
    return gpu.power_draw_instant if gpu.power_draw_instant is not None else average


def record_gpu(parts: Parts, index: int, gpu: GpuFacts) -> None:
    """Write what was printed about the GPU at `index` as its NVML calls."""
    calls = _Calls(parts.gpu(index), parts.notes, f"GPU {index}")
    for fn, printed in (("nvmlDeviceGetName", gpu.name),
                        ("nvmlDeviceGetSerial", gpu.serial),
                        ("nvmlDeviceGetUUID", gpu.uuid),
                        ("nvmlDeviceGetBoardPartNumber", gpu.board_part_number),
                        ("nvmlDeviceGetVbiosVersion", gpu.vbios_version),
                        ("nvmlDeviceGetInforomImageVersion", gpu.inforom_image_version)):
        calls.one(fn, printed, text)
    pci = _pci_info(gpu, calls)
    if pci:
        calls.calls["nvmlDeviceGetPciInfo"] = pci
    calls.one("nvmlDeviceGetPersistenceMode", gpu.persistence_mode, flag)
    calls.put("nvmlDeviceGetMigMode", (), lambda: joined(gpu.mig_mode, flag, list))
    calls.put("nvmlDeviceGetEccMode", (), lambda: joined(gpu.ecc_mode, flag, list))
    calls.put("nvmlDeviceGetMemoryInfo", (),
              lambda: _wrap(answer(gpu.fb_memory_total, mebibytes), "total"))
    for (error_type, counter), counts in sorted(gpu.ecc_errors.items()):
        calls.put("nvmlDeviceGetTotalEccErrors", (error_type, counter),
                  partial(joined, counts, whole(), sum))
    for cause, count in sorted(gpu.retired_pages.items()):
        calls.one("nvmlDeviceGetRetiredPages", count, unknown_pages, cause)
    calls.one("nvmlDeviceGetRetiredPagesPendingStatus", gpu.retired_pages_pending, flag)
    calls.put("nvmlDeviceGetRemappedRows", (),
              lambda: joined(gpu.remapped_rows, _row_count, list))
    calls.one("nvmlDeviceGetTemperature", gpu.temperature, whole("C"), 0)
    calls.one("nvmlDeviceGetPowerUsage", _power_draw(gpu), milli("W"))
    calls.one("nvmlDeviceGetEnforcedPowerLimit", gpu.enforced_power_limit, milli("W"))
    for fn, printed, clock in (("nvmlDeviceGetClockInfo", gpu.sm_clock, 1),
                               ("nvmlDeviceGetClockInfo", gpu.memory_clock, 2),
                               ("nvmlDeviceGetMaxClockInfo", gpu.max_sm_clock, 1),
                               ("nvmlDeviceGetMaxClockInfo", gpu.max_memory_clock, 2)):
        calls.one(fn, printed, whole("MHz"), clock)
    if gpu.clock_reasons:
        fn = THROTTLE_REASONS_CALL if gpu.clock_reasons_legacy else EVENT_REASONS_CALL
        calls.put(fn, (), lambda: _reasons_mask(gpu.clock_reasons))
    for fn, printed, convert in (
            ("nvmlDeviceGetCurrPcieLinkGeneration", gpu.pcie_gen_current, whole()),
            ("nvmlDeviceGetMaxPcieLinkGeneration", gpu.pcie_gen_max, whole()),
            ("nvmlDeviceGetCurrPcieLinkWidth", gpu.pcie_width_current, whole("x")),
            ("nvmlDeviceGetMaxPcieLinkWidth", gpu.pcie_width_max, whole("x"))):
        calls.one(fn, printed, convert)
    calls.put("nvmlDeviceGetGpuFabricInfoV", (), lambda: _fabric(gpu))


def _row_count(printed: str) -> int:
    """A remapped-row count, or a Yes/No flag of the remapper."""
    return flag(printed) if printed.strip().lower() in ("yes", "no") else whole()(printed)


def _wrap(value: Any, key: str) -> Any:
    """A plain answer as the one field of NVML's structure; errors stay errors."""
    if value is ABSENT or (isinstance(value, dict) and "error" in value):
        return value
    return {key: value}


def record_system(parts: Parts, system: SystemFacts) -> None:
    """Write the log header as NVML's system calls."""
    calls = _Calls(parts.nvml_system, parts.notes, "system")
    calls.one("nvmlDeviceGetCount", system.attached_gpus, whole())
    calls.one("nvmlSystemGetDriverVersion", system.driver_version, text)
    calls.one("nvmlSystemGetCudaDriverVersion", system.cuda_version, cuda_version)


def record(parts: Parts, system: SystemFacts, gpus: Sequence[GpuFacts]) -> None:
    """Write the header and every GPU; nvidia-smi lists GPUs in NVML index order."""
    record_system(parts, system)
    for index, gpu in enumerate(gpus):
        record_gpu(parts, index, gpu)


def reason_bit(name: str) -> int | None:
    """The bit of a clock event reason by its printed text name (`HW Slowdown`)."""
    key = name.strip().lower().replace(" ", "_")
    key = {"idle": "gpu_idle", "display_clock_setting": "display_clocks_setting"}.get(key, key)
    return CLOCK_REASON_BITS.get(key)
