"""Network interfaces from /sys/class/net.

See https://www.kernel.org/doc/Documentation/ABI/testing/sysfs-class-net and
sysfs-class-net-statistics. Only interfaces backed by a device (a PCI function,
a virtio device) are NICs; loopback, bridges, veths and the like are virtual.
"""

from __future__ import annotations

import errno
import posixpath

from hwaccept.record import Record
from hwaccept.sources.files import Files, UdevDevice
from hwaccept.static_types import TYPE_CHECKING
from hwaccept.sysfs.attrs import (
    TOLERATED,
    Attr,
    boolean,
    device_pci_address,
    integer,
    read_attrs,
    text,
)

if TYPE_CHECKING:
    from typing import Any

NO_LINK = TOLERATED | {errno.EINVAL}
"""carrier, speed and duplex fail with EINVAL while the interface is down."""

COUNTERS = (
    "rx_errors",
    "tx_errors",
    "rx_dropped",
    "tx_dropped",
    "rx_crc_errors",
    "rx_frame_errors",
    "rx_missed_errors",
    "rx_fifo_errors",
    "tx_carrier_errors",
    "collisions",
)


def parse_speed(value: str) -> int | None:
    """Mb/s; the kernel writes -1 (or UINT32_MAX) when the speed is unknown."""
    speed = integer(value)
    return None if speed < 0 or speed == 0xFFFFFFFF else speed


def parse_duplex(value: str) -> str | None:
    """`full`/`half`; `unknown` is None."""
    stripped = value.strip()
    return None if stripped in ("", "unknown") else stripped


ATTRS = (
    Attr("mac", "address", text),
    Attr("operstate", "operstate", text),
    Attr("carrier", "carrier", boolean, tolerate=NO_LINK),
    Attr("speed_mbps", "speed", parse_speed, tolerate=NO_LINK),
    Attr("duplex", "duplex", parse_duplex, tolerate=NO_LINK),
    Attr("mtu", "mtu", integer),
    Attr("carrier_changes", "carrier_changes", integer),
)


class NetInterface(Record):
    """What sysfs says about one interface (the NIC record adds ethtool's view)."""

    name: str
    pci_address: str | None
    driver: str | None
    values: dict[str, Any]
    counters: dict[str, int]
    errors: tuple[str, ...]


def driver_of(files: Files, sys_path: str) -> str | None:
    """The driver bound to the interface's device (`device/driver` link)."""
    try:
        return posixpath.basename(files.realpath(f"{sys_path}/device/driver"))
    except OSError:
        return None


def is_physical(device: UdevDevice) -> bool:
    """Backed by hardware: not under /sys/devices/virtual."""
    return "/devices/virtual/" not in device.sys_path


def read_net_interface(files: Files, device: UdevDevice) -> NetInterface:
    """Read one interface's state and error counters."""
    values, problems = read_attrs(files, device.sys_path, ATTRS)
    table = [Attr(name, f"statistics/{name}", integer) for name in COUNTERS]
    counters, counter_problems = read_attrs(files, device.sys_path, table)
    return NetInterface(
        name=device.sys_name,
        pci_address=device_pci_address(files, device.sys_path),
        driver=driver_of(files, device.sys_path),
        values=values,
        counters=counters,
        errors=tuple(problems + counter_problems),
    )


def net_interfaces(files: Files) -> tuple[NetInterface, ...]:
    """Every physical network interface, by name."""
    devices = (d for d in files.devices("net") if is_physical(d))
    return tuple(sorted((read_net_interface(files, d) for d in devices), key=lambda n: n.name))
