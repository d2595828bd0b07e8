"""`lspci` text (`-vvv`, `-nn`, `-nnvvv`, `-k`, with or without `-D`) -> the sysfs PCI tree.

lspci (pciutils, lspci.c and ls-caps.c) prints one line per PCI function,
`[domain:]bus:dev.fn class: vendor device (rev xx) (prog-if xx [name])`, and with `-v`/`-k`
tab-indented detail lines under it (the config space dumps of `-x`..`-xxxx` are skipped).
Each function is recorded as Linux shows it under
/sys (Documentation/ABI/testing/sysfs-bus-pci; drivers/pci/pci-sysfs.c):

- its directory where the kernel puts it: under the bridge whose `Bus: secondary..
  subordinate` range holds its bus (the innermost one), else directly under its root bus
  `/sys/devices/pci<domain>:<bus>`, and the link `/sys/bus/pci/devices/<address>` to it;
- `vendor`, `device`, `subsystem_vendor`, `subsystem_device` as `0x%04x`, `class` as
  `0x%06x`, `revision` as `0x%02x` (pci-sysfs.c `pci_config_attr`); the subsystem of a
  bridge comes from its `Subsystem` capability, as `pci_setup_device` reads it;
- `numa_node` (`NUMA node: N`, or `NUMA node N` in the `-v` flags);
- `current_link_speed` / `current_link_width` from LnkSta, `max_link_speed` /
  `max_link_width` from LnkCap2's highest supported speed (or LnkCap's speed when lspci
  does not print LnkCap2) and LnkCap's width, speeds in `pci_speed_string`'s form
  (`32.0 GT/s PCIe`, drivers/pci/probe.c); a speed lspci calls unknown is not recorded;
- a `driver` link to /sys/bus/pci/drivers/<name> (`Kernel driver in use:`);
- `uevent` as `pci_uevent` (drivers/pci/pci-driver.c) and the driver core write it:
  `DRIVER`, `PCI_CLASS=%04X`, `PCI_ID`, `PCI_SUBSYS_ID`, `PCI_SLOT_NAME`, and `MODALIAS`
  when every number in it is known, each only when known.

Ids printed as names (without `-n`) are looked up in this machine's pci.ids
(hwaccept.importers.pci_names); a name listed under no id or several is not recorded and
a note says which. lspci prints `(rev xx)` only when the revision is not 0, so its absence
records 0x00. The programming interface is printed only with `-v`, and there only when it
is not 0 or has a name, so a verbose line without it records prog-if 00; without `-v` it is
unknown and the class is recorded with prog-if 00, with a note (an NVMe controller, 0108,
is really 010802). Without `-v` the bridges' bus ranges are not shown either: every
function is recorded under its own bus as a root bus, with a note when that may be wrong.
A filtered listing (`-s`, `-d`) loses the bridges above the functions it shows. A function
whose config space read as all ones (`!!! Unknown header type 7f`) gets a note, no
revision or class (read from that config space), and no ids when they read 0xffff.

Not recorded: anything lspci does not show. The AER counters (`aer_dev_*`) are counts
the kernel keeps; lspci shows only the latched status bits (`CESta: RxErr+`), so no
`aer_dev_*` file is written and an imported machine's AER counts stay unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from hwaccept.importers import pci_names
from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts
from hwaccept.importers.pci_names import Candidate, PciIds

_HEADER = re.compile(
    r"^(?P<address>(?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]) "
    r"(?P<cls>[^:\"\n][^:\n]*): (?P<rest>[^\n]*)$",
    re.MULTILINE,
)
_TAIL = re.compile(
    r"^(?P<name>.*?)(?: \(rev (?P<rev>[0-9a-f]{2})\))?"
    r"(?: \(prog-if (?P<progif>[0-9a-f]{2})(?: \[.*\])?\))?$"
)
_BRACKETED_IDS = re.compile(r"\[([0-9a-f]{4}):([0-9a-f]{4})\]$")
_BARE_IDS = re.compile(r"^(?:Device )?([0-9a-f]{4}):([0-9a-f]{4})$")
_BUS = re.compile(r"primary=[0-9a-f]+, secondary=([0-9a-f]+), subordinate=([0-9a-f]+)")
_CAP_SUBSYSTEM = re.compile(r"^\[[0-9a-f]+\] Subsystem: (.*)$")
_FLAGS_NUMA = re.compile(r"\bNUMA node (\d+)")
_LINK = re.compile(r"Speed (\S+?)(?: \(\w+\))?, Width x(\d+)")
_CAP2_SPEEDS = re.compile(r"^Supported Link Speeds: (?:[\d.]+-)?([\d.]+GT/s),")
_UNINDENTED = re.compile(r"^\S[^\n]*", re.MULTILINE)
_HEX_DUMP = re.compile(r"^[0-9a-f]{2,3}:(?: [0-9a-f]{2}){1,16}$")
_PREAMBLE = ("#", "$", "pcilib:")

LINK_SPEEDS = {
    "2.5GT/s": "2.5 GT/s PCIe", "5GT/s": "5.0 GT/s PCIe", "8GT/s": "8.0 GT/s PCIe",
    "16GT/s": "16.0 GT/s PCIe", "32GT/s": "32.0 GT/s PCIe", "64GT/s": "64.0 GT/s PCIe",
}
"""lspci's `link_speed()` (ls-caps.c) -> the kernel's `pci_speed_string()`."""

SYS_DEVICES = "/sys/devices"
BUS_DEVICES = "/sys/bus/pci/devices"
DRIVERS = "/sys/bus/pci/drivers"
SHOWN_ADDRESSES = 3
ALL_ONES = 0xFFFF
"""What a config read of a function that does not answer returns."""


@dataclass
class Function:
    """What lspci printed about one PCI function."""

    address: str
    domain: int
    bus: int
    class_text: str
    name: str
    revision: int
    prog_if: int | None
    verbose: bool = False
    subsystem: str | None = None
    numa_node: int | None = None
    driver: str | None = None
    bus_range: tuple[int, int] | None = None
    link_speed: str | None = None
    link_width: int | None = None
    cap_speed: str | None = None
    cap_width: int | None = None
    cap2_speed: str | None = None
    unreadable: bool = False


def _header(match: re.Match[str]) -> Function:
    address = match["address"].lower()
    if address.count(":") == 1:
        address = "0000:" + address
    domain, bus, _ = address.split(":")
    domain = domain.rjust(4, "0")
    tail = _TAIL.match(match["rest"])
    assert tail is not None
    return Function(
        address=f"{domain}:{address[-7:]}", domain=int(domain, 16), bus=int(bus, 16),
        class_text=match["cls"].strip(), name=tail["name"].strip(),
        revision=int(tail["rev"], 16) if tail["rev"] else 0,
        prog_if=int(tail["progif"], 16) if tail["progif"] else None,
    )


def _link(line: str) -> tuple[str, int] | None:
    match = _LINK.search(line)
    return (match[1], int(match[2])) if match else None


def _detail(function: Function, line: str) -> None:
    """Take one indented line into `function`."""
    if line.startswith("\t\t"):
        key, _, value = line[2:].partition(":")
        if key == "LnkSta" and function.link_speed is None and (link := _link(value)):
            function.link_speed, function.link_width = link
        elif key == "LnkCap" and function.cap_speed is None and (link := _link(value)):
            function.cap_speed, function.cap_width = link
        elif key == "LnkCap2" and (cap2 := _CAP2_SPEEDS.match(value.strip())):
            function.cap2_speed = cap2[1]
        return
    if line.startswith("\t!!! Unknown header type"):
        function.unreadable = True
        return
    key, _, value = line[1:].partition(": ")
    if key in ("Control", "Flags"):
        function.verbose = True
        numa = _FLAGS_NUMA.search(value) if key == "Flags" else None
        if numa:
            function.numa_node = int(numa[1])
    elif key == "Subsystem" and function.subsystem is None:
        function.subsystem = value.strip()
    elif key == "Capabilities" and function.subsystem is None and (
            cap := _CAP_SUBSYSTEM.match(value)):
        function.subsystem = cap[1].strip()
    elif key == "NUMA node" and value.strip().isdigit():
        function.numa_node = int(value)
    elif key == "Kernel driver in use":
        function.driver = value.strip() or None
    elif key == "Bus" and (bus := _BUS.search(value)):
        function.bus_range = (int(bus[1], 16), int(bus[2], 16))


def functions(text: str, source: str) -> list[Function]:
    """Every function lspci printed, in order; raises when `text` is not lspci output."""
    headers = list(_HEADER.finditer(text))
    others = sum(1 for m in _UNINDENTED.finditer(text)
                 if not _HEADER.match(m[0]) and not m[0].startswith(_PREAMBLE)
                 and not _HEX_DUMP.match(m[0]))
    if not headers or others > len(headers):
        raise fail(source, "not lspci output: expected device lines such as `19:00.0 3D "
                           "controller: NVIDIA Corporation ...` (the -m and -t forms are "
                           "not read)")
    found: list[Function] = []
    for index, match in enumerate(headers):
        function = _header(match)
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        for line in text[match.end():end].split("\n"):
            if line.startswith("\t"):
                _detail(function, line)
        found.append(function)
    return found


def sniff(head: str) -> bool:
    """Whether this is lspci: its first line is a device line (`19:00.0 3D controller: ...`)."""
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(_PREAMBLE):
            continue
        return _HEADER.match(line) is not None
    return False


@dataclass
class Ids:
    """The numbers of one function, None where the input does not give them."""

    vendor: int | None = None
    device: int | None = None
    subvendor: int | None = None
    subdevice: int | None = None
    class_code: int | None = None
    prog_if_known: bool = True


@dataclass
class Resolver:
    """Numbers for what lspci printed; one note per name that left an id unknown."""

    database: PciIds | None = None
    loaded: bool = False
    problems: dict[str, dict[str, None]] = field(default_factory=dict)

    def ids(self) -> PciIds | None:
        """The pci.ids database, loaded on first need."""
        if not self.loaded:
            self.database = pci_names.database()
            self.loaded = True
        return self.database

    def _problem(self, message: str, address: str) -> None:
        self.problems.setdefault(message, {})[address] = None

    def _database(self, address: str) -> PciIds | None:
        ids = self.ids()
        if ids is None:
            paths = ", ".join(pci_names.PCI_IDS_PATHS)
            self._problem(f"no pci.ids found ({paths}) to turn the names lspci printed into "
                          "ids (lspci -nn prints the numbers): ids not recorded", address)
        return ids

    def _pair(self, text: str, what: str, address: str,
              candidates: Callable[[PciIds], set[Candidate]],
              own_name: Callable[[PciIds], bool] | None = None) -> tuple[int | None, int | None]:
        """(vendor, id) of a `vendor device`-style name, each None when not known."""
        numbers = _BRACKETED_IDS.search(text) or _BARE_IDS.match(text)
        if numbers:
            return int(numbers[1], 16), int(numbers[2], 16)
        ids = self._database(address)
        if ids is None:
            return None, None
        found = candidates(ids)
        vendors = sorted({vendor for vendor, _ in found})
        if len(vendors) != 1:
            reason = "names no vendor" if not vendors else \
                "could name vendors " + ", ".join(f"{v:04x}" for v in vendors)
            self._problem(f"{what} {text!r} {reason} in {ids.path}: {what} ids not recorded",
                          address)
            return None, None
        known = sorted(number for _, number in found if number is not None)
        if len(found) == 1 and known:
            return vendors[0], known[0]
        if own_name is not None and own_name(ids):
            reason = ("is its device's own name, which lspci also prints for a subsystem "
                      "its database does not list")
        elif known:
            reason = "could be " + ", ".join(f"{vendors[0]:04x}:{n:04x}" for n in known) + \
                f" in {ids.path}"
        else:
            reason = f"is no {what} name of vendor {vendors[0]:04x} in {ids.path}"
        unknown = "device id" if what == "device" else f"{what} device id"
        self._problem(f"{what} {text!r} {reason}: {unknown} not recorded", address)
        return vendors[0], None

    def class_code(self, text: str, address: str) -> int | None:
        """`3D controller`, `Bridge [0680]`, `Class 0807` or `0302` -> the 16-bit class."""
        number = pci_names.class_number(text)
        if number is not None:
            return number
        ids = self._database(address)
        if ids is None:
            return None
        found = sorted(pci_names.class_ids(ids, text))
        if len(found) == 1:
            return found[0]
        reason = "could be " + ", ".join(f"{c:04x}" for c in found) if found else "is not"
        self._problem(f"class {text!r} {reason} in {ids.path}: class not recorded", address)
        return None

    def of(self, function: Function) -> Ids:
        """All the numbers of one function."""
        address = function.address
        vendor, device = self._pair(
            function.name, "device", address,
            lambda ids: pci_names.vendor_device_ids(ids, function.name))
        pair = None if vendor is None or device is None else (vendor, device)
        subvendor = subdevice = None
        if function.subsystem is not None:
            text = function.subsystem
            subvendor, subdevice = self._pair(
                text, "subsystem", address,
                lambda ids: pci_names.subsystem_ids(ids, text, pair),
                lambda ids: pci_names.is_device_name(ids, text, pair))
        base = self.class_code(function.class_text, address)
        prog_if = function.prog_if if function.prog_if is not None else 0
        return Ids(vendor, device, subvendor, subdevice,
                   None if base is None else base << 8 | prog_if,
                   function.prog_if is not None or function.verbose)

    def notes(self) -> list[str]:
        """Which pci.ids named the ids, and one line per name that left an id unknown."""
        used = [f"names turned into ids with {self.database.path} (version "
                f"{self.database.version or 'unknown'})"] if self.database else []
        return used + [f"{message} for {_addresses(list(addresses))}"
                       for message, addresses in self.problems.items()]


def _addresses(addresses: list[str]) -> str:
    shown = ", ".join(addresses[:SHOWN_ADDRESSES])
    more = len(addresses) - SHOWN_ADDRESSES
    return shown + (f" and {more} more" if more > 0 else "")


def directories(found: Iterable[Function]) -> dict[str, str]:
    """Address -> sysfs directory, each function under the innermost bridge over its bus."""
    ordered = sorted(found, key=lambda f: (f.domain, f.bus, f.address))
    bridges: dict[tuple[int, int], Function] = {}
    for function in ordered:
        if function.bus_range is not None:
            secondary, subordinate = function.bus_range
            if function.bus < secondary <= subordinate:
                bridges.setdefault((function.domain, secondary), function)
    placed: dict[str, str] = {}
    above: dict[tuple[int, int], Function | None] = {}
    for function in ordered:
        key = (function.domain, function.bus)
        if key not in above:
            above[key] = _bridge_over(bridges, *key)
        parent = above[key]
        base = placed[parent.address] if parent is not None \
            else f"{SYS_DEVICES}/pci{function.domain:04x}:{function.bus:02x}"
        placed[function.address] = f"{base}/{function.address}"
    return placed


def _bridge_over(bridges: dict[tuple[int, int], Function], domain: int,
                 bus: int) -> Function | None:
    """The innermost bridge whose secondary..subordinate range holds `bus`."""
    for secondary in range(bus, -1, -1):
        bridge = bridges.get((domain, secondary))
        if bridge is not None and bridge.bus_range is not None \
                and bridge.bus_range[1] >= bus:
            return bridge
    return None


def _speed(lspci_speed: str | None) -> str | None:
    return LINK_SPEEDS.get(lspci_speed or "")


def uevent(function: Function, ids: Ids) -> str:
    """The `uevent` lines the kernel would print that lspci gives the values of."""
    lines = [f"DRIVER={function.driver}"] if function.driver else []
    vendor, device, sv, sd, code = (ids.vendor, ids.device, ids.subvendor, ids.subdevice,
                                    ids.class_code)
    if code is not None:
        lines.append(f"PCI_CLASS={code:04X}")
    if vendor is not None and device is not None:
        lines.append(f"PCI_ID={vendor:04X}:{device:04X}")
    if sv is not None and sd is not None:
        lines.append(f"PCI_SUBSYS_ID={sv:04X}:{sd:04X}")
    lines.append(f"PCI_SLOT_NAME={function.address}")
    if (vendor is not None and device is not None and sv is not None and sd is not None
            and code is not None and ids.prog_if_known):
        lines.append(f"MODALIAS=pci:v{vendor:08X}d{device:08X}sv{sv:08X}sd{sd:08X}"
                     f"bc{code >> 16:02X}sc{code >> 8 & 0xff:02X}i{code & 0xff:02X}")
    return "\n".join(lines)


def record(parts: Parts, function: Function, directory: str, ids: Ids) -> None:
    """Write one function's files and links."""
    def put(name: str, value: str | int | None) -> None:
        if value is not None:
            parts.file(f"{directory}/{name}", value)

    for name, number in (("vendor", ids.vendor), ("device", ids.device),
                         ("subsystem_vendor", ids.subvendor),
                         ("subsystem_device", ids.subdevice)):
        if number is not None:
            put(name, f"0x{number:04x}")
        elif name in ("vendor", "device") or function.subsystem is not None:
            parts.not_known(f"{directory}/{name}", "lspci printed a name that gives no one id")
    if ids.class_code is not None:
        put("class", f"0x{ids.class_code:06x}")
    else:
        parts.not_known(f"{directory}/class", "lspci printed no class number")
    if not function.unreadable:
        put("revision", f"0x{function.revision:02x}")
    put("numa_node", function.numa_node)
    put("current_link_speed", _speed(function.link_speed))
    put("current_link_width", function.link_width)
    put("max_link_speed", _speed(function.cap2_speed) or _speed(function.cap_speed))
    put("max_link_width", function.cap_width)
    put("uevent", uevent(function, ids))
    if function.driver:
        parts.link(f"{directory}/driver", f"{DRIVERS}/{function.driver}")
    parts.link(f"{BUS_DEVICES}/{function.address}", directory)


def parse(text: str, source: str) -> Parts:
    """Record every PCI function lspci printed as its sysfs directory."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    parts = Parts()
    resolver = Resolver()
    unique: dict[str, Function] = {}
    repeated: list[str] = []
    for function in functions(text, source):
        if function.address in unique:
            repeated.append(function.address)
        else:
            unique[function.address] = function
    placed = directories(unique.values())
    guessed: list[str] = []
    for address, function in unique.items():
        ids = resolver.of(function)
        if function.unreadable:
            ids = Ids(class_code=None, prog_if_known=False) if ids.vendor == ALL_ONES \
                else replace(ids, class_code=None)
        if not ids.prog_if_known and ids.class_code is not None:
            guessed.append(address)
        record(parts, function, placed[address], ids)
    parts.notes.extend(resolver.notes())
    if repeated:
        parts.notes.append(f"printed more than once, the first kept: {_addresses(repeated)}")
    unreadable = [a for a, f in unique.items() if f.unreadable]
    if unreadable:
        parts.notes.append("lspci read an unknown header type (config space all ones: the "
                           "function may have fallen off the bus), revision and class not "
                           f"recorded for {_addresses(unreadable)}")
    if guessed:
        parts.notes.append("lspci without -v does not print the programming interface: class "
                           f"recorded with prog-if 00 for {_addresses(guessed)}")
    if not any(f.verbose for f in unique.values()) and any(f.bus for f in unique.values()):
        parts.notes.append("lspci without -v does not print bridges' bus ranges: functions "
                           "are recorded under their own bus as a root bus, parent bridges "
                           "unknown")
    count = len(unique)
    parts.complete |= {"pcie", "nvswitch"}
    parts.summary = f"{count} PCI function{'' if count == 1 else 's'}"
    return parts


KIND = Kind("lspci", "lspci -vvv / lspci -nn", sniff, parse)
