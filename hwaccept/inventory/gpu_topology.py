"""The GPU topology matrix, from `nvidia-smi topo -m` through the commands seam.

NVML has no single call for the matrix nvidia-smi prints (it derives the NVLink bonds
and PCIe paths pair by pair), so the tool's own output is read; it is only asked for
when the NVIDIA driver answers.
"""

from __future__ import annotations

from hwaccept.inventory.command_lines import TOPO_ARGV, TOPO_TIMEOUT
from hwaccept.inventory.records import GpuTopology
from hwaccept.sources.commands import Runner
from hwaccept.tools.nvidia_smi_topo import parse_topology


def read_gpu_topology(runner: Runner) -> tuple[GpuTopology | None, str | None]:
    """The matrix, or None and why not (None too when a snapshot did not record it)."""
    result = runner.run(TOPO_ARGV, TOPO_TIMEOUT)
    if not result.ok:
        return None, result.problem()
    topology = parse_topology(result.stdout)
    if topology is None:
        return None, "nvidia-smi topo -m: no topology matrix in its output"
    return topology, None
