"""The samples of a GPU's load judged: the heat, slowdowns, power, and a lost GPU.

`load_findings` judges the hottest sample against the profile's
`burnin.gpu.temperature_max_c`, the highest draw against the enforced power limit, and any
hardware, thermal or power-brake slowdown. Software power capping (`sw_power_cap`) is how a
GPU at full load normally holds its power limit, so it is recorded, never judged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hwaccept.burnin.monitor import Sample
from hwaccept.checks.findings import (
    Finding,
    Outcome,
    Part,
    failed,
    make_finding,
    passed,
    unknown,
    warned,
)

FAMILY = "gpu"
TEMPERATURE_CHECK = "gpu_temperature_under_load"
THROTTLE_CHECK = "gpu_throttle_under_load"
POWER_CHECK = "gpu_power_under_load"
LOST_CHECK = "gpu_lost_under_load"

SLOWDOWNS = ("hw_slowdown", "sw_thermal_slowdown", "hw_thermal_slowdown",
             "hw_power_brake_slowdown")
"""Clock event reasons (as hwaccept.inventory.gpus names them) that fail a GPU under load.

The hardware slowdown, thermal slowdown (the driver's, at the GPU's slowdown temperature,
and the hardware's) and the external power brake: each means cooling or power delivery
could not keep up with the load. The other reasons are settings or normal operation.
"""




def _peak(samples: Sequence[Sample], field: str) -> tuple[float, Sample] | None:
    """The highest value of `field` and the first sample that has it; None when none has it."""
    best: tuple[float, Sample] | None = None
    for sample in samples:
        value = getattr(sample, field)
        if value is not None and (best is None or value > best[0]):
            best = value, sample
    return best


def _above(samples: Sequence[Sample], field: str, limit: float) -> int:
    return sum(1 for s in samples if (v := getattr(s, field)) is not None and v > limit)


def _temperature(samples: Sequence[Sample], most: float | None) -> Outcome | None:
    peak = _peak(samples, "temperature_c")
    expected = None if most is None else f"<= {most:g}"
    if peak is None:
        judgment = unknown("no temperature was read during the load")
        return None if most is None else Outcome(judgment, None, expected, "C")
    value, at = peak
    text = f"hottest {value:g} C under load, at {at.seconds:.1f} s of {samples[-1].seconds:.1f} s"
    if most is None:
        judgment = passed(f"{text}; the profile sets no burnin.gpu.temperature_max_c")
    elif value > most:
        hot = _above(samples, "temperature_c", most)
        judgment = failed(f"{text}, above {most:g} C in {hot} of {len(samples)} samples",
                          "GPU_HOT_UNDER_LOAD")
    else:
        judgment = passed(f"{text}, at most {most:g} C allowed")
    return Outcome(judgment, value, expected, "C")


def _power(samples: Sequence[Sample], limit: float | None) -> Outcome | None:
    peak = _peak(samples, "power_w")
    expected = None if limit is None else f"<= {limit:g}"
    if peak is None:
        judgment = unknown("no power draw was read during the load")
        return None if limit is None else Outcome(judgment, None, expected, "W")
    value, at = peak
    text = f"highest draw {value:g} W under load, at {at.seconds:.1f} s"
    if limit is None:
        judgment = passed(f"{text}; the enforced power limit is not known")
    elif value > limit:
        over = _above(samples, "power_w", limit)
        judgment = warned(f"{text}, above the enforced limit {limit:g} W in {over} of "
                          f"{len(samples)} samples", "GPU_POWER_OVER_LIMIT")
    else:
        judgment = passed(f"{text}, enforced limit {limit:g} W")
    return Outcome(judgment, round(value, 3), expected, "W")


def _reason_counts(samples: Sequence[Sample]) -> Counter[str]:
    return Counter(reason for sample in samples for reason in dict.fromkeys(sample.throttle or ()))


def _throttle(every: Sequence[Sample]) -> Outcome:
    """Slowdowns in the samples whose reasons were read; none read is not a pass."""
    expected = "none of " + ", ".join(SLOWDOWNS)
    samples = [sample for sample in every if sample.throttle is not None]
    if not samples:
        unread = f" ({len(every)} samples)" if every else ""
        return Outcome(unknown(f"no clock event reasons were read during the load{unread}"),
                       None, expected)
    counts = _reason_counts(samples)
    measured = ", ".join(f"{reason} x{n}" for reason, n in sorted(counts.items())) or "none"
    slowed = [reason for reason in SLOWDOWNS if counts[reason]]
    others = ", ".join(f"{r} in {n}" for r, n in sorted(counts.items()) if r not in SLOWDOWNS)
    recorded = f"; also {others} (recorded, not judged)" if others else ""
    if len(samples) < len(every):
        recorded += f"; reasons unreadable in {len(every) - len(samples)} of {len(every)} samples"
    if slowed:
        first = next(s for s in samples if set(s.throttle or ()) & set(slowed))
        named = ", ".join(f"{r} in {counts[r]}" for r in slowed)
        return Outcome(failed(f"clocks slowed down under load: {named} of {len(samples)} "
                              f"samples, first at {first.seconds:.1f} s{recorded}",
                              "GPU_THROTTLED_UNDER_LOAD"), measured, expected)
    return Outcome(passed(f"no hardware, thermal or power-brake slowdown in {len(samples)} "
                          f"samples{recorded}"), measured, expected)


def load_findings(part: Part, samples: Sequence[Sample], temperature_max_c: float | None,
                  power_limit_w: float | None, lost: str | None) -> list[Finding]:
    """The samples of one GPU's load judged: temperature, slowdowns, power, and a lost GPU.

    A kind gives no finding when it has neither a value nor a limit (no temperature read
    and no `temperature_max_c`; no power read and no known enforced limit); with a limit
    but no value it is UNKNOWN. Without a limit, the peak is recorded as a PASS. Slowdowns
    are UNKNOWN without any sample. A GPU that stopped answering fails with GPU_LOST.

    Args:
        part: the GPU (hwaccept.checks.parts.gpu_part).
        samples: its samples (`GpuLoadMonitor.samples`).
        temperature_max_c: the profile's `burnin.gpu.temperature_max_c`.
        power_limit_w: the GPU's enforced power limit (`Gpu.power_limit_w`).
        lost: why it stopped answering (`GpuLoadMonitor.lost`).

    """
    outcomes = [(TEMPERATURE_CHECK, _temperature(samples, temperature_max_c)),
                (THROTTLE_CHECK, _throttle(samples)),
                (POWER_CHECK, _power(samples, power_limit_w))]
    if lost is not None:
        last = f"; last sample at {samples[-1].seconds:.1f} s" if samples else ""
        outcomes.append((LOST_CHECK, Outcome(failed(f"stopped answering NVML during the load "
                                                    f"({lost}){last}", "GPU_LOST"),
                                             "lost", "answers")))
    return [make_finding(check, FAMILY, part, outcome) for check, outcome in outcomes
            if outcome is not None]
