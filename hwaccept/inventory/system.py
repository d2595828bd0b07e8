"""The `System` record: DMI identity, processors, memory, EDAC and the kernel."""

from __future__ import annotations

from hwaccept.inventory.records import System
from hwaccept.procfs import cpuinfo, kernel, meminfo
from hwaccept.sources.files import Files
from hwaccept.sysfs.attrs import Attr, read_attrs
from hwaccept.sysfs.dmi_id import read_dmi
from hwaccept.sysfs.edac import edac_controllers
from hwaccept.sysfs.system_cpu import read_topology
from hwaccept.sysfs.system_node import numa_node_count

PROC_ATTRS = (
    *kernel.ATTRS,
    Attr("cpu_model", "cpuinfo", cpuinfo.cpu_model),
    Attr("memory_total_bytes", "meminfo", meminfo.memory_total, required=True),
)


def read_system(files: Files) -> System:
    """Read the whole-machine facts; problems land in `System.errors`."""
    dmi, dmi_problems = read_dmi(files)
    proc, proc_problems = read_attrs(files, "/proc", PROC_ATTRS)
    topology = read_topology(files)
    edac, edac_problems = edac_controllers(files)
    return System(
        **dmi,
        **proc,
        sockets=topology.sockets,
        cores=topology.cores,
        threads=topology.threads,
        numa_nodes=numa_node_count(files),
        edac=edac,
        errors=tuple(dmi_problems + proc_problems + list(topology.errors) + edac_problems),
    )
