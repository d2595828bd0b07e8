"""The PyTorch kernels, run for real on the CPU at tiny sizes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import pytest

from hwaccept.burnin import torch_kernels
from hwaccept.burnin.torch_kernels import (
    cuda_missing,
    host_device_gbps,
    matmul_tflops,
    memory_bandwidth_gbps,
    memory_pattern_errors,
    peer_copy_gbps,
    torch_missing,
)

pytestmark = pytest.mark.skipif(torch_missing() is not None, reason=str(torch_missing()))


@pytest.mark.parametrize("dtype", ["bf16", "fp16", "fp32"])
def test_matrix_throughput_is_measured(dtype: Literal["bf16", "fp16", "fp32"]) -> None:
    found = matmul_tflops("cpu", dtype, 64, 0.05)
    assert 0 < found < 100


def test_matrix_throughput_counts_the_operations(monkeypatch: pytest.MonkeyPatch) -> None:
    def ten_rounds_in_two_seconds(_device: object, step: Callable[[], object],
                                  _seconds: float) -> tuple[int, float]:
        step()
        return 10, 2.0

    monkeypatch.setattr(torch_kernels, "_timed", ten_rounds_in_two_seconds)
    assert matmul_tflops("cpu", "fp32", 100, 1.0) == pytest.approx(2 * 100**3 * 10 / 2 / 1e12)


def test_copy_bandwidths_are_measured() -> None:
    assert memory_bandwidth_gbps("cpu", 1 << 20, 0.05) > 0
    assert peer_copy_gbps("cpu", "cpu", 1 << 20, 0.05) > 0
    assert host_device_gbps("cpu", "h2d", 1 << 20, 0.05) > 0
    assert host_device_gbps("cpu", "d2h", 1 << 20, 0.05) > 0


def test_memory_reads_back_what_was_written() -> None:
    assert memory_pattern_errors("cpu", 1 << 16, 0.01) == 0


def test_a_byte_that_does_not_hold_its_value_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    real_fill = torch.Tensor.fill_

    def stuck_fill(self: torch.Tensor, value: int) -> torch.Tensor:
        real_fill(self, value)
        self[3] = 0x00
        return self

    monkeypatch.setattr(torch.Tensor, "fill_", stuck_fill)
    assert memory_pattern_errors("cpu", 1 << 10, 0.0) == 3


def test_a_cpu_build_says_it_sees_no_gpu() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    assert cuda_missing() == (f"PyTorch {torch.__version__} sees no CUDA GPU (a CPU build, or "
                              "no driver)")
