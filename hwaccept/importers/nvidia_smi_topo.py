"""`nvidia-smi topo -m` -> the recorded output of that command, and NVML's GPU count.

The inventory reads the matrix from the command's output (see
hwaccept.tools.nvidia_smi_topo for the format); the number of GPU rows is the number
of GPUs NVML enumerates, since nvidia-smi lists every GPU it can see.
"""

from __future__ import annotations

from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts
from hwaccept.inventory.command_lines import TOPO_ARGV
from hwaccept.tools.nvidia_smi_topo import ANSI, parse_topology


def sniff(head: str) -> bool:
    """Whether the text starts with the topology matrix's header row."""
    first = next((line for line in ANSI.sub("", head).splitlines() if line.strip()), "")
    names = first.split()
    return bool(names) and names[0] == "GPU0" and ("Affinity" in first or "NIC0" in first
                                                    or "GPU1" in names)


def parse(text: str, source: str) -> Parts:
    """Record the output and the GPU count; refuse text without a matrix."""
    topology = parse_topology(text)
    if topology is None or not topology.rows:
        raise fail(source, "no `nvidia-smi topo -m` matrix (a header row starting with GPU0)")
    missing = [name for name in topology.devices if name not in topology.rows]
    if missing:
        raise fail(source, f"incomplete topology matrix: no row for {', '.join(missing)}")
    parts = Parts()
    parts.command(TOPO_ARGV, text if text.endswith("\n") else text + "\n")
    parts.nvml_system["nvmlDeviceGetCount"] = len(topology.gpus)
    nics = len(topology.devices) - len(topology.gpus)
    parts.summary = f"{len(topology.gpus)} GPUs, {nics} NICs"
    return parts


KIND = Kind("nvidia-smi-topo", "nvidia-smi topo -m", sniff, parse)
