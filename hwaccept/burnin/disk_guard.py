"""Whether a disk write test may erase a drive, and if not, every reason why not.

A write test erases the drive. It runs only when the operator asked for it
(`--hw-allow-destructive`), only on a drive the profile's `burnin.disk.destructive_allowed`
names by model or serial, and never on a drive something uses. What uses a drive is found
in the kernel's own records, through the files seam, so a recorded tree is judged as the
live machine would be:

* the drive's partitions (`/sys/block/<disk>/<part>/partition`) and, over and over, the
  devices that hold the drive or one of them (`/sys/block/<dev>/holders`: md RAID, and
  device-mapper for LVM, dm-crypt and multipath);
* mounts of any of these devices (`/proc/self/mountinfo`, by major:minor, else by source;
  `/proc/mounts` where there is no mountinfo), the root filesystem named as such;
* swap on any of them (`/proc/swaps`);
* RAID, LVM or ZFS membership not assembled yet, by the signature udev found on the device
  (`ID_FS_TYPE` in `/run/udev/data/b<major>:<minor>`).

What cannot be read is a reason as well: a guard that cannot see the mounts must not allow
a write. Mounts made only in another mount namespace are not in this process's mountinfo.
See https://www.kernel.org/doc/Documentation/ABI/stable/sysfs-block and proc(5).
"""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hwaccept.checks.rules import matches
from hwaccept.inventory.records import Disk
from hwaccept.sources.files import Files, read_optional, read_text
from hwaccept.sources.udev import parse_udev_data

MOUNT_TABLES = ("/proc/self/mountinfo", "/proc/mounts")
SWAPS = "/proc/swaps"
UDEV_DATA = "/run/udev/data"
MEMBER_SIGNATURES = {"linux_raid_member": "a RAID member (md) not assembled",
                     "LVM2_member": "an LVM physical volume",
                     "zfs_member": "a ZFS pool member"}
"""udev's ID_FS_TYPE of a device that belongs to an array or pool, active or not."""
DM_KINDS = (("LVM-", "LVM"), ("CRYPT-", "dm-crypt"), ("mpath-", "multipath"))
"""Prefixes of /sys/block/dm-N/dm/uuid and what made the mapping."""
ALLOWED_KEY = "burnin.disk.destructive_allowed"


class Reason(enum.Enum):
    """Why a write is refused."""

    NOT_ASKED = "not_asked"
    NOT_ALLOWED = "not_allowed"
    ROOT = "root"
    MOUNTED = "mounted"
    SWAP = "swap"
    MEMBER = "member"
    HELD = "held"
    SIGNATURE = "signature"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Refusal:
    """One reason a drive may not be written, naming the device and what uses it."""

    reason: Reason
    device: str
    message: str


@dataclass(frozen=True)
class Layer:
    """The drive, one of its partitions, or a device built on them."""

    name: str  # nvme0n1, nvme0n1p2, dm-0, md0
    dev: str | None  # /sys/block/.../dev: "259:2"
    under: str | None  # the layer it is a partition or holder of; None for the drive
    partition: bool
    dm_name: str | None = None  # /sys/block/dm-N/dm/name: "vg0-data"
    dm_uuid: str | None = None  # /sys/block/dm-N/dm/uuid: "LVM-..."


@dataclass(frozen=True)
class Mount:
    """One line of the mount table."""

    dev: str | None  # mountinfo's major:minor; None from /proc/mounts
    source: str  # /dev/nvme1n1p2
    mount_point: str


def write_refusals(files: Files, disk: Disk, *, asked: bool,
                   allowed: Sequence[str] | None) -> tuple[Refusal, ...]:
    """Every reason `disk` may not be erased now; empty when it may.

    Args:
        files: the machine's files seam.
        disk: the drive, with the model and serial the profile's patterns match.
        asked: whether the run was given `--hw-allow-destructive`.
        allowed: the profile's `burnin.disk.destructive_allowed` patterns.

    """
    return (*request_refusals(disk, asked=asked, allowed=allowed), *in_use(files, disk.name))


def request_refusals(disk: Disk, *, asked: bool,
                     allowed: Sequence[str] | None) -> list[Refusal]:
    """The run's and the profile's say: asked for, and the drive named by a pattern."""
    found = []
    if not asked:
        found.append(Refusal(Reason.NOT_ASKED, disk.name,
                             "writes erase the drive and need --hw-allow-destructive"))
    names = [text for text in (disk.model, disk.serial) if text]
    if not allowed:
        found.append(Refusal(Reason.NOT_ALLOWED, disk.name,
                             f"the profile's {ALLOWED_KEY} names no drive"))
    elif not any(matches(text, pattern) for text in names for pattern in allowed):
        who = ", ".join(f"{label} {text}" for label, text in
                        (("model", disk.model), ("serial", disk.serial)) if text)
        found.append(Refusal(Reason.NOT_ALLOWED, disk.name,
                             f"{disk.name} ({who or 'no model or serial'}) matches none of "
                             f"the profile's {ALLOWED_KEY} ({', '.join(allowed)})"))
    return found


def in_use(files: Files, disk: str) -> tuple[Refusal, ...]:
    """What uses `disk` or anything built on it; empty when nothing does."""
    if not present(files, f"/sys/block/{disk}"):
        return (Refusal(Reason.UNREADABLE, disk, f"{disk} is not in /sys/block"),)
    stack, found = layers(files, disk)
    found += [r for layer in stack if (r := holder_refusal(layer))]
    found += mounted(files, disk, stack) + swapped(files, disk, stack)
    held = {layer.under for layer in stack if not layer.partition}
    found += [r for layer in stack if layer.name not in held
              and (r := signature_refusal(files, layer))]
    return tuple(found)


def layers(files: Files, disk: str) -> tuple[list[Layer], list[Refusal]]:
    """The drive, its partitions and every device built on them, drive first."""
    stack: list[Layer] = []
    problems: list[Refusal] = []
    todo: list[tuple[str, str | None, bool]] = [(f"/sys/block/{disk}", None, False)]
    seen: set[str] = set()
    while todo:
        path, under, partition = todo.pop(0)
        name = posixpath.basename(path)
        if name in seen:
            continue
        seen.add(name)
        stack.append(read_layer(files, path, under, partition))
        parts = [] if partition else partitions(files, path)
        todo += [(f"{path}/{part}", name, True) for part in parts]
        try:
            todo += [(f"/sys/block/{h}", name, False) for h in files.listdir(f"{path}/holders")]
        except OSError as exc:
            problems.append(Refusal(Reason.UNREADABLE, name, f"cannot tell what holds {name}: "
                                    f"{path}/holders: {exc.strerror or exc}"))
    return stack, problems


def partitions(files: Files, path: str) -> list[str]:
    """Names of the partitions of the whole device at `path` (the kernel prefixes its name)."""
    name = posixpath.basename(path)
    try:
        entries = files.listdir(path)
    except OSError:
        return []
    return [entry for entry in entries if entry.startswith(name) and entry != name
            and present(files, f"{path}/{entry}/partition")]


def present(files: Files, path: str) -> bool:
    """Whether `path` exists; a component that is a file (ENOTDIR) means it does not."""
    try:
        files.realpath(path)
    except OSError:
        return False
    return True


def read_layer(files: Files, path: str, under: str | None, partition: bool) -> Layer:
    """One device's numbers and, for device-mapper, its name and uuid."""
    def attribute(name: str) -> str | None:
        try:
            return read_optional(files, f"{path}/{name}")
        except OSError:
            return None
    return Layer(posixpath.basename(path), attribute("dev"), under, partition,
                 attribute("dm/name"), attribute("dm/uuid"))


def holder_refusal(layer: Layer) -> Refusal | None:
    """`nvme2n1 is a member of md0`, `nvme1n1p3 is held by dm-0 (LVM vg0-data)`."""
    if layer.under is None or layer.partition:
        return None
    if layer.name.startswith("md"):
        return Refusal(Reason.MEMBER, layer.under, f"{layer.under} is a member of {layer.name}")
    what = ""
    if layer.dm_uuid is not None or layer.dm_name is not None:
        kind = next((kind for prefix, kind in DM_KINDS
                     if (layer.dm_uuid or "").startswith(prefix)), "device-mapper")
        what = f" ({' '.join(t for t in (kind, layer.dm_name) if t)})"
    return Refusal(Reason.HELD, layer.under, f"{layer.under} is held by {layer.name}{what}")


def mounted(files: Files, disk: str, stack: Sequence[Layer]) -> list[Refusal]:
    """The root filesystem, or each other mount point, on any layer of `disk`."""
    mounts = read_mounts(files)
    if isinstance(mounts, str):
        return [Refusal(Reason.UNREADABLE, disk, f"cannot tell whether {disk} is mounted: "
                        f"{mounts}")]
    return [refusal for layer in stack for mount in mounts
            if (refusal := mount_refusal(files, disk, layer, mount))]


def mount_refusal(files: Files, disk: str, layer: Layer, mount: Mount) -> Refusal | None:
    """`nvme0n1 holds the root filesystem`, `nvme1n1p2 is mounted at /data`, or None."""
    if not ((mount.dev is not None and mount.dev == layer.dev)
            or names_layer(files, mount.source, layer)):
        return None
    if mount.mount_point == "/":
        on = "" if layer.name == disk else f" (on {layer.name})"
        return Refusal(Reason.ROOT, layer.name, f"{disk} holds the root filesystem{on}")
    return Refusal(Reason.MOUNTED, layer.name, f"{layer.name} is mounted at {mount.mount_point}")


def swapped(files: Files, disk: str, stack: Sequence[Layer]) -> list[Refusal]:
    """Each layer of `disk` swapped to."""
    swaps = read_swaps(files)
    if isinstance(swaps, str):
        return [Refusal(Reason.UNREADABLE, disk, f"cannot tell whether {disk} is swap: {swaps}")]
    return [Refusal(Reason.SWAP, layer.name, f"{layer.name} is swap") for layer in stack
            if any(names_layer(files, swap, layer) for swap in swaps)]


def names_layer(files: Files, source: str, layer: Layer) -> bool:
    """Whether a mount source or swap file (`/dev/mapper/vg0-data`) is the device `layer`."""
    if not source.startswith("/dev/"):
        return False
    short = source.removeprefix("/dev/")
    if short == layer.name or (layer.dm_name is not None and short == f"mapper/{layer.dm_name}"):
        return True
    try:
        return files.realpath(source) == f"/dev/{layer.name}"
    except OSError:
        return False


def signature_refusal(files: Files, layer: Layer) -> Refusal | None:
    """A member of an array or pool that nothing holds yet (an md array not assembled)."""
    if layer.dev is None:
        return None
    try:
        record = read_optional(files, f"{UDEV_DATA}/b{layer.dev}")
    except OSError:
        return None
    kind = parse_udev_data(record or "").get("ID_FS_TYPE", "")
    if kind not in MEMBER_SIGNATURES:
        return None
    return Refusal(Reason.SIGNATURE, layer.name,
                   f"{layer.name} carries {MEMBER_SIGNATURES[kind]} (udev ID_FS_TYPE={kind})")


def read_mounts(files: Files) -> list[Mount] | str:
    """The mount table, else why it could not be read."""
    problems = []
    for path in MOUNT_TABLES:
        try:
            text = read_text(files, path)
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror or exc}")
            continue
        return parse_mountinfo(text) if path.endswith("mountinfo") else parse_mounts(text)
    return "; ".join(problems)


def read_swaps(files: Files) -> list[str] | str:
    """The devices and files swapped to, else why they could not be read."""
    try:
        return parse_swaps(read_text(files, SWAPS))
    except OSError as exc:
        return f"{SWAPS}: {exc.strerror or exc}"


def unescape(field: str) -> str:
    r"""A path as the kernel prints it in mount tables (`\040` for a space)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text: str) -> list[Mount]:
    """`/proc/self/mountinfo`: `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw`."""
    found = []
    for line in text.splitlines():
        head, sep, tail = line.partition(" - ")
        fields, after = head.split(), tail.split()
        if sep and len(fields) >= 5 and len(after) >= 2:
            found.append(Mount(fields[2], unescape(after[1]), unescape(fields[4])))
    return found


def parse_mounts(text: str) -> list[Mount]:
    """`/proc/mounts`: `/dev/nvme0n1p2 /data ext4 rw,relatime 0 0`."""
    return [Mount(None, unescape(fields[0]), unescape(fields[1]))
            for fields in (line.split() for line in text.splitlines()) if len(fields) >= 2]


def parse_swaps(text: str) -> list[str]:
    """`/proc/swaps`: the Filename column below its header."""
    return [unescape(line.split()[0]) for line in text.splitlines()[1:] if line.strip()]
