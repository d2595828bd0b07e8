"""GPUs under load: throughput, memory, PCIe and NVLink bandwidth, NCCL, DCGM's diagnostic.

Each test loads what it names and compares what it measured with the profile's
`burnin.gpu` minimums, measuring a low value again before failing it
(hwaccept.burnin.measure). Measurements take a window of `MEASURE_SECONDS` (or the
burn-in's duration when shorter); DCGM's diagnostic runs at the level that fits the
duration. Engines, best first: NVIDIA's tools when installed (dcgmi, nvbandwidth,
nccl-tests' all_reduce_perf), else PyTorch kernels (hwaccept.burnin.torch_kernels). A test
whose limit the profile does not set, or with no engine here, skips saying which.

Per-GPU tests are in their GPU's xdist group (plugins/hw_parametrize.py); the tests that
load every GPU at once are in group `system` and run alone (docs/burnin.md).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable
from typing import Literal

import pytest

from hwaccept.burnin.gpu_errors import error_deltas, new_xids
from hwaccept.burnin.load_verdicts import load_findings
from hwaccept.burnin.measure import attempts_property, finding_of, measure
from hwaccept.burnin.monitor import GpuLoadMonitor
from hwaccept.burnin.plan import SYSTEM_GROUP, BurninPlan
from hwaccept.burnin.samples_text import limit_property, samples_property
from hwaccept.burnin.tool_runs import (
    D2H,
    H2D,
    INSTALL,
    P2P,
    ToolRunError,
    bandwidths,
    diag_verdicts,
    figure,
    find_tool,
    largest_busbw,
    run_allreduce,
    run_dcgm_diag,
    run_nvbandwidth,
)
from hwaccept.burnin.torch_kernels import (
    cuda_device,
    cuda_missing,
    host_device_gbps,
    matmul_tflops,
    memory_bandwidth_gbps,
    memory_pattern_errors,
    peer_copy_gbps,
)
from hwaccept.checks.findings import Finding, Outcome, failed, make_finding, passed
from hwaccept.checks.parts import gpu_part, system_part
from hwaccept.inventory.gpus import read_driver, read_gpu
from hwaccept.inventory.kernel_events import read_kernel_log
from hwaccept.inventory.records import Gpu, Inventory
from hwaccept.profiles.schema import Limit
from hwaccept.sources import Sources
from hwaccept.sources.commands import LiveRunner
from plugins.hw_burnin import live_seams, record_and_judge
from plugins.hw_parametrize import no_gpus
from plugins.hw_profile import choose

pytestmark = [pytest.mark.burnin, pytest.mark.gpu]

MEASURE_SECONDS = 60.0
"""How long one measurement loads its GPU (the burn-in's duration when shorter)."""
MATMUL_SIZE = 8192
COPY_BYTES = 1 << 30
PATTERN_SHARE = 0.5
"""Share of a GPU's memory the pattern test writes and reads back."""


def window(burnin: BurninPlan) -> float:
    """Seconds one measurement takes."""
    return min(burnin.seconds, MEASURE_SECONDS)


def limit_of(burnin: BurninPlan, key: str) -> Limit:
    """The profile's `burnin.gpu.<key>`, else skip the test saying it is not asked for."""
    spec = burnin.spec.gpu if burnin.spec else None
    limit = getattr(spec, key, None) if spec else None
    if not isinstance(limit, Limit):
        pytest.skip(f"the profile sets no burnin.gpu.{key}")
    return limit


def torch_device(request: pytest.FixtureRequest, gpu: Gpu) -> str:
    """The GPU as a PyTorch device on this live machine, else skip saying why not."""
    live_seams(request.config)
    reason = cuda_missing()
    if reason:
        pytest.skip(f"no engine for this measurement: {reason}")
    device = cuda_device(gpu.uuid, gpu.pci_address)
    if device is None:
        pytest.skip(f"PyTorch does not see GPU {gpu.index} ({gpu.uuid or gpu.pci_address})")
    return device


def every_gpu(inventory: Inventory) -> tuple[Gpu, ...]:
    """The machine's GPUs, else skip saying why there are none."""
    if not inventory.gpus:
        pytest.skip(no_gpus(inventory))
    return inventory.gpus


def cuda_runner(**env: str) -> LiveRunner:
    """A runner whose CUDA programs number GPUs in PCI order, which is NVML's."""
    return LiveRunner({**os.environ, "CUDA_DEVICE_ORDER": "PCI_BUS_ID", **env})


def tool(name: str) -> str:
    """The path of NVIDIA tool `name`, else skip saying what to install."""
    found = find_tool(name)
    if found is None:
        pytest.skip(f"{name} is not installed (install {INSTALL[name]})")
    return found


def first_then(value: float, again: Callable[[], float]) -> Callable[[], float]:
    """A measurement that gives `value` first (already measured), then measures `again`."""
    given = [value]

    def take() -> float:
        return given.pop() if given else again()
    return take


def measured_case(request: pytest.FixtureRequest, gpu: Gpu, take: Callable[[], float], *,
                  check: str, unit: str, limit: Limit, code: str, retries: int) -> None:
    """Measure (again while low), record the finding and its attempts, and judge it."""
    measured = measure(check, unit, take, limit, retries)
    record_and_judge(request.node, [finding_of(measured, gpu_part(gpu), "gpu", code)],
                     attempts_property(measured))


@pytest.mark.parametrize("dtype", ["bf16", "fp16"])
def test_gpu_matmul_throughput(request: pytest.FixtureRequest, gpu: Gpu,
                               dtype: Literal["bf16", "fp16"], burnin: BurninPlan) -> None:
    """Dense matrix products (TFLOP/s) against `burnin.gpu.<dtype>_tflops`."""
    limit = limit_of(burnin, f"{dtype}_tflops")
    device = torch_device(request, gpu)
    measured_case(request, gpu, lambda: matmul_tflops(device, dtype, MATMUL_SIZE, window(burnin)),
                  check=f"gpu_{dtype}_tflops", unit="TFLOP/s", limit=limit,
                  code="GPU_TFLOPS_LOW", retries=burnin.retries)


def test_gpu_memory_bandwidth(request: pytest.FixtureRequest, gpu: Gpu,
                              burnin: BurninPlan) -> None:
    """Device memory copies (GB/s) against `burnin.gpu.memory_bandwidth_gbps`."""
    limit = limit_of(burnin, "memory_bandwidth_gbps")
    device = torch_device(request, gpu)
    measured_case(request, gpu, lambda: memory_bandwidth_gbps(device, COPY_BYTES, window(burnin)),
                  check="gpu_memory_bandwidth", unit="GB/s", limit=limit,
                  code="GPU_MEMORY_BANDWIDTH_LOW", retries=burnin.retries)


def test_gpu_memory_pattern(request: pytest.FixtureRequest, gpu: Gpu,
                            burnin: BurninPlan) -> None:
    """Half the GPU's memory written with patterns and read back: no byte may differ."""
    device = torch_device(request, gpu)
    total = gpu.memory_total_bytes or (1 << 30)
    wrong = memory_pattern_errors(device, int(total * PATTERN_SHARE), window(burnin))
    judgment = (failed(f"{wrong} bytes read back wrong", "GPU_MEMORY_PATTERN") if wrong
                else passed("every byte read back as written"))
    finding = make_finding("gpu_memory_pattern", "gpu", gpu_part(gpu),
                           Outcome(judgment, measured=wrong, expected="0", unit="bytes"))
    record_and_judge(request.node, [finding])


@pytest.mark.parametrize("direction", ["h2d", "d2h"])
def test_gpu_pcie_bandwidth(request: pytest.FixtureRequest, gpu: Gpu,
                            direction: Literal["h2d", "d2h"], burnin: BurninPlan) -> None:
    """Host-to-device or device-to-host copies (GB/s) against `burnin.gpu.<direction>_gbps`.

    nvbandwidth measures it when installed, with only this GPU visible to it; else PyTorch
    copies from pinned host memory.
    """
    limit = limit_of(burnin, f"{direction}_gbps")
    live_seams(request.config)
    nvbandwidth = find_tool("nvbandwidth")
    if nvbandwidth:
        runner = cuda_runner(CUDA_VISIBLE_DEVICES=gpu.uuid or str(gpu.index))
        testcase = H2D if direction == "h2d" else D2H

        def take() -> float:
            run = run_nvbandwidth(runner, nvbandwidth, [testcase], burnin.timeout)
            figures = bandwidths(run)
            return figure(figures.h2d if direction == "h2d" else figures.d2h, 0,
                          f"{testcase} figure for GPU {gpu.index}")
    else:
        device = torch_device(request, gpu)

        def take() -> float:
            return host_device_gbps(device, direction, COPY_BYTES, window(burnin))

    measured_case(request, gpu, take, check=f"gpu_{direction}_bandwidth", unit="GB/s",
                  limit=limit, code="GPU_PCIE_BANDWIDTH_LOW", retries=burnin.retries)


def test_gpu_under_load(request: pytest.FixtureRequest, gpu: Gpu, burnin: BurninPlan) -> None:
    """The soak: matrix products for the whole burn-in while the GPU is watched.

    Its temperature, power draw and clock event reasons are sampled throughout
    (hwaccept.burnin.monitor); its error counters and the kernel log's Xids are read
    before and after. It fails when it ran hotter than `burnin.gpu.temperature_max_c`,
    slowed down for a hardware reason, drew more than its enforced power limit, stopped
    answering, or gained an ECC error, a retired page, a remapped row or an Xid.
    """
    sources = live_seams(request.config)
    device = torch_device(request, gpu)
    driver = read_driver(sources.nvml)
    before, before_log = read_gpu(sources.nvml, gpu.index, driver), kernel_log(sources)
    with GpuLoadMonitor(sources.nvml, [gpu.index]) as monitor:
        matmul_tflops(device, "bf16", MATMUL_SIZE, burnin.seconds)
    after, after_log = read_gpu(sources.nvml, gpu.index, driver), kernel_log(sources)
    spec = burnin.spec.gpu if burnin.spec else None
    hottest = spec.temperature_max_c if spec else None
    xids = choose(request.config).resolved.profile.kernel_log
    policy = xids.xid if xids else None
    part = gpu_part(gpu)
    samples = monitor.samples(gpu.index)
    findings = [*load_findings(part, samples, hottest, gpu.power_limit_w,
                               monitor.lost(gpu.index)),
                *error_deltas(part, before, after),
                *new_xids(before_log, after_log, [gpu], fail=policy.fail or () if policy else (),
                          warn=policy.warn or () if policy else ())]
    extra = [samples_property(samples), *([limit_property(hottest)] if hottest else [])]
    record_and_judge(request.node, findings, *extra)


def kernel_log(sources: Sources) -> str:
    """The kernel log as it reads now."""
    return "\n".join(read_kernel_log(sources.runner)[1])


@pytest.mark.xdist_group(SYSTEM_GROUP)
def test_gpu_p2p_bandwidth(request: pytest.FixtureRequest, hw_inventory: Inventory,
                           burnin: BurninPlan) -> None:
    """Device-to-device copies of every GPU pair against `nvlink_p2p_gbps`.

    nvbandwidth measures every pair in one run when installed; else PyTorch copies
    between each pair in turn.
    """
    gpus = every_gpu(hw_inventory)
    if len(gpus) < 2:
        pytest.skip("fewer than two GPUs: no pair to measure")
    limit = limit_of(burnin, "nvlink_p2p_gbps")
    live_seams(request.config)
    by_index = {gpu.index: gpu for gpu in gpus}
    binary = find_tool("nvbandwidth")
    if binary is not None:
        def again(pair: tuple[int, int]) -> float:
            run = run_nvbandwidth(cuda_runner(), binary, [P2P], burnin.timeout)
            return figure(bandwidths(run).p2p, pair, f"figure for GPUs {pair[0]} and {pair[1]}")

        first = bandwidths(run_nvbandwidth(cuda_runner(), binary, [P2P], burnin.timeout)).p2p
        takes = {pair: first_then(value, functools.partial(again, pair))
                 for pair, value in sorted(first.items())}
    else:
        devices = {gpu.index: torch_device(request, gpu) for gpu in gpus}
        seconds = window(burnin) / max(1, len(gpus) - 1)
        takes = {(row, column): functools.partial(peer_copy_gbps, devices[row],
                                                  devices[column], COPY_BYTES, seconds)
                 for row in sorted(devices) for column in sorted(devices) if row != column}
    findings: list[Finding] = []
    for (row, column), take in takes.items():
        if row not in by_index:
            pytest.fail(f"nvbandwidth measured GPU {row}, which NVML does not count", pytrace=False)
        measured = measure("gpu_p2p_bandwidth", "GB/s", take, limit, burnin.retries)
        finding = finding_of(measured, gpu_part(by_index[row]), "gpu", "GPU_P2P_BANDWIDTH_LOW")
        findings.append(dataclasses.replace(
            finding, message=f"GPU {row} with GPU {column}: {finding.message}"))
    if not findings:
        pytest.fail("nvbandwidth measured no GPU pair", pytrace=False)
    record_and_judge(request.node, findings)


@pytest.mark.xdist_group(SYSTEM_GROUP)
def test_nccl_allreduce(request: pytest.FixtureRequest, hw_inventory: Inventory,
                        burnin: BurninPlan) -> None:
    """All-reduce over every GPU: bus bandwidth against `nccl_allreduce_busbw_gbps`."""
    count = len(every_gpu(hw_inventory))
    limit = limit_of(burnin, "nccl_allreduce_busbw_gbps")
    live_seams(request.config)
    binary = tool("all_reduce_perf")
    wrong: list[int] = []

    def take() -> float:
        run = run_allreduce(cuda_runner(), binary, count, burnin.timeout)
        wrong.append(run.out_of_bounds)
        return largest_busbw(run)

    measured = measure("nccl_allreduce_busbw", "GB/s", take, limit, burnin.retries)
    part = system_part(hw_inventory, "system")
    findings = [finding_of(measured, part, "gpu", "NCCL_BUSBW_LOW")]
    if any(wrong):
        findings.append(make_finding("nccl_allreduce_results", "gpu", part, Outcome(
            failed(f"{max(wrong)} values out of bounds", "NCCL_WRONG_RESULTS"),
            measured=max(wrong), expected="0")))
    record_and_judge(request.node, findings, attempts_property(measured))


@pytest.mark.xdist_group(SYSTEM_GROUP)
def test_dcgm_diag(request: pytest.FixtureRequest, hw_inventory: Inventory,
                   burnin: BurninPlan) -> None:
    """NVIDIA DCGM's diagnostic over every GPU: no test may fail on any of them."""
    every_gpu(hw_inventory)
    live_seams(request.config)
    binary = tool("dcgmi")
    try:
        diag = run_dcgm_diag(LiveRunner(), binary, burnin.seconds, burnin.timeout)
    except ToolRunError as exc:
        pytest.fail(str(exc), pytrace=False)
    if diag.runtime_error:
        pytest.fail(f"dcgmi diag could not run: {diag.runtime_error}", pytrace=False)
    verdicts = diag_verdicts(diag, [gpu.index for gpu in hw_inventory.gpus])
    findings = []
    for gpu in hw_inventory.gpus:
        said = verdicts[gpu.index]
        judgment = (failed("; ".join(said.failed), "GPU_DIAG_FAILED") if said.failed
                    else passed(f"{said.passed} tests passed"
                                + (f"; warnings: {'; '.join(said.warned)}" if said.warned
                                   else "")))
        findings.append(make_finding("gpu_dcgm_diag", "gpu", gpu_part(gpu), Outcome(
            judgment, measured=f"{len(said.failed)} failed", expected="0 failed")))
    measured = "; ".join(f"gpu{index} {' '.join(said.measured)}"
                         for index, said in sorted(verdicts.items()) if said.measured)
    record_and_judge(request.node, findings,
                     *([("dcgm_measurements", measured)] if measured else []))
