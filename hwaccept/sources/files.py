"""The files seam: sysfs, procfs and the udev database, read under a root.

Paths are always absolute paths of the machine being inspected (`/sys/...`,
`/proc/...`); an implementation maps them onto where the bytes really are: a live
root directory (`LiveFiles`) or a recorded tree held in memory
(`hwaccept.sources.file_tree.TreeFiles`).
"""

from __future__ import annotations

import errno
import os
import posixpath
from collections.abc import Mapping

from hwaccept.errors import SourceError
from hwaccept.record import Record, field
from hwaccept.static_types import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from hwaccept.sources.udev import PyudevDevices

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest file the seam reads; sysfs and procfs attributes are far smaller."""

READ_CHUNK = 64 * 1024
"""procfs sysctl files allocate a kernel buffer of the read size: read in chunks."""


NOT_KNOWN_ERRNO = errno.ENODATA
"""The read error a snapshot records for a file whose value its source did not know.

An imported snapshot says so where a capture would have held the file (lspci names a
device that no pci.ids entry matches one to one); readers treat it as an unknown value,
never as a fault of the device.
"""


class UdevDevice(Record):
    """One device as udev enumerates it (`udevadm info` shows the same)."""

    sys_path: str
    subsystem: str
    devtype: str | None = None
    driver: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)

    @property
    def sys_name(self) -> str:
        """Last component of `sys_path` (`vda`, `eth0`, `0000:00:03.0`)."""
        return posixpath.basename(self.sys_path)


class Files(Protocol):
    """Read-only access to files of the inspected machine."""

    def read_bytes(self, path: str) -> bytes:
        """Return the content of `path`; raise `OSError` (ENOENT when absent)."""
        ...

    def listdir(self, path: str) -> list[str]:
        """Return the sorted entry names of directory `path`."""
        ...

    def realpath(self, path: str) -> str:
        """Resolve symlinks in `path`; raise `FileNotFoundError` when absent."""
        ...

    def devices(self, subsystem: str) -> tuple[UdevDevice, ...]:
        """Enumerate the devices of a udev subsystem (`block`, `net`, `pci`)."""
        ...


def read_text(files: Files, path: str) -> str:
    """Read `path` as text with the trailing newline removed.

    Invalid UTF-8 (DMI strings are written by vendors) is replaced, never raised.
    """
    return files.read_bytes(path).decode("utf-8", "replace").rstrip("\n")


def read_optional(files: Files, path: str) -> str | None:
    """Read `path` as text, or None when the kernel does not expose it."""
    try:
        return read_text(files, path)
    except FileNotFoundError:
        return None


def exists(files: Files, path: str) -> bool:
    """Tell whether `path` exists (following symlinks)."""
    try:
        files.realpath(path)
    except FileNotFoundError:
        return False
    return True


class LiveFiles:
    """Files of a real directory tree; `root` is `/` on the machine itself.

    With root `/` devices are enumerated by pyudev (libudev); under any other root
    they are derived from the tree's sysfs and udev database, as libudev does.
    """

    def __init__(self, root: str = "/") -> None:
        if not os.path.exists(root):
            raise SourceError(f"{root}: root directory does not exist")
        if not os.path.isdir(root):
            raise SourceError(f"{root}: root is not a directory")
        self.root = os.path.abspath(root)
        self._pyudev: PyudevDevices | None = None

    def path(self, *parts: str) -> str:
        """Map an absolute machine path onto the local filesystem."""
        joined = posixpath.join("/", *parts)
        return os.path.join(self.root, joined.lstrip("/"))

    def read_bytes(self, path: str) -> bytes:  # noqa: D102
        chunks: list[bytes] = []
        size = 0
        with open(self.path(path), "rb", buffering=0) as handle:
            while chunk := handle.read(READ_CHUNK):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_FILE_BYTES:
                    raise OSError(errno.EFBIG, f"larger than {MAX_FILE_BYTES} bytes", path)
        return b"".join(chunks)

    def listdir(self, path: str) -> list[str]:  # noqa: D102
        return sorted(os.listdir(self.path(path)))

    def realpath(self, path: str) -> str:  # noqa: D102
        resolved = os.path.realpath(self.path(path), strict=True)
        if self.root == "/":
            return resolved
        relative = os.path.relpath(resolved, self.root)
        return "/" if relative == "." else "/" + relative

    def devices(self, subsystem: str) -> tuple[UdevDevice, ...]:  # noqa: D102
        from hwaccept.sources.udev import PyudevDevices, tree_devices

        if self.root == "/":
            if self._pyudev is None:
                self._pyudev = PyudevDevices()
            live = self._pyudev.devices(subsystem)
            if live is not None:
                return live
        return tree_devices(self, subsystem)
