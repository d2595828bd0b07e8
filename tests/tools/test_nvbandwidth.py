"""nvbandwidth text output, checked against samples in tests/fixtures/burnin."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from hwaccept.tools.nvbandwidth import (
    NvbandwidthError,
    NvbandwidthMatrix,
    NvbandwidthRun,
    NvbandwidthTestcase,
    parse_nvbandwidth,
)
from tests.corpus import fixture

GH200 = "nvbandwidth_superbench_v0.6_GH200_EDITED-matrices.log"
README = "nvbandwidth_readme_v0.8_d2d-write-ce_8xGPU_EXCERPT.txt"


def sample(name: str) -> str:
    path = fixture(f"burnin/{name}")
    if not path.is_file():
        pytest.skip(f"fixture file missing: {path}")
    return path.read_text(encoding="utf-8")


def host(name: str, engine: str, direction: str, rows: list[list[float]], total: float, *,
         unit: str = "GB/s") -> NvbandwidthTestcase:
    """A testcase whose rows are the CPU and whose columns are GPUs, as v0.6 prints it."""
    what = f"memcpy {engine}" if unit == "GB/s" else f"memory latency {engine}"
    suffix = "bandwidth (GB/s)" if unit == "GB/s" else "(ns)"
    matrix = NvbandwidthMatrix(
        f"{what} CPU(row) {direction} GPU(column) {suffix}", "CPU", "GPU", direction, unit,
        tuple(range(len(rows[0]))), tuple((index, tuple(row)) for index, row in enumerate(rows)),
        name, total, None)
    return NvbandwidthTestcase(name, (matrix,))


GH200_RUN = NvbandwidthRun(
    version="v0.6", driver_version="550.54.15", cuda_runtime_version="12040",
    devices={0: "NVIDIA GH200 480GB (00000009:01:00)"},
    testcases=(
        host("host_to_device_memcpy_ce", "CE", "->",
             [[369.36, 269.33, 412.11], [323.36, 299.33, 312.11]], 1985.60),
        host("device_to_host_memcpy_ce", "CE", "<-", [[295.15, 312.11]], 607.26),
        host("host_to_device_bidirectional_memcpy_ce", "CE", "<->", [[176.92]], 176.92),
        host("device_to_host_bidirectional_memcpy_ce", "CE", "<->", [[187.26]], 187.26),
        host("all_to_host_memcpy_ce", "CE", "<-", [[295.15]], 295.15),
        host("all_to_host_bidirectional_memcpy_ce", "CE", "<->", [[187.00]], 187.00),
        host("host_to_all_memcpy_ce", "CE", "->", [[370.13]], 370.13),
        host("host_to_all_bidirectional_memcpy_ce", "CE", "<->", [[176.86]], 176.86),
        host("host_to_device_memcpy_sm", "SM", "->", [[372.33]], 372.33),
        host("device_to_host_memcpy_sm", "SM", "<-", [[351.93]], 351.93),
        host("all_to_host_memcpy_sm", "SM", "<-", [[352.98]], 352.98),
        host("all_to_host_bidirectional_memcpy_sm", "SM", "<->", [[156.53]], 156.53),
        host("host_to_all_memcpy_sm", "SM", "->", [[360.93]], 360.93),
        host("host_to_all_bidirectional_memcpy_sm", "SM", "<->", [[247.56]], 247.56),
        host("host_device_latency_sm", "SM", "<->", [[772.58]], 772.58, unit="ns"),
    ),
    waived=17,
)
"""superbench's GH200 sample: 15 testcases ran, 17 `Waived:` lines, matrices widened by hand."""

README_ROWS = (
    (276.07, 276.36, 276.14, 276.29, 276.48, 276.55, 276.33),
    (276.19, 276.29, 276.29, 276.57, 276.48, 276.38, 276.24),
    (276.33, 276.29, 276.38, 276.50, 276.50, 276.29, 276.31),
    (276.19, 276.62, 276.24, 276.29, 276.60, 276.29, 276.55),
    (276.03, 276.55, 276.45, 276.76, 276.45, 276.36, 276.62),
    (276.17, 276.57, 276.19, 276.50, 276.31, 276.31, 276.15),
    (274.89, 276.41, 276.38, 276.67, 276.41, 276.26, 276.33),
    (276.12, 276.45, 276.12, 276.36, 276.00, 276.57, 276.45),
)
"""The README's 8x8 write matrix without its 0.00 diagonal, row by row."""


def with_diagonal(row: int, cells: tuple[float, ...]) -> tuple[float | None, ...]:
    return (*cells[:row], None, *cells[row:])


def test_gh200_host_testcases_and_waived_count() -> None:
    assert parse_nvbandwidth(sample(GH200)) == GH200_RUN


def test_per_gpu_values_of_a_host_matrix() -> None:
    run = parse_nvbandwidth(sample(GH200))
    device_to_host = run.testcases[1].matrices[0]
    assert device_to_host.per_gpu == {0: 295.15, 1: 312.11}
    assert run.testcases[0].matrices[0].per_gpu == {}
    assert run.testcases[0].matrices[0].pairs == {
        (0, 0): 369.36, (0, 1): 269.33, (0, 2): 412.11,
        (1, 0): 323.36, (1, 1): 299.33, (1, 2): 312.11}


def test_readme_matrix_reads_the_old_zero_diagonal_as_unmeasured() -> None:
    run = parse_nvbandwidth(sample(README))
    matrix = NvbandwidthMatrix(
        "memcpy CE GPU(row) <- GPU(column) bandwidth (GB/s)", "GPU", "GPU", "<-", "GB/s",
        tuple(range(8)),
        tuple((row, with_diagonal(row, cells)) for row, cells in enumerate(README_ROWS)),
        None, None, None)
    assert run == NvbandwidthRun(
        None, None, None, {},
        (NvbandwidthTestcase("device_to_device_memcpy_write_ce", (matrix,)),), 0)
    assert run.testcases[0].matrices[0].per_gpu == {}
    assert len(run.testcases[0].matrices[0].pairs) == 56
    assert run.testcases[0].matrices[0].pairs[(6, 0)] == 274.89


def test_summary_lines_of_later_releases() -> None:
    total = "SUM device_to_host_memcpy_ce 607.26\n"
    variation = "COEFFICIENT_OF_VARIATION device_to_host_memcpy_ce 0.01\n"
    text = sample(GH200).replace(total, total + variation)
    matrix = parse_nvbandwidth(text).testcases[1].matrices[0]
    assert (matrix.sum_name, matrix.sum, matrix.coefficient_of_variation) == (
        "device_to_host_memcpy_ce", 607.26, 0.01)


def cut_after(text: str, marker: str) -> str:
    return text[:text.index(marker) + len(marker)]


@pytest.mark.parametrize(("name", "edit", "message"), [
    pytest.param(README, lambda text: cut_after(text, "276.41    276.26"),
                 "line 10: 6 cells under 8 columns; the output is cut off", id="cut-in-a-row"),
    pytest.param(README, lambda text: cut_after(text, "bandwidth (GB/s)\n"),
                 "line 3: no column indices under 'memcpy CE GPU(row) <- GPU(column) bandwidth "
                 "(GB/s)'; the output is cut off", id="cut-after-the-description"),
    pytest.param(README, lambda text: text.replace("276.07", "27,6.07"),
                 "line 4: not a matrix row", id="not-a-number"),
    pytest.param(GH200, lambda text: text.replace("607.26", "n/a"),
                 "SUM value is not a number", id="sum-not-a-number"),
    pytest.param(GH200, lambda text: text.split("Running")[0],
                 "no bandwidth matrix in the output", id="banner-only"),
])
def test_malformed_output_names_the_problem(name: str, edit: Callable[[str], str],
                                            message: str) -> None:
    with pytest.raises(NvbandwidthError, match="^" + re.escape(message)) as caught:
        parse_nvbandwidth(edit(sample(name)))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("text", ["", "nvbandwidth: command not found\n", "{}"])
def test_text_without_matrices(text: str) -> None:
    with pytest.raises(NvbandwidthError, match="no bandwidth matrix in the output"):
        parse_nvbandwidth(text)
