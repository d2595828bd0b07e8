"""Gather a whole `Inventory` through the seams.

Every command is started as soon as what it needs is known, each on a thread of its
own: the kernel log at once, smartctl and ethtool once the disks and interfaces are
enumerated, `nvidia-smi topo -m` once the driver answers. The sysfs and NVML reads run
on the calling thread meanwhile. The result does not depend on the order.
"""

from __future__ import annotations

from functools import partial

from hwaccept.inventory.concurrency import Background
from hwaccept.inventory.disks import build_disk
from hwaccept.inventory.fabric_manager import read_fabric_manager
from hwaccept.inventory.gpu_topology import read_gpu_topology
from hwaccept.inventory.gpus import read_driver, read_gpus
from hwaccept.inventory.kernel_events import attribute_to_gpus, read_kernel_events
from hwaccept.inventory.nics import build_nic
from hwaccept.inventory.nvswitches import read_nvswitches
from hwaccept.inventory.records import Inventory
from hwaccept.inventory.system import read_system
from hwaccept.record import replace
from hwaccept.sources import Sources
from hwaccept.sysfs.block import block_disks
from hwaccept.sysfs.class_infiniband import ib_ports
from hwaccept.sysfs.class_net import net_interfaces
from hwaccept.sysfs.pci_device import pci_devices


def build_inventory(sources: Sources) -> Inventory:
    """Read everything the seams expose into one immutable record."""
    files, runner = sources.files, sources.runner
    kernel = Background(partial(read_kernel_events, runner))
    disks = [Background(partial(build_disk, files, runner, disk)) for disk in block_disks(files)]
    nics = [Background(partial(build_nic, runner, nic)) for nic in net_interfaces(files)]
    driver = read_driver(sources.nvml)
    topology = Background(partial(read_gpu_topology, runner)) if driver.available else None
    pci = pci_devices(files)
    gpus, gpu_problems = read_gpus(sources.nvml, driver)
    matrix, topology_problem = topology.result() if topology else (None, None)
    if topology_problem:
        gpu_problems.append(topology_problem)
    if gpu_problems:
        driver = replace(driver, errors=driver.errors + tuple(gpu_problems))
    fabric_log, fabric_events = read_fabric_manager(files)
    log, found = kernel.result()
    return Inventory(
        origin=sources.origin,
        system=read_system(files),
        nvidia=driver,
        pci_devices=pci,
        gpus=gpus,
        nvswitches=read_nvswitches(pci, gpus),
        nics=tuple(nic.result() for nic in nics),
        ib_ports=ib_ports(files),
        disks=tuple(disk.result() for disk in disks),
        kernel_log=log,
        kernel_events=tuple(attribute_to_gpus(found, gpus)),
        fabric_manager_log=fabric_log,
        fabric_manager_events=fabric_events,
        gpu_topology=matrix,
        complete=sources.complete,
    )
