"""Device enumeration: pyudev on a live machine, or derived from a tree as libudev does.

libudev builds a device's properties from its sysfs `uevent` file plus its record in
the udev database, `/run/udev/data/<id>` (`b8:0` for block, `c` for other character
devices, `n<ifindex>` for network interfaces, `+<subsystem>:<name>` otherwise);
`tree_devices` does the same over any `Files`, so a recorded or imported tree
enumerates like the machine it came from.
See https://github.com/systemd/systemd/blob/main/src/libsystemd/sd-device/device-private.c
"""

from __future__ import annotations

import posixpath
import threading

from hwaccept.sources.files import UdevDevice, read_optional
from hwaccept.static_types import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from hwaccept.sources.files import Files

UDEV_DATA = "/run/udev/data"


class PyudevDevices:
    """Live enumeration by pyudev, through one libudev context.

    A context costs a few milliseconds (pyudev finds libudev by running `ldconfig -p`),
    and libudev objects must not be used by two threads at once, hence one context
    behind a lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._context: Any = None
        self._unavailable = False

    def devices(self, subsystem: str) -> tuple[UdevDevice, ...] | None:
        """A subsystem's devices; None when pyudev or libudev is unavailable."""
        with self._lock:
            if self._unavailable:
                return None
            try:
                if self._context is None:
                    import pyudev

                    self._context = pyudev.Context()
                found = self._context.list_devices(subsystem=subsystem)
                devices = [
                    UdevDevice(
                        sys_path=str(device.sys_path),
                        subsystem=subsystem,
                        devtype=device.device_type,
                        driver=device.driver,
                        properties={str(k): str(v) for k, v in device.properties.items()},
                    )
                    for device in found
                ]
            except (ImportError, OSError) as exc:
                self._unavailable = True
                import logging

                logging.getLogger(__name__).warning(
                    "pyudev or libudev unavailable (%s); enumerating from sysfs", exc)
                return None
        return tuple(sorted(devices, key=lambda d: d.sys_path))


def parse_uevent(text: str) -> dict[str, str]:
    """Parse a sysfs `uevent` file (`KEY=VALUE` per line)."""
    properties: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            properties[key.strip()] = value.strip()
    return properties


def parse_udev_data(text: str) -> dict[str, str]:
    """Parse the `E:KEY=VALUE` property lines of a udev database record."""
    properties: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("E:"):
            key, sep, value = line[2:].partition("=")
            if sep:
                properties[key] = value
    return properties


def udev_data_id(subsystem: str, name: str, uevent: dict[str, str]) -> str:
    """Name of a device's record under /run/udev/data, as libudev computes it."""
    if "MAJOR" in uevent and "MINOR" in uevent:
        kind = "b" if subsystem == "block" else "c"
        return f"{kind}{uevent['MAJOR']}:{uevent['MINOR']}"
    if subsystem == "net" and "IFINDEX" in uevent:
        return f"n{uevent['IFINDEX']}"
    return f"+{subsystem}:{name}"


def _class_dir(files: Files, subsystem: str) -> str | None:
    for directory in (f"/sys/class/{subsystem}", f"/sys/bus/{subsystem}/devices"):
        try:
            files.listdir(directory)
        except OSError:
            continue
        return directory
    if subsystem == "block":
        return "/sys/block"
    return None


def tree_device(files: Files, subsystem: str, entry: str) -> UdevDevice:
    """Build one device from its sysfs entry and udev database record."""
    try:
        sys_path = files.realpath(entry)
    except OSError:
        sys_path = entry
    name = posixpath.basename(sys_path)
    uevent = parse_uevent(read_optional(files, f"{sys_path}/uevent") or "")
    properties = {"DEVPATH": sys_path.removeprefix("/sys"), "SUBSYSTEM": subsystem, **uevent}
    if "DEVNAME" in properties and not properties["DEVNAME"].startswith("/"):
        properties["DEVNAME"] = f"/dev/{properties['DEVNAME']}"
    record = read_optional(files, f"{UDEV_DATA}/{udev_data_id(subsystem, name, uevent)}")
    properties.update(parse_udev_data(record or ""))
    driver = uevent.get("DRIVER")
    if driver is None:
        try:
            driver = posixpath.basename(files.realpath(f"{sys_path}/driver"))
        except OSError:
            driver = None
    return UdevDevice(sys_path, subsystem, uevent.get("DEVTYPE"), driver, properties)


def _is_directory(files: Files, path: str) -> bool:
    """Class directories also hold plain files (`bonding_masters`); devices are dirs."""
    try:
        files.listdir(path)
    except OSError:
        return False
    return True


def tree_devices(files: Files, subsystem: str) -> tuple[UdevDevice, ...]:
    """Enumerate a subsystem's devices from `/sys/class` or `/sys/bus` under `files`."""
    directory = _class_dir(files, subsystem)
    if directory is None:
        return ()
    try:
        names = files.listdir(directory)
    except OSError:
        return ()
    entries = [f"{directory}/{n}" for n in names if _is_directory(files, f"{directory}/{n}")]
    devices = [tree_device(files, subsystem, entry) for entry in entries]
    if directory == "/sys/block":
        devices.extend(_partitions(files, devices))
    return tuple(sorted(devices, key=lambda d: d.sys_path))


def _partitions(files: Files, disks: list[UdevDevice]) -> list[UdevDevice]:
    """`/sys/block` lists whole disks only; partitions are their subdirectories."""
    found = []
    for disk in disks:
        try:
            names = files.listdir(disk.sys_path)
        except OSError:
            continue
        for name in names:
            if name.startswith(disk.sys_name) and read_optional(
                files, f"{disk.sys_path}/{name}/partition"
            ):
                found.append(tree_device(files, "block", f"{disk.sys_path}/{name}"))
    return found
