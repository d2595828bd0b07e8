"""PCI functions from /sys/bus/pci/devices.

See https://www.kernel.org/doc/Documentation/ABI/testing/sysfs-bus-pci for the
attributes, and sysfs-bus-pci-devices-aer_stats for the `aer_dev_*` files.
"""

from __future__ import annotations

import posixpath
import re

from hwaccept.errors import UnknownUnitError
from hwaccept.inventory.records import AerCounters, PciDevice
from hwaccept.sources.files import Files, UdevDevice
from hwaccept.sysfs.attrs import PCI_ADDRESS, Attr, hex_id, integer, read_attrs

GEN_BY_GTS = {2.5: 1, 5.0: 2, 8.0: 3, 16.0: 4, 32.0: 5, 64.0: 6}
"""PCIe generation by per-lane transfer rate (PCI Express Base Specification)."""

_LINK_SPEED = re.compile(r"^(?P<rate>\d+(?:\.\d+)?)\s*(?P<unit>\S+)(?:\s+PCIe)?$")


def parse_link_speed(value: str) -> float | None:
    """`32.0 GT/s PCIe` or `8 GT/s` -> GT/s; `Unknown` -> None; other units raise."""
    stripped = value.strip()
    if stripped.lower().startswith("unknown") or not stripped:
        return None
    match = _LINK_SPEED.match(stripped)
    if match is None:
        raise ValueError(f"unrecognised link speed {stripped!r}")
    if match["unit"] != "GT/s":
        raise UnknownUnitError(f"unknown link speed unit in {stripped!r}")
    return float(match["rate"])


def link_gen(gts: float | None) -> int | None:
    """PCIe generation of a per-lane rate, None when unknown or non-standard."""
    return None if gts is None else GEN_BY_GTS.get(gts)


def parse_link_width(value: str) -> int | None:
    """`16` -> 16; 0 or 255 (the kernel's "unknown") -> None."""
    width = integer(value)
    return None if width in (0, 255) else width


def parse_numa_node(value: str) -> int | None:
    """`-1` means the platform did not say."""
    node = integer(value)
    return None if node < 0 else node


def parse_aer(value: str) -> tuple[int | None, dict[str, int]]:
    """An `aer_dev_*` file: `NAME COUNT` per line, with a `TOTAL_ERR_*` line."""
    total: int | None = None
    details: dict[str, int] = {}
    for line in value.splitlines():
        name, _, count = line.strip().rpartition(" ")
        if not name:
            continue
        number = integer(count)
        if name.startswith("TOTAL_ERR_"):
            total = number
        elif number:
            details[name.strip()] = number
    return total, details


ATTRS = (
    Attr("vendor_id", "vendor", hex_id, required=True),
    Attr("device_id", "device", hex_id, required=True),
    Attr("subsystem_vendor_id", "subsystem_vendor", hex_id),
    Attr("subsystem_device_id", "subsystem_device", hex_id),
    Attr("class_code", "class", hex_id, required=True),
    Attr("revision", "revision", hex_id),
    Attr("numa_node", "numa_node", parse_numa_node),
    Attr("current_link_gts", "current_link_speed", parse_link_speed),
    Attr("max_link_gts", "max_link_speed", parse_link_speed),
    Attr("current_link_width", "current_link_width", parse_link_width),
    Attr("max_link_width", "max_link_width", parse_link_width),
)

AER_FILES = (
    ("correctable", "aer_dev_correctable"),
    ("nonfatal", "aer_dev_nonfatal"),
    ("fatal", "aer_dev_fatal"),
)


def read_aer(files: Files, base: str) -> tuple[AerCounters | None, list[str]]:
    """The AER counters of one function, None when the kernel exposes none."""
    table = [Attr(name, file, parse_aer) for name, file in AER_FILES]
    values, problems = read_attrs(files, base, table)
    if not values:
        return None, problems
    details: dict[str, int] = {}
    totals: dict[str, int | None] = {}
    for name, (total, kinds) in values.items():
        totals[name] = total
        details.update({f"{name}.{kind}": count for kind, count in kinds.items()})
    return AerCounters(**totals, details=details), problems


def parent_of(sys_path: str) -> str | None:
    """The upstream bridge: the PCI function whose directory holds this one."""
    parent = posixpath.basename(posixpath.dirname(sys_path))
    return parent if PCI_ADDRESS.match(parent) else None


def read_pci_device(files: Files, device: UdevDevice) -> PciDevice:
    """Read one PCI function; problems land in its `errors`."""
    values, problems = read_attrs(files, device.sys_path, ATTRS)
    aer, aer_problems = read_aer(files, device.sys_path)
    return PciDevice(
        address=device.sys_name,
        driver=device.driver,
        parent=parent_of(device.sys_path),
        current_link_gen=link_gen(values.get("current_link_gts")),
        max_link_gen=link_gen(values.get("max_link_gts")),
        aer=aer,
        errors=tuple(problems + aer_problems),
        **values,
    )


def pci_devices(files: Files) -> tuple[PciDevice, ...]:
    """Every PCI function of the machine, in address order."""
    found = (d for d in files.devices("pci") if PCI_ADDRESS.match(d.sys_name))
    return tuple(sorted((read_pci_device(files, d) for d in found), key=lambda p: p.address))
