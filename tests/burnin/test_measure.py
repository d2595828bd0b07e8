"""A measurement beyond its limit is taken again; a pass after a retry is MARGINAL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from hwaccept.burnin.measure import attempts_property, finding_of, measure
from hwaccept.checks.catalog import BURNIN_CODES, Action
from hwaccept.checks.findings import Part, Verdict
from hwaccept.profiles.schema import Limit

FLOOR = Limit(min=335, max=None, marginal=0.05)
GPU = Part("gpu", "1654922004712", "GPU 3", serial="1654922004712", bdf="0000:9d:00.0",
           model="NVIDIA H100 80GB HBM3", who="gpu3")


def values(*found: float) -> tuple[Callable[[], float], Iterator[float]]:
    source = iter(found)
    return lambda: next(source), source


def test_a_good_first_value_is_taken_once() -> None:
    take, rest = values(400.0, 1.0)
    measured = measure("gpu_p2p_gbps", "GB/s", take, FLOOR, retries=2)
    assert (measured.values, measured.verdict, measured.retried) == ((400.0,), Verdict.PASS,
                                                                     False)
    assert list(rest) == [1.0]


def test_a_pass_after_a_retry_is_marginal_and_names_every_attempt() -> None:
    take, _ = values(300.0, 310.5, 390.0)
    measured = measure("gpu_p2p_gbps", "GB/s", take, FLOOR, retries=2)
    finding = finding_of(measured, GPU, "gpu", "GPU_P2P_BANDWIDTH_LOW")
    assert measured.values == (300.0, 310.5, 390.0)
    assert (finding.verdict, finding.failure_code, finding.action) == (
        Verdict.MARGINAL, "GPU_P2P_BANDWIDTH_LOW", Action.INSPECT)
    assert finding.message == ("390 GB/s on attempt 3 of 3 (earlier 300 GB/s, 310.5 GB/s), "
                               "expected >= 335 (marginal below 351.75)")
    assert attempts_property(measured) == ("attempts", "300,310.5,390")


def test_a_value_low_every_time_fails_with_all_of_them() -> None:
    take, _ = values(300.0, 301.0, 299.0, 999.0)
    measured = measure("gpu_p2p_gbps", "GB/s", take, FLOOR, retries=2)
    finding = finding_of(measured, GPU, "gpu", "GPU_P2P_BANDWIDTH_LOW")
    assert finding.verdict is Verdict.FAIL
    assert finding.message == ("beyond >= 335 (marginal below 351.75) in all 3 attempts "
                               "(300 GB/s, 301 GB/s, 299 GB/s)")
    assert (finding.measured, finding.unit, finding.check) == ("299", "GB/s", "gpu_p2p_gbps")
    assert finding.line().startswith("gpu3 (SN 1654922004712, 0000:9d:00.0): beyond >= 335")


def test_without_retries_a_low_value_fails_at_once() -> None:
    take, _ = values(100.0, 999.0)
    measured = measure("nccl_busbw", "GB/s", take, FLOOR, retries=0)
    assert (measured.values, measured.verdict) == ((100.0,), Verdict.FAIL)
    assert finding_of(measured, GPU, "gpu", "NCCL_BUSBW_LOW").message == (
        "100 GB/s, expected >= 335 (marginal below 351.75)")


def test_a_first_value_in_the_marginal_band_is_not_retried() -> None:
    take, _ = values(340.0, 999.0)
    measured = measure("gpu_p2p_gbps", "GB/s", take, FLOOR, retries=2)
    assert (measured.values, measured.verdict) == ((340.0,), Verdict.MARGINAL)
    assert "close to the limit" in finding_of(measured, GPU, "gpu",
                                              "GPU_P2P_BANDWIDTH_LOW").message


def test_an_upper_limit_is_retried_the_same_way() -> None:
    take, _ = values(91.0, 80.0)
    ceiling = Limit(min=None, max=85, marginal=None)
    measured = measure("gpu_temperature_max", "C", take, ceiling, retries=1)
    assert (measured.values, measured.verdict) == ((91.0, 80.0), Verdict.MARGINAL)


def test_burnin_codes_are_in_the_catalog() -> None:
    for code in BURNIN_CODES:
        measured = measure("x", "GB/s", lambda: 1.0, FLOOR, retries=0)
        assert finding_of(measured, GPU, "gpu", code).failure_code == code
