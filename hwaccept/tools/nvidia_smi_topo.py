"""`nvidia-smi topo -m`: how GPUs and NICs reach each other, and their CPU and NUMA affinity.

The matrix (see `nvidia-smi topo -h` and the legend nvidia-smi prints under it): a
header row of device names (`GPU0`..., `NIC0`... or `mlx5_0`... on older drivers, then
`CPU Affinity`, `NUMA Affinity` and, on newer drivers, `GPU NUMA ID`), one row per device,
cells `X` (self), `NV<n>` (a bonded set of n NVLinks), `PIX`, `PXB`, `PHB`, `NODE`, `SYS`
(PCIe paths, nearest first). `NIC Legend:` maps `NICn` to RDMA device names. Real output
wraps the header in an ANSI underline and separates cells with tabs; copies pasted from
terminals have spaces instead, which are accepted too.
"""

from __future__ import annotations

import re

from hwaccept.inventory.records import GpuTopology, TopologyRow

ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DEVICE = re.compile(r"^(?:GPU\d+|NIC\d+|mlx\d+_\w+|[a-z]+\d+_\w+)$")
_CELL = re.compile(r"^(?:X|NV\d+|PIX|PXB|PHB|NODE|SYS|SOC)$")
_NIC_LEGEND = re.compile(r"^\s+(NIC\d+):\s+(\S+)\s*$")
PATHS = ("PIX", "PXB", "PHB", "NODE", "SYS")


def _cells(line: str) -> list[str]:
    if "\t" in line:
        return [cell.strip() for cell in line.split("\t")]
    return line.split()


def _header(lines: list[str]) -> tuple[int, list[str]] | None:
    for number, line in enumerate(lines):
        names = [cell for cell in _cells(line) if cell]
        devices = [name for name in names if _DEVICE.match(name)]
        if devices and devices[0].startswith("GPU") and names[0] == devices[0]:
            return number, devices
    return None


def _row(devices: list[str], line: str) -> TopologyRow | None:
    cells = _cells(line)
    if not cells or cells[0] not in devices:
        return None
    name, rest = cells[0], cells[1:]
    matrix = rest[: len(devices)]
    if len(matrix) < len(devices) or not all(_CELL.match(cell) for cell in matrix):
        return None
    links = {other: cell for other, cell in zip(devices, matrix, strict=True) if other != name}
    tail = [cell for cell in rest[len(devices):] if cell]
    return TopologyRow(name, links, tail[0] if tail else None,
                       tail[1] if len(tail) > 1 else None)


def parse_topology(text: str) -> GpuTopology | None:
    """The matrix of `nvidia-smi topo -m`, None when the text holds none."""
    lines = ANSI.sub("", text).splitlines()
    header = _header(lines)
    if header is None:
        return None
    start, devices = header
    rows = {}
    nic_names = {}
    for line in lines[start + 1:]:
        row = _row(devices, line)
        if row is not None:
            rows[row.name] = row
        elif match := _NIC_LEGEND.match(line):
            nic_names[match[1]] = match[2]
    return GpuTopology(tuple(devices), rows, nic_names)


def nvlink_bond(cell: str | None) -> int | None:
    """`NV18` -> 18; a PCIe path -> None."""
    return int(cell[2:]) if cell and cell.startswith("NV") else None
