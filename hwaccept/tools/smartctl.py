"""Drive health from the JSON of smartctl (smartmontools).

Reads what `smartctl -j -x /dev/X` prints; `-a`, `--all` and `--info` print the same
keys or a subset of them. Keys and exit status follow smartctl(8), options `--json`
and section EXIT STATUS:
https://github.com/smartmontools/smartmontools/blob/main/src/smartctl.8.in

NVMe health is under `nvme_smart_health_information_log`, ATA health in attributes 5
and 197 of `ata_smart_attributes.table`, SCSI health in `scsi_grown_defect_list`; every
device type shares `smart_status.passed`, `temperature.current` and
`power_on_time.hours`. smartctl prints integers wider than 64 bits as plain JSON
numbers, which Python reads exactly, so no counter is ever clipped.

An output without a single health value, or whose `smart_support.available` is false
(smartctl can still print a temperature for such a device), yields `supported=False`.
The reason is the first message of severity "error" (`/dev/vda: Unable to detect
device type` on a virtio disk), else "smartctl: device lacks SMART capability" when
`smart_support` says so, else "smartctl reported no SMART data". The last covers an
identify-only run (`smartctl --info`): the drive may well keep SMART data, but this
output does not tell how healthy it is, and a supported record with every value None
would read as a drive with nothing wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

from hwaccept.inventory.records import SmartHealth, SmartSource
from hwaccept.record import replace
from hwaccept.static_types import TYPE_CHECKING
from hwaccept.tools.json_output import load_object

if TYPE_CHECKING:
    from typing import Any

JsonPath = tuple[str, ...]

NVME_LOG = "nvme_smart_health_information_log"

FIELDS: tuple[tuple[str, tuple[JsonPath, ...]], ...] = (
    ("critical_warning", ((NVME_LOG, "critical_warning"),)),
    ("media_errors", ((NVME_LOG, "media_errors"),)),
    ("percentage_used", ((NVME_LOG, "percentage_used"),)),
    ("available_spare", ((NVME_LOG, "available_spare"),)),
    ("available_spare_threshold", ((NVME_LOG, "available_spare_threshold"),)),
    ("temperature_c", (("temperature", "current"), (NVME_LOG, "temperature"))),
    ("power_on_hours", (("power_on_time", "hours"), (NVME_LOG, "power_on_hours"))),
    ("unsafe_shutdowns", ((NVME_LOG, "unsafe_shutdowns"),)),
    ("error_log_entries", ((NVME_LOG, "num_err_log_entries"),)),
    ("grown_defects", (("scsi_grown_defect_list",),)),
)
"""Record field, then the JSON paths that may hold it; the first one present wins."""

ATA_ATTRIBUTES: Mapping[str, int] = {"reallocated_sectors": 5, "pending_sectors": 197}
"""Record field -> ATA attribute id (Reallocated_Sector_Ct, Current_Pending_Sector)."""

EXIT_BITS = (
    "command_line_error",
    "device_open_failed",
    "smart_command_failed",
    "smart_status_failing",
    "prefail_attribute_failing",
    "attribute_failed_in_past",
    "error_log_has_errors",
    "self_test_log_has_errors",
)
"""Name of each bit of smartctl's exit status, bit 0 first (smartctl(8), EXIT STATUS)."""

NO_DATA = "smartctl reported no SMART data"
NO_CAPABILITY = "smartctl: device lacks SMART capability"


def parse_smartctl_json(text: str) -> SmartHealth:
    """Parse the JSON smartctl prints with `-j` into one `SmartHealth`.

    Raises:
        ValueError: the text is not JSON, is not a JSON object, or a health key holds
            a value of the wrong type.

    """
    data = load_object(text, "smartctl -j", "-j")
    passed = _passed(data)
    values: dict[str, Any] = {**_fields(data), **_ata_attributes(data)}
    found = passed is not None or any(value is not None for value in values.values())
    if not found or _lacks_smart(data):
        return SmartHealth(SmartSource.SMARTCTL, supported=False, reason=_why_not(data))
    return replace(SmartHealth(SmartSource.SMARTCTL, supported=True, passed=passed), **values)


def smartctl_exit_bits(status: int) -> tuple[str, ...]:
    """Name the bits set in smartctl's exit status, lowest bit first.

    Raises:
        ValueError: `status` is not a byte (a negative return code means a signal).

    """
    if not 0 <= status <= 0xFF:
        raise ValueError(f"smartctl exit status must be 0..255, got {status}")
    return tuple(name for bit, name in enumerate(EXIT_BITS) if status >> bit & 1)


def lookup(data: Mapping[str, Any], path: JsonPath) -> Any:
    """Return the value at `path`, or None when a key on the way is absent."""
    node: Any = data
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _integer(value: Any, where: str) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ValueError(f"{where}: expected an integer, got {value!r}")


def _fields(data: Mapping[str, Any]) -> dict[str, int | None]:
    return {field: _first(data, paths) for field, paths in FIELDS}


def _first(data: Mapping[str, Any], paths: tuple[JsonPath, ...]) -> int | None:
    for path in paths:
        value = _integer(lookup(data, path), ".".join(path))
        if value is not None:
            return value
    return None


def _ata_attributes(data: Mapping[str, Any]) -> dict[str, int | None]:
    table = lookup(data, ("ata_smart_attributes", "table"))
    rows = table if isinstance(table, list) else []
    by_id = {row.get("id"): row for row in rows if isinstance(row, dict)}
    return {field: _ata_raw(by_id.get(ident), ident) for field, ident in ATA_ATTRIBUTES.items()}


def _ata_raw(row: Mapping[str, Any] | None, ident: int) -> int | None:
    if row is None:
        return None
    return _integer(lookup(row, ("raw", "value")), f"ata_smart_attributes id {ident} raw.value")


def _passed(data: Mapping[str, Any]) -> bool | None:
    value = lookup(data, ("smart_status", "passed"))
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"smart_status.passed: expected true or false, got {value!r}")


def _lacks_smart(data: Mapping[str, Any]) -> bool:
    return lookup(data, ("smart_support", "available")) is False


def _why_not(data: Mapping[str, Any]) -> str:
    if (error := _first_error(data)) is not None:
        return error
    return NO_CAPABILITY if _lacks_smart(data) else NO_DATA


def _first_error(data: Mapping[str, Any]) -> str | None:
    messages = lookup(data, ("smartctl", "messages"))
    for message in messages if isinstance(messages, list) else ():
        if isinstance(message, dict) and message.get("severity") == "error":
            return str(message.get("string", "")).strip() or None
    return None
