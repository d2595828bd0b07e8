"""Typed, frozen records of what a machine is made of, built only from the seams.

A field is None when the source does not say (an attribute the kernel does not
expose, an NVML call the GPU does not support, a value not in a snapshot). Problems
met while reading a device land in its `errors`, so one bad device never stops the
rest of the inventory.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from hwaccept.record import Record, field


class EdacController(Record):
    """One EDAC memory controller (/sys/devices/system/edac/mc/mcN)."""

    name: str
    mc_name: str | None = None  # mc_name
    correctable: int | None = None  # ce_count
    uncorrectable: int | None = None  # ue_count
    dimms: int | None = None  # number of dimmN / rankN entries


class System(Record):
    """The chassis, firmware, processors and memory."""

    hostname: str | None = None  # /proc/sys/kernel/hostname
    vendor: str | None = None  # /sys/class/dmi/id/sys_vendor
    product: str | None = None  # /sys/class/dmi/id/product_name
    serial: str | None = None  # /sys/class/dmi/id/product_serial
    board_vendor: str | None = None  # /sys/class/dmi/id/board_vendor
    board_name: str | None = None  # /sys/class/dmi/id/board_name
    board_serial: str | None = None  # /sys/class/dmi/id/board_serial
    chassis_serial: str | None = None  # /sys/class/dmi/id/chassis_serial
    bios_vendor: str | None = None  # /sys/class/dmi/id/bios_vendor
    bios_version: str | None = None  # /sys/class/dmi/id/bios_version
    bios_date: str | None = None  # /sys/class/dmi/id/bios_date
    cpu_model: str | None = None  # /proc/cpuinfo "model name"
    sockets: int | None = None  # /sys/devices/system/cpu/cpuN/topology/physical_package_id
    cores: int | None = None  # distinct (package, core_id)
    threads: int | None = None  # online logical CPUs
    memory_total_bytes: int | None = None  # /proc/meminfo MemTotal
    numa_nodes: int | None = None  # /sys/devices/system/node/nodeN
    edac: tuple[EdacController, ...] = ()  # /sys/devices/system/edac/mc
    kernel_version: str | None = None  # /proc/sys/kernel/osrelease
    kernel_cmdline: str | None = None  # /proc/cmdline
    errors: tuple[str, ...] = ()


class AerCounters(Record):
    """PCIe Advanced Error Reporting totals (/sys/bus/pci/devices/*/aer_dev_*)."""

    correctable: int | None = None  # aer_dev_correctable TOTAL_ERR_COR
    nonfatal: int | None = None  # aer_dev_nonfatal TOTAL_ERR_NONFATAL
    fatal: int | None = None  # aer_dev_fatal TOTAL_ERR_FATAL
    details: Mapping[str, int] = field(default_factory=dict)  # non-zero per-kind counts


class PciDevice(Record):
    """One PCI function (/sys/bus/pci/devices/<address>)."""

    address: str  # 0000:19:00.0
    vendor_id: str | None = None  # vendor, 4 hex digits: 10de
    device_id: str | None = None  # device: 2330
    subsystem_vendor_id: str | None = None  # subsystem_vendor
    subsystem_device_id: str | None = None  # subsystem_device
    class_code: str | None = None  # class, 6 hex digits: 030200
    revision: str | None = None  # revision
    driver: str | None = None  # driver -> ../../bus/pci/drivers/<name>
    numa_node: int | None = None  # numa_node (-1 means none)
    current_link_gts: float | None = None  # current_link_speed
    max_link_gts: float | None = None  # max_link_speed
    current_link_gen: int | None = None  # from current_link_speed
    max_link_gen: int | None = None  # from max_link_speed
    current_link_width: int | None = None  # current_link_width
    max_link_width: int | None = None  # max_link_width
    parent: str | None = None  # upstream bridge, from the device's sysfs path
    aer: AerCounters | None = None
    errors: tuple[str, ...] = ()

    @property
    def pci_id(self) -> str | None:
        """`vendor:device`, as lspci -nn prints it."""
        if self.vendor_id is None or self.device_id is None:
            return None
        return f"{self.vendor_id}:{self.device_id}"


class EccCounts(Record):
    """ECC error counts (NVML nvmlDeviceGetTotalEccErrors)."""

    volatile_sbe: int | None = None
    volatile_dbe: int | None = None
    aggregate_sbe: int | None = None
    aggregate_dbe: int | None = None


class RemappedRows(Record):
    """Row-remapper state (NVML nvmlDeviceGetRemappedRows)."""

    correctable: int
    uncorrectable: int
    pending: bool
    failure: bool


class NvLink(Record):
    """One NVLink of a GPU (NVML nvmlDeviceGetNvLink*)."""

    link: int
    active: bool | None = None
    version: int | None = None
    remote_pci_address: str | None = None
    remote_type: str | None = None  # gpu, switch, ibmnpu, unknown
    replay_errors: int | None = None
    recovery_errors: int | None = None
    crc_flit_errors: int | None = None
    crc_data_errors: int | None = None


class FabricInfo(Record):
    """NVSwitch fabric registration of a GPU (NVML nvmlDeviceGetGpuFabricInfo)."""

    state: str  # not_supported, not_started, in_progress, completed
    status: str | None = None  # NVML return code of the registration, SUCCESS when fine
    clique_id: int | None = None
    cluster_uuid: str | None = None
    health_mask: int | None = None


class Gpu(Record):
    """One NVIDIA GPU as NVML sees it."""

    index: int
    uuid: str | None = None
    serial: str | None = None
    board_part_number: str | None = None
    name: str | None = None
    pci_address: str | None = None  # normalised: 0000:19:00.0
    pci_device_id: str | None = None  # 2330
    memory_total_bytes: int | None = None
    vbios_version: str | None = None
    inforom_image_version: str | None = None
    driver_version: str | None = None
    cuda_driver_version: str | None = None  # 12.2
    persistence_mode: bool | None = None
    ecc_mode_current: bool | None = None
    ecc_mode_pending: bool | None = None
    ecc: EccCounts = field(default_factory=EccCounts)
    retired_pages_sbe: int | None = None
    retired_pages_dbe: int | None = None
    retired_pages_pending: bool | None = None
    remapped_rows: RemappedRows | None = None
    temperature_c: int | None = None
    power_draw_w: float | None = None
    power_limit_w: float | None = None  # enforced limit
    sm_clock_mhz: int | None = None
    memory_clock_mhz: int | None = None
    max_sm_clock_mhz: int | None = None
    max_memory_clock_mhz: int | None = None
    throttle_reasons: tuple[str, ...] | None = None
    mig_mode_current: bool | None = None
    mig_mode_pending: bool | None = None
    pcie_gen_current: int | None = None
    pcie_gen_max: int | None = None
    pcie_width_current: int | None = None
    pcie_width_max: int | None = None
    nvlinks: tuple[NvLink, ...] | None = None  # None: not known; (): the GPU has none
    fabric: FabricInfo | None = None
    failed: str | None = None  # why the GPU stopped answering (GPU_IS_LOST, TIMEOUT...)
    errors: tuple[str, ...] = ()


class NvSwitch(Record):
    """One NVSwitch, seen as a PCI device and from the GPUs' NVLinks."""

    pci_address: str
    device_id: str | None = None
    model: str | None = None
    driver: str | None = None
    gpu_links: int | None = None  # active GPU NVLinks whose far end is this switch


class Nic(Record):
    """One network interface backed by a device (/sys/class/net/<name>)."""

    name: str
    driver: str | None = None  # ethtool -i: driver
    driver_version: str | None = None  # ethtool -i: version
    firmware_version: str | None = None  # ethtool -i: firmware-version
    pci_address: str | None = None  # device -> PCI function
    mac: str | None = None  # address
    operstate: str | None = None  # operstate
    carrier: bool | None = None  # carrier
    speed_mbps: int | None = None  # speed (-1 or absent when unknown)
    supported_speed_mbps: int | None = None  # ethtool: fastest supported link mode
    port: str | None = None  # ethtool: Port (FIBRE, Direct Attach Copper, ...)
    duplex: str | None = None  # duplex
    mtu: int | None = None  # mtu
    carrier_changes: int | None = None  # carrier_changes
    counters: Mapping[str, int] = field(default_factory=dict)  # statistics/*errors|dropped
    errors: tuple[str, ...] = ()


class IbPort(Record):
    """One InfiniBand or RoCE port (/sys/class/infiniband/<dev>/ports/<n>)."""

    device: str
    port: int
    state: str | None = None  # state: ACTIVE
    phys_state: str | None = None  # phys_state: LinkUp
    rate_gbps: float | None = None  # rate: 400 Gb/sec (4X NDR)
    rate: str | None = None  # the rate text as the kernel gives it
    link_layer: str | None = None  # link_layer: InfiniBand or Ethernet
    firmware_version: str | None = None  # ../../fw_ver
    board_id: str | None = None  # ../../board_id
    hca_type: str | None = None  # ../../hca_type
    node_guid: str | None = None  # ../../node_guid
    pci_address: str | None = None  # ../../device -> PCI function
    counters: Mapping[str, int] = field(default_factory=dict)  # counters/*
    errors: tuple[str, ...] = ()


class SmartSource(enum.Enum):
    """Which tool's output a SMART record was parsed from."""

    SMARTCTL = "smartctl"
    NVME_CLI = "nvme-cli"


CRITICAL_WARNING_BITS = (
    "spare_below_threshold",
    "temperature_out_of_range",
    "reliability_degraded",
    "read_only",
    "volatile_backup_failed",
    "pmr_read_only",
)
"""NVMe SMART `critical_warning` bits 0-5 (NVMe Base Specification, SMART / Health log)."""


class SmartHealth(Record):
    """Drive health from smartctl -j -x or nvme smart-log -o json."""

    source: SmartSource
    supported: bool
    reason: str | None = None  # why health could not be read, when not supported
    passed: bool | None = None  # smart_status.passed
    critical_warning: int | None = None  # NVMe critical_warning bits
    media_errors: int | None = None  # NVMe media_errors
    percentage_used: int | None = None
    available_spare: int | None = None
    available_spare_threshold: int | None = None
    temperature_c: int | None = None
    power_on_hours: int | None = None
    unsafe_shutdowns: int | None = None
    error_log_entries: int | None = None
    reallocated_sectors: int | None = None  # ATA attribute 5
    pending_sectors: int | None = None  # ATA attribute 197
    grown_defects: int | None = None  # SCSI grown defect list

    @property
    def critical_warnings(self) -> tuple[str, ...]:
        """Names of the NVMe critical warning bits that are set."""
        bits = self.critical_warning or 0
        named = tuple(name for bit, name in enumerate(CRITICAL_WARNING_BITS) if bits >> bit & 1)
        unknown = bits >> len(CRITICAL_WARNING_BITS)
        return named + ((f"reserved_0x{unknown << len(CRITICAL_WARNING_BITS):02x}",)
                        if unknown else ())


class Disk(Record):
    """One whole disk (/sys/block/<name> with a device behind it)."""

    name: str  # nvme0n1, sda, vda
    transport: str | None = None  # nvme, sata, sas, virtio, usb
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    size_bytes: int | None = None  # size * 512
    rotational: bool | None = None  # queue/rotational
    pci_address: str | None = None  # the NVMe controller's or HBA's PCI function
    smart: SmartHealth | None = None
    errors: tuple[str, ...] = ()


class EventSource(enum.Enum):
    """What kind of kernel log line an event came from."""

    XID = "xid"  # NVRM: Xid (PCI:...): N, ...
    SXID = "sxid"  # nvidia-nvswitchN: SXid (PCI:...): N, ...
    AER = "aer"  # pcieport ...: AER: ...
    MCE = "mce"  # mce: [Hardware Error]: ...
    EDAC = "edac"  # EDAC MCn: ... error
    NVME = "nvme"  # nvme nvmeN: ...
    LINK = "link"  # link down / up, carrier changes
    FABRIC_MANAGER = "fabric_manager"  # nv-fabricmanager: detected NVSwitch ... error N


class KernelEvent(Record):
    """One hardware-relevant line of the kernel log."""

    source: EventSource
    message: str
    timestamp: str | None = None  # ISO 8601 when the log gives wall-clock time
    uptime_s: float | None = None  # seconds since boot when the log gives that
    device: str | None = None  # PCI address (0000:9b:00.0) or device name (nvme0, eth0)
    code: str | None = None  # Xid/SXid number, AER severity, ...
    gpu_index: int | None = None  # for Xid: the GPU at that PCI address
    gpu_uuid: str | None = None


class NvidiaDriver(Record):
    """Whether the NVIDIA driver answers, and its versions."""

    available: bool
    reason: str | None = None  # "no NVIDIA driver: libnvidia-ml.so.1 not found"
    driver_version: str | None = None
    cuda_driver_version: str | None = None
    nvml_version: str | None = None
    errors: tuple[str, ...] = ()


class KernelLog(Record):
    """Where the kernel log came from, and why not when it could not be read."""

    source: str | None = None  # the command that produced it
    lines: int = 0
    problem: str | None = None


class TopologyRow(Record):
    """One device's row: how it reaches every other device, and its affinity."""

    name: str  # GPU0, NIC3
    links: dict[str, str] = field(default_factory=dict)  # other device -> NV18, PIX, SYS...
    cpu_affinity: str | None = None  # 0-55,112-167
    numa_affinity: str | None = None  # 0, or N/A


class GpuTopology(Record):
    """`nvidia-smi topo -m`: the device matrix and the NIC legend."""

    devices: tuple[str, ...]
    rows: dict[str, TopologyRow]
    nic_names: dict[str, str] = field(default_factory=dict)  # NIC0 -> mlx5_0

    @property
    def gpus(self) -> tuple[str, ...]:
        """The GPU names, in index order."""
        return tuple(d for d in self.devices if d.startswith("GPU"))


class Inventory(Record):
    """Everything hwaccept knows about one machine."""

    origin: str  # live, or the snapshot it was replayed from
    system: System
    nvidia: NvidiaDriver
    pci_devices: tuple[PciDevice, ...] = ()
    gpus: tuple[Gpu, ...] = ()
    nvswitches: tuple[NvSwitch, ...] = ()
    nics: tuple[Nic, ...] = ()
    ib_ports: tuple[IbPort, ...] = ()
    disks: tuple[Disk, ...] = ()
    kernel_log: KernelLog = field(default_factory=KernelLog)
    kernel_events: tuple[KernelEvent, ...] = ()
    fabric_manager_log: KernelLog = field(default_factory=KernelLog)
    fabric_manager_events: tuple[KernelEvent, ...] = ()
    gpu_topology: GpuTopology | None = None
    complete: frozenset[str] | None = None  # families held whole; None: all (see Sources)
