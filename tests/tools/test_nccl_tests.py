"""nccl-tests result tables, checked against real runs in tests/fixtures/burnin."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pytest

from hwaccept.tools.nccl_tests import (
    NcclDevice,
    NcclMeasurement,
    NcclRow,
    NcclRun,
    NcclTestsError,
    parse_nccl_tests,
)
from tests.corpus import fixture

ALL_REDUCE = "nccl-tests_superbench_all_reduce_perf_8xA100-SXM4-40GB.log"
ALLTOALL = "nccl-tests_superbench_alltoall_perf_8xA100-SXM4-40GB.log"
BROADCAST = "nccl-tests_superbench_broadcast_perf_8xA100-SXM4-40GB.log"
V100_FAILED = "nccl-tests_issue37_all_gather_perf_8xV100_out-of-bounds-2-FAILED_EXCERPT.txt"
RTX5090 = "nccl-tests_issue287_alltoall_perf_1xRTX5090_EXCERPT.txt"


def sample(name: str) -> str:
    path = fixture(f"burnin/{name}")
    if not path.is_file():
        pytest.skip(f"fixture file missing: {path}")
    return path.read_text(encoding="utf-8")


def unvalidated(time_us: float, algbw: float, busbw: float) -> NcclMeasurement:
    """A measurement of a run with `-c 0`, whose error column reads N/A."""
    return NcclMeasurement(time_us, algbw, busbw, wrong_elements=None, max_error=None)


def a100_devices(pid: int) -> tuple[NcclDevice, ...]:
    """The superbench runs: one process driving the 8 A100s of `localhost`, no Group column."""
    return tuple(NcclDevice(rank, None, pid, "localhost", rank, "0x00", "A100-SXM4-40GB")
                 for rank in range(8))


def a100_run(pid: int, rows: tuple[NcclRow, ...], average: float) -> NcclRun:
    return NcclRun(threads=1, gpus_per_thread=8, min_bytes=1, max_bytes=8589934592,
                   warmup_iters=5, iters=20, validation=False, devices=a100_devices(pid),
                   rows=rows, out_of_bounds=0, avg_bus_bandwidth_gbps=average)


def first_and_last(run: NcclRun) -> NcclRun:
    """The run with only its first and last rows, so a whole record stays readable."""
    return replace(run, rows=(run.rows[0], run.rows[-1]))


def test_all_reduce_8x_a100_skips_nccl_info_lines() -> None:
    run = parse_nccl_tests(sample(ALL_REDUCE))
    assert len(run.rows) == 34
    assert first_and_last(run) == a100_run(112424, (
        NcclRow(0, 0, "float", "sum", None, unvalidated(35.20, 0.0, 0.0),
                unvalidated(34.05, 0.0, 0.0)),
        NcclRow(8589934592, 2147483648, "float", "sum", None,
                unvalidated(63896, 134.44, 235.26), unvalidated(63959, 134.30, 235.03)),
    ), 68.4048)
    assert run.rows[24] == NcclRow(16777216, 4194304, "float", "sum", None,
                                   unvalidated(226.0, 74.23, 129.90),
                                   unvalidated(225.0, 74.57, 130.49))
    assert run.passed_validation


def test_alltoall_leaves_redop_blank() -> None:
    run = parse_nccl_tests(sample(ALLTOALL))
    assert len(run.rows) == 34
    assert first_and_last(run) == a100_run(167261, (
        NcclRow(0, 0, "float", None, None, unvalidated(1.63, 0.0, 0.0),
                unvalidated(1.38, 0.0, 0.0)),
        NcclRow(8589934592, 268435456, "float", None, None,
                unvalidated(33508, 256.36, 224.31), unvalidated(33234, 258.47, 226.16)),
    ), 58.6481)


def test_broadcast_has_a_root_and_no_redop() -> None:
    run = parse_nccl_tests(sample(BROADCAST))
    assert first_and_last(run) == a100_run(112528, (
        NcclRow(0, 0, "float", None, 0, unvalidated(34.61, 0.0, 0.0),
                unvalidated(34.33, 0.0, 0.0)),
        NcclRow(8589934592, 2147483648, "float", None, 0,
                unvalidated(36896, 232.81, 232.81), unvalidated(36599, 234.70, 234.70)),
    ), 64.8653)


def test_out_of_bounds_values_fail_a_v100_all_gather() -> None:
    run = parse_nccl_tests(sample(V100_FAILED))
    failed = NcclMeasurement(29122, 129.05, 129.05, wrong_elements=None, max_error=1.0)
    assert run == NcclRun(
        threads=None, gpus_per_thread=None, min_bytes=None, max_bytes=None,
        warmup_iters=None, iters=None, validation=None, devices=(),
        rows=(NcclRow(4294967296, 134217728, "float", None, None, failed,
                      replace(failed, time_us=29169, algbw_gbps=128.84, busbw_gbps=128.84)),),
        out_of_bounds=2, avg_bus_bandwidth_gbps=128.942)
    assert not run.passed_validation


def test_current_format_with_group_root_and_wrong_counts() -> None:
    assert parse_nccl_tests(sample(RTX5090)) == NcclRun(
        threads=1, gpus_per_thread=1, min_bytes=33554432, max_bytes=33554432, warmup_iters=5,
        iters=20, validation=True,
        devices=(NcclDevice(0, 0, 2181762, "GENOA-01", 0, "0x01", "NVIDIA GeForce RTX 5090"),),
        rows=(NcclRow(33554432, 8388608, "float", "none", -1,
                      NcclMeasurement(19.56, 1715.44, 0.0, wrong_elements=0, max_error=None),
                      NcclMeasurement(0.78, 43046.10, 0.0, wrong_elements=None, max_error=None)),),
        out_of_bounds=0, avg_bus_bandwidth_gbps=0.0)


def test_wrong_counts_printed_with_an_exponent() -> None:
    text = sample(RTX5090).replace("0.00      0     0.78", "0.00  1.04858e+06     0.78")
    row = parse_nccl_tests(text).rows[0]
    assert row.out_of_place == NcclMeasurement(19.56, 1715.44, 0.0, wrong_elements=1048580,
                                               max_error=None)


def cut_before(text: str, marker: str) -> str:
    return text[:text.index(marker)]


@pytest.mark.parametrize(("name", "edit", "message"), [
    pytest.param(ALL_REDUCE, lambda text: cut_before(text, "# Out of bounds"),
                 "no `Out of bounds values` line: the run did not finish", id="no-footer"),
    pytest.param(ALL_REDUCE, lambda text: cut_before(text, "63959  134.30"),
                 "line 50: expected 11 to 13 columns, got 8", id="cut-inside-a-row"),
    pytest.param(ALL_REDUCE, lambda text: text.replace("# Avg bus bandwidth    : 68.4048", ""),
                 "no `Avg bus bandwidth` line", id="no-average"),
    pytest.param(ALL_REDUCE, lambda text: text.replace("63896  134.44", "63896  134,44"),
                 "line 50: not a result row", id="comma-in-a-number"),
    pytest.param(ALL_REDUCE, lambda text: cut_before(text, "#                        "),
                 "no nccl-tests column header", id="cut-before-the-header"),
    pytest.param(RTX5090, lambda text: text.replace("#wrong", "#wrong i_min i_max i_p99", 1),
                 "per-iteration timing columns (-I) are not supported", id="per-iteration"),
    pytest.param(RTX5090, lambda text: text.replace("#wrong\n", "#wrong  timestamp\n", 1),
                 "the timestamp column (-S 1) is not supported", id="timestamps"),
    pytest.param(RTX5090, lambda text: text + text, "2 nccl-tests runs in one text",
                 id="two-runs"),
    pytest.param(RTX5090, lambda text: text.replace("    33554432       8388608", "#"),
                 "nccl-tests output has a column header but no result rows", id="no-rows"),
])
def test_malformed_output_names_the_problem(name: str, edit: Callable[[str], str],
                                            message: str) -> None:
    text = edit(sample(name))
    with pytest.raises(NcclTestsError, match="^" + re.escape(message)) as caught:
        parse_nccl_tests(text)
    assert "\n" not in str(caught.value)


def test_text_that_is_not_nccl_tests_output() -> None:
    with pytest.raises(NcclTestsError, match="no nccl-tests column header"):
        parse_nccl_tests("bash: all_reduce_perf: command not found\n")
    with pytest.raises(NcclTestsError, match="no nccl-tests column header"):
        parse_nccl_tests("")
