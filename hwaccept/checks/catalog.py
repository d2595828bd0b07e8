"""Every failure code a check can give, with what a technician does about it.

The one place that ties a failure code to an `Action` (the names the RMA process reads,
DESIGN.md "JUnit contract"). A check names a code, and where the right action depends on
what it found, a `Situation`; the action comes from here. `CODES` maps each code to its
default action, a one-line meaning for the technician, and its alternatives: the
situations in which another action applies. Codes that carry a number (`GPU_XID_48`,
`NVSWITCH_SXID_12028`) are listed with `<n>` where no row of their own exists.

Xids follow NVIDIA's Xid catalog for Ampere and newer GPUs, "Analyzing Xid Errors with
the Xid Catalog", https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html
(mnemonic, description and the "Resolution Bucket (Immediate Action)" and "(Investigatory
Action)" columns are copied into `XIDS`). Each row's action translates NVIDIA's buckets
into this project's actions: RESTART_APP and IGNORE (the application, or informational)
are RETEST, RESET_GPU and the memory workflows are RESET_GPU, CONTACT_SUPPORT is INSPECT,
CHECK_MECHANICALS is RESEAT. Where the action departs from the bucket, the row says why
(a burn-in station acts on the part, not on a running job: 79 RESTART_BM becomes RESEAT,
as the catalog traces it to the PCI Express link; 64 becomes RMA_GPU, as a GPU that could
not remap a failing row has no spare left to protect its memory, the verdict
`GPU_ROW_REMAP_FAILURE` gives from NVML). An Xid fails by default when the bucket is a GPU
reset or stronger, or the error is an uncorrectable memory error (94), and warns
otherwise; a profile's `kernel_log.xid` lists override the default.

NVSwitch errors are SXids as the Fabric Manager log reports them, "non-fatal" or "fatal"
(NVIDIA Fabric Manager User Guide, "NVSwitch SXid errors",
https://docs.nvidia.com/datacenter/tesla/fabric-manager-user-guide/index.html): a fatal
one leaves the fabric unusable until the GPUs and NVSwitches are reset or the host
restarts. A non-fatal one is RETEST (logged and corrected; watch whether it recurs), a
fatal one INSPECT rather than an RMA, as the log file outlives reboots and may hold an
error from before this acceptance run.

The kernel log's other hardware events (`EVENTS`, keyed by failure code; the event codes are
hwaccept/tools/kernel_log.py's) fail or warn by the row's default unless the profile's
`kernel_log.events` lists say otherwise. A fatal or non-fatal uncorrectable PCIe error
fails, as uncorrectable errors make the link unreliable (PCI Express Base Specification,
6.2.2 "Error Classification"); a corrected one warns. Every AER row's action is RESEAT, as
for the AER counters. A machine-check exception fails and a machine check only logged (or a
CPU throttled above its temperature threshold, arch/x86/kernel/cpu/mce/therm_throt.c) warns;
their action is INSPECT, since the bank and status must be decoded (rasdaemon, mcelog) to
tell a CPU from a memory or I/O fault. An uncorrected memory error EDAC logged fails with
REPLACE_DIMM (the line names the DIMM), as MEMORY_UE does; a corrected one warns with
RETEST, since memory_edac judges the corrected count against the profile's maximum. An NVMe
controller that timed out, went down, never became ready or was removed by the driver
(drivers/nvme/host/pci.c) fails with RESEAT: at a station the drive is seated again first,
as for a GPU off the bus, and sent back if it recurs. An aborted command or a failed I/O
warns with RETEST (SMART's media errors judge the media); a PCIe error on the drive's link
warns with RESEAT. A link that went down after it had been up is a flap (LINK_FLAP), and a
transceiver module error (mlx5 `Port module event[error]`) is LINK_MODULE_ERROR: both warn
with REPLACE_CABLE; Azure's health checks fail an InfiniBand port at five `lost carrier`
lines in 24 hours (azurehpc-health-checks customTests/azure_ib_link_flapping.nhc). An SXid
printed by the NVSwitch driver warns with its NVSWITCH_SXID_<n> code; the Fabric Manager
log says whether it was fatal (nvswitch_sxid).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

XID_CATALOG = "https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html"
NUMBERED = "<n>"


class Action(enum.StrEnum):
    """What a technician does about a finding (the RMA process reads these names)."""

    RETEST = "RETEST"
    RESET_GPU = "RESET_GPU"
    RESEAT = "RESEAT"
    REPLACE_CABLE = "REPLACE_CABLE"
    REPLACE_DIMM = "REPLACE_DIMM"
    UPDATE_FIRMWARE = "UPDATE_FIRMWARE"
    UPDATE_DRIVER = "UPDATE_DRIVER"
    CONFIGURE = "CONFIGURE"
    INSPECT = "INSPECT"
    RMA_GPU = "RMA_GPU"
    RMA_NIC = "RMA_NIC"
    RMA_DISK = "RMA_DISK"
    RMA_BOARD = "RMA_BOARD"


class Situation(enum.StrEnum):
    """A circumstance in which a code's action is not its default one."""

    NOT_BROUGHT_UP = "not_brought_up"
    UPSTREAM_LIMITED = "upstream_limited"
    RESET_PENDING = "reset_pending"
    FABRIC_NOT_STARTED = "fabric_not_started"
    FABRIC_IN_PROGRESS = "fabric_in_progress"
    PORT_POLLING = "port_polling"
    PORT_DISABLED = "port_disabled"
    TEMPERATURE_ONLY = "temperature_only"
    FATAL = "fatal"


SITUATIONS: Mapping[Situation, str] = {
    Situation.NOT_BROUGHT_UP: "the interface was never brought up (the kernel reports no "
                              "carrier state): a setting, not the cable",
    Situation.UPSTREAM_LIMITED: "the upstream port itself cannot carry the expected link: the "
                                "slot, riser or a BIOS setting limits it, reseating will not help",
    Situation.RESET_PENDING: "the setting is already set to change at the next GPU reset",
    Situation.FABRIC_NOT_STARTED: "registration not started: nvidia-fabricmanager is usually "
                                  "not running",
    Situation.FABRIC_IN_PROGRESS: "registration still in progress: Fabric Manager has not "
                                  "finished yet",
    Situation.PORT_POLLING: "the port is polling for a peer: no cable, a bad cable, or the far "
                            "end is down",
    Situation.PORT_DISABLED: "the port is administratively disabled",
    Situation.TEMPERATURE_ONLY: "only the temperature bit is set: the drive's cooling",
    Situation.FATAL: "a fatal NVSwitch error: the fabric is unusable until the GPUs and "
                     "NVSwitches are reset or the host restarts",
}
"""What each situation means, as the catalog's alternatives use it."""


class Severity(enum.StrEnum):
    """How an Xid is judged when the profile lists it neither to fail nor to warn."""

    FAIL = "fail"
    WARN = "warn"


@dataclass(frozen=True)
class Code:
    """A failure code's default action, its meaning, and its situational alternatives."""

    action: Action
    means: str  # one line, for the technician
    otherwise: Mapping[Situation, Action] = field(default_factory=dict)


@dataclass(frozen=True)
class Xid:
    """One row of NVIDIA's Xid catalog, and what hwaccept does about it."""

    mnemonic: str  # Mnemonic column
    name: str  # Description column
    nvidia: str  # Resolution Bucket: immediate action / investigatory action
    action: Action
    default: Severity
    why: str = ""  # why the action departs from NVIDIA's bucket

    @property
    def source(self) -> str:
        """Where the row comes from, as a finding may cite it."""
        return f"NVIDIA Xid catalog: {self.mnemonic}, {self.nvidia} ({XID_CATALOG})"


_FAIL, _WARN = Severity.FAIL, Severity.WARN
_APP = "the application, per NVIDIA: rerun the workload"

XIDS: Mapping[int, Xid] = {
    8: Xid("ROBUST_CHANNEL_FIFO_ERROR_IDLE_TIMEOUT", "GPU stopped processing",
           "RESTART_APP / CONTACT_SUPPORT", Action.RETEST, _WARN),
    13: Xid("ROBUST_CHANNEL_GR_EXCEPTION", "Graphics Engine Exception",
            "RESTART_APP / WORKFLOW_XID_13", Action.RETEST, _WARN, _APP),
    31: Xid("ROBUST_CHANNEL_FIFO_ERROR_MMU_ERR_FLT", "GPU memory page fault",
            "RESTART_APP / WORKFLOW_XID_31", Action.RETEST, _WARN, _APP),
    32: Xid("ROBUST_CHANNEL_PBDMA_ERROR", "Invalid or corrupted push buffer stream",
            "RESTART_APP / CHECK_APP/CUDA", Action.RETEST, _WARN),
    43: Xid("ROBUST_CHANNEL_RESETCHANNEL_VERIF_ERROR", "GPU stopped processing",
            "IGNORE / CONTACT_SUPPORT", Action.RETEST, _WARN, _APP),
    45: Xid("ROBUST_CHANNEL_PREEMPTIVE_REMOVAL", "Preemptive cleanup, due to previous errors",
            "WORKFLOW_XID_45 (solo: RESTART_FM; not solo: follow the other Xid)",
            Action.RETEST, _WARN, "it follows another error, which names the fault"),
    46: Xid("ROBUST_CHANNEL_GPU_TIMEOUT_ERROR", "GPU stopped processing",
            "RESET_GPU / CONTACT_SUPPORT", Action.RESET_GPU, _FAIL),
    48: Xid("ROBUST_CHANNEL_GPU_ECC_DBE", "Double Bit ECC Error",
            "WORKFLOW_XID_48 / WORKFLOW_XID_48", Action.RESET_GPU, _FAIL,
            "the DBE workflow starts with a GPU reset; an RMA follows if it recurs"),
    54: Xid("SILENT_RUNNING_PWR_REDUCED_CLOCKING",
            "Auxiliary power is not connected to the GPU board",
            "CHECK_MECHANICALS / CONTACT_SUPPORT", Action.RESEAT, _FAIL),
    61: Xid("PMU_BREAKPOINT", "Internal micro-controller breakpoint (unused on Ampere and newer)",
            "CONTACT_SUPPORT", Action.INSPECT, _FAIL),
    62: Xid("PMU_HALT_ERROR", "Internal micro-controller halt",
            "RESET_GPU / CONTACT_SUPPORT", Action.RESET_GPU, _FAIL),
    63: Xid("INFOROM_DRAM_RETIREMENT_EVENT", "GPU memory remapping event",
            "IGNORE / IGNORE", Action.RETEST, _WARN,
            "informational; the remap counts and pending state are judged from NVML"),
    64: Xid("INFOROM_DRAM_RETIREMENT_FAILURE", "GPU memory remapping failure",
            "RESET_GPU / CONTACT_SUPPORT", Action.RMA_GPU, _FAIL,
            "no spare row is left to protect the memory, as GPU_ROW_REMAP_FAILURE"),
    68: Xid("ROBUST_CHANNEL_NVDEC0_ERROR", "NVDEC0 Exception",
            "RESTART_APP / CONTACT_SUPPORT", Action.RETEST, _WARN),
    69: Xid("ROBUST_CHANNEL_GR_CLASS_ERROR", "Graphics Engine class error",
            "RESTART_APP / CHECK_APP/CUDA", Action.RETEST, _WARN, _APP),
    74: Xid("NVLINK_ERROR", "NVLINK Error", "WORKFLOW_NVLINK_ERR / CONTACT_SUPPORT",
            Action.RESEAT, _FAIL, "a link fault or the device at its far end: seat the parts "
            "of the NVLink path"),
    79: Xid("ROBUST_CHANNEL_GPU_HAS_FALLEN_OFF_THE_BUS", "GPU has fallen off the bus",
            "RESTART_BM / CONTACT_SUPPORT", Action.RESEAT, _FAIL,
            "the catalog traces it to the PCI Express link; at a station, reseat the GPU"),
    92: Xid("EXCESSIVE_SBE_INTERRUPTS", "High single-bit ECC error rate",
            "IGNORE / CONTACT_SUPPORT", Action.RETEST, _WARN,
            "corrected errors; the ECC counts are judged from NVML"),
    94: Xid("ROBUST_CHANNEL_CONTAINED_ERROR", "Contained memory error",
            "RESTART_APP / IGNORE (sympathetic)", Action.RESET_GPU, _FAIL,
            "an uncorrectable memory error; NVIDIA recommends a GPU reset when convenient"),
    95: Xid("ROBUST_CHANNEL_UNCONTAINED_ERROR", "Uncontained memory error",
            "RESET_GPU / IGNORE (sympathetic)", Action.RESET_GPU, _FAIL),
    109: Xid("ROBUST_CHANNEL_CTXSW_TIMEOUT_ERROR", "Context Switch Timeout Error",
             "RESET_GPU / CONTACT_SUPPORT", Action.RESET_GPU, _FAIL),
    110: Xid("SEC_FAULT_ERROR", "Security Fault Error", "RESET_GPU / INVESTIGATE_SW",
             Action.RESET_GPU, _FAIL),
    119: Xid("GSP_RPC_TIMEOUT", "GSP RPC Timeout", "RESET_GPU / INVESTIGATE_SW",
             Action.RESET_GPU, _FAIL),
    120: Xid("GSP_ERROR", "GSP Error", "RESET_GPU / INVESTIGATE_SW", Action.RESET_GPU, _FAIL),
    121: Xid("C2C_ERROR", "C2C Error", "IGNORE / CONTACT_SUPPORT", Action.RETEST, _WARN),
    136: Xid("ALI_TRAINING_FAIL", "Link Training Failed", "RESET_GPU / INVESTIGATE_LINK_SI",
             Action.RESET_GPU, _FAIL),
    140: Xid("UNRECOVERABLE_ECC_ERROR_ESCAPE", "ECC Unrecovered Error",
             "RESET_GPU / CONTACT_SUPPORT", Action.RESET_GPU, _FAIL),
    143: Xid("GPU_INIT_ERROR", "GPU Initialization Error", "RESET_GPU / CONTACT_SUPPORT",
             Action.RESET_GPU, _FAIL),
    154: Xid("GPU_RECOVERY_ACTION_CHANGED", "GPU Recovery Action Changed",
             "XID_154 / informational, about another Xid", Action.RETEST, _WARN,
             "it reports on another Xid, which names the fault"),
    158: Xid("GPU_FATAL_TIMEOUT", "GPU Fatal Timeout", "RESET_GPU / CONTACT_SUPPORT",
             Action.RESET_GPU, _FAIL),
}
"""NVIDIA's Xid catalog rows hwaccept knows, by Xid number."""

XID_PRIORITY = (79, 64, 48, 95, 140, 94, 62, 74, 136, 46, 158, 143, 119, 120, 109, 110, 54,
                61, 63, 92, 32, 8, 43, 31, 13, 69, 68, 121, 154, 45)
"""Most telling first: which Xid names the failure when a GPU logged several."""


def xid_code(number: int | str) -> str:
    """`GPU_XID_79` (`GPU_XID_<n>` for the numbered entry)."""
    return f"GPU_XID_{number}"


def sxid_code(number: int | str) -> str:
    """`NVSWITCH_SXID_12028` (`NVSWITCH_SXID_<n>` for the numbered entry)."""
    return f"NVSWITCH_SXID_{number}"


def _xid_codes() -> dict[str, Code]:
    return {xid_code(n): Code(x.action, f"Xid {n} ({x.name}) in the kernel log; NVIDIA: "
                                        f"{x.nvidia}" + (f"; {x.why}" if x.why else ""))
            for n, x in XIDS.items()}


@dataclass(frozen=True)
class EventKind:
    """A kind of kernel log hardware event (other than an Xid), and what hwaccept does."""

    source: str  # the event's source (EventSource value): aer, mce, edac, nvme, link
    code: str  # the event's code as hwaccept/tools/kernel_log.py gives it
    name: str  # how a finding names it: `AER fatal`
    default: Severity
    action: Action
    means: str  # one line, for the technician


_RESEAT_DRIVE = "; seat the drive again, and send it back if it recurs"

EVENTS: Mapping[str, EventKind] = {
    "KERNEL_AER_FATAL": EventKind(
        "aer", "fatal", "AER fatal", _FAIL, Action.RESEAT,
        "a fatal uncorrectable PCIe error was logged: the link is unreliable"),
    "KERNEL_NVME_CONTROLLER_DOWN": EventKind(
        "nvme", "controller_down", "NVMe controller down", _FAIL, Action.RESEAT,
        "the NVMe controller stopped answering and was reset" + _RESEAT_DRIVE),
    "KERNEL_NVME_REMOVED": EventKind(
        "nvme", "removed", "NVMe controller removed", _FAIL, Action.RESEAT,
        "the driver gave up on the NVMe controller and removed it" + _RESEAT_DRIVE),
    "KERNEL_NVME_NOT_READY": EventKind(
        "nvme", "not_ready", "NVMe controller not ready", _FAIL, Action.RESEAT,
        "the NVMe controller never became ready" + _RESEAT_DRIVE),
    "KERNEL_NVME_TIMEOUT": EventKind(
        "nvme", "timeout", "NVMe timeout", _FAIL, Action.RESEAT,
        "an NVMe command timed out and the controller was reset" + _RESEAT_DRIVE),
    "KERNEL_MCE_EXCEPTION": EventKind(
        "mce", "exception", "machine check exception", _FAIL, Action.INSPECT,
        "a machine-check exception was raised: decode its bank and status (CPU, memory or I/O)"),
    "KERNEL_EDAC_UE": EventKind(
        "edac", "ue", "EDAC uncorrected error", _FAIL, Action.REPLACE_DIMM,
        "EDAC logged an uncorrected memory error on the DIMM the line names"),
    "KERNEL_AER_NONFATAL": EventKind(
        "aer", "nonfatal", "AER non-fatal", _FAIL, Action.RESEAT,
        "a non-fatal uncorrectable PCIe error was logged: a transaction was lost on the link"),
    "KERNEL_MCE_LOGGED": EventKind(
        "mce", "logged", "machine check logged", _WARN, Action.INSPECT,
        "a machine check was logged without an exception: decode it (rasdaemon, mcelog)"),
    "KERNEL_MCE_THERMAL": EventKind(
        "mce", "thermal", "CPU thermal throttle", _WARN, Action.INSPECT,
        "a CPU ran above its temperature threshold and was throttled: cooling, heatsink contact"),
    "KERNEL_EDAC_CE": EventKind(
        "edac", "ce", "EDAC corrected error", _WARN, Action.RETEST,
        "EDAC logged corrected memory errors; memory_edac judges their count"),
    "KERNEL_AER_CORRECTED": EventKind(
        "aer", "corrected", "AER corrected", _WARN, Action.RESEAT,
        "corrected PCIe errors were logged: a marginal link"),
    "KERNEL_NVME_PCI_ERROR": EventKind(
        "nvme", "pci_error", "NVMe PCIe error", _WARN, Action.RESEAT,
        "a PCIe error was reported on the NVMe controller's link"),
    "KERNEL_NVME_IO_ERROR": EventKind(
        "nvme", "io_error", "NVMe I/O error", _WARN, Action.RETEST,
        "an NVMe read or write failed; the drive's SMART media errors say whether the media is "
        "at fault"),
    "KERNEL_NVME_ABORT": EventKind(
        "nvme", "abort", "NVMe command aborted", _WARN, Action.RETEST,
        "the driver aborted an NVMe command"),
    "LINK_MODULE_ERROR": EventKind(
        "link", "module_error", "transceiver module error", _WARN, Action.REPLACE_CABLE,
        "the port's cable or transceiver module reported an error (power, temperature, bad or "
        "unsupported cable)"),
    "LINK_FLAP": EventKind(
        "link", "flap", "link flap", _WARN, Action.REPLACE_CABLE,
        "the link went down after it had been up: the cable, transceiver or far end"),
}
"""Kernel log hardware events other than Xids, by failure code, most telling first."""

UNKNOWN_EVENT = "KERNEL_HARDWARE_EVENT"
SXID_EVENT = "NVSWITCH_SXID"
"""The policy name of SXids in the kernel log; each gives its NVSWITCH_SXID_<n> code."""


def event_code(source: str, code: str) -> str:
    """The failure code of a kernel log event, `KERNEL_HARDWARE_EVENT` when none is listed."""
    return next((failure for failure, row in EVENTS.items()
                 if (row.source, row.code) == (source, code)), UNKNOWN_EVENT)


def event_default(failure: str) -> Severity:
    """How an event is judged when the profile lists it nowhere (SXids and unknowns warn)."""
    row = EVENTS.get(failure)
    return row.default if row else Severity.WARN


def event_rank(failure: str) -> int:
    """Sort key putting the most telling event first."""
    order = list(EVENTS)
    return order.index(failure) if failure in order else len(order)


_MISSING = "fewer {} than the profile's count enumerated: seat them"
_EXTRA = "more {} than the profile's count: a different build than the profile describes"
_MAX = "above the profile's maximum"

CODES: Mapping[str, Code] = {
    # the NVIDIA driver
    "NVIDIA_DRIVER_MISSING": Code(Action.CONFIGURE, "no working NVIDIA driver: NVML or the "
                                                    "kernel module is not loaded"),
    "NVIDIA_DRIVER_FAILED": Code(Action.RESET_GPU, "the NVIDIA driver is loaded but NVML "
                                                   "could not count the GPUs"),
    # GPUs
    "GPU_MISSING": Code(Action.RESEAT, _MISSING.format("GPUs")),
    "GPU_COUNT": Code(Action.INSPECT, _EXTRA.format("GPUs")),
    "GPU_LOST": Code(Action.RESEAT, "the GPU stopped answering NVML: fallen off the bus or hung"),
    "GPU_MODEL": Code(Action.INSPECT, "the GPU's model name is not the profile's"),
    "GPU_PCI_ID": Code(Action.INSPECT, "the GPU's PCI vendor:device id is not the profile's"),
    "GPU_MEMORY_SIZE": Code(Action.INSPECT, "the GPU has less memory than the profile requires"),
    "GPU_FIRMWARE": Code(Action.UPDATE_FIRMWARE, "the VBIOS version breaks the profile's rule"),
    "GPU_DRIVER_VERSION": Code(Action.UPDATE_DRIVER, "the NVIDIA driver is older than the "
                                                     "profile's minimum"),
    "GPU_PERSISTENCE_MODE": Code(Action.CONFIGURE, "persistence mode is not the profile's"),
    "GPU_ECC_MODE": Code(Action.CONFIGURE, "ECC is not (or will not stay) as the profile wants",
                         {Situation.RESET_PENDING: Action.RESET_GPU}),
    "GPU_MIG_MODE": Code(Action.CONFIGURE, "MIG mode is not (or will not stay) as the profile "
                                           "wants", {Situation.RESET_PENDING: Action.RESET_GPU}),
    "GPU_NVLINK_MISSING": Code(Action.RESEAT, "fewer NVLinks than the profile's count"),
    "GPU_NVLINK_COUNT": Code(Action.INSPECT, "more NVLinks than the profile's count: a "
                                             "different GPU or baseboard"),
    "GPU_NVLINK_DOWN": Code(Action.RESEAT, "an NVLink of the GPU is not active"),
    "GPU_NVLINK_ERRORS": Code(Action.RESEAT, f"NVLink CRC, replay or recovery errors {_MAX}: "
                                             "seat the parts of the NVLink path"),
    "GPU_IDENTITY": Code(Action.INSPECT, "the GPU's UUID or serial is missing or another GPU "
                                         "reports the same one: its InfoROM; the RMA process "
                                         "cannot name the part"),
    "GPU_ECC_DBE": Code(Action.RMA_GPU, f"uncorrectable (double-bit) ECC errors {_MAX}"),
    "GPU_ECC_SBE": Code(Action.RMA_GPU, f"corrected (single-bit) ECC errors {_MAX}"),
    "GPU_RETIRED_PAGES_DBE": Code(Action.RMA_GPU, f"pages retired for double-bit errors {_MAX}"),
    "GPU_RETIRED_PAGES_SBE": Code(Action.RMA_GPU, f"pages retired for single-bit errors {_MAX}"),
    "GPU_RETIRED_PAGES_PENDING": Code(Action.RESET_GPU, "a page retirement waits for a GPU "
                                                        "reset"),
    "GPU_ROW_REMAP_FAILURE": Code(Action.RMA_GPU, "the GPU could not remap a failing memory "
                                                  "row: its spare rows are used up"),
    "GPU_ROW_REMAP_UNCORRECTABLE": Code(Action.RMA_GPU, "rows remapped for uncorrectable errors "
                                                        + _MAX),
    "GPU_ROW_REMAP_CORRECTABLE": Code(Action.RMA_GPU, f"rows remapped for correctable errors "
                                                      f"{_MAX}"),
    "GPU_ROW_REMAP_PENDING": Code(Action.RESET_GPU, "a row remap waits for a GPU reset"),
    "GPU_IDLE_TEMPERATURE": Code(Action.INSPECT, "the GPU is hotter at idle than the profile "
                                                 "allows: airflow, fans, heatsink contact"),
    "GPU_POWER_LIMIT": Code(Action.CONFIGURE, "the enforced power limit is outside (or near a "
                                              "bound of) the profile's limit"),
    "GPU_THROTTLE": Code(Action.INSPECT, "clocks are held back at idle for a reason the profile "
                                         "does not allow: power brake, thermal, slowdown"),
    # GPUs under load (burn-in)
    "GPU_TFLOPS_LOW": Code(Action.INSPECT, "matrix throughput under load is below the profile's "
                                           "minimum: cooling, power delivery or clocks"),
    "GPU_MEMORY_BANDWIDTH_LOW": Code(Action.INSPECT, "memory bandwidth under load is below the "
                                                     "profile's minimum"),
    "GPU_PCIE_BANDWIDTH_LOW": Code(Action.RESEAT, "host-to-device or device-to-host bandwidth "
                                                  "is below the profile's minimum: the slot, "
                                                  "riser or retimer"),
    "GPU_P2P_BANDWIDTH_LOW": Code(Action.INSPECT, "NVLink bandwidth between two GPUs is below the "
                                                  "profile's minimum: the baseboard, NVSwitches "
                                                  "or a GPU"),
    "NCCL_BUSBW_LOW": Code(Action.INSPECT, "the all-GPU NCCL all-reduce bus bandwidth is below "
                                           "the profile's minimum"),
    "NCCL_WRONG_RESULTS": Code(Action.INSPECT, "the all-reduce gave wrong values (nccl-tests' "
                                               "out-of-bounds count): a GPU or link corrupts "
                                               "data"),
    "GPU_MEMORY_PATTERN": Code(Action.RMA_GPU, "GPU memory read back other than written under a "
                                               "pattern test, with ECC not reporting it"),
    "GPU_DIAG_FAILED": Code(Action.INSPECT, "a test of NVIDIA DCGM's diagnostic failed on the "
                                            "GPU: read its message and DCGM error id"),
    "GPU_HOT_UNDER_LOAD": Code(Action.INSPECT, "the GPU ran hotter under load than the profile "
                                               "allows: airflow, fans, heatsink contact"),
    "GPU_THROTTLED_UNDER_LOAD": Code(Action.INSPECT, "the GPU slowed down under load for a "
                                                     "hardware reason (thermal or power brake "
                                                     "slowdown)"),
    "GPU_POWER_OVER_LIMIT": Code(Action.INSPECT, "the GPU drew more power under load than its "
                                                 "enforced limit: the power controller did not "
                                                 "hold it (power sensing, firmware)"),
    # PCI Express
    "PCIE_LINK_CAPABILITY": Code(Action.INSPECT, "the link cannot reach the expected speed or "
                                                 "width: the part, its slot or riser, or a BIOS "
                                                 "limit"),
    "PCIE_LINK_DOWNTRAINED": Code(Action.RESEAT, "the link trained below the expected speed or "
                                                 "width", {Situation.UPSTREAM_LIMITED:
                                                           Action.INSPECT}),
    "PCIE_DEVICE_MISSING": Code(Action.RESEAT, _MISSING.format("PCI functions of a kind")),
    "PCIE_DEVICE_COUNT": Code(Action.INSPECT, _EXTRA.format("PCI functions of a kind")),
    "PCIE_DRIVER": Code(Action.CONFIGURE, "the PCI function is bound to no driver, or not to "
                                          "the profile's"),
    "PCIE_AER_FATAL": Code(Action.RESEAT, f"fatal uncorrectable PCIe errors {_MAX}"),
    "PCIE_AER_NONFATAL": Code(Action.RESEAT, f"non-fatal uncorrectable PCIe errors {_MAX}"),
    "PCIE_AER_CORRECTABLE": Code(Action.RESEAT, f"corrected PCIe errors {_MAX}: a marginal "
                                                "link"),
    # NVSwitches
    "NVSWITCH_MISSING": Code(Action.RMA_BOARD, "fewer NVSwitches than the profile's count: they "
                                               "sit on the GPU baseboard"),
    "NVSWITCH_COUNT": Code(Action.INSPECT, _EXTRA.format("NVSwitches")),
    "NVSWITCH_PCI_ID": Code(Action.INSPECT, "the NVSwitch's PCI device id is not the profile's"),
    "NVSWITCH_FABRIC_STATE": Code(Action.INSPECT, "the GPU's NVSwitch fabric registration is "
                                                  "not in the state the profile wants",
                                  {Situation.FABRIC_NOT_STARTED: Action.CONFIGURE,
                                   Situation.FABRIC_IN_PROGRESS: Action.RETEST}),
    "NVSWITCH_FABRIC_STATUS": Code(Action.INSPECT, "the fabric registration completed with an "
                                                   "error status"),
    sxid_code(NUMBERED): Code(Action.RETEST, "an NVSwitch error (SXid) in the Fabric Manager "
                                             "log; a non-fatal one is logged and corrected",
                              {Situation.FATAL: Action.INSPECT}),
    # Ethernet interfaces
    "NIC_MISSING": Code(Action.RESEAT, _MISSING.format("network interfaces")),
    "NIC_COUNT": Code(Action.INSPECT, _EXTRA.format("network interfaces")),
    "NIC_SPEED_LOW": Code(Action.REPLACE_CABLE, "the link runs slower than the profile's speed: "
                                                "the cable or transceiver"),
    "NIC_SPEED_CAPABILITY": Code(Action.INSPECT, "the interface cannot reach the profile's "
                                                 "speed at all: another NIC or transceiver"),
    "NIC_SPEED_MISMATCH": Code(Action.INSPECT, "the link runs faster than the profile says: "
                                               "another NIC, or a profile to correct"),
    "NIC_MTU": Code(Action.CONFIGURE, "the MTU is not the profile's"),
    "NIC_LINK_DOWN": Code(Action.REPLACE_CABLE, "the link is down: no carrier from the cable "
                                                "or the far end",
                          {Situation.NOT_BROUGHT_UP: Action.CONFIGURE}),
    "NIC_FIRMWARE": Code(Action.UPDATE_FIRMWARE, "the NIC firmware breaks the profile's rule"),
    "NIC_ERRORS": Code(Action.REPLACE_CABLE, f"the interface's error counters {_MAX}: CRC and "
                                             "frame errors point at the cable or transceiver"),
    # InfiniBand and RoCE ports
    "IB_PORT_MISSING": Code(Action.RESEAT, _MISSING.format("InfiniBand ports")),
    "IB_PORT_COUNT": Code(Action.INSPECT, _EXTRA.format("InfiniBand ports")),
    "IB_RATE_LOW": Code(Action.REPLACE_CABLE, "the port runs slower than the profile's rate: "
                                              "the cable or transceiver"),
    "IB_RATE_MISMATCH": Code(Action.INSPECT, "the port runs faster than the profile says: "
                                             "another HCA, or a profile to correct"),
    "IB_PORT_DOWN": Code(Action.REPLACE_CABLE, "the port is DOWN: no cable, a bad cable, or the "
                                               "far end is down"),
    "IB_PORT_STATE": Code(Action.INSPECT, "the physical link is up but the port is not ACTIVE: "
                                          "no subnet manager has configured it"),
    "IB_PHYS_STATE": Code(Action.INSPECT, "the port's physical state is not the profile's",
                          {Situation.PORT_POLLING: Action.REPLACE_CABLE,
                           Situation.PORT_DISABLED: Action.CONFIGURE}),
    "IB_LINK_LAYER": Code(Action.CONFIGURE, "the port's link layer (InfiniBand or Ethernet) is "
                                            "not the profile's: the port's link type setting"),
    "IB_FIRMWARE": Code(Action.UPDATE_FIRMWARE, "the HCA firmware breaks the profile's rule"),
    "IB_ERRORS": Code(Action.REPLACE_CABLE, f"the port's error counters {_MAX}: symbol errors, "
                                           "link recoveries and downs point at the cable or "
                                           "transceiver"),
    # disks
    "DISK_MISSING": Code(Action.RESEAT, _MISSING.format("disks")),
    "DISK_COUNT": Code(Action.INSPECT, _EXTRA.format("disks")),
    "DISK_SIZE": Code(Action.INSPECT, "the disk is smaller than the profile's minimum"),
    "DISK_MODEL": Code(Action.INSPECT, "the disk model is not the profile's"),
    "DISK_FIRMWARE": Code(Action.UPDATE_FIRMWARE, "the disk firmware breaks the profile's rule"),
    "DISK_SMART_FAILED": Code(Action.RMA_DISK, "the drive's own overall SMART health check "
                                               "failed"),
    "NVME_CRITICAL_WARNING": Code(Action.RMA_DISK, "the drive raised an NVMe critical warning "
                                                   "(spare, reliability, read-only, backup)",
                                  {Situation.TEMPERATURE_ONLY: Action.INSPECT}),
    "DISK_MEDIA_ERRORS": Code(Action.RMA_DISK, f"unrecovered media errors {_MAX}"),
    "DISK_WEAR": Code(Action.RMA_DISK, f"the drive's endurance used {_MAX}"),
    "DISK_SPARE_LOW": Code(Action.RMA_DISK, "the drive's available spare is below the "
                                            "profile's minimum"),
    "DISK_TEMPERATURE": Code(Action.INSPECT, "the drive is hotter at rest than the profile "
                                             "allows: airflow, fans, drive bay cooling"),
    # disks under load (burn-in)
    "DISK_SLOW_READ": Code(Action.INSPECT, "sequential or random reads under load are below the "
                                           "profile's minimum: the drive's PCIe link, its "
                                           "temperature (throttling), or the drive"),
    "DISK_SLOW_WRITE": Code(Action.INSPECT, "sequential writes under load are below the "
                                            "profile's minimum: the drive's PCIe link, its "
                                            "temperature (throttling), or the drive"),
    "DISK_IO_ERROR": Code(Action.INSPECT, "the drive answered reads or writes under load with an "
                                          "I/O error: the kernel log tells a controller reset "
                                          "(reseat) from failed media (SMART media errors)"),
    # processors, memory, firmware, kernel
    "CPU_STRESS_FAILED": Code(Action.INSPECT, "a CPU or memory stressor of stress-ng failed its "
                                              "verification or died under load: a CPU, a DIMM "
                                              "or cooling"),
    "CPU_MODEL": Code(Action.INSPECT, "the CPU model is not the profile's"),
    "CPU_SOCKETS": Code(Action.INSPECT, "a CPU socket count other than the profile's"),
    "CPU_CORES": Code(Action.INSPECT, "fewer physical cores than the profile's minimum"),
    "MEMORY_SIZE": Code(Action.INSPECT, "less memory (MemTotal) than the profile's minimum: a "
                                        "DIMM missing or not detected"),
    "MEMORY_NUMA_NODES": Code(Action.CONFIGURE, "a NUMA node count other than the profile's: "
                                                "a BIOS setting (sub-NUMA clustering, NPS)"),
    "MEMORY_UE": Code(Action.REPLACE_DIMM, "uncorrected memory errors counted by EDAC"),
    "MEMORY_CE": Code(Action.REPLACE_DIMM, f"corrected memory errors counted by EDAC {_MAX}"),
    "BIOS_FIRMWARE": Code(Action.UPDATE_FIRMWARE, "the BIOS version breaks the profile's rule"),
    "SYSTEM_IDENTITY": Code(Action.INSPECT, "the DMI vendor, product name or serial is missing "
                                            "or a placeholder: the board's FRU data, which the "
                                            "RMA process needs"),
    "KERNEL_CMDLINE": Code(Action.CONFIGURE, "the kernel command line lacks options the profile "
                                             "requires"),
    "KERNEL_LOG_FORBIDDEN": Code(Action.INSPECT, "a hardware event of the kernel log matches a "
                                                 "pattern the profile forbids"),
    # kernel log events other than Xids
    **{failure: Code(row.action, row.means) for failure, row in EVENTS.items()},
    UNKNOWN_EVENT: Code(Action.INSPECT, "a hardware event of the kernel log this catalog does "
                                        "not describe: read the line"),
    # Xids
    **_xid_codes(),
    xid_code(NUMBERED): Code(Action.INSPECT, "an Xid this catalog does not describe: look it "
                                             f"up in NVIDIA's catalog, {XID_CATALOG}"),
}
"""Every failure code, or its numbered form, with its action and meaning."""

BURNIN_CODES = frozenset({
    "GPU_TFLOPS_LOW", "GPU_MEMORY_BANDWIDTH_LOW", "GPU_PCIE_BANDWIDTH_LOW",
    "GPU_P2P_BANDWIDTH_LOW", "NCCL_BUSBW_LOW", "NCCL_WRONG_RESULTS", "GPU_MEMORY_PATTERN",
    "GPU_DIAG_FAILED", "GPU_HOT_UNDER_LOAD", "GPU_THROTTLED_UNDER_LOAD", "GPU_POWER_OVER_LIMIT",
    "CPU_STRESS_FAILED",
    "DISK_SLOW_READ", "DISK_SLOW_WRITE", "DISK_IO_ERROR",
})
"""Codes given by measurements under load (hwaccept.burnin), not by the acceptance checks."""

_NUMBER = re.compile(r"\d+$")


def key(code: str) -> str:
    """The catalog entry a code is listed under: itself, or its `<n>` form.

    Raises:
        KeyError: the catalog lists neither.

    """
    if code in CODES:
        return code
    numbered = _NUMBER.sub(NUMBERED, code)
    if numbered != code and numbered in CODES:
        return numbered
    raise KeyError(f"failure code {code} is not in the catalog")


def entry(code: str) -> Code:
    """The catalog's entry for a code.

    Raises:
        KeyError: the code is not in the catalog.

    """
    return CODES[key(code)]


def action_for(code: str, situation: Situation | None = None) -> Action:
    """The action for `code`, in `situation` when one applies.

    Raises:
        KeyError: the code is not in the catalog, or the situation is not one of its
            alternatives.

    """
    found = entry(code)
    if situation is None:
        return found.action
    if situation not in found.otherwise:
        raise KeyError(f"the catalog gives {code} no action for situation {situation}")
    return found.otherwise[situation]


def xid_row(number: int) -> Xid | None:
    """NVIDIA's catalog row for an Xid, when this table has it."""
    return XIDS.get(number)


def xid_default(number: int) -> Severity:
    """How an Xid is judged when the profile lists it nowhere (an unknown one warns)."""
    row = XIDS.get(number)
    return row.default if row else Severity.WARN


def xid_rank(number: int) -> tuple[int, int]:
    """Sort key putting the most telling Xid first."""
    rank = XID_PRIORITY.index(number) if number in XID_PRIORITY else len(XID_PRIORITY)
    return rank, number
