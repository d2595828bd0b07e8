"""`ibstatus` (infiniband-diags) -> /sys/class/infiniband port files, which it prints as they are.

ibstatus is a shell script (rdma-core, infiniband-diags/scripts/ibstatus) that prints,
for each port, `Infiniband device 'mlx5_0' port 1 status:` and then the port's sysfs
files read with `cat`: `state: 4: ACTIVE`, `phys state: 5: LinkUp`,
`rate: 200 Gb/sec (4X HDR)`, `link_layer: InfiniBand` (also `default gid`, `base lid`,
`sm lid`, which the inventory does not read). These are the kernel's strings (see
hwaccept.importers.ib_class), recorded unchanged as `state`, `phys_state`, `rate` and
`link_layer`. The script prints `unknown` for a file it cannot read, and `IB` for an
unreadable `link_layer`; neither is recorded.

Not recorded: anything about the device itself (`fw_ver`, `hca_type`, `node_guid`,
`board_id`), the PCI function behind it (no `device` link) and the counters, none of
which ibstatus prints.
"""

from __future__ import annotations

import re

from hwaccept.importers.ib_class import port_file, port_summary, valid_device_name
from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts

_HEADER = re.compile(r"^Infiniband device '(?P<device>[^']*)' port (?P<port>\d+) status:$",
                     re.MULTILINE)

FILES = {"state": "state", "phys state": "phys_state", "rate": "rate",
         "link_layer": "link_layer"}
"""ibstatus label -> the port file it printed."""

UNREADABLE = {"state": "unknown", "phys_state": "unknown", "rate": "unknown",
              "link_layer": "IB"}
"""What ibstatus prints in place of a file it cannot read."""


def sniff(head: str) -> bool:
    """Whether this is ibstatus: `Infiniband device 'name' port N status:` lines."""
    return bool(_HEADER.search(head))


def port_values(body: str) -> dict[str, str]:
    """The port files printed in one port's block, as `file name -> content`."""
    values: dict[str, str] = {}
    for line in body.splitlines():
        label, sep, value = line.strip().partition(":")
        name = FILES.get(label.strip())
        if sep and name is not None:
            values.setdefault(name, " ".join(value.split()))
    return values


def parse(text: str, source: str) -> Parts:
    """Record the `state`, `phys_state`, `rate` and `link_layer` of every port listed."""
    headers = list(_HEADER.finditer(text))
    if not headers:
        raise fail(source, "no `Infiniband device '<name>' port N status:` lines: "
                           "not ibstatus output")
    parts = Parts()
    seen: set[tuple[str, int]] = set()
    for position, header in enumerate(headers):
        device, port = header["device"], int(header["port"])
        if not valid_device_name(device):
            raise fail(source, f"device name {device!r} cannot be a directory of "
                               "/sys/class/infiniband")
        if (device, port) in seen:
            raise fail(source, f"{device} port {port} is listed twice: one ibstatus run "
                               "lists each port once")
        seen.add((device, port))
        end = headers[position + 1].start() if position + 1 < len(headers) else len(text)
        values = port_values(text[header.end():end])
        for name, value in values.items():
            if value and value != UNREADABLE[name]:
                port_file(parts, device, port, name, value)
            else:
                parts.notes.append(f"{device} port {port}: ibstatus could not read {name}")
        if "state" not in values:
            parts.notes.append(f"{device} port {port}: no state line; its block is cut short")
    fatal = [line.strip() for line in text.splitlines() if line.startswith("Fatal error:")]
    parts.notes.extend(f"ibstatus said: {line}" for line in fatal)
    if not fatal:
        parts.complete.add("ib")
    parts.summary = port_summary(len(seen), len({device for device, _ in seen}))
    return parts


KIND = Kind("ibstatus", "ibstatus", sniff, parse)
