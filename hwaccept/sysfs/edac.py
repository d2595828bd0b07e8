"""Memory controller error counts from /sys/devices/system/edac/mc.

See https://www.kernel.org/doc/html/latest/driver-api/edac.html. Each `mcN` has
`ce_count` (corrected) and `ue_count` (uncorrected) and one `dimmN` (or, with
older drivers, `rankN`) directory per memory module it sees.
"""

from __future__ import annotations

import re

from hwaccept.inventory.records import EdacController
from hwaccept.sources.files import Files
from hwaccept.sysfs.attrs import Attr, describe_os_error, integer, read_attrs, text

MC_DIR = "/sys/devices/system/edac/mc"
_CONTROLLER = re.compile(r"^mc\d+$")
_MODULE = re.compile(r"^(dimm|rank)\d+$")

ATTRS = (
    Attr("mc_name", "mc_name", text),
    Attr("correctable", "ce_count", integer),
    Attr("uncorrectable", "ue_count", integer),
)


def read_controller(files: Files, name: str) -> tuple[EdacController, list[str]]:
    """Counts and module count of one memory controller."""
    base = f"{MC_DIR}/{name}"
    values, problems = read_attrs(files, base, ATTRS)
    try:
        modules = sum(1 for entry in files.listdir(base) if _MODULE.match(entry))
    except OSError as exc:
        problems.append(f"{base}: {describe_os_error(exc)}")
        modules = None
    return EdacController(name, dimms=modules, **values), problems


def edac_controllers(files: Files) -> tuple[tuple[EdacController, ...], list[str]]:
    """All memory controllers in number order; empty when EDAC is not loaded."""
    try:
        entries = files.listdir(MC_DIR)
    except OSError:
        return (), []
    controllers, problems = [], []
    for name in sorted((e for e in entries if _CONTROLLER.match(e)), key=lambda e: int(e[2:])):
        controller, errors = read_controller(files, name)
        controllers.append(controller)
        problems.extend(errors)
    return tuple(controllers), problems
