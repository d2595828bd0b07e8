"""A GPU's load samples as one compact test case property, and back.

The samples travel on the test case as `samples` (`samples_property`), thinned to at most
`MAX_SAMPLES` so a four-hour burn-in does not bloat the JUnit file; the HTML report plots
them (`parse_samples`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from hwaccept.burnin.monitor import Sample

MAX_SAMPLES = 600
"""Samples a `samples` property holds at most: ten minutes at one a second."""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".removesuffix(".0")


def _top(samples: Sequence[Sample], stretch: range, field: str) -> int:
    """The index in `stretch` of the highest `field` (the earliest of equals; unknowns last)."""
    def rank(i: int) -> tuple[bool, float, int]:
        value = getattr(samples[i], field)
        return value is not None, value or 0.0, -i
    return max(stretch, key=rank)


def thin(samples: Sequence[Sample], most: int = MAX_SAMPLES) -> list[Sample]:
    """At most `most` samples, in time order, keeping the hottest and the most power-hungry.

    The samples are cut into `most // 2` even stretches, and each keeps its hottest sample
    and its highest draw: thinned, a run's peaks (what the findings judged) still show.
    """
    if len(samples) <= most:
        return list(samples)
    stretches = max(1, most // 2)
    kept: set[int] = set()
    for n in range(stretches):
        stretch = range(n * len(samples) // stretches, (n + 1) * len(samples) // stretches)
        kept |= {_top(samples, stretch, "temperature_c"), _top(samples, stretch, "power_w")}
    return [samples[i] for i in sorted(kept)]


def samples_property(samples: Sequence[Sample]) -> tuple[str, str]:
    """`("samples", "0:41:120.5;1:58:410.2")`: seconds:temperature:power, thinned (`thin`).

    An unknown value is an empty field (`12.5::` neither temperature nor power). Clock event
    reasons are left out: the throttle finding names them with their counts.
    """
    return "samples", ";".join(f"{_number(s.seconds)}:{_number(s.temperature_c)}:"
                               f"{_number(s.power_w)}" for s in thin(samples))


def limit_property(temperature_max_c: float) -> tuple[str, str]:
    """`("temperature_max_c", "85")`: the limit the report draws across the samples' plot.

    A stress test's case carries its worst finding's `expected`, which is the temperature
    limit only when the temperature finding is the worst; this property always is.
    """
    return "temperature_max_c", f"{temperature_max_c:g}"


def _field(text: str) -> float | None:
    """A finite number, else None: a hand-edited or torn property may hold anything."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_samples(text: str) -> list[Sample]:
    """The samples of a `samples` property, without clock event reasons; bad entries dropped.

    An entry whose time is not a number is dropped; an unreadable value becomes None. Never
    raises.
    """
    found = []
    for entry in text.split(";"):
        fields = entry.split(":")
        seconds = _field(fields[0])
        if seconds is None:
            continue
        values = [_field(f) for f in [*fields, "", ""][1:3]]
        found.append(Sample(seconds, values[0], values[1], ()))
    return found
