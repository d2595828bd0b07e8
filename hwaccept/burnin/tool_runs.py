"""NVIDIA's own tools under load: how to run them, and what their output means per GPU.

* `dcgmi diag -r LEVEL -j` (DCGM): each GPU fails when a test of the diagnostic failed on
  it (or on every GPU, for a test that names none); the level follows the burn-in's
  duration (level 2 takes about two minutes, 3 about twelve, 4 an hour or more).
* `nvbandwidth -t ...`: host-to-device and device-to-host copy bandwidth per GPU, and
  device-to-device read bandwidth per ordered GPU pair (NVLink when present; the write
  testcase's figures when a run has no read testcase).
* `all_reduce_perf` (nccl-tests): the bus bandwidth of the largest message over all GPUs,
  and whether any result was out of bounds.

Runs go through the commands seam (argv lists, a timeout each); parsing is
hwaccept.tools'. Nothing here imports pytest.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from hwaccept.sources.commands import CommandResult, Runner
from hwaccept.tools.dcgmi_diag import DcgmDiag, DiagTest, parse_dcgmi_diag
from hwaccept.tools.nccl_tests import NcclRun, parse_nccl_tests
from hwaccept.tools.nvbandwidth import NvbandwidthMatrix, NvbandwidthRun, parse_nvbandwidth

H2D = "host_to_device_memcpy_ce"
D2H = "device_to_host_memcpy_ce"
P2P = "device_to_device_memcpy_read_ce"
P2P_WRITE = "device_to_device_memcpy_write_ce"
K = TypeVar("K")
FAILED_STATUSES = frozenset({"fail", "failed"})
WARNED_STATUSES = frozenset({"warn", "warning"})


TOOL_DIRS = ("/usr/local/bin", "/usr/bin", "/usr/local/cuda/bin", "/opt/nvbandwidth",
             "/opt/nccl-tests/build", "/usr/local/nccl-tests/build")
"""Where NVIDIA's tools are found besides PATH: their build folders are often left as is."""
INSTALL = {"dcgmi": "NVIDIA DCGM (datacenter-gpu-manager)",
           "nvbandwidth": "nvbandwidth (github.com/NVIDIA/nvbandwidth)",
           "all_reduce_perf": "nccl-tests (github.com/NVIDIA/nccl-tests)"}


def find_tool(name: str) -> str | None:
    """The path of tool `name` on PATH or in TOOL_DIRS, or None."""
    path = os.pathsep.join([os.environ.get("PATH", ""), *TOOL_DIRS])
    return shutil.which(name, path=path)


class ToolRunError(RuntimeError):
    """The tool did not run to the end, or printed what cannot be read."""


def _output(result: CommandResult, tool: str) -> str:
    """The tool's stdout, or ToolRunError saying why there is none worth reading."""
    if result.ok or (result.returncode not in (None, 0) and result.stdout.strip()):
        return result.stdout
    raise ToolRunError(f"{tool}: {result.describe()}")


def dcgm_level(seconds: float) -> int:
    """The `dcgmi diag -r` level whose run fits a burn-in of `seconds` per test."""
    if seconds < 10 * 60:
        return 2
    if seconds < 45 * 60:
        return 3
    return 4


def run_dcgm_diag(runner: Runner, binary: str, seconds: float, timeout: float) -> DcgmDiag:
    """Run DCGM's diagnostic over every GPU and parse it.

    dcgmi exits non-zero when a test fails, with the JSON still on stdout: that is a
    result, not an error.

    Raises:
        ToolRunError: it did not run, or printed no diagnostic document.

    """
    result = runner.run([binary, "diag", "-r", str(dcgm_level(seconds)), "-j"], timeout=timeout)
    try:
        return parse_dcgmi_diag(_output(result, "dcgmi diag"))
    except ValueError as exc:
        raise ToolRunError(f"dcgmi diag: {exc}") from None


@dataclass(frozen=True)
class DiagVerdict:
    """What DCGM's diagnostic said about one GPU."""

    failed: tuple[str, ...]
    """`Memory: error 83: ...` for each test that failed on it."""
    warned: tuple[str, ...]
    passed: int
    """Tests that passed on it."""
    measured: tuple[str, ...] = ()
    """`PCIe.host_to_gpu_bandwidth_gbps=24.5`: what its tests measured on it."""


def _said(test: DiagTest, gpu: int) -> list[tuple[str, str]]:
    """(status, text) of each of `test`'s results that concern GPU `gpu`."""
    found = []
    for result in test.results:
        if result.gpu_ids and gpu not in result.gpu_ids:
            continue
        notes = [f"{w.message} (DCGM error {w.error_id})" if w.error_id is not None
                 else w.message for w in result.warnings]
        found.append((result.status.lower(), f"{test.name}: " + ("; ".join(notes) or
                                                                 result.status)))
    return found


def diag_verdicts(diag: DcgmDiag, gpus: Sequence[int]) -> dict[int, DiagVerdict]:
    """Each GPU's failed, warned and passed tests (DCGM's GPU ids are NVML indexes)."""
    verdicts = {}
    for gpu in gpus:
        said = [entry for test in diag.tests for entry in _said(test, gpu)]
        measured = tuple(f"{test.name}.{m.name}={m.value:g}" for test in diag.tests
                         for result in test.results for m in result.measurements
                         if m.gpu_id == gpu)
        verdicts[gpu] = DiagVerdict(
            tuple(text for status, text in said if status in FAILED_STATUSES),
            tuple(text for status, text in said if status in WARNED_STATUSES),
            sum(status == "pass" for status, _ in said), measured)
    return verdicts


def run_nvbandwidth(runner: Runner, binary: str, testcases: Sequence[str],
                    timeout: float) -> NvbandwidthRun:
    """Run nvbandwidth's `testcases` and parse them.

    Raises:
        ToolRunError: it did not run, or printed no bandwidth matrix.

    """
    result = runner.run([binary, "-t", *testcases], timeout=timeout)
    try:
        return parse_nvbandwidth(_output(result, "nvbandwidth"))
    except ValueError as exc:
        raise ToolRunError(f"nvbandwidth: {exc}") from None


@dataclass(frozen=True)
class Bandwidths:
    """nvbandwidth's figures in GB/s: per GPU index, and per (row, column) GPU pair."""

    h2d: Mapping[int, float]
    d2h: Mapping[int, float]
    p2p: Mapping[tuple[int, int], float]


def bandwidths(run: NvbandwidthRun) -> Bandwidths:
    """The host-device figures per GPU and the device-to-device ones per pair."""
    first: dict[str, NvbandwidthMatrix] = {
        testcase.name: testcase.matrices[0] for testcase in run.testcases if testcase.matrices}
    h2d, d2h, p2p = (first.get(name) for name in (H2D, D2H, P2P))
    p2p = p2p or first.get(P2P_WRITE)
    return Bandwidths(dict(h2d.per_gpu) if h2d else {}, dict(d2h.per_gpu) if d2h else {},
                      dict(p2p.pairs) if p2p else {})


def figure(found: Mapping[K, float], key: K, what: str) -> float:
    """One figure of a run, or ToolRunError saying it is not there."""
    if key not in found:
        raise ToolRunError(f"nvbandwidth printed no {what}")
    return found[key]


def allreduce_argv(binary: str, gpus: int) -> list[str]:
    """`all_reduce_perf` from 8 B to 8 GiB, doubling, over `gpus` GPUs, results checked."""
    return [binary, "-b", "8", "-e", "8G", "-f", "2", "-g", str(gpus), "-c", "1"]


def run_allreduce(runner: Runner, binary: str, gpus: int, timeout: float) -> NcclRun:
    """Run NCCL's all-reduce over every GPU and parse its table.

    Raises:
        ToolRunError: it did not run, or its table is cut off.

    """
    result = runner.run(allreduce_argv(binary, gpus), timeout=timeout)
    try:
        return parse_nccl_tests(_output(result, "all_reduce_perf"))
    except ValueError as exc:
        raise ToolRunError(f"all_reduce_perf: {exc}") from None


def largest_busbw(run: NcclRun) -> float:
    """The out-of-place bus bandwidth (GB/s) of the largest message, as Azure's check reads."""
    return max(run.rows, key=lambda row: row.size_bytes).out_of_place.busbw_gbps
