"""Memory totals from /proc/meminfo.

See https://www.kernel.org/doc/html/latest/filesystems/proc.html (meminfo).
"""

from __future__ import annotations

from hwaccept.errors import UnknownUnitError

MEMINFO = "/proc/meminfo"
_UNITS = {"kB": 1024, "": 1}


def parse_meminfo(text: str) -> dict[str, int]:
    """`MemTotal:  24684084 kB` lines -> {"MemTotal": bytes}; unknown units raise."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        if not sep:
            continue
        number, _, unit = rest.strip().partition(" ")
        if unit.strip() not in _UNITS:
            raise UnknownUnitError(f"{key}: unknown unit {unit.strip()!r}")
        values[key.strip()] = int(number) * _UNITS[unit.strip()]
    return values


def memory_total(text: str) -> int:
    """MemTotal in bytes."""
    values = parse_meminfo(text)
    if "MemTotal" not in values:
        raise ValueError("no MemTotal line")
    return values["MemTotal"]
