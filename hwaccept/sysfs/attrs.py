"""Reading a device's attributes from a table of (field, file, parser).

Every sysfs probe declares its attributes as `Attr` rows and calls `read_attrs`; a
missing optional file is None, a missing required one, an unreadable one (EIO,
EACCES) or an unparsable value becomes an error on that device, and the rest of
the device is still read. A value a snapshot marks as not known (`NOT_KNOWN_ERRNO`)
is None, required or not.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable, Iterable

from hwaccept.record import Record
from hwaccept.sources.files import NOT_KNOWN_ERRNO, Files, read_text
from hwaccept.static_types import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

PCI_ADDRESS = re.compile(r"^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")

TOLERATED = frozenset({errno.ENOENT})
"""Read errors that mean "not exposed here" rather than a problem."""


class Attr(Record):
    """One attribute: the record field, its file under the device, how to parse it."""

    field: str
    file: str
    parse: Callable[[str], Any]
    required: bool = False
    tolerate: frozenset[int] = TOLERATED


def read_attrs(files: Files, base: str, table: Iterable[Attr]) -> tuple[dict[str, Any], list[str]]:
    """Read every attribute of `table` under `base`.

    Returns:
        The parsed values by field name (only those read), and one error line per
        attribute that was required but missing, unreadable, or unparsable.

    """
    values: dict[str, Any] = {}
    problems: list[str] = []
    for attr in table:
        path = f"{base}/{attr.file}"
        try:
            text = read_text(files, path)
        except OSError as exc:
            if exc.errno == NOT_KNOWN_ERRNO:
                continue
            if exc.errno not in attr.tolerate or attr.required:
                problems.append(f"{path}: {describe_os_error(exc)}")
            continue
        try:
            values[attr.field] = attr.parse(text)
        except ValueError as exc:
            problems.append(f"{path}: {exc}")
    return values, problems


def describe_os_error(exc: OSError) -> str:
    """`No such file or directory` / `Input/output error`, without the path noise."""
    if exc.errno == errno.ENOENT:
        return "missing"
    return exc.strerror or str(exc)


def text(value: str) -> str | None:
    """A string attribute; empty or whitespace-only means unknown."""
    stripped = value.strip()
    return stripped or None


def integer(value: str) -> int:
    """A decimal integer attribute."""
    try:
        return int(value.strip())
    except ValueError:
        raise ValueError(f"expected an integer, got {value.strip()!r}") from None


def hex_id(value: str) -> str:
    """A `0x10de`-style id, returned as lowercase hex digits without the prefix."""
    stripped = value.strip().lower()
    digits = stripped.removeprefix("0x")
    if not digits or any(c not in "0123456789abcdef" for c in digits):
        raise ValueError(f"expected a hex id, got {stripped!r}")
    return digits


def boolean(value: str) -> bool:
    """A `0`/`1` attribute."""
    stripped = value.strip()
    if stripped not in ("0", "1"):
        raise ValueError(f"expected 0 or 1, got {stripped!r}")
    return stripped == "1"


def pci_address_of(path: str) -> str | None:
    """The last PCI function in a sysfs device path (the device's own or its parent's)."""
    for part in reversed(path.split("/")):
        if PCI_ADDRESS.match(part):
            return part
    return None


def device_pci_address(files: Files, sys_path: str) -> str | None:
    """The PCI function behind a class device, from its path or its `device` link."""
    found = pci_address_of(sys_path)
    if found is None:
        try:
            found = pci_address_of(files.realpath(f"{sys_path}/device"))
        except OSError:
            return None
    return found


def normalize_pci_address(address: str) -> str:
    """`00000000:9B:00.0` (NVML) or `0000:9b:00` (NVRM) -> `0000:9b:00.0`."""
    lowered = address.strip().lower()
    domain, _, rest = lowered.rpartition(":")
    domain, _, bus = domain.rpartition(":")
    if "." not in rest:
        rest = f"{rest}.0"
    domain = domain.lstrip("0").rjust(4, "0")
    return f"{domain}:{bus}:{rest}"
