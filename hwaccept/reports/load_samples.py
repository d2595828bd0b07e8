"""GPU temperatures over a burn-in, read back from the cases' `samples` properties.

A stress test records what its GPU went through as `samples` (hwaccept.burnin.samples_text,
`seconds:temperature:power;...`) and its temperature limit as `temperature_max_c`. A case
without that property falls back to its `expected` when its check is a temperature check:
a stress test's case carries its worst finding's limit, which may be a throughput's.

Cases are grouped by test function, one group per plot, one line per case: a GPU's line is
named by the test's id without the part's serial (`gpu0-bf16` in
`test_gpu_matmul_throughput[gpu0-1654922004712-bf16]`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hwaccept.burnin.samples_text import parse_samples
from hwaccept.reports.components import as_test_id, natural_key, verdict_of
from hwaccept.reports.measurements import parse_limit, parse_number
from hwaccept.reports.model import CaseResult, RunReport

SAMPLES_KEY = "samples"
LIMIT_KEY = "temperature_max_c"
_PARAMETERS = re.compile(r"\[(?P<id>[^\]]*)\](?:@[^\]]*)?$")


@dataclass(frozen=True)
class Series:
    """One case's temperatures over its load."""

    test: str  # the test function's node id: hwtests/test_burnin_gpu.py::test_gpu_memory_pattern
    name: str  # the line's label: gpu0, gpu0-bf16
    component_id: str
    points: tuple[tuple[float, float], ...]  # (seconds, °C), where the temperature was read
    limit: float | None  # °C
    verdict: str


def temperature_limit(case: CaseResult) -> float | None:
    """The case's temperature limit: `temperature_max_c`, else a temperature check's bound."""
    recorded = parse_number(case.get(LIMIT_KEY) or "")
    if recorded is not None:
        return recorded
    if "temperature" not in (case.get("check") or ""):
        return None
    limit = parse_limit(case.get("expected") or "")
    return limit.high if limit else None


def line_name(case: CaseResult) -> str:
    """The test's id without the part's serial, else the component's id."""
    found = _PARAMETERS.search(case.nodeid)
    serial = as_test_id(case.get("serial") or "")
    parts = [p for p in (found["id"] if found else "").split("-") if p and p != serial]
    return "-".join(parts) or case.get("component_id") or case.nodeid


def load_series(run: RunReport) -> list[Series]:
    """Every case with temperatures among its samples; a test reported twice counts once."""
    found: dict[str, Series] = {}
    for case in run.cases:
        points = tuple((s.seconds, s.temperature_c) for s in parse_samples(
            case.get(SAMPLES_KEY) or "") if s.temperature_c is not None)
        if points:
            test = _PARAMETERS.sub("", case.nodeid)
            found[case.nodeid] = Series(test, line_name(case), case.get("component_id") or "",
                                        points, temperature_limit(case), verdict_of(case))
    return sorted(found.values(), key=lambda s: (s.test, natural_key(s.name)))


def series_groups(series: Sequence[Series]) -> list[tuple[str, list[Series]]]:
    """The series by test, each test's in the order given."""
    groups: dict[str, list[Series]] = {}
    for item in series:
        groups.setdefault(item.test, []).append(item)
    return list(groups.items())
