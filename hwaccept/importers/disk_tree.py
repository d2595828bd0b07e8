"""One disk's sysfs and udev identity, as the disk importers record it.

Layouts (what hwaccept.sysfs.block, hwaccept.sysfs.class_nvme and
hwaccept.sources.udev.tree_devices read):

- NVMe namespace `nvmeXnY` of controller `nvmeX`: `/sys/class/nvme/nvmeX` links to the
  controller directory holding `model`, `serial` and `firmware_rev`;
  `/sys/block/nvmeXnY` links to the namespace directory inside it, holding `size`,
  `queue/rotational` (always 0: the nvme driver marks every namespace non-rotational),
  `uevent` (`DEVNAME`, `DEVTYPE=disk`) and a `device` link back to the controller.
  The kernel prints the identify strings at their full field width, space padded:
  model 40, serial 20, firmware_rev 8 characters (`nvme_show_str_function`,
  drivers/nvme/host/sysfs.c).
- SCSI disk `sdX`: `/sys/block/sdX` links to `<device>/block/sdX`, whose `device` link
  names the SCSI device directory (`DRIVER=sd` in its `uevent`) holding `vendor`,
  `model` and `rev`, printed `%.8s`, `%.16s` and `%.4s` from the INQUIRY data
  (`sdev_rd_attr`, drivers/scsi/scsi_sysfs.c). For an ATA drive these are libata's
  INQUIRY answer (`ata_scsiop_inq_std`, drivers/ata/libata-scsi.c): vendor `ATA`, the
  first 16 characters of the model, and the last 4 of the 8-character firmware
  revision, or its first 4 when those are blank.

Where the device sits (PCI function, SCSI host) is not known from a SMART capture, so
device directories go under `/sys/devices/unknown-parent`: a path with no PCI address
and no bus in it, which claims nothing about the parent and which
`hwaccept.sysfs.block.is_disk` still accepts (the `device` link exists). A SCSI
device directory is named after its disk (`unknown-parent/sda`), as its
host:channel:target:lun is not known either.

The inventory takes a SCSI disk's transport and serial from udev (`ID_BUS`,
`ID_SERIAL_SHORT`). They are recorded as a udev database record,
`/run/udev/data/+block:<name>`: the `uevent` written here has no `MAJOR`/`MINOR` (not
known), and for such a device libudev names the record `+<subsystem>:<name>`
(`hwaccept.sources.udev.udev_data_id`). `ID_BUS` is `ata` for a drive smartctl reached
over ATA, `scsi` for SCSI, `usb` behind a USB bridge; an ATA drive also gets what
udev's ata_id exports (`ID_MODEL`, `ID_SERIAL_SHORT`, `ID_REVISION`: whitespace runs
as one `_`, characters other than alphanumerics and `#+-.:=@_` as `_`; systemd
src/udev/ata_id/ata_id.c). Behind a USB bridge the kernel's identity strings, size and
rotation are the bridge's answers, so nothing but `ID_BUS` is recorded; a SCSI disk name
without a known bus gets only its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from hwaccept.importers.parts import Parts
from hwaccept.sources.udev import UDEV_DATA, udev_data_id
from hwaccept.sysfs.block import SECTOR_BYTES
from hwaccept.sysfs.class_nvme import CLASS_DIR

UNKNOWN_PARENT = "/sys/devices/unknown-parent"
BLOCK_DIR = "/sys/block"

NVME_DISK = re.compile(r"^(nvme\d+)n\d+$")
NVME_CONTROLLER = re.compile(r"^nvme\d+$")
SCSI_DISK = re.compile(r"^sd[a-z]{1,3}$")
_NAME_IN_FILE = re.compile(r"(?<![A-Za-z0-9])(nvme\d+(?:n\d+)?|sd[a-z]{1,3})(?![A-Za-z0-9])")

NVME_WIDTHS = {"model": 40, "serial": 20, "firmware_rev": 8}
SCSI_WIDTHS = {"vendor": 8, "model": 16, "rev": 4}
ATA_FIRMWARE_WIDTH = 8
DIRECT_BUSES = ("ata", "scsi")
"""Buses on which the kernel's size and rotation are the drive's own answers."""
_UDEV_KEPT = re.compile(r"[^0-9A-Za-z#+\-.:=@_\x80-\U0010ffff]")


@dataclass(frozen=True)
class DiskIdentity:
    """What a capture says about a disk; None where it says nothing.

    Attributes:
        model: the drive's model string (ATA, NVMe), as smartctl prints it.
        serial: its serial number.
        firmware: its firmware revision.
        size_bytes: the block device's size (the namespace's for NVMe).
        rotational: True for spinning media, False for solid state.
        bus: udev `ID_BUS` for a SCSI disk name: `ata`, `scsi` or `usb`.
        scsi_vendor: a SCSI drive's INQUIRY vendor.
        scsi_product: its INQUIRY product.
        scsi_revision: its INQUIRY revision.

    """

    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    size_bytes: int | None = None
    rotational: bool | None = None
    bus: str | None = None
    scsi_vendor: str | None = None
    scsi_product: str | None = None
    scsi_revision: str | None = None


def nvme_controller(name: str) -> str | None:
    """The controller of an NVMe namespace (`nvme0n1` -> nvme0), else None."""
    match = NVME_DISK.match(name)
    return match[1] if match else None


def is_nvme(name: str) -> bool:
    """Whether `name` is an NVMe namespace (`nvme0n1`)."""
    return NVME_DISK.match(name) is not None


def disk_of_device(device: str) -> str | None:
    """The disk a device path names: `/dev/nvme0` -> nvme0n1, `/dev/sda` -> sda."""
    base = device.removeprefix("/dev/")
    if NVME_CONTROLLER.match(base):
        return f"{base}n1"
    if NVME_DISK.match(base) or SCSI_DISK.match(base):
        return base
    return None


def disk_in_file_name(source: str, *, nvme: bool) -> str | None:
    """A disk name of the kind wanted in the input's file name (`host_nvme3.json`)."""
    for match in _NAME_IN_FILE.finditer(PurePath(source).name):
        name = disk_of_device(match[1])
        if name is not None and is_nvme(name) == nvme:
            return name
    return None


def free_name(parts: Parts, *, nvme: bool) -> str:
    """The first disk name of this kind not yet recorded in `parts`."""
    taken = set(disk_names(parts))
    index = 0
    while True:
        name = f"nvme{index}n1" if nvme else f"sd{_letters(index)}"
        if name not in taken:
            return name
        index += 1


def _letters(index: int) -> str:
    """Letters after `sd` as the kernel counts disks: a..z, aa..zz, aaa..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def choose_name(parts: Parts, source: str, device: str | None, *, nvme: bool,
                single: bool = True) -> str:
    """The disk's name: from the capture's device, else the file name, else guessed.

    A guessed name is added to `parts.guessed_disks` and noted.
    """
    if device:
        named = disk_of_device(device)
        if named is not None:
            return named
        parts.notes.append(f"device {device} is not a disk name the kernel gives "
                           "(nvmeN, nvmeNnM, sdX)")
    if single:
        named = disk_in_file_name(source, nvme=nvme)
        if named is not None and named not in disk_names(parts):
            return named
    name = free_name(parts, nvme=nvme)
    parts.guessed_disks.append(name)
    parts.notes.append(f"the input does not name its device; recorded as {name}")
    return name


def record_disk(parts: Parts, name: str, identity: DiskIdentity) -> None:
    """Record the sysfs (and udev) view of disk `name` holding what `identity` says.

    Raises:
        ValueError: `name` is neither an NVMe namespace nor a SCSI disk name.

    """
    nvme = NVME_DISK.match(name)
    if nvme is not None:
        _record_nvme(parts, name, nvme[1], identity)
    elif SCSI_DISK.match(name):
        _record_scsi(parts, name, identity)
    else:
        raise ValueError(f"not a disk name: {name!r}")


def _record_nvme(parts: Parts, name: str, controller: str, identity: DiskIdentity) -> None:
    controller_dir = f"{UNKNOWN_PARENT}/nvme/{controller}"
    disk_dir = f"{controller_dir}/{name}"
    parts.link(f"{CLASS_DIR}/{controller}", controller_dir)
    parts.link(f"{BLOCK_DIR}/{name}", disk_dir)
    parts.link(f"{disk_dir}/device", controller_dir)
    for attr, value in (("model", identity.model), ("serial", identity.serial),
                        ("firmware_rev", identity.firmware)):
        if value is not None:
            parts.file(f"{controller_dir}/{attr}", value.ljust(NVME_WIDTHS[attr]))
    _record_block(parts, name, disk_dir, identity.size_bytes, rotational=False)


def _record_scsi(parts: Parts, name: str, identity: DiskIdentity) -> None:
    device_dir = f"{UNKNOWN_PARENT}/{name}"
    disk_dir = f"{device_dir}/block/{name}"
    parts.link(f"{BLOCK_DIR}/{name}", disk_dir)
    parts.link(f"{disk_dir}/device", device_dir)
    parts.file(f"{device_dir}/uevent", "DEVTYPE=scsi_device\nDRIVER=sd\n")
    for attr, value in _inquiry(identity).items():
        if value is not None:
            parts.file(f"{device_dir}/{attr}", value.ljust(SCSI_WIDTHS[attr])
                       [:SCSI_WIDTHS[attr]])
    direct = identity.bus in DIRECT_BUSES
    uevent = _record_block(parts, name, disk_dir, identity.size_bytes if direct else None,
                           identity.rotational if direct else None)
    properties = _udev_properties(identity)
    if properties:
        record = "".join(f"E:{key}={value}\n" for key, value in properties.items())
        parts.file(f"{UDEV_DATA}/{udev_data_id('block', name, uevent)}", record)


def _inquiry(identity: DiskIdentity) -> dict[str, str | None]:
    """The INQUIRY strings the kernel shows under the SCSI device."""
    if identity.bus == "ata":
        return {"vendor": "ATA", "model": identity.model and identity.model[:16],
                "rev": identity.firmware and libata_revision(identity.firmware)}
    if identity.bus == "scsi":
        return {"vendor": identity.scsi_vendor, "model": identity.scsi_product,
                "rev": identity.scsi_revision}
    return {}


def libata_revision(firmware: str) -> str:
    """The 4-character INQUIRY revision libata makes of an ATA firmware revision."""
    padded = firmware.ljust(ATA_FIRMWARE_WIDTH)[:ATA_FIRMWARE_WIDTH]
    return padded[4:] if padded[4:].strip() else padded[:4]


def udev_string(value: str) -> str:
    """A string as udev's ata_id exports it (whitespace runs and odd characters as `_`)."""
    return _UDEV_KEPT.sub("_", "_".join(value.split()))


def _udev_properties(identity: DiskIdentity) -> dict[str, str]:
    if identity.bus is None:
        return {}
    properties = {"ID_BUS": identity.bus}
    if identity.bus == "ata":
        for key, value in (("ID_MODEL", identity.model), ("ID_REVISION", identity.firmware),
                           ("ID_SERIAL_SHORT", identity.serial)):
            if value:
                properties[key] = udev_string(value)
    return properties


def _record_block(parts: Parts, name: str, disk_dir: str, size_bytes: int | None,
                  rotational: bool | None) -> dict[str, str]:
    uevent = {"DEVNAME": name, "DEVTYPE": "disk"}
    parts.file(f"{disk_dir}/uevent", "".join(f"{k}={v}\n" for k, v in uevent.items()))
    if size_bytes is not None and size_bytes % SECTOR_BYTES == 0:
        parts.file(f"{disk_dir}/size", size_bytes // SECTOR_BYTES)
    elif size_bytes is not None:
        parts.notes.append(f"{name}: size {size_bytes} bytes is not a whole number of "
                           f"{SECTOR_BYTES}-byte sectors; not recorded")
        parts.not_known(f"{disk_dir}/size", f"{size_bytes} bytes is no whole sector count")
    else:
        parts.not_known(f"{disk_dir}/size", "the capture gives no size")
    if rotational is not None:
        parts.file(f"{disk_dir}/queue/rotational", int(rotational))
    return uevent


def disk_names(parts: Parts) -> list[str]:
    """The disks recorded in `parts`, by name."""
    prefix = f"{BLOCK_DIR}/"
    return sorted(path[len(prefix):] for path in parts.links if path.startswith(prefix)
                  and "/" not in path[len(prefix):])


def rename_disk(parts: Parts, old: str, new: str) -> Parts:
    """A copy of `parts` with disk `old` renamed to `new` everywhere.

    Paths, link targets, `DEVNAME` in uevent files and command arguments (`/dev/old`)
    are rewritten; an NVMe namespace takes its controller along (nvme0n1 -> nvme2n1
    renames nvme0 to nvme2).

    Raises:
        ValueError: `old` is not recorded, `new` already is, or the two are not the
            same kind of disk name.

    """
    names = disk_names(parts)
    if old not in names:
        raise ValueError(f"no disk {old!r} recorded")
    if new in names:
        raise ValueError(f"disk {new!r} is already recorded")
    if is_nvme(old) != is_nvme(new) or disk_of_device(new) != new:
        raise ValueError(f"cannot rename {old!r} to {new!r}")
    renames = {old: new, f"+block:{old}": f"+block:{new}"}
    old_controller, new_controller = NVME_DISK.match(old), NVME_DISK.match(new)
    if old_controller and new_controller:
        renames[old_controller[1]] = new_controller[1]

    def path(value: str) -> str:
        return "/".join(renames.get(part, part) for part in value.split("/"))

    def content(at: str, data: bytes) -> bytes:
        if not at.endswith("/uevent"):
            return data
        lines = data.decode().split("\n")
        return "\n".join(f"DEVNAME={renames.get(line[8:], line[8:])}"
                         if line.startswith("DEVNAME=") else line for line in lines).encode()

    return Parts(
        files={path(p): content(p, data) for p, data in parts.files.items()},
        links={path(p): path(target) for p, target in parts.links.items()},
        nvml_system=dict(parts.nvml_system),
        nvml_gpus={index: dict(calls) for index, calls in parts.nvml_gpus.items()},
        commands={tuple(path(arg) for arg in argv): stdout
                  for argv, stdout in parts.commands.items()},
        unknown={path(p): why for p, why in parts.unknown.items()},
        partial={path(p) for p in parts.partial},
        guessed_disks=[new if name == old else name for name in parts.guessed_disks],
        notes=[re.sub(rf"\b{re.escape(old)}\b", new, note) for note in parts.notes],
        summary=re.sub(rf"\b{re.escape(old)}\b", new, parts.summary),
    )
