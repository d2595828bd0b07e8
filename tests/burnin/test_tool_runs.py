"""NVIDIA's tools under load, read from their recorded outputs (tests/fixtures/burnin)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from hwaccept.burnin.tool_runs import (
    ToolRunError,
    allreduce_argv,
    bandwidths,
    dcgm_level,
    diag_verdicts,
    largest_busbw,
    run_allreduce,
    run_dcgm_diag,
    run_nvbandwidth,
)
from hwaccept.sources.commands import DEFAULT_TIMEOUT, CommandResult, CommandStatus
from tests.corpus import fixture

NVVS17 = "dcgm_nvvs-1.7_diag-json_4xGPU_per-gpu-error-ids_EDITED.json"
DCGM3_PASS = "dcgm_virtualclient_dcgmi-diag-r3-j_1xGPU_pass.json"
ALLREDUCE = "nccl-tests_superbench_all_reduce_perf_8xA100-SXM4-40GB.log"
WRONG = "nccl-tests_issue37_all_gather_perf_8xV100_out-of-bounds-2-FAILED_EXCERPT.txt"
GH200 = "nvbandwidth_superbench_v0.6_GH200_EDITED-matrices.log"
PAIRS = "nvbandwidth_readme_v0.8_d2d-write-ce_8xGPU_EXCERPT.txt"


def text(name: str) -> str:
    return fixture(f"burnin/{name}").read_text(encoding="utf-8")


class Prints:
    """A runner whose command prints `stdout` and exits with `code` (or never ran)."""

    def __init__(self, stdout: str, code: int | None = 0,
                 status: CommandStatus = CommandStatus.EXITED) -> None:
        self.stdout, self.code, self.status = stdout, code, status
        self.argv: list[str] = []

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> CommandResult:
        self.argv = list(argv)
        return CommandResult(tuple(argv), self.status, self.code, self.stdout, "")


def test_the_diagnostic_level_follows_the_duration() -> None:
    assert [dcgm_level(s) for s in (60, 599, 600, 2699, 2700, 7200)] == [2, 2, 3, 3, 4, 4]


def test_failing_tests_are_told_per_gpu_with_dcgm_error_ids() -> None:
    runner = Prints(text(NVVS17), code=226)
    verdicts = diag_verdicts(run_dcgm_diag(runner, "dcgmi", 700, 60), [0, 1, 2, 3])
    assert runner.argv == ["dcgmi", "diag", "-r", "3", "-j"]
    assert verdicts[0].failed == (
        "sm_stress: Max stress level of 2128.7 did not exceed desired stress level of 3000.0 "
        "for GPU 0 (DCGM error 50)",)
    assert verdicts[1].failed == ()
    assert verdicts[1].passed > verdicts[0].passed
    assert [bool(verdicts[n].failed) for n in range(4)] == [True, False, True, True]
    assert "sm_stress.relative_stress_level=577" in verdicts[1].measured
    assert "sm_stress.temperature_average_c=31" in verdicts[0].measured


def test_a_passing_diagnostic_fails_no_gpu() -> None:
    verdicts = diag_verdicts(run_dcgm_diag(Prints(text(DCGM3_PASS)), "dcgmi", 60, 60), [0])
    assert verdicts[0].failed == ()
    assert verdicts[0].passed > 0


@pytest.mark.parametrize(("runner", "message"), [
    (Prints("", None, CommandStatus.NOT_INSTALLED), "dcgmi diag: "),
    (Prints("Error: unable to connect to host engine\n", 255), "dcgmi diag: "),
])
def test_a_diagnostic_that_did_not_run_is_an_error(runner: Prints, message: str) -> None:
    with pytest.raises(ToolRunError, match=f"^{re.escape(message)}"):
        run_dcgm_diag(runner, "dcgmi", 60, 60)


def test_host_device_bandwidth_per_gpu_and_pairs() -> None:
    figures = bandwidths(run_nvbandwidth(Prints(text(GH200)), "nvbandwidth", ["x"], 60))
    assert figures.d2h == {0: 295.15, 1: 312.11}
    assert figures.h2d == {}
    pairs = bandwidths(run_nvbandwidth(Prints(text(PAIRS)), "nvbandwidth", ["x"], 60)).p2p
    assert len(pairs) == 8 * 7
    assert (pairs[0, 1], pairs[6, 0], min(pairs.values())) == (276.07, 274.89, 274.89)


def test_the_largest_messages_bus_bandwidth_counts() -> None:
    runner = Prints(text(ALLREDUCE))
    run = run_allreduce(runner, "all_reduce_perf", 8, 60)
    assert runner.argv == allreduce_argv("all_reduce_perf", 8) == [
        "all_reduce_perf", "-b", "8", "-e", "8G", "-f", "2", "-g", "8", "-c", "1"]
    assert (largest_busbw(run), run.out_of_bounds) == (235.26, 0)
    assert run_allreduce(Prints(text(WRONG), code=1), "x", 8, 60).out_of_bounds == 2


def test_a_cut_off_table_is_an_error() -> None:
    cut = text(ALLREDUCE).split("# Out of bounds")[0]
    with pytest.raises(ToolRunError, match=r"^all_reduce_perf: "):
        run_allreduce(Prints(cut), "all_reduce_perf", 8, 60)
