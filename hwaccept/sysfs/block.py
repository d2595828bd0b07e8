"""Whole disks from /sys/block.

See https://www.kernel.org/doc/Documentation/ABI/stable/sysfs-block. A disk is a
block device of type `disk` with a `device` behind it; loop, zram, md and
device-mapper devices have none and are not hardware.
"""

from __future__ import annotations

from hwaccept.record import Record
from hwaccept.sources.files import Files, UdevDevice, exists
from hwaccept.static_types import TYPE_CHECKING
from hwaccept.sysfs.attrs import Attr, boolean, device_pci_address, integer, read_attrs, text

if TYPE_CHECKING:
    from typing import Any

SECTOR_BYTES = 512
"""`size` counts 512-byte sectors whatever the logical block size."""

ATTRS = (
    Attr("sectors", "size", integer, required=True),
    Attr("rotational", "queue/rotational", boolean),
    Attr("serial", "serial", text),
    Attr("model", "device/model", text),
    Attr("vendor", "device/vendor", text),
    Attr("firmware", "device/rev", text),
)

_BUS_TRANSPORT = {"ata": "sata", "usb": "usb", "scsi": "scsi", "ieee1394": "firewire"}


class BlockDisk(Record):
    """What sysfs and udev say about one whole disk."""

    name: str
    sys_path: str
    transport: str | None
    pci_address: str | None
    values: dict[str, Any]
    properties: dict[str, str]
    errors: tuple[str, ...]


def transport_of(device: UdevDevice) -> str | None:
    """nvme, virtio, sas, sata, usb or scsi, from the device's path and udev."""
    if device.sys_name.startswith("nvme"):
        return "nvme"
    if "/virtio" in device.sys_path:
        return "virtio"
    if "/end_device-" in device.sys_path:
        return "sas"
    return _BUS_TRANSPORT.get(device.properties.get("ID_BUS", ""))


def is_disk(files: Files, device: UdevDevice) -> bool:
    """A whole disk with hardware behind it."""
    if device.devtype not in (None, "disk") or exists(files, f"{device.sys_path}/partition"):
        return False
    return exists(files, f"{device.sys_path}/device")


def read_block_disk(files: Files, device: UdevDevice) -> BlockDisk:
    """Read one disk's size, rotation and identity strings."""
    values, problems = read_attrs(files, device.sys_path, ATTRS)
    return BlockDisk(
        name=device.sys_name,
        sys_path=device.sys_path,
        transport=transport_of(device),
        pci_address=device_pci_address(files, device.sys_path),
        values=values,
        properties=dict(device.properties),
        errors=tuple(problems),
    )


def block_disks(files: Files) -> tuple[BlockDisk, ...]:
    """Every whole hardware disk, by name."""
    disks = (d for d in files.devices("block") if is_disk(files, d))
    return tuple(sorted((read_block_disk(files, d) for d in disks), key=lambda d: d.name))
