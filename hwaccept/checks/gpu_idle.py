"""A GPU's state at rest: temperature, enforced power limit, clock event reasons.

Profile keys `gpus.idle_temperature_max_c`, `gpus.power_limit_w` and
`gpus.idle_throttle_reasons_allowed`.

The inventory is read while nothing loads the GPUs, so its temperature and clock event
reasons are the idle ones. A GPU hot or slowed down at idle points at cooling or power
delivery; an enforced power limit outside the profile's is a setting.
"""

from __future__ import annotations

from hwaccept.inventory.records import Gpu
from hwaccept.profiles.schema import Gpus

from .findings import Outcome, Verdict, failed, marginal, passed
from .gpus import gpu_check, missing
from .registry import AnyCheck, Context
from .rules import describe_limit, judge_limit


def _temperature(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    most = spec.idle_temperature_max_c or 0.0
    expected = f"<= {most:g}"
    if gpu.temperature_c is None:
        return Outcome(missing(gpu, "the temperature"), None, expected, "C")
    if gpu.temperature_c > most:
        return Outcome(failed(f"{gpu.temperature_c} C at idle, above {most:g} C",
                              "GPU_IDLE_TEMPERATURE"), gpu.temperature_c, expected, "C")
    return Outcome(passed(f"{gpu.temperature_c} C at idle"), gpu.temperature_c, expected, "C")


def _power_limit(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    limit = spec.power_limit_w
    if limit is None:
        raise LookupError("gpu_power_limit judged without `power_limit_w`")
    expected = describe_limit(limit)
    watts = gpu.power_limit_w
    if watts is None:
        return Outcome(missing(gpu, "the enforced power limit"), None, expected, "W")
    verdict = judge_limit(watts, limit)
    text = f"enforced power limit {watts:g} W"
    judgment = {
        Verdict.PASS: passed(text),
        Verdict.MARGINAL: marginal(f"{text}, near a bound of {expected}", "GPU_POWER_LIMIT"),
    }.get(verdict, failed(f"{text}, outside {expected}", "GPU_POWER_LIMIT"))
    return Outcome(judgment, watts, expected, "W")


def _throttle(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    allowed = [str(reason) for reason in spec.idle_throttle_reasons_allowed or ()]
    expected = ", ".join(allowed) or "none"
    reasons = gpu.throttle_reasons
    if reasons is None:
        return Outcome(missing(gpu, "the clock event reasons"), None, expected)
    measured = ", ".join(reasons) or "none"
    forbidden = [reason for reason in reasons if reason not in allowed]
    if forbidden:
        return Outcome(failed(f"clocks held back at idle by {', '.join(forbidden)}",
                              "GPU_THROTTLE"), measured, expected)
    return Outcome(passed(f"clock event reasons at idle: {measured}"), measured, expected)


CHECKS: tuple[AnyCheck, ...] = (
    gpu_check("gpu_idle_temperature", "temperature at idle against `idle_temperature_max_c`",
              ("idle_temperature_max_c",), _temperature),
    gpu_check("gpu_power_limit", "enforced power limit against the `power_limit_w` limit",
              ("power_limit_w",), _power_limit),
    gpu_check("gpu_idle_throttle", "clock event reasons at idle against "
              "`idle_throttle_reasons_allowed`", ("idle_throttle_reasons_allowed",), _throttle),
)
