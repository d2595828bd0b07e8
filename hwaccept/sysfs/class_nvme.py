"""NVMe controllers from /sys/class/nvme.

See https://www.kernel.org/doc/Documentation/ABI/testing/sysfs-class-nvme. A
namespace block device (`nvme0n1`) names its controller through its `device` link,
or through an `nvme-subsystem` when native multipath is on.
"""

from __future__ import annotations

import posixpath
import re

from hwaccept.record import Record
from hwaccept.sources.files import Files
from hwaccept.sysfs.attrs import Attr, device_pci_address, read_attrs, text

CLASS_DIR = "/sys/class/nvme"
_CONTROLLER = re.compile(r"^nvme\d+$")

ATTRS = (
    Attr("model", "model", text),
    Attr("serial", "serial", text),
    Attr("firmware", "firmware_rev", text),
    Attr("transport", "transport", text),
    Attr("state", "state", text),
)


class NvmeController(Record):
    """One NVMe controller (`nvme0`)."""

    name: str
    model: str | None = None  # model
    serial: str | None = None  # serial
    firmware: str | None = None  # firmware_rev
    transport: str | None = None  # transport: pcie, tcp, rdma, fc
    state: str | None = None  # state: live, resetting, dead
    pci_address: str | None = None  # device -> PCI function
    errors: tuple[str, ...] = ()


def read_controller(files: Files, name: str) -> NvmeController:
    """Read one controller's identity and state."""
    base = f"{CLASS_DIR}/{name}"
    values, problems = read_attrs(files, base, ATTRS)
    return NvmeController(name, pci_address=device_pci_address(files, base),
                          errors=tuple(problems), **values)


def controller_of(files: Files, disk_sys_path: str) -> str | None:
    """The controller serving a namespace block device, None when not NVMe."""
    try:
        target = files.realpath(f"{disk_sys_path}/device")
    except OSError:
        target = posixpath.dirname(posixpath.dirname(disk_sys_path))
    name = posixpath.basename(target)
    if _CONTROLLER.match(name):
        return name
    try:
        entries = files.listdir(target)
    except OSError:
        return None
    controllers = sorted(e for e in entries if _CONTROLLER.match(e))
    return controllers[0] if controllers else None
