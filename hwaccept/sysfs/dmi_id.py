"""Chassis, board and BIOS identity from /sys/class/dmi/id (SMBIOS via the kernel).

See https://www.kernel.org/doc/Documentation/ABI/testing/sysfs-class-dmi-id. The
serial numbers are readable by root only; read as another user they are errors
("Permission denied"), not blanks. Placeholder strings vendors leave in SMBIOS
("To Be Filled By O.E.M.", "Default string") mean unknown.
"""

from __future__ import annotations

from hwaccept.sources.files import Files
from hwaccept.static_types import TYPE_CHECKING
from hwaccept.sysfs.attrs import Attr, read_attrs

if TYPE_CHECKING:
    from typing import Any

DMI_DIR = "/sys/class/dmi/id"

PLACEHOLDERS = frozenset({
    "", "to be filled by o.e.m.", "default string", "not specified", "system serial number",
    "system product name", "system manufacturer", "0123456789", "none", "n/a",
})


def dmi_string(value: str) -> str | None:
    """An SMBIOS string, None when it is a vendor placeholder."""
    stripped = value.strip()
    return None if stripped.lower() in PLACEHOLDERS else stripped


ATTRS = tuple(
    Attr(name, file, dmi_string)
    for name, file in (
        ("vendor", "sys_vendor"),
        ("product", "product_name"),
        ("serial", "product_serial"),
        ("board_vendor", "board_vendor"),
        ("board_name", "board_name"),
        ("board_serial", "board_serial"),
        ("chassis_serial", "chassis_serial"),
        ("bios_vendor", "bios_vendor"),
        ("bios_version", "bios_version"),
        ("bios_date", "bios_date"),
    )
)


def read_dmi(files: Files) -> tuple[dict[str, Any], list[str]]:
    """DMI identity fields for `System`, and problems reading them."""
    return read_attrs(files, DMI_DIR, ATTRS)
