"""InfiniBand and RoCE ports from /sys/class/infiniband.

See https://www.kernel.org/doc/Documentation/ABI/stable/sysfs-class-infiniband.
`state` and `phys_state` read `4: ACTIVE` / `5: LinkUp`; `rate` reads
`400 Gb/sec (4X NDR)`; counters are plain integers (`link_downed` is 8 bits wide
and saturates at 255).
"""

from __future__ import annotations

import errno
import re

from hwaccept.errors import UnknownUnitError
from hwaccept.inventory.records import IbPort
from hwaccept.sources.files import Files
from hwaccept.sysfs.attrs import (
    TOLERATED,
    Attr,
    describe_os_error,
    device_pci_address,
    integer,
    read_attrs,
    text,
)

CLASS_DIR = "/sys/class/infiniband"
UNSUPPORTED_COUNTER = TOLERATED | {errno.EINVAL, errno.EOPNOTSUPP}

_RATE = re.compile(r"^(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>\S+)")
_RATE_UNITS = {"Gb/sec": 1.0, "Mb/sec": 0.001}


def parse_state(value: str) -> str:
    """`4: ACTIVE` -> `ACTIVE`; a bare name is kept."""
    name = value.partition(":")[2].strip() if ":" in value else value.strip()
    if not name:
        raise ValueError(f"expected `N: NAME`, got {value.strip()!r}")
    return name


def parse_rate(value: str) -> float | None:
    """`400 Gb/sec (4X NDR)` -> 400.0 Gb/s; units other than Gb/sec or Mb/sec raise."""
    stripped = value.strip()
    if not stripped or stripped.lower().startswith("unknown"):
        return None
    match = _RATE.match(stripped)
    if match is None:
        raise ValueError(f"unrecognised rate {stripped!r}")
    scale = _RATE_UNITS.get(match["unit"])
    if scale is None:
        raise UnknownUnitError(f"unknown rate unit in {stripped!r}")
    return float(match["value"]) * scale


def parse_counter(value: str) -> int | None:
    """A counter, or None for `N/A (no PMA)` (the HCA has no performance agent)."""
    if value.strip().startswith("N/A"):
        return None
    return integer(value)


DEVICE_ATTRS = (
    Attr("firmware_version", "fw_ver", text),
    Attr("board_id", "board_id", text),
    Attr("hca_type", "hca_type", text),
    Attr("node_guid", "node_guid", text),
)

PORT_ATTRS = (
    Attr("state", "state", parse_state, required=True),
    Attr("phys_state", "phys_state", parse_state),
    Attr("rate_gbps", "rate", parse_rate),
    Attr("rate", "rate", text),
    Attr("link_layer", "link_layer", text),
)


def read_counters(files: Files, port_dir: str) -> tuple[dict[str, int], list[str]]:
    """Every integer under `counters/`; counters the HCA does not support are skipped."""
    try:
        names = files.listdir(f"{port_dir}/counters")
    except OSError as exc:
        if exc.errno in TOLERATED:
            return {}, []
        return {}, [f"{port_dir}/counters: {describe_os_error(exc)}"]
    table = [Attr(n, f"counters/{n}", parse_counter, tolerate=UNSUPPORTED_COUNTER) for n in names]
    values, problems = read_attrs(files, port_dir, table)
    return {name: count for name, count in values.items() if count is not None}, problems


def read_ports(files: Files, device: str) -> tuple[IbPort, ...]:
    """All ports of one HCA (`mlx5_0`)."""
    base = f"{CLASS_DIR}/{device}"
    shared, device_problems = read_attrs(files, base, DEVICE_ATTRS)
    pci_address = device_pci_address(files, base)
    try:
        port_names = [p for p in files.listdir(f"{base}/ports") if p.isdigit()]
    except OSError as exc:
        return (IbPort(device, 0, errors=(f"{base}/ports: {describe_os_error(exc)}",)),)
    ports = []
    for name in sorted(port_names, key=int):
        port_dir = f"{base}/ports/{name}"
        values, problems = read_attrs(files, port_dir, PORT_ATTRS)
        counters, counter_problems = read_counters(files, port_dir)
        errors = tuple(device_problems + problems + counter_problems)
        ports.append(IbPort(device, int(name), pci_address=pci_address, counters=counters,
                            errors=errors, **shared, **values))
    return tuple(ports)


def ib_ports(files: Files) -> tuple[IbPort, ...]:
    """Every port of every InfiniBand/RoCE device, by device then port number."""
    try:
        devices = files.listdir(CLASS_DIR)
    except OSError:
        return ()
    return tuple(port for device in devices for port in read_ports(files, device))
