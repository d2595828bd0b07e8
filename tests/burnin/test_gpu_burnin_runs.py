"""hwtests/test_burnin_gpu.py run for real on the bundled 8-GPU machine, its loads on the CPU.

The machine is replayed from its snapshot; a plugin of the test stands the CPU in for each
GPU (PyTorch's kernels run there at a tiny size) and lets the replayed machine be loaded.
Each run is a process of its own, as a station's is.
What is checked is everything around the kernels: one case per GPU and measurement,
each in its GPU's xdist group, the JUnit properties of the contract, a low value measured
again with every attempt recorded, and the verdicts. The soak's monitor reads the replayed
GPUs, whose capture shows the hardware slowdown and power brake active (clock event
reasons 0x88): each soak fails for it, as it would have on that machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hwaccept.burnin.torch_kernels import torch_missing
from hwaccept.reports.junit_read import read_junit
from hwaccept.reports.model import CaseResult

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO / "snapshots" / "hgx-h100-8gpu.tar.gz"
MODULE = REPO / "hwtests" / "test_burnin_gpu.py"

pytestmark = pytest.mark.skipif(torch_missing() is not None, reason=str(torch_missing()))

ON_CPU = """
from hwaccept.burnin import torch_kernels
from plugins.hw_inventory import open_run_sources

def pytest_collection_modifyitems(items):
    for module in {item.module for item in items}:
        module.MATMUL_SIZE = 32
        module.COPY_BYTES = 1 << 16
        module.MEASURE_SECONDS = 0.01
        module.cuda_missing = lambda: None
        module.cuda_device = lambda uuid, address: "cpu"
        module.memory_pattern_errors = (
            lambda device, nbytes, seconds: torch_kernels.memory_pattern_errors(device, 4096, 0))
        module.live_seams = open_run_sources
        module.find_tool = lambda name: None
"""

PROFILE = """
sku: h100-burnin-{name}
extends: dell-xe9680-h100
burnin:
  minutes: 1
  retries: 2
  gpu:
    bf16_tflops:
      min: {tflops}
    memory_bandwidth_gbps:
      min: 0.000001
    h2d_gbps:
      min: 0.000001
    d2h_gbps:
      min: 0.000001
    temperature_max_c: 90
    nvlink_p2p_gbps:
      min: 0.000001
"""


def run(pytester: pytest.Pytester, name: str,
        tflops: float) -> tuple[pytest.RunResult, dict[str, CaseResult]]:
    pytester.makepyfile(burnin_on_cpu=ON_CPU)
    profile = pytester.path / f"{name}.yaml"
    profile.write_text(PROFILE.format(name=name, tflops=tflops))
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess(
        str(MODULE), "-c", str(REPO / "pyproject.toml"), "--rootdir", str(REPO),
        "-p", "burnin_on_cpu", "-m", "burnin", f"--hw-snapshot={SNAPSHOT}",
        f"--hw-profile={profile}", "--hw-reports=none", f"--junitxml={junit}",
        "--hw-burnin-minutes=0.005",
        "-k", "matmul or memory or pcie or under_load or p2p")
    cases = {case.nodeid.split("::")[-1]: case for case in read_junit(str(junit)).cases}
    return result, cases


def test_every_gpu_is_measured_and_recorded(pytester: pytest.Pytester) -> None:
    result, cases = run(pytester, "pass", 0.000001)
    result.assert_outcomes(passed=8 * 5 + 1, failed=8, skipped=8)
    bf16 = [c for name, c in cases.items() if name.startswith("test_gpu_matmul_throughput[")
            and c.get("check") == "gpu_bf16_tflops"]
    assert len(bf16) == 8
    first = bf16[0]
    assert (first.get("component"), first.get("unit"), first.get("verdict"),
            first.get("expected"), first.get("attempts") is not None) == (
        "gpu", "TFLOP/s", "PASS", ">= 1e-06", True)
    assert float(first.get("measured") or 0) > 0
    assert {c.get("serial") for c in bf16} == {c.get("component_id") for c in bf16}
    skipped = [c for name, c in cases.items() if "fp16" in name]
    assert {c.message for c in skipped} == {"the profile sets no burnin.gpu.fp16_tflops"}
    pairs = cases["test_gpu_p2p_bandwidth"]
    assert (pairs.get("check"), pairs.get("verdict"), pairs.get("unit")) == (
        "gpu_p2p_bandwidth", "PASS", "GB/s")
    soak = cases["test_gpu_under_load[gpu3-1650124032506]"]
    assert (soak.get("check"), soak.get("failure_code"), soak.get("temperature_max_c")) == (
        "gpu_throttle_under_load", "GPU_THROTTLED_UNDER_LOAD", "90")
    assert "hw_power_brake_slowdown" in soak.message
    assert (soak.get("samples") or "").count(":") >= 4
    pattern = cases["test_gpu_memory_pattern[gpu3-1650124032506]"]
    assert (pattern.get("measured"), pattern.get("expected"), pattern.get("verdict")) == (
        "0", "0", "PASS")


def test_a_gpu_below_its_minimum_is_measured_again_then_failed(
        pytester: pytest.Pytester) -> None:
    result, cases = run(pytester, "slow", 1e9)
    result.assert_outcomes(passed=8 * 4 + 1, failed=8 * 2, skipped=8)
    failed = [c for c in cases.values() if c.outcome == "failed"
              and c.get("check") != "gpu_throttle_under_load"]
    assert {c.get("check") for c in failed} == {"gpu_bf16_tflops"}
    assert {c.get("failure_code") for c in failed} == {"GPU_TFLOPS_LOW"}
    assert {c.get("action") for c in failed} == {"INSPECT"}
    assert all(len((c.get("attempts") or "").split(",")) == 3 for c in failed)
    assert "in all 3 attempts" in failed[0].message


TOOLS = """
import tools_here
from plugins.hw_inventory import open_run_sources

def pytest_collection_modifyitems(items):
    for module in {item.module for item in items}:
        module.live_seams = open_run_sources
        module.find_tool = tools_here.path
"""


def tools_printing(pytester: pytest.Pytester, scripts: dict[str, tuple[Path, int]]) -> None:
    """Scripts named as NVIDIA's tools that print a file and exit with a status."""
    for name, (printed, code) in scripts.items():
        script = pytester.path / name
        script.write_text(f"#!/bin/sh\ncat '{printed}'\nexit {code}\n")
        script.chmod(0o755)
    pytester.makepyfile(tools_here=f"def path(name):\n    return '{pytester.path}/' + name\n")
    pytester.makepyfile(burnin_tools=TOOLS)


def test_nvidias_tools_judge_the_whole_machine(pytester: pytest.Pytester) -> None:
    """NVLink pairs, NCCL and DCGM's diagnostic, from tools that print real outputs.

    8 GPUs' NVLink pairs at 276 GB/s, an 8xA100 all-reduce at 235 GB/s, a diagnostic where
    three of four GPUs failed SM stress; against the H100 profile's 335 and 460 GB/s.
    """
    fixtures = REPO / "tests" / "fixtures" / "burnin"
    tools_printing(pytester, {
        "nvbandwidth": (fixtures / "nvbandwidth_readme_v0.8_d2d-write-ce_8xGPU_EXCERPT.txt", 0),
        "all_reduce_perf": (
            fixtures / "nccl-tests_superbench_all_reduce_perf_8xA100-SXM4-40GB.log", 0),
        "dcgmi": (fixtures / "dcgm_nvvs-1.7_diag-json_4xGPU_per-gpu-error-ids_EDITED.json", 226)})
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess(
        str(MODULE), "-c", str(REPO / "pyproject.toml"), "--rootdir", str(REPO),
        "-p", "burnin_tools", "-m", "burnin", f"--hw-snapshot={SNAPSHOT}",
        "--hw-profile=hgx-h100-8gpu", "--hw-reports=none", f"--junitxml={junit}",
        "--hw-burnin-minutes=0.005", "-k", "p2p or nccl or dcgm")
    result.assert_outcomes(failed=3)
    cases = {case.nodeid.split("::")[-1]: case for case in read_junit(str(junit)).cases}
    p2p, nccl, dcgm = (cases[name] for name in ("test_gpu_p2p_bandwidth",
                                                  "test_nccl_allreduce", "test_dcgm_diag"))
    assert (p2p.get("failure_code"), p2p.get("measured")) == ("GPU_P2P_BANDWIDTH_LOW", "276.07")
    assert ("GPU 6 with GPU 0: beyond >= 335 (marginal below 351.75) in all 3 attempts "
            "(274.9 GB/s, 274.9 GB/s, 274.9 GB/s)") in (p2p.get("message") or "")
    assert (nccl.get("failure_code"), nccl.get("attempts")) == (
        "NCCL_BUSBW_LOW", "235.26,235.26,235.26")
    assert (dcgm.get("failure_code"), dcgm.get("component_id")) == (
        "GPU_DIAG_FAILED", "1650124031592")
    assert "(DCGM error 50)" in (dcgm.get("message") or "")
    assert "gpu1 " in (dcgm.get("dcgm_measurements") or "")


def test_a_tool_that_prints_nonsense_fails_its_test_in_one_line(
        pytester: pytest.Pytester) -> None:
    nonsense = pytester.path / "nonsense.txt"
    nonsense.write_text("Segmentation fault (core dumped)\n")
    tools_printing(pytester, {"nvbandwidth": (nonsense, 139)})
    result = pytester.runpytest_subprocess(
        str(MODULE), "-c", str(REPO / "pyproject.toml"), "--rootdir", str(REPO),
        "-p", "burnin_tools", "-m", "burnin", f"--hw-snapshot={SNAPSHOT}",
        "--hw-profile=hgx-h100-8gpu", "--hw-reports=none", "--hw-burnin-minutes=0.005",
        "-k", "p2p")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["nvbandwidth: no bandwidth matrix in the output; is this "
                                 "nvbandwidth output?"])
    assert "Traceback" not in result.stdout.str()
