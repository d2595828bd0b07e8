"""GPU temperatures over a burn-in: read back from the cases' samples and plotted."""

from __future__ import annotations

import re

from hwaccept.burnin.monitor import Sample
from hwaccept.burnin.samples_text import limit_property, samples_property
from hwaccept.reports.html_page import page_html
from hwaccept.reports.html_plots import temperature_plot_svg
from hwaccept.reports.html_summary import summary_html
from hwaccept.reports.load_samples import (
    Series,
    line_name,
    load_series,
    series_groups,
    temperature_limit,
)
from hwaccept.reports.model import CaseResult
from tests.reports.test_html_summary import ALLOWED_TAGS, SCRIPT, SERIALS, Page, case, gpu, run_of

MATMUL = "hwtests/test_burnin_gpu.py::test_gpu_matmul_throughput"
PATTERN = "hwtests/test_burnin_gpu.py::test_gpu_memory_pattern"


def warming(start: float, top: float, seconds: int, power: float = 690.0) -> list[Sample]:
    """A GPU warming from `start` to `top` °C over the first half of the load, then steady."""
    half = seconds / 2
    return [Sample(float(t), round(start + (top - start) * min(t, half) / half, 1), power, ())
            for t in range(seconds + 1)]


def burnin_case(index: int, test: str = MATMUL, parameter: str = "-bf16", *,
                samples: list[Sample] | None = None, outcome: str = "passed",
                limit: float | None = None, **extra: str) -> CaseResult:
    serial = SERIALS[index]
    properties = {"component": "gpu", "component_id": serial, "serial": serial,
                  "slot": str(index), "check": "gpu_bf16_tflops", "measured": "702.5",
                  "expected": ">= 600", "unit": "TFLOP/s", "verdict": "PASS", **extra}
    found = [*properties.items(), samples_property(samples or warming(35, 70 + index, 60))]
    if limit is not None:
        found.append(limit_property(limit))
    return CaseResult(f"{test}[gpu{index}-{serial}{parameter}]", outcome, 60.0, "",
                      tuple(found))


def test_a_line_is_named_by_the_test_id_without_the_serial() -> None:
    assert line_name(burnin_case(3)) == "gpu3-bf16"
    assert line_name(burnin_case(0, PATTERN, "")) == "gpu0"
    grouped = CaseResult(f"{PATTERN}[gpu1-{SERIALS[1]}]@gpu:0000:3b:00.0", "passed",
                         properties=(("serial", SERIALS[1]),))
    assert line_name(grouped) == "gpu1"
    assert line_name(case("hwtests/x.py::test_y", component_id="0000:19:00.0")) == "0000:19:00.0"


def test_the_limit_is_the_recorded_one_else_a_temperature_check_bound() -> None:
    assert temperature_limit(burnin_case(0)) is None
    assert temperature_limit(burnin_case(0, limit=85)) == 85.0
    hot = burnin_case(0, check="gpu_temperature_under_load", measured="91", expected="<= 85")
    assert temperature_limit(hot) == 85.0
    assert temperature_limit(burnin_case(0, check="gpu_temperature_under_load",
                                         expected="<= 85", temperature_max_c="87.5")) == 87.5


def test_every_case_with_temperatures_is_a_series_by_test_and_gpu() -> None:
    blind = burnin_case(1, samples=[Sample(0.0, None, 300.0, ()), Sample(1.0, None, 310.0, ())])
    retried = burnin_case(0, samples=warming(30, 60, 4))
    run = run_of(burnin_case(3, limit=85), burnin_case(0, PATTERN, ""),
                 blind, burnin_case(0), retried, gpu(0, "gpu_ecc"))
    found = load_series(run)
    assert [(s.test, s.name, s.component_id, len(s.points), s.limit, s.verdict)
            for s in found] == [
        (MATMUL, "gpu0-bf16", SERIALS[0], 5, None, "PASS"),
        (MATMUL, "gpu3-bf16", SERIALS[3], 61, 85.0, "PASS"),
        (PATTERN, "gpu0", SERIALS[0], 61, None, "PASS")]
    assert found[0].points[:2] == ((0.0, 30.0), (1.0, 45.0))
    assert [(test, [s.name for s in group]) for test, group in series_groups(found)] == [
        (MATMUL, ["gpu0-bf16", "gpu3-bf16"]), (PATTERN, ["gpu0"])]


def series_of(name: str, points: list[tuple[float, float]], limit: float | None = 85.0,
              verdict: str = "PASS") -> Series:
    return Series(MATMUL, name, name, tuple(points), limit, verdict)


def test_the_plot_draws_a_line_per_gpu_under_its_limit() -> None:
    svg = temperature_plot_svg("test_gpu_matmul_throughput", [
        series_of("gpu0", [(0, 35), (30, 70), (60, 71)]),
        series_of("gpu1", [(0, 36), (30, 88), (60, 91)], verdict="FAIL"),
        series_of("gpu2", [(0, 40)])], "hw-load-1")
    assert svg.startswith('<svg class="hw-plot" role="img" aria-label="test_gpu_matmul_'
                          'throughput: temperature of each GPU over the load" ')
    for label in ("test_gpu_matmul_throughput: GPU temperature", "gpu0", "gpu1", "gpu2", "max 85 C",
                  "seconds under load"):
        assert f">{label}<" in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids
    assert all(i.startswith("hw-load-1-") for i in ids)


def test_a_long_load_counts_minutes_and_each_limit_is_drawn() -> None:
    svg = temperature_plot_svg("burn", [series_of("gpu0", [(0, 35), (4 * 3600, 80)]),
                                        series_of("gpu1", [(0, 35), (4 * 3600, 82)], 87.0)],
                               "k")
    assert ">minutes under load<" in svg
    assert ">max 85 C<" in svg
    assert ">max 87 C<" in svg


def test_markup_in_a_line_name_or_title_stays_text() -> None:
    svg = temperature_plot_svg(f"t {SCRIPT} $x$", [series_of(f"gpu0 {SCRIPT}", [(0, 1)])],
                               "k")
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "$x$" in svg


def test_the_summary_plots_the_temperatures_of_each_burnin_test() -> None:
    run = run_of(burnin_case(0, limit=85),
                 burnin_case(1, limit=85),
                 burnin_case(3, outcome="failed", verdict="FAIL",
                             check="gpu_temperature_under_load", measured="91",
                             expected="<= 85", unit="C", failure_code="GPU_HOT_UNDER_LOAD",
                             action="INSPECT", samples=warming(40, 91, 120)),
                 burnin_case(0, PATTERN, ""))
    for source in (summary_html(run), page_html(run)):
        plots = re.findall(r'<svg class="hw-plot".*?</svg>', source, flags=re.DOTALL)
        titled = [p for p in plots if 'aria-label="test_gpu_matmul_throughput: ' in p]
        assert len(titled) == 1
        assert all(f">{n}<" in titled[0] for n in ("gpu0-bf16", "gpu1-bf16", "gpu3-bf16"))
        assert ">max 85 C<" in titled[0]
        assert any('aria-label="test_gpu_memory_pattern: ' in p for p in plots)
        page = Page(source)
        assert page.html_tags() <= ALLOWED_TAGS
        assert len(page.ids) == len(set(page.ids))
        references = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', source))
        assert references <= set(page.ids)
        assert "Measurements against their limits" in page.text


def test_samples_without_a_numeric_measurement_still_get_their_plot() -> None:
    run = run_of(burnin_case(0, check="gpu_memory_pattern", measured="none", expected="0 "
                             "bytes wrong"))
    source = summary_html(run)
    assert "Measurements against their limits" in Page(source).text
    assert source.count('<svg class="hw-plot"') == 1
    assert "<table><thead><tr><th>Component</th><th>Check</th>" not in source


def test_samples_of_nasty_cases_are_safe() -> None:
    run = run_of(burnin_case(0, samples=[Sample(0.0, 40.0, None, ())]),
                 CaseResult(f"{MATMUL}[{SCRIPT}]", "passed",
                            properties=(("component_id", SCRIPT),
                                        ("samples", f"0:41:1;{SCRIPT};1:x:;2:50:"))))
    source = summary_html(run)
    assert "<script" not in source
    assert source.count('<svg class="hw-plot"') == 1
    assert sorted((s.name, s.points) for s in load_series(run)) == [
        (SCRIPT, ((0.0, 41.0), (2.0, 50.0))), ("gpu0-bf16", ((0.0, 40.0),))]
