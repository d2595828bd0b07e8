"""`ibstat` (infiniband-diags) -> /sys/class/infiniband, the files ibstat itself reads.

ibstat (rdma-core, infiniband-diags/ibstat.c) prints a block per device: `CA 'mlx5_0'`,
indented `CA type`, `Firmware version`, `Node GUID` and others, then per port `Port 1:`
with `State`, `Physical state`, `Rate`, `Link layer`. libibumad reads every one of them
from /sys/class/infiniband (libibumad/umad.c and sysfs.c), so each converts back to the
file it came from, as the kernel prints it (see hwaccept.importers.ib_class):

- `CA type` is `hca_type` and `Firmware version` is `fw_ver`, unchanged.
- `Node GUID: 0x58a2e10300a7820e` is `node_guid` `58a2:e103:00a7:820e`.
- `State` names the number `state` starts with: Down, Initializing, Armed, Active are
  1-4 (`4: ACTIVE`). `???` stands for 0 or anything above 4 and is not recorded.
- `Physical state` names the number of `phys_state`: No state change, Sleep, Polling,
  Disabled, PortConfigurationTraining, LinkUp, LinkErrorRecovery, PhyTest are 0-7
  (`5: LinkUp`, `7: Phy Test`). `???` is not recorded.
- `Link layer` is `link_layer` unchanged; `IB`, printed when ibstat could not read the
  file, is not recorded.
- `Rate` is the number `rate` starts with (`2.5` for 1X SDR). The lane count and speed
  name the file goes on with are not printed and cannot be told from the number (200 is
  4X HDR or 2X NDR), so `rate` is recorded as far as it is known, `400 Gb/sec`; the
  inventory reads the same 400 Gb/s from it as from `400 Gb/sec (4X NDR)`. A rate ibstat
  marks `(FDR10)` is known whole: `40 (FDR10)` is `40 Gb/sec (4X FDR10)` (10 Gb/s a lane).

Not recorded: which PCI function a device is (no `device` link), `board_id` and the
port counters, none of which ibstat prints. ibstat stops at the first device it cannot
read (`ibpanic: ... stat of IB device 'mlx5_8' failed`, exit status 255): the devices
printed before it are imported and a note names the one it stopped at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hwaccept.importers.ib_class import (
    LINK_LAYERS,
    device_file,
    guid_text,
    phys_state_text,
    port_file,
    port_summary,
    state_text,
    valid_device_name,
)
from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts
from hwaccept.sysfs.class_infiniband import CLASS_DIR

_NODE_TYPES = r"(?:CA|Switch|Router|iWARP RNIC|\?\?\?)"
_HEADER = re.compile(rf"^{_NODE_TYPES}:? '(?P<name>[^']*)'$")
_PORT = re.compile(r"^Port (?P<number>\d+):$")
_RATE = re.compile(r"^(?P<rate>\d+(?:\.5)?)(?: \((?P<fdr10>FDR10)\))?$")
_TOOL_MESSAGE = re.compile(
    r"^(?P<tool>ibpanic|ibwarn|iberror): (?:\[\d+\] )?(?:\w+: )?(?P<message>.*)$")
_SNIFF_BLOCK = re.compile(
    r"^(?:CA|Switch|Router|iWARP RNIC) '[^'\n]+'\n[ \t]+(?:CA|Switch|Router|iWARP RNIC) "
    r"type: ", re.MULTILINE)
_SNIFF_ONE_PORT = re.compile(r"^CA: '[^'\n]+'\nPort \d+:\n[ \t]*State: ", re.MULTILINE)
_STOPPED = re.compile(r"stat of IB device '(?P<name>[^']*)' failed")

STATES = {"Down": 1, "Initializing": 2, "Armed": 3, "Active": 4}
"""ibstat's port state names (port_state_str) -> the number `state` starts with."""

PHYS_STATES = {"No state change": 0, "Sleep": 1, "Polling": 2, "Disabled": 3,
               "PortConfigurationTraining": 4, "LinkUp": 5, "LinkErrorRecovery": 6,
               "PhyTest": 7}
"""ibstat's physical state names (port_phy_state_str) -> the number of `phys_state`."""

FDR10_LANE_GBPS = 10


@dataclass
class Block:
    """One device as ibstat printed it: its `Key: value` lines and those of each port."""

    name: str
    fields: dict[str, str] = field(default_factory=dict)
    ports: dict[int, dict[str, str]] = field(default_factory=dict)


@dataclass
class Listing:
    """Everything read from ibstat's output."""

    blocks: list[Block] = field(default_factory=list)
    messages: list[tuple[str, str]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)


def sniff(head: str) -> bool:
    """Whether this is ibstat: `CA 'name'` followed by an indented `CA type:` line."""
    return bool(_SNIFF_BLOCK.search(head) or _SNIFF_ONE_PORT.search(head))


def read_listing(text: str) -> Listing:
    """Split ibstat's output into device blocks, tool messages and lines not understood."""
    listing = Listing()
    block: Block | None = None
    port: dict[str, str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if match := _TOOL_MESSAGE.match(stripped):
            listing.messages.append((match["tool"], match["message"]))
        elif match := _HEADER.match(stripped):
            block, port = Block(match["name"]), None
            listing.blocks.append(block)
        elif block is not None and (match := _PORT.match(stripped)):
            port = block.ports.setdefault(int(match["number"]), {})
        elif block is not None and ":" in stripped:
            key, _, value = stripped.partition(":")
            (port if port is not None else block.fields).setdefault(key.strip(), value.strip())
        else:
            listing.unread.append(stripped)
    return listing


def rate_text(value: str) -> str | None:
    """The `rate` file as far as ibstat's `Rate` tells it: `400` -> `400 Gb/sec`."""
    match = _RATE.match(value)
    if match is None:
        return None
    if match["fdr10"] and "." not in match["rate"] and int(match["rate"]) % FDR10_LANE_GBPS == 0:
        return f"{match['rate']} Gb/sec ({int(match['rate']) // FDR10_LANE_GBPS}X FDR10)"
    return f"{match['rate']} Gb/sec"


def record_port(parts: Parts, device: str, number: int, values: dict[str, str]) -> None:
    """Record one port's `state`, `phys_state`, `rate` and `link_layer`."""
    where = f"{device} port {number}"
    state = values.get("State")
    if state in STATES:
        port_file(parts, device, number, "state", state_text(STATES[state]))
    elif state is not None:
        parts.notes.append(f"{where}: state {state!r} stands for no single state number; "
                           "not recorded")
    phys = values.get("Physical state")
    if phys in PHYS_STATES:
        port_file(parts, device, number, "phys_state", phys_state_text(PHYS_STATES[phys]))
    elif phys is not None:
        parts.notes.append(f"{where}: physical state {phys!r} stands for no single number; "
                           "not recorded")
    rate = values.get("Rate")
    if rate is not None:
        text = rate_text(rate)
        if text is None:
            parts.notes.append(f"{where}: rate {rate!r} is not a number of Gb/s; not recorded")
        else:
            port_file(parts, device, number, "rate", text)
            if "(" not in text:
                parts.partial.add(f"{CLASS_DIR}/{device}/ports/{number}/rate")
    layer = values.get("Link layer")
    if layer in LINK_LAYERS:
        port_file(parts, device, number, "link_layer", layer)
    elif layer is not None:
        parts.notes.append(f"{where}: link layer {layer!r} is not one the kernel names "
                           "(ibstat prints IB when it cannot read it); not recorded")


def record_device(parts: Parts, block: Block) -> None:
    """Record a device's `hca_type`, `fw_ver`, `node_guid` and every port."""
    name = block.name
    node_type = next((v for k, v in block.fields.items() if k.endswith(" type")), "")
    if node_type:
        device_file(parts, name, "hca_type", node_type)
    if block.fields.get("Firmware version"):
        device_file(parts, name, "fw_ver", block.fields["Firmware version"])
    guid = block.fields.get("Node GUID")
    if guid is not None:
        text = guid_text(guid)
        if text is None:
            parts.notes.append(f"{name}: node GUID {guid!r} is not a 64-bit hex GUID; "
                               "not recorded")
        else:
            device_file(parts, name, "node_guid", text)
    for number, values in sorted(block.ports.items()):
        record_port(parts, name, number, values)


def message_note(tool: str, message: str) -> str:
    """What an ibpanic / ibwarn line means for this import."""
    stopped = _STOPPED.search(message)
    if tool == "ibpanic" and stopped:
        return (f"ibstat stopped at device {stopped['name']} ({message}): it and any device "
                "ibstat would have listed after it are not in this file")
    return f"ibstat said: {tool}: {message}"


def parse(text: str, source: str) -> Parts:
    """Record the device and port files of every device ibstat printed."""
    listing = read_listing(text)
    if not listing.blocks:
        raise fail(source, "no `CA '<name>'` device blocks: not ibstat output")
    seen: set[str] = set()
    for block in listing.blocks:
        if not valid_device_name(block.name):
            raise fail(source, f"device name {block.name!r} cannot be a directory of "
                               "/sys/class/infiniband")
        if block.name in seen:
            raise fail(source, f"device {block.name} is listed twice: one ibstat run "
                               "lists each device once")
        seen.add(block.name)
    listed = [b for b in listing.blocks if b.ports]
    if not listed:
        raise fail(source, "ibstat output names devices but no ports (`ibstat -s`?); "
                           "run plain `ibstat`")
    parts = Parts()
    for block in listing.blocks:
        if block.ports:
            record_device(parts, block)
        else:
            parts.notes.append(f"{block.name}: no ports listed; the device is not recorded")
    parts.notes.extend(message_note(tool, message) for tool, message in listing.messages)
    if listing.unread:
        parts.notes.append(f"{len(listing.unread)} line(s) not understood, the first: "
                           f"{listing.unread[0]!r}")
    if not listing.messages:
        parts.complete.add("ib")
    parts.summary = port_summary(sum(len(b.ports) for b in listed), len(listed))
    return parts


KIND = Kind("ibstat", "ibstat", sniff, parse)
