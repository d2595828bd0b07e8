"""Names lspci printed, back to the PCI ids it looked them up from, through pci.ids.

Without `-n`, lspci prints names from the capture machine's pci.ids (or the udev
hwdb, built from it) and numbers only where the name is unknown. pciutils' lib/names.c
says how each is formed: `Vendor Device-name` when both are known, `Vendor Device 2330`
when only the vendor is, `Device 1234:5678` when neither is; a subsystem is the
subsystem vendor's name followed by the subsystem's own name (listed under its device,
or the device's name when the subsystem ids equal the device's; lspci's udev hwdb lookup
also gives the device's name for any subsystem the hwdb does not list, so that name says
nothing of the subsystem id); a class is its subclass name (`3D controller`),
`Class-name [0807]` when only the class is known, `Class 0807` otherwise. This module
undoes that with the pci.ids of this machine (https://pci-ids.ucw.cz/, syntax in the
file's header); a name it lists under no id, or under several, gives no answer, and the
caller says so. Where the vendor part alone is certain, the vendor id still is.

pci.ids is about 1.3 MB: loading it reads the file once, indexes the vendor lines and
parses the class section (about 10 ms); a vendor's device lines are indexed the first time
a name needs them, a device's subsystem lines when a subsystem name does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

PCI_IDS_PATHS = ("/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids")
"""Where pciutils (Debian, Ubuntu) and hwdata (Fedora, RHEL) install the database."""

_VENDOR = re.compile(r"^([0-9a-f]{4})  (.*)$", re.MULTILINE)
_DEVICE = re.compile(r"^\t([0-9a-f]{4})  (.*)$", re.MULTILINE)
_SUBSYSTEM_LINES = re.compile(r"(?:\n(?:\t\t|#)[^\n]*)*")
_UNKNOWN_DEVICE = re.compile(r"^Device ([0-9a-f]{4})$")
_CLASS_NUMBER = re.compile(r"(?:^Class |\[)([0-9a-f]{4})\]?$")

PciId = tuple[int, int]
"""A vendor (or subsystem vendor) id and a device (or subsystem) id."""

Candidate = tuple[int, int | None]
"""A vendor id and, when the name says which, a device id."""


_VERSION = re.compile(r"^#\s*Version:\s*(\S+)", re.MULTILINE)


class PciIds:
    """One pci.ids file, indexed by name."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self._text = text
        version = _VERSION.search(text[:4096])
        self.version = version[1] if version else None
        classes_at = text.find("\nC ")
        vendor_part = text if classes_at < 0 else text[:classes_at]
        self._blocks: dict[int, tuple[int, int]] = {}
        self._vendor_ids: dict[str, list[int]] = {}
        previous: int | None = None
        for match in _VENDOR.finditer(vendor_part):
            vendor = int(match[1], 16)
            if previous is not None:
                self._blocks[previous] = (self._blocks[previous][0], match.start())
            self._blocks[vendor] = (match.end(), len(vendor_part))
            self._vendor_ids.setdefault(match[2].strip(), []).append(vendor)
            previous = vendor
        self._devices: dict[int, _Vendor] = {}
        self._subclasses = _subclasses(text[classes_at + 1:] if classes_at >= 0 else "")

    def vendors_named(self, name: str) -> list[int]:
        """Vendor ids listed under `name`."""
        return self._vendor_ids.get(name, [])

    def _vendor(self, vendor: int) -> _Vendor:
        found = self._devices.get(vendor)
        if found is None:
            start, end = self._blocks.get(vendor, (0, 0))
            found = self._devices[vendor] = _Vendor(self._text[start:end])
        return found

    def devices_named(self, vendor: int, name: str) -> list[int]:
        """Device ids of `vendor` listed under `name`."""
        return self._vendor(vendor).device_ids.get(name, [])

    def device_name(self, vendor: int, device: int) -> str | None:
        """The name of one device, None when not listed."""
        return self._vendor(vendor).names.get(device)

    def subsystems_named(self, device: PciId, subvendor: int, name: str) -> list[int]:
        """Subsystem ids of `subvendor` listed under `device` with `name`."""
        entries = self._vendor(device[0]).subsystems(device[1])
        return [sd for sv, sd, n in entries if sv == subvendor and n == name]

    def classes_named(self, name: str) -> list[int]:
        """16-bit class codes (class << 8 | subclass) whose subclass is named `name`."""
        return self._subclasses.get(name, [])


class _Vendor:
    """The device lines of one vendor block; a device's subsystem lines on demand."""

    def __init__(self, block: str) -> None:
        self.block = block
        self.names: dict[int, str] = {}
        self.device_ids: dict[str, list[int]] = {}
        self._ends: dict[int, int] = {}
        for match in _DEVICE.finditer(block):
            device, name = int(match[1], 16), match[2].strip()
            self.names[device] = name
            self.device_ids.setdefault(name, []).append(device)
            self._ends[device] = match.end()

    def subsystems(self, device: int) -> list[tuple[int, int, str]]:
        """(subvendor, subdevice, name) of each subsystem line under `device`."""
        end = self._ends.get(device)
        if end is None:
            return []
        lines = _SUBSYSTEM_LINES.match(self.block, end)
        found = []
        for line in (lines[0] if lines else "").split("\n"):
            ids, _, name = line.removeprefix("\t\t").partition("  ")
            sv, _, sd = ids.partition(" ")
            if line.startswith("\t\t") and _is_hex(sv) and _is_hex(sd):
                found.append((int(sv, 16), int(sd, 16), name.strip()))
        return found


def _is_hex(text: str, digits: int = 4) -> bool:
    return len(text) == digits and all(c in "0123456789abcdef" for c in text)


def _subclasses(section: str) -> dict[str, list[int]]:
    """Subclass name -> codes, from the `C xx  name` / `<tab>xx  name` section."""
    found: dict[str, list[int]] = {}
    base: int | None = None
    for line in section.split("\n"):
        if line.startswith("C "):
            number = line[2:4]
            base = int(number, 16) if _is_hex(number, 2) else None
        elif line.startswith("\t") and not line.startswith("\t\t") and base is not None:
            number, _, name = line[1:].partition("  ")
            if _is_hex(number, 2):
                found.setdefault(name.strip(), []).append(base << 8 | int(number, 16))
        elif line and not line.startswith(("#", "\t")):
            base = None
    return found


def load(path: str) -> PciIds | None:
    """The database at `path`, None when it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            text = stream.read()
    except OSError:
        return None
    return PciIds(text, path)


@functools.lru_cache(maxsize=4)
def _first(paths: tuple[str, ...]) -> PciIds | None:
    for path in paths:
        found = load(path)
        if found is not None:
            return found
    return None


def database(paths: tuple[str, ...] | None = None) -> PciIds | None:
    """The first readable pci.ids of `paths` (default PCI_IDS_PATHS), loaded once."""
    return _first(PCI_IDS_PATHS if paths is None else paths)


def _splits(text: str) -> list[tuple[str, str]]:
    """Every way to cut `text` at a space into a leading name and the rest."""
    return [(text[:i], text[i + 1:]) for i, c in enumerate(text) if c == " "]


def _candidates(ids: PciIds, text: str,
                named: Callable[[int, str], list[int] | None]) -> set[Candidate]:
    """(vendor, id) for each reading of `text` as a vendor name and the rest.

    `named(vendor, rest)` lists the ids `rest` names under `vendor`, or None when `rest`
    is a name that stands for no particular id. Readings whose rest is explained win;
    otherwise each vendor name found gives (vendor, None).
    """
    explained: set[Candidate] = set()
    unexplained: set[Candidate] = set()
    for vendor_name, rest in _splits(text):
        for vendor in ids.vendors_named(vendor_name):
            unknown = _UNKNOWN_DEVICE.match(rest)
            numbers = [int(unknown[1], 16)] if unknown else named(vendor, rest)
            if numbers is None:
                explained.add((vendor, None))
            elif numbers:
                explained.update((vendor, number) for number in numbers)
            else:
                unexplained.add((vendor, None))
    return explained or unexplained


def vendor_device_ids(ids: PciIds, text: str) -> set[Candidate]:
    """What lspci names `text` as vendor and device (`NVIDIA Corporation Device 2330`)."""
    return _candidates(ids, text, ids.devices_named)


def subsystem_ids(ids: PciIds, text: str, device: PciId | None) -> set[Candidate]:
    """What lspci names `text` as the subsystem of `device` (`Dell Device 0b73`).

    A subsystem printed as its device's own name gives no subsystem id: pci.ids prints it
    so when the subsystem ids equal the device's, but lspci's udev hwdb fallback does so
    for every subsystem the database does not list (its device pattern matches).
    """
    def named(subvendor: int, rest: str) -> list[int] | None:
        if device is None:
            return []
        if ids.device_name(*device) == rest:
            return None
        return ids.subsystems_named(device, subvendor, rest)

    return _candidates(ids, text, named)


def is_device_name(ids: PciIds, text: str, device: PciId | None) -> bool:
    """Whether subsystem `text` ends in `device`'s own name (see `subsystem_ids`)."""
    name = None if device is None else ids.device_name(*device)
    return name is not None and text.endswith(" " + name)


def class_number(text: str) -> int | None:
    """The 16-bit class lspci printed as a number (`Class 0807`, `Name [0807]`, `0807`)."""
    match = _CLASS_NUMBER.search(text)
    if match:
        return int(match[1], 16)
    if _is_hex(text):
        return int(text, 16)
    return None


def class_ids(ids: PciIds, text: str) -> set[int]:
    """16-bit class codes lspci names `text` (`3D controller` -> 0x0302)."""
    return set(ids.classes_named(text))
