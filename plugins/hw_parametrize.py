"""Parametrize tests per component, in a deterministic order with readable ids.

A test that takes `gpu`, `pci_device`, `nvswitch`, `nic`, `ib_port` or `disk` runs
once per such component of the inventory. When the machine has none, the test is
collected once and skipped with the reason (no NVIDIA driver, none present), so a
check never disappears silently. A burn-in test (marked `burnin`) loads its component:
each of its cases is in the xdist group of that device (`gpu:0000:19:00.0`,
`disk:nvme0n1`), which keeps two loads of one device apart (docs/burnin.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from hwaccept.inventory.records import Disk, Gpu, IbPort, Inventory, Nic, NvSwitch, PciDevice
from hwaccept.pci_ids import model_name
from plugins.hw_inventory import inventory_of


@dataclass(frozen=True)
class Family:
    """How to list one kind of component and name each instance."""

    items: Callable[[Inventory], Sequence[Any]]
    ident: Callable[[Any], str]
    absent: Callable[[Inventory], str]
    device: Callable[[Any], str]
    """The device a burn-in of this component loads, as its xdist group."""


def _gpu_id(gpu: Gpu) -> str:
    return f"gpu{gpu.index}-{gpu.serial or 'no-serial'}"


def _pci_id(device: PciDevice) -> str:
    return f"{device.address}-{model_name(device.pci_id) or device.pci_id or 'unknown'}"


def no_gpus(inventory: Inventory) -> str:
    """Why the machine has no GPUs to test."""
    if not inventory.nvidia.available:
        return f"no GPUs to check: {inventory.nvidia.reason}"
    return "no GPUs: NVML counts none"


FAMILIES: dict[str, Family] = {
    "gpu": Family(lambda i: i.gpus, _gpu_id, no_gpus,
                  lambda g: f"gpu:{g.pci_address or g.uuid or g.index}"),
    "pci_device": Family(lambda i: i.pci_devices, _pci_id,
                         lambda _i: "no PCI devices in /sys/bus/pci/devices",
                         lambda d: f"pci:{d.address}"),
    "nvswitch": Family(lambda i: i.nvswitches, lambda s: str(s.pci_address),
                       lambda _i: "no NVSwitches on the PCI bus",
                       lambda s: f"nvswitch:{s.pci_address}"),
    "nic": Family(lambda i: i.nics, lambda n: str(n.name),
                  lambda _i: "no physical network interfaces in /sys/class/net",
                  lambda n: f"nic:{n.name}"),
    "ib_port": Family(lambda i: i.ib_ports, lambda p: f"{p.device}-{p.port}",
                      lambda _i: "no InfiniBand/RoCE devices in /sys/class/infiniband",
                      lambda p: f"ib:{p.device}"),
    "disk": Family(lambda i: i.disks, lambda d: str(d.name),
                   lambda _i: "no hardware disks in /sys/block", lambda d: f"disk:{d.name}"),
}

COMPONENT_TYPES = (Gpu, PciDevice, NvSwitch, Nic, IbPort, Disk)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize each component argument from the inventory."""
    for name, family in FAMILIES.items():
        if name not in metafunc.fixturenames:
            continue
        inventory = inventory_of(metafunc.config)
        items = family.items(inventory)
        if items and metafunc.definition.get_closest_marker("burnin"):
            metafunc.parametrize(name, [
                pytest.param(item, id=family.ident(item),
                             marks=pytest.mark.xdist_group(family.device(item)))
                for item in items])
        elif items:
            metafunc.parametrize(name, items, ids=[family.ident(item) for item in items])
        else:
            skip = pytest.mark.skip(reason=family.absent(inventory))
            metafunc.parametrize(name, [pytest.param(None, marks=skip, id="none")])
