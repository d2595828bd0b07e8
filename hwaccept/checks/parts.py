"""The identity of each inventory record as a finding names it.

`component_id` follows the JUnit contract: the part's serial where it has one (GPUs,
disks, the chassis), else its PCI address (NVSwitches, PCI functions, network interfaces),
else its name (InfiniBand ports `mlx5_0/1`, memory controllers `mc0`). No record holds a
physical slot, so `slot` stays empty. A technician's line names a part by its `who`: `gpu3`,
`system` for the machine and its whole-machine aspects, else the name (`nvme0n1`,
`mlx5_0/1`, `eth0`, a PCI address).
"""

from __future__ import annotations

from hwaccept.inventory.records import (
    Disk,
    EdacController,
    Gpu,
    IbPort,
    Inventory,
    Nic,
    NvSwitch,
    PciDevice,
)
from hwaccept.pci_ids import model_name

from .findings import Part


def system_part(inventory: Inventory, component: str = "system",
                name: str = "system") -> Part:
    """The chassis, or one of its whole-machine aspects (`cpu`, `memory`)."""
    system = inventory.system
    return Part(component, system.serial or system.hostname or "system", name,
                serial=system.serial, model=system.product, who="system")


def gpu_label(gpu: Gpu) -> str:
    """Serial, else PCI address, else UUID, else `GPU<index>`."""
    return gpu.serial or gpu.pci_address or gpu.uuid or f"GPU{gpu.index}"


def gpu_part(gpu: Gpu) -> Part:
    """One GPU."""
    return Part("gpu", gpu_label(gpu), f"GPU {gpu.index}", serial=gpu.serial,
                bdf=gpu.pci_address, model=gpu.name, who=f"gpu{gpu.index}")


def pci_model(device: PciDevice | None) -> str | None:
    """A readable model for a PCI function: its name where known, else its id."""
    if device is None:
        return None
    return model_name(device.pci_id) or device.pci_id


def pci_part(device: PciDevice, model: str | None = None) -> Part:
    """One PCI function (its link, driver or error counters)."""
    return Part("pcie", device.address, device.address, bdf=device.address,
                model=model or pci_model(device))


def nvswitch_part(switch: NvSwitch) -> Part:
    """One NVSwitch."""
    return Part("nvswitch", switch.pci_address, switch.pci_address, bdf=switch.pci_address,
                model=switch.model)


def find_pci(inventory: Inventory, address: str | None) -> PciDevice | None:
    """The PCI function at `address`, when the inventory holds it."""
    if address is None:
        return None
    return next((d for d in inventory.pci_devices if d.address == address), None)


def nic_part(inventory: Inventory, nic: Nic) -> Part:
    """One network interface."""
    return Part("nic", nic.pci_address or nic.name, nic.name, bdf=nic.pci_address,
                model=pci_model(find_pci(inventory, nic.pci_address)))


def ib_label(port: IbPort) -> str:
    """`mlx5_0/1`."""
    return f"{port.device}/{port.port}"


def ib_part(port: IbPort) -> Part:
    """One InfiniBand or RoCE port."""
    return Part("ib", ib_label(port), ib_label(port), bdf=port.pci_address,
                model=port.hca_type)


def disk_label(disk: Disk) -> str:
    """Serial, else the block device name."""
    return disk.serial or disk.name


def disk_part(disk: Disk) -> Part:
    """One disk."""
    return Part("disk", disk_label(disk), disk.name, serial=disk.serial, bdf=disk.pci_address,
                model=disk.model)


def edac_part(controller: EdacController) -> Part:
    """One EDAC memory controller."""
    return Part("memory", controller.name, controller.name, model=controller.mc_name)
