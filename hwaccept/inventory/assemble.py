"""The inventory from seams whose commands are already running (see `build`)."""

from __future__ import annotations

from functools import partial

from hwaccept.inventory.concurrency import in_background
from hwaccept.inventory.disks import read_disks
from hwaccept.inventory.fabric_manager import read_fabric_manager
from hwaccept.inventory.gpu_topology import read_gpu_topology
from hwaccept.inventory.gpus import read_driver, read_gpus
from hwaccept.inventory.kernel_events import attribute_to_gpus, read_kernel_events
from hwaccept.inventory.nics import read_nics
from hwaccept.inventory.nvswitches import read_nvswitches
from hwaccept.inventory.records import Inventory
from hwaccept.inventory.system import read_system
from hwaccept.record import replace
from hwaccept.sources import Sources
from hwaccept.sysfs.block import BlockDisk
from hwaccept.sysfs.class_infiniband import ib_ports
from hwaccept.sysfs.class_net import NetInterface
from hwaccept.sysfs.pci_device import pci_devices


def assemble_inventory(sources: Sources, disks: tuple[BlockDisk, ...],
                       interfaces: tuple[NetInterface, ...]) -> Inventory:
    """Read what needs no command first; then take the commands' answers.

    `nvidia-smi topo -m` is started here, once the driver answers.
    """
    files, runner = sources.files, sources.runner
    driver = read_driver(sources.nvml)
    topology = in_background(partial(read_gpu_topology, runner)) if driver.available else None
    pci = pci_devices(files)
    gpus, gpu_problems = read_gpus(sources.nvml, driver)
    matrix, topology_problem = topology() if topology else (None, None)
    if topology_problem:
        gpu_problems.append(topology_problem)
    if gpu_problems:
        driver = replace(driver, errors=driver.errors + tuple(gpu_problems))
    system, ports = read_system(files), ib_ports(files)
    fabric_log, fabric_events = read_fabric_manager(files)
    log, found = read_kernel_events(runner)
    return Inventory(
        origin=sources.origin,
        system=system,
        nvidia=driver,
        pci_devices=pci,
        gpus=gpus,
        nvswitches=read_nvswitches(pci, gpus),
        nics=read_nics(files, runner, interfaces),
        ib_ports=ports,
        disks=read_disks(files, runner, disks),
        kernel_log=log,
        kernel_events=tuple(attribute_to_gpus(found, gpus)),
        fabric_manager_log=fabric_log,
        fabric_manager_events=fabric_events,
        gpu_topology=matrix,
        complete=sources.complete,
    )
