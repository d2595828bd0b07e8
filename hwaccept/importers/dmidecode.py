"""`dmidecode` text -> /sys/class/dmi/id, where the kernel exposes the same SMBIOS strings.

dmidecode prints one block per SMBIOS structure (`Handle 0x0100, DMI type 1, 27 bytes`,
a title line, then tab-indented `Key: Value` lines); see dmidecode(8) and the SMBIOS
specification (DSP0134) for the types. Types 0 (BIOS), 1 (System), 2 (Base Board) and
3 (Chassis) are recorded; the first structure of each type wins, as the kernel's does.
"""

from __future__ import annotations

import re

from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts
from hwaccept.sysfs.dmi_id import DMI_DIR

_HANDLE = re.compile(r"^Handle 0x[0-9A-Fa-f]+, DMI type (\d+),", re.MULTILINE)

FIELDS: dict[int, tuple[tuple[str, str], ...]] = {
    0: (("Vendor", "bios_vendor"), ("Version", "bios_version"),
        ("Release Date", "bios_date")),
    1: (("Manufacturer", "sys_vendor"), ("Product Name", "product_name"),
        ("Version", "product_version"), ("Serial Number", "product_serial"),
        ("UUID", "product_uuid"), ("SKU Number", "product_sku"), ("Family", "product_family")),
    2: (("Manufacturer", "board_vendor"), ("Product Name", "board_name"),
        ("Version", "board_version"), ("Serial Number", "board_serial"),
        ("Asset Tag", "board_asset_tag")),
    3: (("Manufacturer", "chassis_vendor"), ("Version", "chassis_version"),
        ("Serial Number", "chassis_serial"), ("Asset Tag", "chassis_asset_tag")),
}
"""SMBIOS type -> (dmidecode key, /sys/class/dmi/id file)."""


def sniff(head: str) -> bool:
    """Whether this is dmidecode: `# dmidecode` and `Handle 0x..., DMI type N` lines."""
    return head.lstrip().startswith("# dmidecode") or bool(_HANDLE.search(head))


def structures(text: str) -> list[tuple[int, dict[str, str]]]:
    """Each structure's type and its one-line `Key: Value` fields."""
    found: list[tuple[int, dict[str, str]]] = []
    for block in re.split(r"\n\s*\n", text):
        match = _HANDLE.search(block)
        if match is None:
            continue
        values: dict[str, str] = {}
        for line in block[match.end():].splitlines():
            key, sep, value = line.strip().partition(": ")
            if sep and line[:1].isspace():
                values.setdefault(key, value.strip())
        found.append((int(match[1]), values))
    return found


def parse(text: str, source: str) -> Parts:
    """Record the identity strings of SMBIOS types 0-3."""
    parts = Parts()
    seen: set[int] = set()
    for kind, values in structures(text):
        if kind not in FIELDS or kind in seen:
            continue
        seen.add(kind)
        for key, name in FIELDS[kind]:
            if key in values:
                value = values[key].lower() if name == "product_uuid" else values[key]
                parts.file(f"{DMI_DIR}/{name}", value)
    if not seen:
        raise fail(source, "dmidecode output without BIOS, system, board or chassis "
                           "information (types 0-3)")
    parts.summary = "SMBIOS types " + ", ".join(str(k) for k in sorted(seen))
    return parts


KIND = Kind("dmidecode", "dmidecode", sniff, parse)
