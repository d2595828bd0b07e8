"""PCI Express checks (profile sections `pcie_devices` and `pcie_aer`).

Each `pcie_devices` entry names a kind of function by PCI id: how many the machine has
(`pcie_device_count`, one finding per kind), and for every such function its link
(`pcie_link`, see links.py) and driver (`pcie_driver`). No driver on a machine (live, or
a capture's replay) means none is bound (sysfs has no `driver` link); in an imported
snapshot it may only be unrecorded (lspci -nn prints no drivers), so it is UNKNOWN there.
AER counters are judged on every function that exposes them; when none does, one UNKNOWN
finding says so.
"""

from __future__ import annotations

from collections.abc import Callable

from hwaccept.inventory.records import PciDevice
from hwaccept.profiles.schema import AerLimits, PcieDevice, Profile

from .counts import Tally, judge_count
from .coverage import holds_whole, is_nvidia_gpu, pci_gap, pci_unread, read_everything
from .findings import Judgment, Outcome, Part, failed, passed, unknown, worst
from .links import device_link, expected_link, judge_link, upstream_limit
from .parts import pci_part, system_part
from .registry import AnyCheck, Context, Family, asks, per_component, required

Member = tuple[PcieDevice, PciDevice]
"""A function of the machine, with the profile entry whose PCI id it has."""

AER_COUNTERS = (
    ("fatal", "PCIE_AER_FATAL"),
    ("nonfatal", "PCIE_AER_NONFATAL"),
    ("correctable", "PCIE_AER_CORRECTABLE"),
)


def kinds(context: Context) -> tuple[PcieDevice, ...]:
    """The profile's `pcie_devices` entries."""
    return tuple(context.profile.pcie_devices or ())


def members(context: Context, *keys: str) -> list[Member]:
    """Functions of the listed kinds whose entry sets any of `keys`, in inventory order."""
    by_id = {kind.pci_id: kind for kind in kinds(context)
             if any(getattr(kind, key) is not None for key in keys)}
    return [(by_id[d.pci_id], d) for d in context.inventory.pci_devices
            if d.pci_id is not None and d.pci_id in by_id]


def lists(*keys: str) -> Callable[[Profile], bool]:
    """`wanted`: some `pcie_devices` entry sets any of `keys`."""
    return lambda profile: any(getattr(kind, key) is not None
                               for kind in profile.pcie_devices or () for key in keys)


def _count(context: Context, kind: PcieDevice) -> Outcome:
    gap = pci_gap(context.inventory)
    found = [d.address for d in context.inventory.pci_devices if d.pci_id == kind.pci_id]
    tally = Tally(found, unknown(gap) if gap else None,
                  whole=holds_whole(context.inventory, "pcie"))
    return judge_count(kind.count, tally, f"{kind.name} ({kind.pci_id})", "PCIE_DEVICE")


def _link(context: Context, member: Member) -> Outcome:
    kind, device = member
    link = device_link(device)
    upstream = upstream_limit(context.inventory, device, kind.gen, kind.width)
    judgment = judge_link(kind.gen, kind.width, link, idle_speed=is_nvidia_gpu(device),
                          upstream=upstream)
    return Outcome(judgment, link.describe(), expected_link(kind.gen, kind.width))


def _driver(context: Context, member: Member) -> Outcome:
    kind, device = member
    want = kind.driver
    if device.driver is None and read_everything(context.inventory):
        return Outcome(failed(f"no driver bound, expected {want}", "PCIE_DRIVER"), None, want)
    if device.driver is None:
        return Outcome(unknown("no driver in this snapshot (none bound, or not recorded)"),
                       None, want)
    if device.driver == want:
        return Outcome(passed(f"driver {want}"), want, want)
    return Outcome(failed(f"bound to {device.driver}, expected {want}", "PCIE_DRIVER"),
                   device.driver, want)


def aer_section(profile: Profile) -> AerLimits | None:
    """The profile's `pcie_aer` section."""
    return profile.pcie_aer


def with_aer(context: Context) -> list[PciDevice | None]:
    """Functions exposing AER counters, or one None when none does."""
    found: list[PciDevice | None] = [d for d in context.inventory.pci_devices
                                     if d.aer is not None]
    return found or [None]


def _aer(context: Context, device: PciDevice | None) -> Outcome:
    limits = required(aer_section, context.profile, "pcie_aer")
    asked = [(name, code, getattr(limits, f"{name}_max")) for name, code in AER_COUNTERS
             if getattr(limits, f"{name}_max") is not None]
    expected = ", ".join(f"{name}<={most}" for name, _, most in asked)
    if device is None or device.aer is None:
        gap = pci_gap(context.inventory)
        return Outcome(unknown(gap or "no PCI function exposes AER counters (a kernel without "
                               "aer_dev_* files, or not recorded)"), None, expected)
    judged: list[Judgment] = []
    for name, code, most in asked:
        value = getattr(device.aer, name)
        if value is None:
            judged.append(unknown(f"{name} AER count not known"))
        elif value > most:
            judged.append(failed(f"{value} {name} AER errors, at most {most} allowed", code))
        else:
            judged.append(passed(f"{value} {name}"))
    details = ", ".join(f"{k}={v}" for k, v in sorted(device.aer.details.items()))
    verdict = worst(judged)
    if details and verdict.failure_code:
        verdict = failed(f"{verdict.message} ({details})", verdict.failure_code)
    measured = ", ".join(f"{name}={getattr(device.aer, name)}" for name, _, _ in asked)
    return Outcome(verdict, measured, expected)


def _aer_part(context: Context, device: PciDevice | None) -> Part:
    if device is None:
        return system_part(context.inventory, "pcie", "PCI functions")
    return pci_part(device)


def _kind_part(context: Context, kind: PcieDevice) -> Part:
    return system_part(context.inventory, "pcie", f"{kind.name} ({kind.pci_id})")


def _member_part(_context: Context, member: Member) -> Part:
    return pci_part(member[1], member[0].name)


CHECKS: tuple[AnyCheck, ...] = (
    per_component("pcie_device_count", Family.PCIE, "how many functions of each "
                  "`pcie_devices` kind (by PCI id) against its `count`",
                  wanted=lambda profile: bool(profile.pcie_devices), components=kinds,
                  label=lambda kind: kind.pci_id, part=_kind_part, judge=_count),
    per_component("pcie_link", Family.PCIE, "each listed function's link (capability and "
                  "current) against its kind's `gen` and `width`", wanted=lists("gen", "width"),
                  components=lambda context: members(context, "gen", "width"),
                  label=lambda member: member[1].address, part=_member_part, judge=_link,
                  unread=pci_unread("pcie", "PCI functions")),
    per_component("pcie_driver", Family.PCIE, "each listed function's driver against its "
                  "kind's `driver`", wanted=lists("driver"),
                  components=lambda context: members(context, "driver"),
                  label=lambda member: member[1].address, part=_member_part, judge=_driver,
                  unread=pci_unread("pcie", "PCI functions")),
    per_component("pcie_aer", Family.PCIE, "AER error counts of each function against "
                  "`pcie_aer` maxima", wanted=asks(aer_section, *AerLimits.model_fields),
                  components=with_aer, label=lambda device: device.address if device else "aer",
                  part=_aer_part, judge=_aer),
)
