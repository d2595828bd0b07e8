"""Limits with a marginal band, version rules, patterns, and the finding record."""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import (
    Action,
    Finding,
    Judgment,
    Outcome,
    Part,
    Verdict,
    failed,
    make_finding,
    passed,
    unknown,
    worst,
)
from hwaccept.checks.rules import (
    at_least,
    describe_limit,
    describe_version_rule,
    judge_limit,
    matches,
    version_problem,
)
from hwaccept.profiles.schema import Limit, VersionRule


def limit(**bounds: float) -> Limit:
    return Limit.model_validate(bounds)


def version_rule(**parts: object) -> VersionRule:
    return VersionRule.model_validate(parts)


@pytest.mark.parametrize(("value", "verdict"), [
    (349.9, Verdict.FAIL),
    (350.0, Verdict.MARGINAL),
    (367.4, Verdict.MARGINAL),
    (367.5, Verdict.PASS),
    (1000.0, Verdict.PASS),
])
def test_a_floor_with_a_marginal_band(value: float, verdict: Verdict) -> None:
    assert judge_limit(value, limit(min=350, marginal=0.05)) is verdict


@pytest.mark.parametrize(("value", "verdict"), [
    (701.0, Verdict.FAIL),
    (700.0, Verdict.MARGINAL),
    (665.1, Verdict.MARGINAL),
    (665.0, Verdict.PASS),
    (299.0, Verdict.FAIL),
])
def test_a_range_with_a_marginal_band_below_its_ceiling(value: float, verdict: Verdict) -> None:
    assert judge_limit(value, limit(min=300, max=700, marginal=0.05)) is verdict


def test_without_a_band_only_the_bounds_count() -> None:
    assert judge_limit(350, limit(min=350)) is Verdict.PASS
    assert describe_limit(limit(min=350)) == ">= 350"
    assert describe_limit(limit(min=350, marginal=0.05)) == ">= 350 (marginal below 367.5)"
    assert describe_limit(limit(max=700, min=300)) == "300 .. 700"


def test_versions_compare_piece_by_piece_as_numbers() -> None:
    assert not at_least("535.104.05", "535.161.08")
    assert at_least("535.161.08", "535.104.05")
    assert at_least("535.161.08", "535.161.08")
    assert at_least("28.41.1000", "28.39.1002")


def test_a_version_rule_needs_every_part_it_gives() -> None:
    rule = version_rule(allowed=["96.00.74.*", "96.00.89.*"], min="96.00.74.00.10")
    assert version_problem("96.00.89.00.01", rule) is None
    assert version_problem("96.00.74.00.0D", rule) == "96.00.74.00.0D is older than 96.00.74.00.10"
    assert version_problem("96.00.61.00.01", rule) == (
        "96.00.61.00.01 is not one of the allowed 96.00.74.*, 96.00.89.*")
    assert describe_version_rule(rule) == "one of 96.00.74.*, 96.00.89.*; >= 96.00.74.00.10"
    with pytest.raises(ValueError, match="no digits or letters"):
        version_problem("--", version_rule(min="1.0"))


def test_patterns_are_shell_style_and_ignore_case() -> None:
    assert matches("NVIDIA H100 80GB HBM3", "nvidia h100*")
    assert matches("96.00.74.00.0D", "96.00.74.00.0?")
    assert not matches("NVIDIA A100-SXM4-80GB", "*H100*")


def test_the_worst_judgment_decides_and_every_problem_is_said() -> None:
    judged = worst([passed("a 0"), unknown("b not known"),
                    failed("c 2", "GPU_ECC_DBE"), failed("d 3", "GPU_ECC_SBE")])
    assert judged == Judgment(Verdict.FAIL, "c 2; b not known; d 3", "GPU_ECC_DBE",
                              Action.RMA_GPU)
    assert worst([passed("a"), passed("b")]) == passed("a; b")


def test_a_finding_carries_the_junit_properties_in_contract_order() -> None:
    part = Part("gpu", "1650124031592", "GPU 0", serial="1650124031592", bdf="0000:19:00.0",
                model="NVIDIA H100 80GB HBM3", who="gpu0")
    finding = make_finding("gpu_ecc", "gpu", part, Outcome(
        failed("volatile uncorrectable (DBE) 1", "GPU_ECC_DBE"),
        "volatile_dbe=1", "volatile_dbe<=0"))
    assert finding == Finding(
        check="gpu_ecc", family="gpu", component="gpu", component_id="1650124031592",
        name="GPU 0", verdict=Verdict.FAIL, message="volatile uncorrectable (DBE) 1",
        measured="volatile_dbe=1", expected="volatile_dbe<=0", serial="1650124031592",
        bdf="0000:19:00.0", model="NVIDIA H100 80GB HBM3", failure_code="GPU_ECC_DBE",
        action=Action.RMA_GPU, who="gpu0")
    assert finding.properties() == [
        ("component", "gpu"), ("component_id", "1650124031592"), ("serial", "1650124031592"),
        ("bdf", "0000:19:00.0"), ("model", "NVIDIA H100 80GB HBM3"), ("check", "gpu_ecc"),
        ("measured", "volatile_dbe=1"), ("expected", "volatile_dbe<=0"), ("verdict", "FAIL"),
        ("failure_code", "GPU_ECC_DBE"), ("action", "RMA_GPU"),
        ("message", "volatile uncorrectable (DBE) 1")]


def test_pass_and_unknown_carry_no_failure_code() -> None:
    part = Part("system", "SYS1", "system")
    judged = Judgment(Verdict.UNKNOWN, "not known", "X", Action.RETEST)
    finding = make_finding("c", "system", part, Outcome(judged))
    assert (finding.failure_code, finding.action) == (None, None)
