"""The machine can be read completely: every device answers through its seam.

These checks need no profile. A device whose attributes cannot be read (EIO, a
permission problem, a tool that hangs) fails here, naming the device and the file.
"""

from __future__ import annotations

import pytest

from hwaccept.inventory.kernel_events import NOT_IN_SNAPSHOT
from hwaccept.inventory.records import Disk, Gpu, IbPort, Inventory, Nic, PciDevice

pytestmark = pytest.mark.acceptance


def _clean(what: str, errors: tuple[str, ...]) -> None:
    assert not errors, f"{what} could not be read completely:\n  " + "\n  ".join(errors)


@pytest.mark.system
def test_system_readable(hw_inventory: Inventory) -> None:
    _clean("the system (DMI, CPU, memory, EDAC)", hw_inventory.system.errors)


@pytest.mark.pcie
def test_pci_device_readable(pci_device: PciDevice) -> None:
    _clean(f"PCI device {pci_device.address}", pci_device.errors)


@pytest.mark.gpu
def test_gpu_answers(gpu: Gpu) -> None:
    assert gpu.failed is None, f"GPU {gpu.index} ({gpu.pci_address}) stopped answering NVML: " \
                               f"{gpu.failed}"
    _clean(f"GPU {gpu.index}", gpu.errors)


@pytest.mark.nic
def test_nic_readable(nic: Nic) -> None:
    _clean(f"network interface {nic.name}", nic.errors)


@pytest.mark.ib
def test_ib_port_readable(ib_port: IbPort) -> None:
    _clean(f"InfiniBand port {ib_port.device}/{ib_port.port}", ib_port.errors)


@pytest.mark.disk
def test_disk_readable(disk: Disk) -> None:
    _clean(f"disk {disk.name}", disk.errors)


@pytest.mark.kernel
def test_kernel_log_readable(hw_inventory: Inventory) -> None:
    log = hw_inventory.kernel_log
    if log.problem == NOT_IN_SNAPSHOT:
        pytest.skip(f"kernel log: {NOT_IN_SNAPSHOT}")
    assert log.source is not None, f"the kernel log could not be read: {log.problem}"
