"""PCI functions from real sysfs trees (node_exporter's and procfs's fixtures)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hwaccept.errors import UnknownUnitError
from hwaccept.inventory.records import AerCounters, PciDevice
from hwaccept.sources.file_tree import FileTree, TreeFiles
from hwaccept.sources.files import LiveFiles
from hwaccept.sysfs.pci_device import link_gen, parse_aer, parse_link_speed, pci_devices, read_aer
from tests.corpus import corpus, read_ttar

ZERO_AER = AerCounters(correctable=0, nonfatal=0, fatal=0, details={})


def test_node_exporter_tree_whole_records() -> None:
    devices = pci_devices(TreeFiles(read_ttar(corpus("sysfs/node_exporter_sys.ttar"))))
    assert devices == (
        PciDevice(address="0000:00:02.1", vendor_id="1022", device_id="1634",
                  subsystem_vendor_id="17aa", subsystem_device_id="5095", class_code="060400",
                  revision="00", driver="pcieport", numa_node=None, current_link_gts=8.0,
                  max_link_gts=8.0, current_link_gen=3, max_link_gen=3, current_link_width=4,
                  max_link_width=8, parent=None, aer=None),
        PciDevice(address="0000:01:00.0", vendor_id="c0a9", device_id="540a",
                  subsystem_vendor_id="c0a9", subsystem_device_id="5021", class_code="010802",
                  revision="01", driver="nvme", numa_node=None, current_link_gts=8.0,
                  max_link_gts=16.0, current_link_gen=3, max_link_gen=4, current_link_width=4,
                  max_link_width=4, parent="0000:00:02.1", aer=ZERO_AER),
        PciDevice(address="0000:45:00.0", vendor_id="8086", device_id="1521",
                  subsystem_vendor_id="8086", subsystem_device_id="00a3", class_code="020000",
                  revision="01", driver="igb", numa_node=0, current_link_gts=5.0,
                  max_link_gts=5.0, current_link_gen=2, max_link_gen=2, current_link_width=4,
                  max_link_width=4, parent="0000:40:01.3", aer=ZERO_AER),
    )


def test_aer_counters_with_details() -> None:
    files = TreeFiles(read_ttar(corpus("sysfs/procfs_fixtures.ttar"), prefix="fixtures/"))
    aer, problems = read_aer(files, "/sys/devices/pci0000:00/0000:00:1f.6")
    assert problems == []
    assert aer is not None
    assert (aer.correctable, aer.nonfatal, aer.fatal) == (9, 48, 28)
    assert aer.details["correctable.RxErr"] == 1
    assert aer.details["fatal.PoisonTLPBlocked"] == 27
    assert len(aer.details) == 8 + 18 + 18


def test_an_unreadable_attribute_is_an_error_on_that_device_only() -> None:
    base = "/sys/devices/pci0000:00/0000:00:01.0"
    tree = FileTree(
        contents={f"{base}/vendor": b"0x10de\n", f"{base}/device": b"0x2330\n",
                  f"{base}/class": b"0x030200\n", f"{base}/max_link_width": b"16\n"},
        errors={f"{base}/current_link_width": (5, "Input/output error")},
        links={"/sys/bus/pci/devices/0000:00:01.0": "../../../devices/pci0000:00/0000:00:01.0"},
    )
    (device,) = pci_devices(TreeFiles(tree))
    assert device == PciDevice(
        address="0000:00:01.0", vendor_id="10de", device_id="2330", class_code="030200",
        max_link_width=16, errors=(f"{base}/current_link_width: Input/output error",))


def test_missing_required_and_garbage_values_are_errors() -> None:
    base = "/sys/devices/pci0000:00/0000:00:01.0"
    tree = FileTree(
        contents={f"{base}/vendor": b"0x10de\n", f"{base}/class": b"0x030200\n",
                  f"{base}/current_link_speed": b"32.0 Tb/s PCIe\n",
                  f"{base}/numa_node": b"banana\n"},
        links={"/sys/bus/pci/devices/0000:00:01.0": "../../../devices/pci0000:00/0000:00:01.0"},
    )
    (device,) = pci_devices(TreeFiles(tree))
    assert device.errors == (
        f"{base}/device: missing",
        f"{base}/numa_node: expected an integer, got 'banana'",
        f"{base}/current_link_speed: unknown link speed unit in '32.0 Tb/s PCIe'",
    )


@pytest.mark.parametrize(("text", "gts", "gen"), [
    ("2.5 GT/s PCIe", 2.5, 1), ("5.0 GT/s PCIe", 5.0, 2), ("8.0 GT/s PCIe", 8.0, 3),
    ("16.0 GT/s PCIe", 16.0, 4), ("32.0 GT/s PCIe", 32.0, 5), ("64.0 GT/s PCIe", 64.0, 6),
    ("8 GT/s", 8.0, 3), ("2.5 GT/s", 2.5, 1), ("Unknown", None, None),
    ("Unknown speed", None, None)])
def test_link_speeds(text: str, gts: float | None, gen: int | None) -> None:
    assert parse_link_speed(text) == gts
    assert link_gen(gts) == gen


def test_unknown_link_units_raise() -> None:
    with pytest.raises(UnknownUnitError):
        parse_link_speed("8.0 Gb/s")
    with pytest.raises(ValueError, match="unrecognised"):
        parse_link_speed("fast")


def test_aer_parser() -> None:
    assert parse_aer("RxErr 0\nBadTLP 3\nTOTAL_ERR_COR 3\n") == (3, {"BadTLP": 3})


def test_live_pci_devices_match_sysfs() -> None:
    root = Path("/sys/bus/pci/devices")
    if not root.is_dir():
        pytest.skip("no /sys/bus/pci on this machine")
    devices = pci_devices(LiveFiles("/"))
    assert [d.address for d in devices] == sorted(os.listdir(root))
    for device in devices:
        vendor = (root / device.address / "vendor").read_text().strip().removeprefix("0x")
        assert device.vendor_id == vendor
        driver = root / device.address / "driver"
        assert device.driver == (driver.resolve().name if driver.exists() else None)
        assert device.errors == ()
