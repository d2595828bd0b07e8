"""A measurement under load against its profile limit, measured again before it fails.

Bandwidth and throughput vary from one measurement to the next; a GPU that measures low
once and then well is a marginal part, one that measures low every time is a bad one,
and RMA must be able to tell them apart. So a value beyond its limit is measured again,
up to `retries` more times; every attempt is kept. A pass that needed a retry is
MARGINAL, with its failure code, and its message says which attempt passed and what the
earlier ones measured; a value that stays beyond the limit fails with all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hwaccept.checks.findings import (
    Finding,
    Judgment,
    Outcome,
    Part,
    Verdict,
    failed,
    make_finding,
    marginal,
    passed,
)
from hwaccept.checks.rules import describe_limit, judge_limit
from hwaccept.profiles.schema import Limit


@dataclass(frozen=True)
class Measured:
    """Every attempt at one measurement, and the verdict on the last."""

    check: str
    unit: str
    values: tuple[float, ...]
    limit: Limit
    verdict: Verdict

    @property
    def value(self) -> float:
        """The last attempt's value: the one the verdict is on."""
        return self.values[-1]

    @property
    def retried(self) -> bool:
        """Whether it took more than one attempt."""
        return len(self.values) > 1


def measure(check: str, unit: str, take: Callable[[], float], limit: Limit,
            retries: int) -> Measured:
    """Take the measurement, and again while it fails, at most `retries` more times.

    Args:
        check: the check's name, `gpu_bf16_tflops`.
        unit: `TFLOP/s`, `GB/s`, ...
        take: measures once and returns the value.
        limit: the profile's limit.
        retries: attempts after the first.

    """
    values = [take()]
    while judge_limit(values[-1], limit) is Verdict.FAIL and len(values) <= retries:
        values.append(take())
    verdict = judge_limit(values[-1], limit)
    if len(values) > 1 and verdict is Verdict.PASS:
        verdict = Verdict.MARGINAL
    return Measured(check, unit, tuple(values), limit, verdict)


def _number(value: float, unit: str) -> str:
    return f"{value:.4g} {unit}".rstrip()


def judgment_of(measured: Measured, code: str) -> Judgment:
    """The verdict on a measurement, with a message naming every attempt."""
    value, unit = measured.value, measured.unit
    wanted = describe_limit(measured.limit)
    earlier = ", ".join(_number(v, unit) for v in measured.values[:-1])
    attempts = len(measured.values)
    if measured.verdict is Verdict.FAIL:
        if measured.retried:
            every = ", ".join(_number(v, unit) for v in measured.values)
            return failed(f"beyond {wanted} in all {attempts} attempts ({every})", code)
        return failed(f"{_number(value, unit)}, expected {wanted}", code)
    if measured.retried:
        return marginal(f"{_number(value, unit)} on attempt {attempts} of {attempts} "
                        f"(earlier {earlier}), expected {wanted}", code)
    if measured.verdict is Verdict.MARGINAL:
        return marginal(f"{_number(value, unit)}, close to the limit {wanted}", code)
    return passed(f"{_number(value, unit)}, expected {wanted}")


def finding_of(measured: Measured, part: Part, family: str, code: str) -> Finding:
    """The measurement as a finding of the JUnit contract (measured, expected, unit, verdict)."""
    outcome = Outcome(judgment_of(measured, code), measured=measured.value,
                      expected=describe_limit(measured.limit), unit=measured.unit)
    return make_finding(measured.check, family, part, outcome)


def attempts_property(measured: Measured) -> tuple[str, str]:
    """`("attempts", "612.3,655.1")`: every value, for RMA to tell marginal from bad."""
    return "attempts", ",".join(f"{v:g}" for v in measured.values)
