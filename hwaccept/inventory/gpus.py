"""GPU records from the NVML seam.

Each GPU is read on its own: a call the GPU does not support leaves its field None;
a GPU that stops answering (GPU_IS_LOST, UNKNOWN, a timed-out call) is marked
`failed` and no further calls are made to it; any other NVML error is noted on the
GPU. NVML constants used here are from nvml.h (nvidia-ml-py mirrors them).
"""

from __future__ import annotations

from hwaccept.inventory.records import (
    EccCounts,
    FabricInfo,
    Gpu,
    NvidiaDriver,
    NvLink,
    RemappedRows,
)
from hwaccept.sources.nvml import (
    NOT_RECORDED,
    Nvml,
    NvmlAbsent,
    NvmlCallFailed,
    NvmlError,
    NvmlGpuFailed,
    call_key,
)
from hwaccept.static_types import TYPE_CHECKING
from hwaccept.sysfs.attrs import normalize_pci_address

if TYPE_CHECKING:
    from typing import Any

MAX_NVLINKS = 36  # NVML_NVLINK_MAX_LINKS

THROTTLE_REASONS = (
    (0x1, "gpu_idle"),
    (0x2, "applications_clocks_setting"),
    (0x4, "sw_power_cap"),
    (0x8, "hw_slowdown"),
    (0x10, "sync_boost"),
    (0x20, "sw_thermal_slowdown"),
    (0x40, "hw_thermal_slowdown"),
    (0x80, "hw_power_brake_slowdown"),
    (0x100, "display_clock_setting"),
)

FABRIC_STATES = {0: "not_supported", 1: "not_started", 2: "in_progress", 3: "completed"}
REMOTE_TYPES = {0: "gpu", 1: "ibmnpu", 2: "switch", 255: "unknown"}
NVLINK_COUNTERS = ("replay_errors", "recovery_errors", "crc_flit_errors", "crc_data_errors")
NVML_RETURN_NAMES = {0: "SUCCESS", 2: "INVALID_ARGUMENT", 3: "NOT_SUPPORTED", 999: "UNKNOWN"}


def throttle_names(mask: int) -> tuple[str, ...]:
    """Decode a clocks-event-reasons bit mask into reason names."""
    return tuple(name for bit, name in THROTTLE_REASONS if mask & bit)


def cuda_version(value: int) -> str:
    """12020 -> `12.2` (CUDA_VERSION encoding: 1000 * major + 10 * minor)."""
    return f"{value // 1000}.{value % 1000 // 10}"


class GpuReader:
    """Calls for one GPU, applying the failure policy described in the module."""

    def __init__(self, nvml: Nvml, index: int) -> None:
        self.nvml = nvml
        self.index = index
        self.failed: str | None = None
        self.errors: list[str] = []

    def call(self, fn: str, *args: int) -> Any:
        """Call and raise on any NVML error (the GPU's failure is still noted)."""
        if self.failed is not None:
            raise NvmlGpuFailed("GPU_FAILED", self.failed)
        try:
            return self.nvml.device(self.index, fn, *args)
        except NvmlGpuFailed as exc:
            self.failed = f"{fn}: {exc.code}"
            raise

    def get(self, fn: str, *args: int, kind: type | tuple[type, ...] = object) -> Any:
        """Call, returning None when the value is absent or unusable.

        Unusable: the call failed, or the answer is not of `kind` (a hand-edited
        snapshot can hold anything); both are noted in `errors`.
        """
        try:
            value = self.call(fn, *args)
        except (NvmlAbsent, NvmlGpuFailed):
            return None
        except NvmlCallFailed as exc:
            self.errors.append(f"{call_key(fn, args)}: {exc.code}")
            return None
        if value is not None and not _is(value, kind):
            self.errors.append(f"{call_key(fn, args)}: unexpected answer {value!r}")
            return None
        return value

    def number(self, fn: str, *args: int) -> Any:
        """An integer answer (bool excluded)."""
        return self.get(fn, *args, kind=int)

    def text(self, fn: str, *args: int) -> Any:
        """A string answer."""
        return self.get(fn, *args, kind=str)


def _is(value: Any, kind: type | tuple[type, ...]) -> bool:
    if isinstance(value, bool) and kind is int:
        return False
    return isinstance(value, kind)


def _typed(mapping: Any, key: str, kind: type) -> Any:
    """`mapping[key]` when `mapping` is a dict and the value is of `kind`, else None."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if _is(value, kind) else None


def _uuid_text(value: Any) -> str | None:
    """NVML's 16-byte cluster UUID (a list of byte values) as hex."""
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value).hex()
    return value if isinstance(value, str) else None


def _pair(value: Any) -> tuple[bool | None, bool | None]:
    if not isinstance(value, list) or len(value) != 2:
        return None, None
    return bool(value[0]), bool(value[1])


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _watts(milliwatts: Any) -> float | None:
    return None if milliwatts is None else milliwatts / 1000


def _count(pages: Any) -> int | None:
    return None if pages is None else len(pages)


def read_ecc(gpu: GpuReader) -> EccCounts:
    """Volatile and aggregate corrected (SBE) / uncorrected (DBE) totals."""
    fn = "nvmlDeviceGetTotalEccErrors"
    return EccCounts(
        volatile_sbe=gpu.number(fn, 0, 0),
        volatile_dbe=gpu.number(fn, 1, 0),
        aggregate_sbe=gpu.number(fn, 0, 1),
        aggregate_dbe=gpu.number(fn, 1, 1),
    )


def read_remapped_rows(gpu: GpuReader) -> RemappedRows | None:
    """Row remapper counts (Ampere and later)."""
    rows = gpu.get("nvmlDeviceGetRemappedRows", kind=list)
    if not isinstance(rows, list) or len(rows) != 4 or not all(isinstance(r, int) for r in rows):
        return None
    return RemappedRows(int(rows[0]), int(rows[1]), bool(rows[2]), bool(rows[3]))


def read_nvlink(gpu: GpuReader, link: int, state: Any) -> NvLink:
    """Version, far end and error counters of one link."""
    remote = gpu.get("nvmlDeviceGetNvLinkRemotePciInfo", link, kind=dict) if state else None
    bus_id = _typed(remote, "busId", str)
    kind = gpu.number("nvmlDeviceGetNvLinkRemoteDeviceType", link) if state else None
    counters = {
        name: gpu.number("nvmlDeviceGetNvLinkErrorCounter", link, number)
        for number, name in enumerate(NVLINK_COUNTERS)
    }
    return NvLink(
        link=link,
        active=bool(state),
        version=gpu.number("nvmlDeviceGetNvLinkVersion", link),
        remote_pci_address=normalize_pci_address(bus_id) if bus_id else None,
        remote_type=REMOTE_TYPES.get(kind) if kind is not None else None,
        **counters,
    )


def read_nvlinks(gpu: GpuReader) -> tuple[NvLink, ...] | None:
    """Links from 0 up to the first one NVML does not know (none: no NVLink).

    None when a snapshot did not record the links at all: unknown, not absent.
    """
    links = []
    for link in range(MAX_NVLINKS):
        try:
            state = gpu.call("nvmlDeviceGetNvLinkState", link)
        except NvmlAbsent as exc:
            if link == 0 and exc.code == NOT_RECORDED:
                return None
            break
        except NvmlError:
            break
        links.append(read_nvlink(gpu, link, state))
    return tuple(links)


def read_fabric(gpu: GpuReader) -> FabricInfo | None:
    """Fabric registration; None on GPUs outside an NVSwitch system."""
    info = None
    for fn in ("nvmlDeviceGetGpuFabricInfoV", "nvmlDeviceGetGpuFabricInfo"):
        try:
            info = gpu.call(fn)
            break
        except NvmlError:
            continue
    state = _typed(info, "state", int)
    if not state:
        return None
    uuid = info.get("clusterUuid") if isinstance(info, dict) else None
    status = _typed(info, "status", int)
    return FabricInfo(
        state=FABRIC_STATES.get(state, f"state_{state}"),
        status=NVML_RETURN_NAMES.get(status, f"CODE_{status}") if status is not None else None,
        clique_id=_typed(info, "cliqueId", int),
        cluster_uuid=_uuid_text(uuid),
        health_mask=_typed(info, "healthMask", int),
    )


def read_throttle(gpu: GpuReader) -> tuple[str, ...] | None:
    """Current clock event (throttle) reasons; the older call on older drivers."""
    mask = gpu.number("nvmlDeviceGetCurrentClocksEventReasons")
    if mask is None:
        mask = gpu.number("nvmlDeviceGetCurrentClocksThrottleReasons")
    return None if mask is None else throttle_names(mask)


def read_gpu(nvml: Nvml, index: int, driver: NvidiaDriver) -> Gpu:
    """Everything NVML says about the GPU at `index`."""
    gpu = GpuReader(nvml, index)
    pci = gpu.get("nvmlDeviceGetPciInfo", kind=dict) or {}
    memory = gpu.get("nvmlDeviceGetMemoryInfo", kind=dict) or {}
    ecc_current, ecc_pending = _pair(gpu.get("nvmlDeviceGetEccMode", kind=list))
    mig_current, mig_pending = _pair(gpu.get("nvmlDeviceGetMigMode", kind=list))
    device_id = _typed(pci, "pciDeviceId", int)
    bus_id = _typed(pci, "busId", str)
    fields: dict[str, Any] = dict(
        uuid=gpu.text("nvmlDeviceGetUUID"),
        serial=gpu.text("nvmlDeviceGetSerial"),
        board_part_number=gpu.text("nvmlDeviceGetBoardPartNumber"),
        name=gpu.text("nvmlDeviceGetName"),
        pci_address=normalize_pci_address(bus_id) if bus_id else None,
        pci_device_id=f"{device_id >> 16:04x}" if device_id is not None else None,
        memory_total_bytes=_typed(memory, "total", int),
        vbios_version=gpu.text("nvmlDeviceGetVbiosVersion"),
        inforom_image_version=gpu.text("nvmlDeviceGetInforomImageVersion"),
        persistence_mode=_flag(gpu.number("nvmlDeviceGetPersistenceMode")),
        ecc_mode_current=ecc_current,
        ecc_mode_pending=ecc_pending,
        ecc=read_ecc(gpu),
        retired_pages_sbe=_count(gpu.get("nvmlDeviceGetRetiredPages", 0, kind=list)),
        retired_pages_dbe=_count(gpu.get("nvmlDeviceGetRetiredPages", 1, kind=list)),
        retired_pages_pending=_flag(gpu.number("nvmlDeviceGetRetiredPagesPendingStatus")),
        remapped_rows=read_remapped_rows(gpu),
        temperature_c=gpu.number("nvmlDeviceGetTemperature", 0),
        power_draw_w=_watts(gpu.number("nvmlDeviceGetPowerUsage")),
        power_limit_w=_watts(gpu.number("nvmlDeviceGetEnforcedPowerLimit")),
        sm_clock_mhz=gpu.number("nvmlDeviceGetClockInfo", 1),
        memory_clock_mhz=gpu.number("nvmlDeviceGetClockInfo", 2),
        max_sm_clock_mhz=gpu.number("nvmlDeviceGetMaxClockInfo", 1),
        max_memory_clock_mhz=gpu.number("nvmlDeviceGetMaxClockInfo", 2),
        throttle_reasons=read_throttle(gpu),
        mig_mode_current=mig_current,
        mig_mode_pending=mig_pending,
        pcie_gen_current=gpu.number("nvmlDeviceGetCurrPcieLinkGeneration"),
        pcie_gen_max=gpu.number("nvmlDeviceGetMaxPcieLinkGeneration"),
        pcie_width_current=gpu.number("nvmlDeviceGetCurrPcieLinkWidth"),
        pcie_width_max=gpu.number("nvmlDeviceGetMaxPcieLinkWidth"),
        nvlinks=read_nvlinks(gpu),
        fabric=read_fabric(gpu),
    )
    return Gpu(index=index, driver_version=driver.driver_version,
               cuda_driver_version=driver.cuda_driver_version, failed=gpu.failed,
               errors=tuple(gpu.errors), **fields)


def read_driver(nvml: Nvml) -> NvidiaDriver:
    """Whether NVML answers, and the driver, CUDA and NVML versions."""
    status = nvml.status()
    if not status.available:
        return NvidiaDriver(False, status.reason)

    def system(fn: str) -> Any:
        try:
            return nvml.system(fn)
        except NvmlError:
            return None

    cuda = system("nvmlSystemGetCudaDriverVersion")
    return NvidiaDriver(
        available=True,
        driver_version=system("nvmlSystemGetDriverVersion"),
        cuda_driver_version=cuda_version(cuda) if isinstance(cuda, int) else cuda,
        nvml_version=system("nvmlSystemGetNVMLVersion"),
    )


def read_gpus(nvml: Nvml, driver: NvidiaDriver) -> tuple[tuple[Gpu, ...], list[str]]:
    """All GPUs NVML counts, and problems reading the count itself."""
    if not driver.available:
        return (), []
    try:
        count = int(nvml.system("nvmlDeviceGetCount"))
    except NvmlError as exc:
        return (), [f"nvmlDeviceGetCount: {exc.code}"]
    return tuple(read_gpu(nvml, index, driver) for index in range(count)), []
