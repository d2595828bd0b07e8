"""Parsers for `ethtool -i IFACE` (driver info) and `ethtool IFACE` (link settings).

See ethtool(8), https://man7.org/linux/man-pages/man8/ethtool.8.html. Both print
`Key: value` lines; `Supported link modes` continues over indented lines.
"""

from __future__ import annotations

import re

from hwaccept.record import Record

_LINK_MODE = re.compile(r"^(?P<mbps>\d+)base")
_SPEED = re.compile(r"^(?P<mbps>\d+)\s*Mb/s$")


class DriverInfo(Record):
    """`ethtool -i`: the driver bound to an interface and the device's firmware."""

    driver: str | None = None
    version: str | None = None
    firmware_version: str | None = None
    bus_info: str | None = None


class LinkSettings(Record):
    """`ethtool`: negotiated and supported link settings."""

    speed_mbps: int | None = None
    duplex: str | None = None
    port: str | None = None
    link_detected: bool | None = None
    supported_max_mbps: int | None = None


def parse_fields(text: str) -> dict[str, str]:
    """`Key: value` lines; a line without a colon continues the previous value."""
    fields: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            last = key.strip()
            fields[last] = value.strip()
        elif last is not None and line.strip():
            fields[last] = f"{fields[last]} {line.strip()}".strip()
    return fields


def _optional(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def parse_driver_info(text: str) -> DriverInfo:
    """Parse `ethtool -i` output; empty values are None."""
    fields = parse_fields(text)
    if "driver" not in fields:
        raise ValueError("no `driver:` line in ethtool -i output")
    return DriverInfo(
        driver=_optional(fields.get("driver")),
        version=_optional(fields.get("version")),
        firmware_version=_optional(fields.get("firmware-version")),
        bus_info=_optional(fields.get("bus-info")),
    )


def parse_speed(value: str | None) -> int | None:
    """`25000Mb/s` -> 25000; `Unknown!` -> None."""
    match = _SPEED.match((value or "").strip())
    return int(match["mbps"]) if match else None


def supported_max(modes: str | None) -> int | None:
    """Fastest of `10baseT/Half ... 400000baseCR4/Full`; None when not reported."""
    speeds = [int(m["mbps"]) for word in (modes or "").split() if (m := _LINK_MODE.match(word))]
    return max(speeds) if speeds else None


def parse_settings(text: str) -> LinkSettings:
    """Parse `ethtool IFACE` output."""
    fields = parse_fields(text)
    if not any(line.startswith("Settings for ") for line in text.splitlines()):
        raise ValueError("no `Settings for` header in ethtool output")
    duplex = (fields.get("Duplex") or "").split(" ")[0].rstrip("!")
    detected = fields.get("Link detected")
    return LinkSettings(
        speed_mbps=parse_speed(fields.get("Speed")),
        duplex=duplex.lower() if duplex and duplex != "Unknown" else None,
        port=_optional(fields.get("Port")),
        link_detected=None if detected is None else detected == "yes",
        supported_max_mbps=supported_max(fields.get("Supported link modes")),
    )
