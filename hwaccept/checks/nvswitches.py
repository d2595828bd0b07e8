"""NVSwitch checks (profile section `nvswitches`).

Switches are the NVIDIA bridge-class PCI functions; they sit on the baseboard, so the
catalog sends a board missing one back. The fabric state is each GPU's NVML fabric
registration: a GPU whose registration has not completed cannot use NVLink through the
switches; `not_started` usually means nvidia-fabricmanager is not running, `in_progress`
that it has not finished yet (each a situation of the catalog), and a completed
registration with an error status needs a look.
"""

from __future__ import annotations

from hwaccept.inventory.records import Gpu, NvSwitch
from hwaccept.pci_ids import NVIDIA
from hwaccept.profiles.schema import NvSwitches, Profile

from .catalog import Situation
from .counts import Tally, count_check
from .coverage import gpus_unread, holds_whole, pci_gap, pci_unread
from .findings import Judgment, Outcome, failed, passed, unknown
from .gpus import missing
from .parts import gpu_label, gpu_part, nvswitch_part
from .registry import AnyCheck, Context, Family, asks, per_component, required

SUCCESS = "SUCCESS"
FABRIC_SITUATIONS = {"not_started": Situation.FABRIC_NOT_STARTED,
                     "in_progress": Situation.FABRIC_IN_PROGRESS}


def switches_section(profile: Profile) -> NvSwitches | None:
    """The profile's `nvswitches` section."""
    return profile.nvswitches


def switch_tally(context: Context) -> Tally:
    """The NVSwitch functions on the PCI tree."""
    inventory = context.inventory
    gap = pci_gap(inventory)
    return Tally([s.pci_address for s in inventory.nvswitches], unknown(gap) if gap else None,
                 whole=holds_whole(inventory, "nvswitch"))


def _pci_id(context: Context, switch: NvSwitch) -> Outcome:
    want = required(switches_section, context.profile, "nvswitch_pci_id").pci_id
    found = f"{NVIDIA}:{switch.device_id}" if switch.device_id else None
    if found is None:
        return Outcome(unknown("the PCI device id not known"), None, want)
    if found == want:
        return Outcome(passed(f"PCI id {found}"), found, want)
    return Outcome(failed(f"PCI id {found}, expected {want}", "NVSWITCH_PCI_ID"), found, want)


def judge_fabric(gpu: Gpu, want: str) -> Judgment:
    """A GPU's fabric registration against the state the profile wants."""
    fabric = gpu.fabric
    if fabric is None:
        if gpu.failed:
            return missing(gpu, "the fabric state")
        return unknown("no fabric registration (NVML gave none: not in an NVSwitch system, "
                       "or not recorded)")
    if fabric.state != want:
        return failed(f"fabric registration {fabric.state}, expected {want}",
                      "NVSWITCH_FABRIC_STATE", FABRIC_SITUATIONS.get(fabric.state))
    if fabric.status is not None and fabric.status != SUCCESS:
        return failed(f"fabric registration {fabric.state} with status {fabric.status}",
                      "NVSWITCH_FABRIC_STATUS")
    return passed(f"fabric registration {fabric.state}")


def _fabric(context: Context, gpu: Gpu) -> Outcome:
    want = required(switches_section, context.profile, "nvswitch_fabric").fabric_state or ""
    return Outcome(judge_fabric(gpu, want), gpu.fabric.state if gpu.fabric else None, want)


CHECKS: tuple[AnyCheck, ...] = (
    count_check("nvswitch_count", Family.NVSWITCH, "NVSwitches", "NVSWITCH",
                count=lambda p: p.nvswitches.count if p.nvswitches else None,
                tally=switch_tally),
    per_component("nvswitch_pci_id", Family.NVSWITCH, "each NVSwitch's PCI id against `pci_id`",
                  wanted=asks(switches_section, "pci_id"),
                  components=lambda context: context.inventory.nvswitches,
                  label=lambda switch: switch.pci_address,
                  part=lambda _context, switch: nvswitch_part(switch), judge=_pci_id,
                  unread=pci_unread("nvswitch", "NVSwitches")),
    per_component("nvswitch_fabric", Family.NVSWITCH, "each GPU's NVSwitch fabric registration "
                  "against `fabric_state`", wanted=asks(switches_section, "fabric_state"),
                  components=lambda context: context.inventory.gpus, label=gpu_label,
                  part=lambda _context, gpu: gpu_part(gpu), judge=_fabric, unread=gpus_unread),
)
