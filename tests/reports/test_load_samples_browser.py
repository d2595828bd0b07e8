"""A burn-in's temperature plots as a person sees them, in a real headless Chromium.

The page rebuilt from a run with burn-in cases (tests/reports/browser.py): it opens offline
with no console error and shows every plot. The screenshot goes to the test's tmp_path and,
when HW_ARTIFACTS names a folder, there too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hwaccept.reports.html_page import page_html
from tests.reports.browser import missing, render
from tests.reports.test_html_browser import keep
from tests.reports.test_html_summary import SCRIPT, run_of
from tests.reports.test_load_samples import PATTERN, burnin_case, warming

pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))


def test_a_burnin_page_draws_its_temperatures_without_console_errors(tmp_path: Path) -> None:
    hours = 3 * 3600
    run = run_of(burnin_case(0, limit=85, samples=warming(34, 72, hours)),
                 burnin_case(1, limit=85, samples=warming(36, 76, hours)),
                 burnin_case(3, outcome="failed", verdict="FAIL",
                             check="gpu_temperature_under_load", measured="91",
                             expected="<= 85", unit="C", failure_code="GPU_HOT_UNDER_LOAD",
                             action="INSPECT", samples=warming(40, 91, hours)),
                 burnin_case(0, PATTERN, "", model=SCRIPT))
    page = tmp_path / "burnin.html"
    page.write_text(page_html(run), encoding="utf-8")
    rendered = render(page)
    keep(rendered, "burnin-temperatures.png", tmp_path)
    assert rendered.severe == ()
    assert rendered.verdict_words == ("REJECT",)
    assert rendered.plots_drawn == 3
    assert "GPU_HOT_UNDER_LOAD → INSPECT" in rendered.text
    assert SCRIPT in rendered.text
