"""Loop devices over files in a test's folder: real block devices to load and to guard.

Everything done to a device here (a mount, swap, the device itself) is undone, last first,
when its context ends, even after a failed test. Where loop devices cannot be made (not
root, no loop driver, a tool missing) the test skips saying why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

SIZE = 64 * 1024 * 1024
SECTOR = 512
PARTITION_START = 2048
"""First sector of the one partition an MBR made here holds (1 MiB, as fdisk aligns)."""


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run a system tool, output captured."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def need(*argv: str) -> str:
    """Run a set-up step; skip the test when this machine cannot do it. Returns stdout."""
    if os.geteuid() != 0:
        pytest.skip("loop devices, mounts and swap need root")
    if shutil.which(argv[0]) is None:
        pytest.skip(f"{argv[0]} is not installed")
    done = run(*argv)
    if done.returncode != 0:
        pytest.skip(f"{' '.join(argv)}: {done.stderr.strip() or done.returncode}")
    return done.stdout.strip()


def undo(*argv: str) -> None:
    """Run a clean-up step; a failure is an error of the test, not silence."""
    done = run(*argv)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip()}")


def write_mbr(path: Path) -> None:
    """One Linux partition from 1 MiB to the end of the image, in a DOS partition table."""
    sectors = path.stat().st_size // SECTOR
    entry = struct.pack("<B3sB3sII", 0, bytes(3), 0x83, bytes(3), PARTITION_START,
                        sectors - PARTITION_START)
    with path.open("r+b") as image:
        image.seek(446)
        image.write(entry + bytes(48) + b"\x55\xaa")


class Loops:
    """Makes loop devices in `folder`; `stack` undoes what was done to them."""

    def __init__(self, folder: Path, stack: contextlib.ExitStack) -> None:
        self.folder = folder
        self.stack = stack

    def make(self, label: str, *, partitioned: bool = False) -> str:
        """A loop device over a new sparse file; its name, `loop3`."""
        image = self.folder / f"{label}.img"
        with image.open("wb") as handle:
            handle.truncate(SIZE)
        if partitioned:
            write_mbr(image)
        device = need("losetup", "--find", "--show", *(["--partscan"] if partitioned else []),
                      str(image))
        self.stack.callback(undo, "losetup", "--detach", device)
        return os.path.basename(device)

    def partition(self, label: str) -> tuple[str, str]:
        """A loop device with one partition: (`loop3`, `loop3p1`).

        Kernels without DOS partition tables built in do not find the partition on their
        own; partx adds it as the table says.
        """
        disk = self.make(label, partitioned=True)
        part = f"{disk}p1"
        if not Path(f"/sys/block/{disk}/{part}").exists():
            need("partx", "--add", f"/dev/{disk}")
        if not Path(f"/dev/{part}").exists():
            pytest.skip(f"/dev/{part} did not appear after partx --add")
        return disk, part

    def mount(self, device: str, where: Path) -> None:
        """An ext4 filesystem made on `device`, mounted at `where`."""
        need("mkfs.ext4", "-q", "-F", f"/dev/{device}")
        where.mkdir(parents=True, exist_ok=True)
        need("mount", f"/dev/{device}", str(where))
        self.stack.callback(undo, "umount", str(where))

    def swap(self, device: str) -> None:
        """Swap made on `device` and turned on."""
        need("mkswap", "-q", f"/dev/{device}")
        need("swapon", f"/dev/{device}")
        self.stack.callback(undo, "swapoff", f"/dev/{device}")


@contextlib.contextmanager
def loop_devices(folder: Path) -> Iterator[Loops]:
    """Loop devices made in `folder`, all undone at the end."""
    with contextlib.ExitStack() as stack:
        yield Loops(folder, stack)
