"""The /sys/class/infiniband strings the kernel prints, shared by the ibstat and ibstatus importers.

From drivers/infiniband/core/sysfs.c (Linux): a port's `state` reads `"%d: %s"` with
NOP, DOWN, INIT, ARMED, ACTIVE, ACTIVE_DEFER for 0-5 (UNKNOWN past them); `phys_state`
reads `"%u: %s"` with <unknown>, Sleep, Polling, Disabled, PortConfigurationTraining,
LinkUp, LinkErrorRecovery, Phy Test for 0-7 (<unknown> past them); `rate` reads
`"%d%s Gb/sec (%dX%s)"` (whole Gb/s, `.5` for 1X SDR, lane count, speed name);
`link_layer` reads InfiniBand, Ethernet or Unknown. A device's `node_guid` reads
`"%04x:%04x:%04x:%04x"`, the GUID's four 16-bit groups in network order; `fw_ver` and
`hca_type` are the driver's strings as they are. Every file ends with a newline.
"""

from __future__ import annotations

import re

from hwaccept.importers.parts import Parts
from hwaccept.sysfs.class_infiniband import CLASS_DIR

STATE_NAMES = ("NOP", "DOWN", "INIT", "ARMED", "ACTIVE", "ACTIVE_DEFER")
"""`state` names by number (enum ib_port_state)."""

PHYS_STATE_NAMES = ("<unknown>", "Sleep", "Polling", "Disabled", "PortConfigurationTraining",
                    "LinkUp", "LinkErrorRecovery", "Phy Test")
"""`phys_state` names by number (enum ib_port_phys_state)."""

LINK_LAYERS = frozenset({"InfiniBand", "Ethernet", "Unknown"})
"""Every `link_layer` the kernel prints."""

_GUID = re.compile(r"^0x(?P<digits>[0-9a-fA-F]{16})$")
_NAME = re.compile(r"^[^/\s]+$")


def state_text(number: int) -> str:
    """The `state` file for port state `number`: 4 -> `4: ACTIVE`."""
    name = STATE_NAMES[number] if 0 <= number < len(STATE_NAMES) else "UNKNOWN"
    return f"{number}: {name}"


def phys_state_text(number: int) -> str:
    """The `phys_state` file for physical state `number`: 5 -> `5: LinkUp`."""
    name = PHYS_STATE_NAMES[number] if 0 <= number < len(PHYS_STATE_NAMES) else "<unknown>"
    return f"{number}: {name}"


def guid_text(value: str) -> str | None:
    """`0x58a2e10300a7820e` -> `58a2:e103:00a7:820e`; None when not a 64-bit hex GUID."""
    match = _GUID.match(value.strip())
    if match is None:
        return None
    digits = match["digits"].lower()
    return ":".join(digits[i:i + 4] for i in range(0, 16, 4))


def valid_device_name(name: str) -> bool:
    """Whether `name` can be a directory under /sys/class/infiniband (`mlx5_0`)."""
    return bool(_NAME.match(name)) and name not in (".", "..")


def device_file(parts: Parts, device: str, name: str, value: str) -> None:
    """Record /sys/class/infiniband/<device>/<name>."""
    parts.file(f"{CLASS_DIR}/{device}/{name}", value)


def port_file(parts: Parts, device: str, port: int, name: str, value: str) -> None:
    """Record /sys/class/infiniband/<device>/ports/<port>/<name>."""
    parts.file(f"{CLASS_DIR}/{device}/ports/{port}/{name}", value)


def port_summary(ports: int, devices: int) -> str:
    """`17 ports of 17 devices`."""
    return (f"{ports} port{'s' if ports != 1 else ''} of "
            f"{devices} device{'s' if devices != 1 else ''}")
