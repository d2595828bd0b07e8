"""smartctl's JSON (`smartctl -j -x /dev/X`) -> the smartctl output and the disk it describes.

The format is smartctl's `--json` output, smartctl(8); its keys are written by
smartmontools' ataprint.cpp, nvmeprint.cpp and scsiprint.cpp. `-a`/`--all` output
has the same keys for every value the inventory reads (hwaccept.tools.smartctl), so
either is recorded as the standard output of `smartctl -j -x /dev/<name>`
(hwaccept.inventory.command_lines.smartctl_argv), verbatim. A file may hold several outputs
one after another; each is a disk.

The disk is named by `device.name` (`/dev/nvme0` is controller nvme0 and its namespace
nvme0n1, `/dev/sda` is sda), else by a device name in the file name, else guessed
(hwaccept.importers.disk_tree.choose_name). Its identity goes where the kernel shows
it (hwaccept.importers.disk_tree.record_disk): `model_name`, `serial_number`,
`firmware_version`; the size from `nvme_namespaces[0].size.bytes` for NVMe (the
namespace size the block device has; `nvme_total_capacity` is the controller's and
`user_capacity` the namespace's capacity), from `user_capacity.bytes` otherwise;
`rotation_rate` (0 is solid state; for SCSI 0 also means "not reported", so it is
left unknown there); the udev bus from `device.protocol` (`ATA` -> ata, `SCSI` ->
scsi) or a USB bridge `device.type` (`usb...`, `snt...`) -> usb. A SATA drive behind a
USB bridge that speaks SAT shows as type `sat` and is recorded as ata. SCSI drives
give `scsi_vendor`, `scsi_product`, `scsi_revision` (`vendor`, `product`, `revision`
before smartctl 7.3).

Refused: JSON that is not smartctl's; `--scan` output, which lists device names with
neither identity nor health (capture `smartctl -j -x` of each device instead); a drive
behind a RAID controller (`-d megaraid,N`, `cciss,N`, ...), which has no block device
of its own, so the inventory never asks smartctl about it. Identify-only output
(`--info`) is recorded: it names the drive, and its health replays as unknown.

Not recorded: where the drive is attached (PCI function, SCSI host); an NVMe
controller's transport (smartctl does not say PCIe or fabrics); a SCSI drive's serial
number (udev takes `ID_SERIAL_SHORT` from VPD page 0x83, not the unit serial number
smartctl prints); smartctl's exit status (outputs replay as exit 0, and the inventory
reads only the JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from hwaccept.importers.disk_tree import DiskIdentity, choose_name, is_nvme, record_disk
from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts
from hwaccept.inventory.command_lines import smartctl_argv
from hwaccept.tools.smartctl import NVME_LOG, parse_smartctl_json

RAID_TYPES = ("megaraid", "cciss", "areca", "3ware", "aacraid", "hpt", "sssraid", "jmb39x")
"""smartctl device types that reach a drive through a RAID controller."""

USB_TYPES = ("usb", "snt")
"""smartctl device types of USB bridges (usbjmicron, sntasmedia, ...)."""

BUSES = {"ATA": "ata", "SCSI": "scsi"}
"""smartctl `device.protocol` -> udev `ID_BUS`."""

_SMARTCTL_OBJECT = re.compile(r'"smartctl"\s*:\s*\{')


def sniff(head: str) -> bool:
    """Whether this is smartctl JSON: an object with `json_format_version` and `smartctl`."""
    return (head.lstrip().startswith("{") and '"json_format_version"' in head
            and _SMARTCTL_OBJECT.search(head) is not None)


def json_documents(text: str, source: str) -> list[tuple[str, Any]]:
    """Each JSON value in `text` (one, or several one after another) and its own text."""
    decoder = json.JSONDecoder()
    found: list[tuple[str, Any]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            break
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise fail(source, f"not valid JSON: {exc}") from None
        found.append((text[position:end] + "\n", value))
        position = end
    if len(found) == 1:
        return [(text, found[0][1])]
    return found


def text_value(value: Any) -> str | None:
    """A non-empty string, else None (a masked `--` counts as empty)."""
    if not isinstance(value, str) or not value.strip().strip("-"):
        return None
    return value.strip()


def number_at(data: Any, *path: str | int) -> int | None:
    """The integer at `path`, or None when absent or not an integer."""
    node = data
    for key in path:
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and len(node) > key else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, int) and not isinstance(node, bool) else None


def bus_of(device: Mapping[str, Any]) -> str | None:
    """The udev `ID_BUS` of the drive smartctl reached through `device`."""
    kind = str(device.get("type", "")).lower()
    if kind.startswith(USB_TYPES) or "[USB" in str(device.get("info_name", "")):
        return "usb"
    return BUSES.get(str(device.get("protocol", "")))


def raid_type(device: Mapping[str, Any]) -> str | None:
    """The `-d` type when smartctl reached the drive through a RAID controller."""
    kind = str(device.get("type", "")).lower()
    if any(part.startswith(RAID_TYPES) for part in kind.split("+")):
        return kind
    return None


def identity_of(data: Mapping[str, Any], *, nvme: bool, bus: str | None) -> DiskIdentity:
    """The identity smartctl printed, in the terms disk_tree records."""
    rotation = number_at(data, "rotation_rate")
    rotational = None if rotation is None or (rotation == 0 and bus == "scsi") else rotation > 0
    scsi = bus == "scsi"
    return DiskIdentity(
        model=None if scsi else text_value(data.get("model_name")),
        serial=None if scsi else text_value(data.get("serial_number")),
        firmware=None if scsi else text_value(data.get("firmware_version")),
        size_bytes=number_at(data, "nvme_namespaces", 0, "size", "bytes") if nvme
        else number_at(data, "user_capacity", "bytes"),
        rotational=rotational,
        bus=bus,
        scsi_vendor=text_value(data.get("scsi_vendor", data.get("vendor"))),
        scsi_product=text_value(data.get("scsi_product", data.get("product"))),
        scsi_revision=text_value(data.get("scsi_revision", data.get("revision"))),
    )


def _check(data: Any, source: str) -> Mapping[str, Any]:
    if not (isinstance(data, dict) and "json_format_version" in data
            and isinstance(data.get("smartctl"), dict)):
        raise fail(source, "not smartctl JSON (no `json_format_version` and `smartctl` "
                           "objects); expected the output of `smartctl -j -x /dev/X`")
    if "device" not in data and isinstance(data.get("devices"), list):
        raise fail(source, f"smartctl --scan output lists {len(data['devices'])} device(s) "
                           "but no identity or health; give `smartctl -j -x /dev/X` of each")
    return data


def _record(parts: Parts, raw: str, data: Mapping[str, Any], source: str, *,
            single: bool) -> str:
    device = data.get("device")
    device = device if isinstance(device, dict) else {}
    raid = raid_type(device)
    if raid is not None:
        raise fail(source, f"{device.get('name', 'the device')} is a drive behind a RAID "
                           f"controller (-d {raid}): it has no block device of its own, "
                           "so the inventory cannot hold its health")
    protocol = device.get("protocol")
    named = device.get("name") if isinstance(device.get("name"), str) else None
    name = choose_name(parts, source, named, single=single,
                       nvme=protocol == "NVMe" or (protocol is None and NVME_LOG in data))
    argv = tuple(smartctl_argv(name))
    if argv in parts.commands:
        raise fail(source, f"holds two smartctl outputs for {name}")
    try:
        health = parse_smartctl_json(raw)
    except ValueError as exc:
        raise fail(source, f"{name}: {exc}") from None
    bus = None if is_nvme(name) else bus_of(device)
    identity = identity_of(data, nvme=is_nvme(name), bus=bus)
    record_disk(parts, name, identity)
    parts.command(argv, raw)
    if bus == "usb":
        parts.notes.append(f"{name} is behind a USB bridge ({device.get('type')}): the "
                           "kernel shows the bridge's identity, so the drive's is not recorded")
    if bus == "scsi" and text_value(data.get("serial_number")):
        parts.notes.append(f"{name}: SCSI serial number not recorded (udev takes "
                           "ID_SERIAL_SHORT from VPD page 0x83)")
    if not health.supported:
        parts.notes.append(f"{name}: no SMART health in this output ({health.reason})")
    return name


def parse(text: str, source: str) -> Parts:
    """Record each smartctl output as the disk's `smartctl -j -x` output, and its identity."""
    documents = json_documents(text, source)
    if not documents:
        raise fail(source, "is empty")
    parts = Parts()
    names = [_record(parts, raw, _check(data, source), source, single=len(documents) == 1)
             for raw, data in documents]
    parts.summary = f"disk {names[0]}" if len(names) == 1 else f"{len(names)} disks"
    return parts


KIND = Kind("smartctl-json", "smartctl -j -x /dev/X", sniff, parse)
