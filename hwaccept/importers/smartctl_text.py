"""smartctl's text (`smartctl -x /dev/X`, `-a`) -> the JSON smartctl -j prints, and the disk.

The text is what smartmontools' nvmeprint.cpp, ataprint.cpp and scsiprint.cpp print
(smartctl(8)); each value is put under the key the same code writes to its JSON, with
the same type, and the result is recorded as the standard output of
`smartctl -j -x /dev/<name>` (hwaccept.inventory.command_lines.smartctl_argv). Only keys for
values the text shows are written:

- `json_format_version` [1, 0] and `smartctl.version` from the banner (7.x);
- NVMe: `model_name`, `serial_number`, `firmware_version`; `nvme_namespaces[0]`
  (`id`, `size`, `capacity`, `utilization`, `formatted_lba_size`), `user_capacity`,
  `logical_block_size`; `smart_status` (`passed`, `nvme.value`); the
  `nvme_smart_health_information_log` counters, with `temperature.current`,
  `power_cycle_count` and `power_on_time.hours` as smartctl derives them;
- ATA: identity, `user_capacity`, block sizes, `rotation_rate`, `smart_support`,
  `smart_status`, `ata_smart_attributes` (see smartctl_ata_text), `power_on_time`
  (attribute 9, then Device Statistics) and `temperature.current` (attributes 194/190,
  then SCT Status, then Device Statistics: the last printed wins, as in smartctl);
- SCSI: `scsi_vendor`, `scsi_product`, `scsi_model_name`, `scsi_revision` (`vendor`,
  `product`, `model_name`, `revision` before 7.3; `model_name` too from 7.5),
  `serial_number`, `user_capacity`, `rotation_rate`, `smart_support`, `smart_status`,
  `temperature` (`current`, `drive_trip`), `scsi_grown_defect_list` (the count the text
  prints; 7.0 and 7.1 wrote the list's byte length there) and `power_on_time`.

Counters are printed with thousands separators and exactly, 128-bit ones included;
above 2^53 smartctl adds a `KEY_s` decimal string and above 2^64 a `KEY_le` byte array
(json.cpp `set_unsafe_uint128`), and so does this; `power_on_time.hours` and
`power_cycle_count` are left out above 2^53, as smartctl does. A value printed as `--`
(masked in shared captures) is left out.

smartctl's text does not name its device. The disk is named by the shell command line
just before the banner when the capture shows it (`# smartctl -x /dev/nvme0`), else by
a device name in the file name, else guessed (hwaccept.importers.disk_tree). Several
outputs in one file (each starting with the banner) are one disk each. A run whose
command reaches the drive through a RAID controller (`-d megaraid,N`) is refused, as
smartctl JSON is (hwaccept.importers.smartctl_json). An ATA drive is recorded as on an
ATA bus unless the command names a USB bridge type (`-d usbjmicron`), a SCSI one on SCSI.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hwaccept.importers import smartctl_ata_text as ata
from hwaccept.importers.disk_tree import choose_name, is_nvme, record_disk
from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts
from hwaccept.importers.smartctl_json import bus_of, identity_of, raid_type
from hwaccept.inventory.command_lines import smartctl_argv
from hwaccept.tools.smartctl import parse_smartctl_json

BANNER = re.compile(r"^smartctl (\d+)\.(\d+)\S*( |$)")
COPYRIGHT = "Copyright (C)"
SECTION = re.compile(r"^=== START OF [A-Z /-]+ SECTION ===\s*$")
_COMMAND = re.compile(r"(?:^|[\s/])smartctl(?P<args>\s.*)$")
_FIELD = re.compile(r"^(\S[^:]*?):\s*(.*?)\s*$")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:([,.' \u00a0\u202f])[0-9]{3})(?:\1[0-9]{3})*$")
_PERCENT = re.compile(r"^(\d+)%$")
_CELSIUS = re.compile(r"^(-?\d+) Celsius$")
_NAMESPACE = re.compile(r"^Namespace (\d+) (Size/Capacity|Size|Capacity|Utilization|"
                        r"Formatted LBA Size)$")
_SECTOR_SIZES = re.compile(r"^(\d+) bytes logical(?:/physical|, (\d+) bytes physical)")
_SCSI_FAILED = re.compile(r"^(.*) \[asc=([0-9a-f]+), ascq=([0-9a-f]+)\]$")
_SCSI_HOURS = re.compile(r"Accumulated power on time, hours:minutes (\d+):(\d{2})"
                         r"|number of hours powered up = (\d+)\.(\d{2})")
NO_INFO = "[No Information Found]"

SAFE_LIMIT = 1 << 53
"""JSON numbers at or above this get a `_s` string (json.h `is_safe_uint`)."""
UINT64_LIMIT = 1 << 64
SCSI_PREFIXED_KEYS = (7, 3)
SCSI_MODEL_NAME_AGAIN = (7, 5)
Version = tuple[int, int] | None


def sniff(head: str) -> bool:
    """Whether this is smartctl text: its banner and copyright line, or a section header.

    The banner may follow a line or two (the shell command that ran smartctl).
    """
    lines = [line.strip() for line in head.splitlines()[:12] if line.strip()][:4]
    if lines and SECTION.match(lines[0]):
        return True
    return any(BANNER.match(line) and lines[k + 1].startswith(COPYRIGHT)
               for k, line in enumerate(lines[:3]) if k + 1 < len(lines))


@dataclass(frozen=True)
class Run:
    """One smartctl run in the text, and the shell command before it, if shown."""

    lines: list[str]
    command: str | None = None


def outputs(text: str) -> list[Run]:
    """Each smartctl run in the text, split at banners."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if BANNER.match(line)
              and i + 1 < len(lines) and lines[i + 1].startswith(COPYRIGHT)]
    if not starts:
        return [Run(lines)]
    return [Run(lines[a:b], _command_before(lines, a))
            for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]


def _command_before(lines: list[str], start: int) -> str | None:
    before = [line for line in lines[:start] if line.strip()]
    if before and _COMMAND.search(before[-1]) and not BANNER.match(before[-1]):
        return before[-1]
    return None


def command_device(command: str | None) -> tuple[str | None, str | None]:
    """The device path and `-d` type a shell command line gives smartctl."""
    if command is None:
        return None, None
    match = _COMMAND.search(command)
    args = match["args"].split() if match else []
    device = next((arg for arg in reversed(args) if arg.startswith("/dev/")), None)
    kind = None
    for index, arg in enumerate(args):
        if arg in ("-d", "--device") and index + 1 < len(args):
            kind = args[index + 1]
        elif arg.startswith("--device="):
            kind = arg.removeprefix("--device=")
        elif arg.startswith("-d") and len(arg) > 2 and not arg.startswith("--"):
            kind = arg[2:]
    return device, kind


def fields_of(lines: list[str]) -> dict[str, list[str]]:
    """`Key: value` lines, by key with whitespace runs as one space."""
    fields: dict[str, list[str]] = {}
    for line in lines:
        match = _FIELD.match(line)
        if match:
            fields.setdefault(" ".join(match[1].split()), []).append(match[2])
    return fields


def count(text: str) -> int | None:
    """A counter as smartctl prints it: `2,137`, `10,730,572 [5.49 TB]`, `0`."""
    number = text.split(" [", 1)[0].strip()
    if number.isdecimal():
        return int(number)
    if _GROUPED.match(number):
        return int(re.sub(r"\D", "", number))
    return None


def set_counter(node: dict[str, Any], key: str, value: int) -> None:
    """Write a counter as smartctl's `set_unsafe_uint128` does."""
    node[key] = value
    if value >= SAFE_LIMIT:
        node[f"{key}_s"] = str(value)
    if value >= UINT64_LIMIT:
        low = [value >> (8 * i) & 0xFF for i in range(8)]
        high = [value >> (64 + 8 * i) & 0xFF for i in range(8) if value >> (64 + 8 * i)]
        node[f"{key}_le"] = low + high


def _first(fields: dict[str, list[str]], key: str) -> str | None:
    """The first value printed for `key`; None when empty, not found or masked (`--`)."""
    values = fields.get(key)
    if not values or values[0] == NO_INFO or not values[0].strip("-"):
        return None
    return values[0]


def _identity(out: dict[str, Any], fields: dict[str, list[str]],
              keys: tuple[tuple[str, str], ...]) -> None:
    for label, key in keys:
        value = _first(fields, label)
        if value is not None:
            out[key] = value


def _capacity(bytes_: int, block: int | None) -> dict[str, Any]:
    node: dict[str, Any] = {}
    if block and bytes_ % block == 0:
        set_counter(node, "blocks", bytes_ // block)
    set_counter(node, "bytes", bytes_)
    return node


def _rotation(out: dict[str, Any], fields: dict[str, list[str]]) -> None:
    value = _first(fields, "Rotation Rate")
    if value == "Solid State Device":
        out["rotation_rate"] = 0
    elif value and re.match(r"^\d+ rpm$", value):
        out["rotation_rate"] = int(value.split()[0])


def _smart_support(out: dict[str, Any], fields: dict[str, list[str]]) -> None:
    support: dict[str, bool] = {}
    for value in fields.get("SMART support is", []):
        if value.startswith(("Available", "Unavailable")):
            support["available"] = value.startswith("Available")
        elif value in ("Enabled", "Disabled"):
            support["enabled"] = value == "Enabled"
    if "available" in support:
        out["smart_support"] = support if support["available"] else {"available": False}


def _overall(fields: dict[str, list[str]]) -> bool | None:
    value = _first(fields, "SMART overall-health self-assessment test result")
    return {"PASSED": True, "FAILED!": False}.get(value or "")


NVME_LOG_FIELDS = (
    ("Critical Warning", "critical_warning"), ("Temperature", "temperature"),
    ("Available Spare", "available_spare"),
    ("Available Spare Threshold", "available_spare_threshold"),
    ("Percentage Used", "percentage_used"), ("Data Units Read", "data_units_read"),
    ("Data Units Written", "data_units_written"), ("Host Read Commands", "host_reads"),
    ("Host Write Commands", "host_writes"), ("Controller Busy Time", "controller_busy_time"),
    ("Power Cycles", "power_cycles"), ("Power On Hours", "power_on_hours"),
    ("Unsafe Shutdowns", "unsafe_shutdowns"),
    ("Media and Data Integrity Errors", "media_errors"),
    ("Error Information Log Entries", "num_err_log_entries"),
    ("Warning Comp. Temperature Time", "warning_temp_time"),
    ("Critical Comp. Temperature Time", "critical_comp_time"),
)
"""NVMe SMART/Health log label -> nvme_smart_health_information_log key (nvmeprint.cpp)."""


def _nvme_value(key: str, text: str) -> int | None:
    if key == "critical_warning":
        return int(text, 16) if re.match(r"^0x[0-9a-fA-F]{1,2}$", text) else None
    if key == "temperature":
        match = _CELSIUS.match(text)
        return int(match[1]) if match else None
    if key in ("available_spare", "available_spare_threshold", "percentage_used"):
        match = _PERCENT.match(text)
        return int(match[1]) if match else None
    return count(text)


def _namespace(out: dict[str, Any], fields: dict[str, list[str]]) -> None:
    found: dict[str, int] = {}
    nsid = None
    for key, values in fields.items():
        match = _NAMESPACE.match(key)
        number = count(values[0]) if match else None
        if match and number is not None and nsid in (None, match[1]):
            nsid = match[1]
            found[match[2]] = number
    if nsid is None:
        return
    block = found.get("Formatted LBA Size")
    namespace: dict[str, Any] = {"id": int(nsid)}
    for key, labels in (("size", ("Size/Capacity", "Size")),
                        ("capacity", ("Size/Capacity", "Capacity")),
                        ("utilization", ("Utilization",))):
        size = next((found[label] for label in labels if label in found), None)
        if size is not None:
            namespace[key] = _capacity(size, block)
    if block is not None:
        namespace["formatted_lba_size"] = block
    out["nvme_namespaces"] = [namespace]
    if "capacity" in namespace:
        out["user_capacity"] = namespace["capacity"]
    if block is not None:
        out["logical_block_size"] = block


def nvme_json(out: dict[str, Any], fields: dict[str, list[str]]) -> None:
    """The NVMe keys: identity, namespace, SMART status and health log."""
    _identity(out, fields, (("Model Number", "model_name"), ("Serial Number", "serial_number"),
                            ("Firmware Version", "firmware_version")))
    _namespace(out, fields)
    log: dict[str, Any] = {}
    for label, key in NVME_LOG_FIELDS:
        text = _first(fields, label)
        value = None if text is None else _nvme_value(key, text)
        if value is not None:
            set_counter(log, key, value)
    passed = _overall(fields)
    if passed is not None:
        status: dict[str, Any] = {"passed": passed}
        if "critical_warning" in log:
            status["nvme"] = {"value": log["critical_warning"]}
        out["smart_status"] = status
    if log:
        out["nvme_smart_health_information_log"] = log
    if "temperature" in log:
        out["temperature"] = {"current": log["temperature"]}
    if log.get("power_cycles", SAFE_LIMIT) < SAFE_LIMIT:
        out["power_cycle_count"] = log["power_cycles"]
    if log.get("power_on_hours", SAFE_LIMIT) < SAFE_LIMIT:
        out["power_on_time"] = {"hours": log["power_on_hours"]}


def _sizes(out: dict[str, Any], fields: dict[str, list[str]], logical: int | None) -> None:
    capacity = _first(fields, "User Capacity")
    bytes_ = count(capacity.split(" bytes")[0]) if capacity else None
    if bytes_ is not None:
        out["user_capacity"] = _capacity(bytes_, logical)


def ata_json(out: dict[str, Any], fields: dict[str, list[str]], lines: list[str]) -> None:
    """The ATA keys: identity, SMART support and status, attributes, hours, temperature."""
    _identity(out, fields, (("Device Model", "model_name"), ("Serial Number", "serial_number"),
                            ("Firmware Version", "firmware_version")))
    sectors = _SECTOR_SIZES.match(_first(fields, "Sector Size") or
                                  _first(fields, "Sector Sizes") or "")
    logical = int(sectors[1]) if sectors else None
    _sizes(out, fields, logical)
    if sectors:
        out["logical_block_size"] = logical
        out["physical_block_size"] = int(sectors[2] or sectors[1])
    _rotation(out, fields)
    _smart_support(out, fields)
    passed = _overall(fields)
    if passed is not None:
        out["smart_status"] = {"passed": passed}
    table = ata.attribute_table(lines)
    if table:
        attributes: dict[str, Any] = {}
        revision = _first(fields, "SMART Attributes Data Structure revision number")
        if revision and revision.isdigit():
            attributes["revision"] = int(revision)
        out["ata_smart_attributes"] = {**attributes, "table": table}
    statistics = ata.device_statistics(lines)
    hours = {**ata.power_on_time(table)}
    if (1, 0x010) in statistics:
        hours["hours"] = statistics[1, 0x010]
    if hours:
        out["power_on_time"] = hours
    temperatures = (ata.attribute_temperature(table), ata.sct_temperature(fields),
                    statistics.get((5, 0x008)))
    current = next((t for t in reversed(temperatures) if t is not None), None)
    if current is not None:
        out["temperature"] = {"current": current}


def _scsi_identity(out: dict[str, Any], fields: dict[str, list[str]], version: Version) -> None:
    prefix = "scsi_" if version is None or version >= SCSI_PREFIXED_KEYS else ""
    vendor, product = _first(fields, "Vendor"), _first(fields, "Product")
    if vendor is not None:
        out[f"{prefix}vendor"] = vendor
    if product is not None:
        out[f"{prefix}product"] = product
    if vendor is not None or product is not None:
        name = " ".join(v for v in (vendor, product) if v)
        if not prefix or version is None or version >= SCSI_MODEL_NAME_AGAIN:
            out["model_name"] = name
        if prefix:
            out["scsi_model_name"] = name
    _identity(out, fields, (("Revision", f"{prefix}revision"),))


def scsi_json(out: dict[str, Any], fields: dict[str, list[str]], lines: list[str],
              version: Version) -> None:
    """The SCSI keys: identity, capacity, SMART status, temperature, defects, hours."""
    _scsi_identity(out, fields, version)
    block = re.match(r"^(\d+) bytes$", _first(fields, "Logical block size") or "")
    _sizes(out, fields, int(block[1]) if block else None)
    if block:
        out["logical_block_size"] = int(block[1])
    _rotation(out, fields)
    _identity(out, fields, (("Serial number", "serial_number"),))
    _smart_support(out, fields)
    status = _first(fields, "SMART Health Status")
    failed = _SCSI_FAILED.match(status or "")
    if status == "OK":
        out["smart_status"] = {"passed": True}
    elif failed:
        out["smart_status"] = {"passed": False, "scsi": {
            "asc": int(failed[2], 16), "ascq": int(failed[3], 16), "ie_string": failed[1]}}
    temperature = {key: int(match[1]) for key, label in (("current", "Current Drive Temperature"),
                                                         ("drive_trip", "Drive Trip Temperature"))
                   if (match := re.match(r"^(-?\d+) C$", _first(fields, label) or ""))}
    if temperature:
        out["temperature"] = temperature
    defects = _first(fields, "Elements in grown defect list")
    if defects and defects.isdigit():
        out["scsi_grown_defect_list"] = int(defects)
    hours = [m for line in lines for m in _SCSI_HOURS.finditer(line)]
    if hours:
        last = hours[-1]
        out["power_on_time"] = ({"hours": int(last[1]), "minutes": int(last[2])} if last[1]
                                else {"hours": int(last[3]),
                                      "minutes": round(int(last[4]) * 60 / 100)})


def protocol_of(fields: dict[str, list[str]], lines: list[str]) -> str | None:
    """NVMe, ATA or SCSI, from the fields only that protocol's output has."""
    if "Model Number" in fields or any("(NVMe Log 0x02" in line for line in lines):
        return "NVMe"
    if "Device Model" in fields or "ATA Version is" in fields or ata.attribute_table(lines):
        return "ATA"
    if any(key in fields for key in ("Vendor", "Product", "SMART Health Status",
                                     "Transport protocol", "Elements in grown defect list")):
        return "SCSI"
    return None


def smartctl_json(lines: list[str], source: str) -> tuple[str, dict[str, Any]]:
    """The protocol and the JSON `smartctl -j` would have printed for one run's text."""
    banner = BANNER.match(lines[0]) if lines else None
    version: Version = (int(banner[1]), int(banner[2])) if banner else None
    out: dict[str, Any] = {}
    if version is not None:
        if version[0] >= 7:
            out["json_format_version"] = [1, 0]
        out["smartctl"] = {"version": list(version)}
    fields = fields_of(lines)
    protocol = protocol_of(fields, lines)
    if protocol == "NVMe":
        nvme_json(out, fields)
    elif protocol == "ATA":
        ata_json(out, fields, lines)
    elif protocol == "SCSI":
        scsi_json(out, fields, lines, version)
    else:
        said = next((line.strip() for line in lines[1:] if line.strip()
                     and not line.startswith(COPYRIGHT)), "nothing")
        raise fail(source, f"smartctl output without device information or SMART data "
                           f"(it says: {said[:80]})")
    return protocol, out


def _record(parts: Parts, run: Run, source: str, *, single: bool) -> str:
    device, kind = command_device(run.command)
    raid = raid_type({"type": kind or ""})
    if raid is not None:
        raise fail(source, f"{device or 'the device'} is a drive behind a RAID controller "
                           f"(-d {raid}): it has no block device of its own, so the "
                           "inventory cannot hold its health")
    protocol, data = smartctl_json(run.lines, source)
    name = choose_name(parts, source, device, nvme=protocol == "NVMe", single=single)
    text = json.dumps(data, indent=2) + "\n"
    health = parse_smartctl_json(text)
    bus = None if is_nvme(name) else bus_of({"type": kind or "", "protocol": protocol})
    record_disk(parts, name, identity_of(data, nvme=is_nvme(name), bus=bus))
    parts.command(smartctl_argv(name), text)
    if not health.supported:
        parts.notes.append(f"{name}: no SMART health in this output ({health.reason})")
    return name


def parse(text: str, source: str) -> Parts:
    """Record each smartctl run as the JSON its disk's `smartctl -j -x` would print."""
    runs = [run for run in outputs(text) if any(line.strip() for line in run.lines)]
    if not runs:
        raise fail(source, "is empty")
    parts = Parts()
    names = [_record(parts, run, source, single=len(runs) == 1) for run in runs]
    parts.summary = f"disk {names[0]}" if len(names) == 1 else f"{len(names)} disks"
    return parts


KIND = Kind("smartctl", "smartctl -x /dev/X", sniff, parse)
