"""The files seam: live roots, recorded trees, and udev enumeration both ways."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from hwaccept.errors import SourceError
from hwaccept.sources.file_tree import FileTree, TreeFiles
from hwaccept.sources.files import (
    MAX_FILE_BYTES,
    LiveFiles,
    UdevDevice,
    exists,
    read_optional,
    read_text,
)
from hwaccept.sources.udev import parse_udev_data, tree_device, tree_devices
from tests.corpus import corpus, read_ttar


def test_live_root_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        LiveFiles(str(tmp_path / "absent"))


def test_live_root_must_be_a_directory(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(SourceError, match="not a directory"):
        LiveFiles(str(file))


@pytest.fixture
def small_root(tmp_path: Path) -> Path:
    device = tmp_path / "sys/devices/pci0000:00/0000:00:03.0"
    device.mkdir(parents=True)
    (device / "vendor").write_text("0x1af4\n")
    (tmp_path / "sys/bus/pci/devices").mkdir(parents=True)
    os.symlink("../../../devices/pci0000:00/0000:00:03.0",
               tmp_path / "sys/bus/pci/devices/0000:00:03.0")
    return tmp_path


def test_live_files_under_a_root(small_root: Path) -> None:
    files = LiveFiles(str(small_root))
    assert read_text(files, "/sys/bus/pci/devices/0000:00:03.0/vendor") == "0x1af4"
    assert files.listdir("/sys/bus/pci/devices") == ["0000:00:03.0"]
    assert files.realpath("/sys/bus/pci/devices/0000:00:03.0") == \
        "/sys/devices/pci0000:00/0000:00:03.0"
    assert read_optional(files, "/sys/bus/pci/devices/0000:00:03.0/absent") is None
    with pytest.raises(FileNotFoundError):
        files.realpath("/sys/absent")


def test_live_files_refuse_huge_files(tmp_path: Path) -> None:
    with (tmp_path / "big").open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(OSError, match="larger than") as caught:
        LiveFiles(str(tmp_path)).read_bytes("/big")
    assert caught.value.errno == errno.EFBIG


def test_tree_devices_under_a_root(small_root: Path) -> None:
    (small_root / "sys/devices/pci0000:00/0000:00:03.0/uevent").write_text(
        "DRIVER=virtio-pci\nPCI_ID=1AF4:1041\n")
    found = LiveFiles(str(small_root)).devices("pci")
    assert found == (UdevDevice(
        sys_path="/sys/devices/pci0000:00/0000:00:03.0", subsystem="pci", devtype=None,
        driver="virtio-pci",
        properties={"DEVPATH": "/devices/pci0000:00/0000:00:03.0", "SUBSYSTEM": "pci",
                    "DRIVER": "virtio-pci", "PCI_ID": "1AF4:1041"}),)


@pytest.mark.parametrize("subsystem", ["pci", "net", "block"])
def test_tree_enumeration_matches_pyudev_on_this_machine(subsystem: str) -> None:
    """Deriving devices from sysfs gives what libudev gives, on the real /sys."""
    pytest.importorskip("pyudev")
    if not Path("/sys/bus/pci/devices").is_dir():
        pytest.skip("no /sys/bus/pci on this machine")
    live = LiveFiles("/")
    by_udev = live.devices(subsystem)
    derived = tree_devices(live, subsystem)
    assert [d.sys_path for d in derived] == [d.sys_path for d in by_udev]
    for ours, theirs in zip(derived, by_udev, strict=True):
        assert (ours.devtype, ours.driver) == (theirs.devtype, theirs.driver)
        assert {k: v for k, v in theirs.properties.items() if k != "USEC_INITIALIZED"} == \
            {k: v for k, v in ours.properties.items() if k in theirs.properties}


def test_pyudev_sees_the_real_pci_devices() -> None:
    root = Path("/sys/bus/pci/devices")
    if not root.is_dir():
        pytest.skip("no /sys/bus/pci on this machine")
    names = sorted(d.sys_name for d in LiveFiles("/").devices("pci"))
    assert names == sorted(os.listdir(root))


def test_one_udev_context_serves_every_enumeration(monkeypatch: pytest.MonkeyPatch) -> None:
    """A context is made once: pyudev finds libudev by running `ldconfig -p`."""
    pyudev = pytest.importorskip("pyudev")
    made: list[object] = []
    real = pyudev.Context

    def counted() -> object:
        made.append(real())
        return made[-1]

    monkeypatch.setattr(pyudev, "Context", counted)
    live = LiveFiles("/")
    found = [live.devices(subsystem) for subsystem in ("pci", "net", "block", "pci")]
    assert len(made) == 1
    assert found[0] == found[3]
    assert {d.sys_name for d in found[1]} == set(os.listdir("/sys/class/net"))


def test_without_pyudev_devices_come_from_sysfs_with_one_warning(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "pyudev", None)
    live = LiveFiles("/")
    assert live.devices("net") == tree_devices(live, "net")
    assert live.devices("block") == tree_devices(live, "block")
    assert [r.getMessage() for r in caplog.records] == [
        "pyudev or libudev unavailable (import of pyudev halted; None in sys.modules); "
        "enumerating from sysfs"]


def test_tree_files_follow_relative_links() -> None:
    tree = read_ttar(corpus("sysfs/node_exporter_sys.ttar"))
    files = TreeFiles(tree)
    assert read_text(files, "/sys/bus/pci/devices/0000:01:00.0/current_link_speed") == \
        "8.0 GT/s PCIe"
    assert files.realpath("/sys/bus/pci/devices/0000:01:00.0") == \
        "/sys/devices/pci0000:00/0000:00:02.1/0000:01:00.0"
    assert "0000:01:00.0" in files.listdir("/sys/bus/pci/devices")


def test_tree_files_replay_errors_and_absence() -> None:
    tree = FileTree(contents={"/sys/a/ok": b"1\n"},
                    errors={"/sys/a/broken": (errno.EIO, "Input/output error")})
    files = TreeFiles(tree)
    with pytest.raises(OSError, match="Input/output error") as caught:
        files.read_bytes("/sys/a/broken")
    assert caught.value.errno == errno.EIO
    with pytest.raises(FileNotFoundError):
        files.read_bytes("/sys/a/absent")
    with pytest.raises(IsADirectoryError):
        files.read_bytes("/sys/a")
    with pytest.raises(NotADirectoryError):
        files.listdir("/sys/a/ok")
    assert files.listdir("/sys/a") == ["broken", "ok"]
    assert exists(files, "/sys/a/ok")
    assert not exists(files, "/sys/b")


def test_tree_files_stop_at_link_loops() -> None:
    files = TreeFiles(FileTree(links={"/sys/x": "y", "/sys/y": "x"}))
    with pytest.raises(OSError, match="symbolic links") as caught:
        files.read_bytes("/sys/x/attr")
    assert caught.value.errno == errno.ELOOP


def test_recorded_listing_wins() -> None:
    tree = FileTree(contents={"/sys/d/a": b""}, listings={"/sys/d": ["a", "b"]})
    assert TreeFiles(tree).listdir("/sys/d") == ["a", "b"]


def test_udev_database_record_adds_properties() -> None:
    """A real udev database record (node_exporter's fixture) joined to a block device."""
    tree = read_ttar(corpus("sysfs/node_exporter_udev.ttar"), prefix="udev/")
    tree.contents = {f"/run/udev/{k.lstrip('/')}": v for k, v in tree.contents.items()}
    tree.listings = {}
    tree.contents["/sys/devices/platform/df2969f3.mmc/block/mmcblk0/uevent"] = (
        b"MAJOR=179\nMINOR=0\nDEVNAME=mmcblk0\nDEVTYPE=disk\n")
    tree.links["/sys/class/block/mmcblk0"] = "../../devices/platform/df2969f3.mmc/block/mmcblk0"
    device = tree_device(TreeFiles(tree), "block", "/sys/class/block/mmcblk0")
    assert device.sys_path == "/sys/devices/platform/df2969f3.mmc/block/mmcblk0"
    assert device.devtype == "disk"
    assert device.properties["DEVNAME"] == "/dev/mmcblk0"
    assert device.properties["ID_SERIAL"] == "0x83e36d93"
    assert device.properties["ID_NAME"] == "SC64G"


def test_udev_data_parser_ignores_non_property_lines() -> None:
    record = "S:disk/by-id/x\nW:1\nE:ID_MODEL=Virtual_CDROM0\nE:ID_FS_TYPE=\nG:seat\n"
    assert parse_udev_data(record) == {"ID_MODEL": "Virtual_CDROM0", "ID_FS_TYPE": ""}
