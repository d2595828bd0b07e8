"""Which parts of the machine the inventory can vouch for, and why not the others.

A live inventory, or the replay of a capture, read everything: a family it lists empty is
empty. An imported snapshot lists whole only the families its inputs enumerate
(`Inventory.complete`: `pcie` from lspci, `gpu` when NVML's count is known, `ib`,
`kernel`; docs/snapshots.md), so in any other family a part it lacks is unknown, not
absent, and a count can only fail by being too high. NVML says more: a machine (or a
recording of one) without a working driver fails a GPU check, while a snapshot made
without NVML cannot know its GPUs.
"""

from __future__ import annotations

from collections.abc import Callable

from hwaccept.inventory.fabric_manager import LOG_PATH as FABRIC_LOG
from hwaccept.inventory.kernel_events import NOT_IN_SNAPSHOT
from hwaccept.inventory.records import Inventory, PciDevice
from hwaccept.pci_ids import NVIDIA
from hwaccept.sources.nvml import NOT_RECORDED

from .findings import Judgment, failed, unknown
from .registry import Context

LIVE = "live"
GPU_COUNT_CALL = "nvmlDeviceGetCount:"
DISPLAY_CLASS = "03"


def is_live(inventory: Inventory) -> bool:
    """Read from this machine now, not replayed from a snapshot."""
    return inventory.origin == LIVE


def read_everything(inventory: Inventory) -> bool:
    """Read from a machine (live, or a capture's replay), not imported from partial files."""
    return inventory.complete is None


def holds_whole(inventory: Inventory, family: str) -> bool:
    """Whether the inventory lists every part of `family` (`gpu`, `pcie`, `disk`...)."""
    return inventory.complete is None or family in inventory.complete


def nvml_gap(inventory: Inventory) -> Judgment | None:
    """Why NVML lists no GPUs, as a FAIL (no working driver) or UNKNOWN (not recorded).

    None when NVML answered and counted the GPUs.
    """
    nvidia = inventory.nvidia
    if not nvidia.available:
        reason = nvidia.reason or "NVML is unavailable"
        if NOT_IN_SNAPSHOT in reason and not is_live(inventory):
            return unknown(reason)
        return failed(reason, "NVIDIA_DRIVER_MISSING")
    problem = next((e for e in nvidia.errors if e.startswith(GPU_COUNT_CALL)), None)
    if problem is None:
        return None
    if NOT_RECORDED in problem:
        return unknown(f"the GPU count is {NOT_IN_SNAPSHOT} ({problem})")
    return failed(f"NVML could not count the GPUs ({problem})", "NVIDIA_DRIVER_FAILED")


def is_nvidia_gpu(device: PciDevice) -> bool:
    """An NVIDIA display-class PCI function."""
    return device.vendor_id == NVIDIA and (device.class_code or "").startswith(DISPLAY_CLASS)


def nvidia_gpus_on_pci(inventory: Inventory) -> list[str]:
    """Addresses of the GPUs the PCI tree shows."""
    return [d.address for d in inventory.pci_devices if is_nvidia_gpu(d)]


def pci_gap(inventory: Inventory) -> str | None:
    """Why the inventory holds no PCI functions (a machine always has some)."""
    if inventory.pci_devices:
        return None
    if read_everything(inventory):
        return "no PCI functions could be read"
    return f"PCI devices are {NOT_IN_SNAPSHOT}"


def kernel_log_gap(inventory: Inventory) -> str | None:
    """Why the kernel log was not read, or None when it was."""
    log = inventory.kernel_log
    if log.source is not None:
        return None
    if log.problem is None:
        return "the kernel log was not read"
    if log.problem == NOT_IN_SNAPSHOT:
        return f"the kernel log is {NOT_IN_SNAPSHOT}"
    return f"the kernel log could not be read: {log.problem}"


def fabric_log_gap(inventory: Inventory) -> str | None:
    """Why the Fabric Manager log was not read, or None when it was."""
    log = inventory.fabric_manager_log
    if log.source is not None:
        return None
    if log.problem is not None:
        return f"the Fabric Manager log could not be read: {log.problem}"
    if read_everything(inventory):
        return f"no Fabric Manager log at {FABRIC_LOG}"
    return f"the Fabric Manager log is {NOT_IN_SNAPSHOT}"


def unlisted(family: str, what: str) -> Callable[[Context], str | None]:
    """`unread` for a family: why an inventory lacking all `what` may still have some."""
    def reason(context: Context) -> str | None:
        if holds_whole(context.inventory, family):
            return None
        return f"no {what} in this snapshot, which does not list them whole"
    return reason


def gpus_unread(context: Context) -> str | None:
    """Why the inventory may lack GPUs: NVML's gap, or a snapshot without their count."""
    gap = nvml_gap(context.inventory)
    return gap.message if gap else unlisted("gpu", "GPUs")(context)


def pci_unread(family: str, what: str) -> Callable[[Context], str | None]:
    """`unread` for parts found on the PCI tree (`pcie`, `nvswitch`)."""
    def reason(context: Context) -> str | None:
        return pci_gap(context.inventory) or unlisted(family, what)(context)
    return reason
