"""The inventory of this very machine, checked against what the kernel says directly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import Inventory
from hwaccept.sources import live_sources


@pytest.fixture(scope="module")
def live() -> Inventory:
    return build_inventory(live_sources())


def test_every_pci_function_is_listed(live: Inventory) -> None:
    assert [d.address for d in live.pci_devices] == sorted(os.listdir("/sys/bus/pci/devices"))


def test_physical_nics_carry_their_pci_function_and_driver(live: Inventory) -> None:
    net = Path("/sys/class/net")
    physical = sorted(n.name for n in net.iterdir() if (n / "device").exists())
    assert [nic.name for nic in live.nics] == physical
    for nic in live.nics:
        device = (net / nic.name / "device").resolve()
        assert nic.pci_address in device.parts
        assert nic.mtu == int((net / nic.name / "mtu").read_text())
        assert nic.mac == (net / nic.name / "address").read_text().strip()
        if shutil.which("ethtool"):
            assert nic.driver == (device / "driver").resolve().name
            assert nic.errors == ()


def test_hardware_disks_and_their_smart_answer(live: Inventory) -> None:
    block = Path("/sys/block")
    hardware = sorted(d.name for d in block.iterdir() if (d / "device").exists())
    assert [disk.name for disk in live.disks] == hardware
    for disk in live.disks:
        assert disk.size_bytes == int((block / disk.name / "size").read_text()) * 512
        assert disk.smart is not None
        if disk.transport == "virtio" and shutil.which("smartctl"):
            assert not disk.smart.supported
            assert disk.smart.reason == f"/dev/{disk.name}: Unable to detect device type"


def test_no_nvidia_driver_is_said_plainly(live: Inventory) -> None:
    if Path("/proc/driver/nvidia").exists():
        pytest.skip("this machine has the NVIDIA driver")
    assert not live.nvidia.available
    assert live.nvidia.reason is not None
    assert live.nvidia.reason.startswith("no NVIDIA driver")
    assert live.gpus == ()


def test_kernel_log_was_read(live: Inventory) -> None:
    if os.geteuid() != 0:
        pytest.skip("reading the kernel log may need root")
    assert live.kernel_log.source is not None, live.kernel_log.problem
    assert live.kernel_log.lines > 0
