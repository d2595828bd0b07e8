"""Gather a whole `Inventory` through the seams.

Families that do not depend on each other are read concurrently (commands such as
smartctl and ethtool dominate the time); the result does not depend on the order.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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
from hwaccept.sysfs.class_infiniband import ib_ports
from hwaccept.sysfs.pci_device import pci_devices


def build_inventory(sources: Sources, workers: int = 6) -> Inventory:
    """Read everything the seams expose into one immutable record."""
    files, runner = sources.files, sources.runner
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inventory") as pool:
        system = pool.submit(read_system, files)
        pci = pool.submit(pci_devices, files)
        nics = pool.submit(read_nics, files, runner)
        ports = pool.submit(ib_ports, files)
        disks = pool.submit(read_disks, files, runner)
        kernel = pool.submit(read_kernel_events, runner)
        fabric = pool.submit(read_fabric_manager, files)
        driver = read_driver(sources.nvml)
        topology = pool.submit(read_gpu_topology, runner) if driver.available else None
        gpus, gpu_problems = read_gpus(sources.nvml, driver)
        matrix, topology_problem = topology.result() if topology else (None, None)
        if topology_problem:
            gpu_problems.append(topology_problem)
        if gpu_problems:
            driver = replace(driver, errors=driver.errors + tuple(gpu_problems))
        log, found = kernel.result()
        fabric_log, fabric_events = fabric.result()
        return Inventory(
            origin=sources.origin,
            system=system.result(),
            nvidia=driver,
            pci_devices=pci.result(),
            gpus=gpus,
            nvswitches=read_nvswitches(pci.result(), gpus),
            nics=nics.result(),
            ib_ports=ports.result(),
            disks=disks.result(),
            kernel_log=log,
            kernel_events=tuple(attribute_to_gpus(found, gpus)),
            fabric_manager_log=fabric_log,
            fabric_manager_events=fabric_events,
            gpu_topology=matrix,
            complete=sources.complete,
        )
