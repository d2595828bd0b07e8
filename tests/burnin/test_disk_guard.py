"""The disk write guard: on recorded trees for each reason, and on this machine's loop devices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hwaccept.burnin.disk_guard import Reason, Refusal, in_use, request_refusals, write_refusals
from hwaccept.inventory.records import Disk
from hwaccept.sources.file_tree import FileTree, TreeFiles
from hwaccept.sources.files import LiveFiles
from tests.burnin.loop_devices import Loops, loop_devices

SWAPS_HEAD = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"

STATION_BLOCKS: dict[str, tuple[str, list[str]]] = {
    "nvme0n1": ("259:0", []),
    "nvme0n1/nvme0n1p1": ("259:1", []),
    "nvme0n1/nvme0n1p2": ("259:2", []),
    "nvme1n1": ("259:3", []),
    "nvme1n1/nvme1n1p1": ("259:4", []),
    "nvme1n1/nvme1n1p2": ("259:5", ["dm-0"]),
    "dm-0": ("253:0", []),
    "nvme2n1": ("259:6", ["md0"]),
    "md0": ("9:0", []),
    "nvme3n1": ("259:7", []),
    "nvme4n1": ("259:8", []),
    "nvme5n1": ("259:9", []),
    "nvme6n1": ("259:10", []),
    "nvme6n1/nvme6n1p1": ("259:11", ["dm-1"]),
    "dm-1": ("253:1", ["dm-2"]),
    "dm-2": ("253:2", []),
}
"""A station's drives: the system drive, data on btrfs and LVM, md RAID, a free drive, swap,
a RAID member not assembled, and swap on LVM on dm-crypt."""
STATION_DM = {"dm-0": ("vg0-scratch", "LVM-Xq0aQ2x1gk4Vf0Qv3bL2n9F5aPq8y1mT"),
              "dm-1": ("luks-abc", "CRYPT-LUKS2-0f4c2b6e9a1d4e57b3c8a0e6f2d1c9b7-luks-abc"),
              "dm-2": ("vg1-swap", "LVM-Zt1bW9c3hk5Yg2Rr4cM3o0G6bQr9z2nU")}
STATION_MOUNTINFO = """\
22 1 0:21 / /proc rw,relatime - proc proc rw
27 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
31 27 259:1 / /boot/efi rw,relatime shared:2 - vfat /dev/nvme0n1p1 rw,fmask=0077
40 27 0:45 / /data\\040set rw,relatime shared:3 - btrfs /dev/nvme1n1p1 rw,ssd,space_cache=v2
41 27 253:0 / /scratch rw,relatime shared:4 - xfs /dev/mapper/vg0-scratch rw,attr2
42 27 9:0 / /raid rw,relatime shared:5 - ext4 /dev/md0 rw,stripe=256
"""
STATION_MOUNTS = """\
proc /proc proc rw,relatime 0 0
/dev/nvme0n1p2 / ext4 rw,errors=remount-ro 0 0
/dev/nvme0n1p1 /boot/efi vfat rw,fmask=0077 0 0
/dev/nvme1n1p1 /data\\040set btrfs rw,ssd,space_cache=v2 0 0
/dev/mapper/vg0-scratch /scratch xfs rw,attr2 0 0
/dev/md0 /raid ext4 rw,stripe=256 0 0
"""
STATION_SWAPS = SWAPS_HEAD + (
    "/dev/nvme4n1                            partition\t8388604\t\t0\t\t-2\n"
    "/dev/dm-2                               partition\t4194300\t\t0\t\t-3\n"
    "/swap\\040file                           file\t\t1048572\t\t0\t\t-4\n")
STATION_UDEV = {"259:9": "linux_raid_member", "259:5": "LVM2_member"}


def machine(blocks: dict[str, tuple[str, list[str]]], *, mountinfo: str | None = None,
            mounts: str | None = None, swaps: str | None = SWAPS_HEAD,
            dm: dict[str, tuple[str, str]] | None = None,
            udev: dict[str, str] | None = None) -> TreeFiles:
    """A recorded tree of /sys/block, the mount and swap tables, and udev's records."""
    tree = FileTree()
    for path, (dev, holders) in blocks.items():
        base = f"/sys/block/{path}"
        tree.contents[f"{base}/dev"] = f"{dev}\n".encode()
        tree.listings[f"{base}/holders"] = holders
        if "/" in path:
            tree.contents[f"{base}/partition"] = path.rsplit("p", 1)[1].encode() + b"\n"
    for name, (dm_name, uuid) in (dm or {}).items():
        tree.contents[f"/sys/block/{name}/dm/name"] = f"{dm_name}\n".encode()
        tree.contents[f"/sys/block/{name}/dm/uuid"] = f"{uuid}\n".encode()
    for path, text in (("/proc/self/mountinfo", mountinfo), ("/proc/mounts", mounts),
                       ("/proc/swaps", swaps)):
        if text is not None:
            tree.contents[path] = text.encode()
    for dev, kind in (udev or {}).items():
        tree.contents[f"/run/udev/data/b{dev}"] = f"S:disk/by-id/x\nE:ID_FS_TYPE={kind}\n".encode()
    return TreeFiles(tree)


def station(**tables: str | None) -> TreeFiles:
    """The station, with its mount tables as given (default: mountinfo)."""
    chosen = tables or {"mountinfo": STATION_MOUNTINFO}
    return machine(STATION_BLOCKS, swaps=STATION_SWAPS, dm=STATION_DM, udev=STATION_UDEV,
                   mountinfo=chosen.get("mountinfo"), mounts=chosen.get("mounts"))


BUSY = {
    "nvme0n1": (
        Refusal(Reason.MOUNTED, "nvme0n1p1", "nvme0n1p1 is mounted at /boot/efi"),
        Refusal(Reason.ROOT, "nvme0n1p2", "nvme0n1 holds the root filesystem (on nvme0n1p2)")),
    "nvme1n1": (
        Refusal(Reason.HELD, "nvme1n1p2", "nvme1n1p2 is held by dm-0 (LVM vg0-scratch)"),
        Refusal(Reason.MOUNTED, "nvme1n1p1", "nvme1n1p1 is mounted at /data set"),
        Refusal(Reason.MOUNTED, "dm-0", "dm-0 is mounted at /scratch")),
    "nvme2n1": (
        Refusal(Reason.MEMBER, "nvme2n1", "nvme2n1 is a member of md0"),
        Refusal(Reason.MOUNTED, "md0", "md0 is mounted at /raid")),
    "nvme3n1": (),
    "nvme4n1": (Refusal(Reason.SWAP, "nvme4n1", "nvme4n1 is swap"),),
    "nvme5n1": (Refusal(Reason.SIGNATURE, "nvme5n1", "nvme5n1 carries a RAID member (md) not "
                        "assembled (udev ID_FS_TYPE=linux_raid_member)"),),
    "nvme6n1": (
        Refusal(Reason.HELD, "nvme6n1p1", "nvme6n1p1 is held by dm-1 (dm-crypt luks-abc)"),
        Refusal(Reason.HELD, "dm-1", "dm-1 is held by dm-2 (LVM vg1-swap)"),
        Refusal(Reason.SWAP, "dm-2", "dm-2 is swap")),
}


@pytest.mark.parametrize("drive", list(BUSY))
def test_what_uses_each_drive_of_a_recorded_station(drive: str) -> None:
    assert in_use(station(), drive) == BUSY[drive]


@pytest.mark.parametrize("drive", ["nvme0n1", "nvme1n1", "nvme2n1", "nvme3n1"])
def test_proc_mounts_finds_the_same_mounts_by_their_source(drive: str) -> None:
    assert in_use(station(mounts=STATION_MOUNTS), drive) == BUSY[drive]


def test_a_filesystem_on_the_whole_drive_as_root() -> None:
    files = machine({"nvme0n1": ("259:0", [])},
                    mountinfo="27 1 259:0 / / rw - ext4 /dev/nvme0n1 rw\n")
    assert in_use(files, "nvme0n1") == (
        Refusal(Reason.ROOT, "nvme0n1", "nvme0n1 holds the root filesystem"),)


def test_root_on_lvm_names_the_drive_beneath() -> None:
    files = machine({"nvme0n1": ("259:0", []), "nvme0n1/nvme0n1p3": ("259:3", ["dm-0"]),
                     "dm-0": ("253:0", [])},
                    mountinfo="27 1 253:0 / / rw - ext4 /dev/mapper/vg0-root rw\n",
                    dm={"dm-0": ("vg0-root", "LVM-Aa0bB1cC2dD3")})
    assert in_use(files, "nvme0n1") == (
        Refusal(Reason.HELD, "nvme0n1p3", "nvme0n1p3 is held by dm-0 (LVM vg0-root)"),
        Refusal(Reason.ROOT, "dm-0", "nvme0n1 holds the root filesystem (on dm-0)"))


def test_what_cannot_be_read_refuses() -> None:
    bare = machine({"nvme3n1": ("259:7", [])}, swaps=None)
    assert in_use(bare, "nvme3n1") == (
        Refusal(Reason.UNREADABLE, "nvme3n1", "cannot tell whether nvme3n1 is mounted: "
                "/proc/self/mountinfo: no such file in snapshot; /proc/mounts: no such file in "
                "snapshot"),
        Refusal(Reason.UNREADABLE, "nvme3n1", "cannot tell whether nvme3n1 is swap: "
                "/proc/swaps: no such file in snapshot"))
    tree = FileTree(contents={"/sys/block/nvme3n1/dev": b"259:7\n",
                              "/proc/self/mountinfo": b"", "/proc/swaps": SWAPS_HEAD.encode()})
    assert in_use(TreeFiles(tree), "nvme3n1") == (
        Refusal(Reason.UNREADABLE, "nvme3n1", "cannot tell what holds nvme3n1: "
                "/sys/block/nvme3n1/holders: no such directory in snapshot"),)
    assert in_use(station(), "nvme9n1") == (
        Refusal(Reason.UNREADABLE, "nvme9n1", "nvme9n1 is not in /sys/block"),)


DRIVE = Disk("nvme3n1", "nvme", model="SAMSUNG MZQL23T8HCLS-00A07", serial="S64HNE0T512345")


@pytest.mark.parametrize(("asked", "allowed", "expected"), [
    pytest.param(True, ["samsung mzql2*"], [], id="model-pattern-any-case"),
    pytest.param(True, ["KIOXIA*", "S64HNE0T5*"], [], id="serial-pattern"),
    pytest.param(False, ["*MZQL2*"], [
        Refusal(Reason.NOT_ASKED, "nvme3n1",
                "writes erase the drive and need --hw-allow-destructive")], id="not-asked"),
    pytest.param(True, None, [
        Refusal(Reason.NOT_ALLOWED, "nvme3n1",
                "the profile's burnin.disk.destructive_allowed names no drive")], id="none"),
    pytest.param(True, ["KIOXIA*", "*7450*"], [
        Refusal(Reason.NOT_ALLOWED, "nvme3n1", "nvme3n1 (model SAMSUNG MZQL23T8HCLS-00A07, "
                "serial S64HNE0T512345) matches none of the profile's "
                "burnin.disk.destructive_allowed (KIOXIA*, *7450*)")], id="not-named"),
])
def test_the_run_and_the_profile_must_both_allow_the_write(
        asked: bool, allowed: list[str] | None, expected: list[Refusal]) -> None:
    assert request_refusals(DRIVE, asked=asked, allowed=allowed) == expected


def test_a_drive_without_identity_is_named_by_no_pattern() -> None:
    bare = Disk("nvme7n1", "nvme")
    assert request_refusals(bare, asked=True, allowed=["*"]) == [
        Refusal(Reason.NOT_ALLOWED, "nvme7n1", "nvme7n1 (no model or serial) matches none of "
                "the profile's burnin.disk.destructive_allowed (*)")]


def test_every_reason_together_run_and_profile_first() -> None:
    system = Disk("nvme0n1", "nvme", model="MZ1L2960HCJR", serial="S665NE0R1")
    assert [r.reason for r in write_refusals(station(), system, asked=False,
                                             allowed=["KIOXIA*"])] == [
        Reason.NOT_ASKED, Reason.NOT_ALLOWED, Reason.MOUNTED, Reason.ROOT]
    assert write_refusals(station(), DRIVE, asked=True, allowed=["SAMSUNG*"]) == ()


@pytest.fixture
def loops(tmp_path: Path) -> Iterator[Loops]:
    with loop_devices(tmp_path) as made:
        yield made


LIVE = LiveFiles("/")


def test_a_free_loop_device_may_be_written(loops: Loops) -> None:
    device = loops.make("free")
    assert write_refusals(LIVE, Disk(device, model="hwaccept-loop"), asked=True,
                          allowed=["hwaccept-*"]) == ()


def test_a_mounted_loop_device_is_refused_naming_the_mount_point(loops: Loops,
                                                                 tmp_path: Path) -> None:
    device = loops.make("mounted")
    where = tmp_path / "mount point"
    loops.mount(device, where)
    assert write_refusals(LIVE, Disk(device, model="hwaccept-loop"), asked=True,
                          allowed=["hwaccept-*"]) == (
        Refusal(Reason.MOUNTED, device, f"{device} is mounted at {where}"),)


def test_a_mounted_partition_refuses_its_drive(loops: Loops, tmp_path: Path) -> None:
    disk, part = loops.partition("partitioned")
    assert in_use(LIVE, disk) == ()
    loops.mount(part, tmp_path / "data")
    assert in_use(LIVE, disk) == (
        Refusal(Reason.MOUNTED, part, f"{part} is mounted at {tmp_path / 'data'}"),)


def test_a_loop_device_swapped_to_is_refused(loops: Loops) -> None:
    device = loops.make("swap")
    loops.swap(device)
    assert in_use(LIVE, device) == (Refusal(Reason.SWAP, device, f"{device} is swap"),)


def root_disk() -> tuple[str, str]:
    """(drive, device) of this machine's root filesystem, else skip saying why."""
    with open("/proc/self/mountinfo", encoding="utf-8") as table:
        numbers = [line.split()[2] for line in table if line.split()[4] == "/"]
    entry = Path(f"/sys/dev/block/{numbers[-1]}") if numbers else None
    if entry is None or not entry.exists():
        pytest.skip(f"the root filesystem is on no block device ({numbers or 'not found'})")
    device = entry.resolve()
    disk = device.parent if (device / "partition").exists() else device
    return disk.name, device.name


def test_this_machines_root_drive_is_refused() -> None:
    disk, device = root_disk()
    on = "" if device == disk else f" (on {device})"
    assert Refusal(Reason.ROOT, device, f"{disk} holds the root filesystem{on}") in in_use(
        LIVE, disk)
