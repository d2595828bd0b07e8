"""The fleet report page: what it says, what it escapes, where it cuts, and in Chromium."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from pathlib import Path

import pytest

from hwaccept.fleet import page
from hwaccept.fleet.figures import fleet_figures
from hwaccept.fleet.page import page_html
from hwaccept.fleet.records import Fleet
from hwaccept.history.database import open_database
from hwaccept.history.ingest import ingest
from hwaccept.reports.model import CaseResult, RunReport
from tests.fleet_report.fleet_history import fleet_runs
from tests.fleet_report.history_cases import MOVED, SLOT3, small_fleet
from tests.reports.browser import missing, render
from tests.reports.test_html_browser import keep

NOW = datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.UTC)
HOSTILE = "<script>alert(1)</script>\x1b[2J"


def figures(tmp_path: Path, reports: Iterable[RunReport]) -> Fleet:
    with open_database(tmp_path / "history.db") as db:
        ingest(db, reports)
        return fleet_figures(db)


def test_the_page_leads_with_the_servers_awaiting_action(tmp_path: Path) -> None:
    html = page_html(figures(tmp_path, small_fleet()), NOW)
    assert html.startswith("<!DOCTYPE html>")
    sections = ["Servers awaiting action", "Acceptance yield", "Failures by slot position",
                "Failures by component model", "Failures by code",
                "Failures by firmware version", "Repeat offenders"]
    assert [html.index(f"<h2>{s}</h2>") for s in sections] == sorted(
        html.index(f"<h2>{s}</h2>") for s in sections)
    assert f"gpu at {SLOT3} SN {MOVED}: GPU_ECC_DBE → RMA_GPU" in html
    assert "run again: the run did not finish" in html
    assert "5 runs of 4 servers, 2026-05-01 to 2026-05-04. Made 2026-11-22 12:00 UTC" in html
    assert "<script" not in html
    assert "http://" not in html.replace("http://www.w3.org/", "")


def test_strings_from_hardware_are_shown_as_text(tmp_path: Path) -> None:
    reports = small_fleet()
    hostile = dataclasses.replace(reports[3], cases=tuple(
        dataclasses.replace(case, properties=tuple(
            (name, HOSTILE if name == "model" else value) for name, value in case.properties))
        if case.outcome == "failed" else case for case in reports[3].cases))
    html = page_html(figures(tmp_path, [*reports[:3], hostile]), NOW)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J" in html


def test_long_tables_are_cut_and_say_where_the_rest_are(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page, "MOST_ROWS", 1)
    html = page_html(figures(tmp_path, small_fleet()), NOW)
    assert "1 more not shown: hwaccept rma --db lists every one" in html


def test_a_database_without_runs_says_so(tmp_path: Path) -> None:
    html = page_html(figures(tmp_path, []), NOW)
    assert "The database holds no runs yet" in html
    assert "<h2>" not in html


def test_a_part_without_firmware_checks_explains_the_empty_table(tmp_path: Path) -> None:
    html = page_html(figures(tmp_path, small_fleet()), NOW)
    assert "No firmware versions recorded" in html


def test_other_tools_reports_are_noted(tmp_path: Path) -> None:
    other = dataclasses.replace(small_fleet()[1], identity={"started": "2026-05-05T00:00:00Z"},
                                cases=(CaseResult("suite::test_x", "failed", 0.1, "boom"),),
                                source="other.xml")
    html = page_html(figures(tmp_path, [*small_fleet(), other]), NOW)
    assert "1 run name no SKU (reports of other tools, or runs without a profile)" in html


@pytest.mark.skipif(missing() is not None, reason=str(missing()))
def test_the_page_opens_in_chromium_with_its_plots(tmp_path: Path) -> None:
    path = tmp_path / "fleet.html"
    path.write_text(page_html(figures(tmp_path, list(fleet_runs(1500))), NOW),
                    encoding="utf-8")
    rendered = render(path)
    keep(rendered, "fleet-report.png", tmp_path)
    assert rendered.title == "hwaccept fleet report"
    assert rendered.severe == ()
    assert rendered.plots_drawn >= 4
    for heading in ("Servers awaiting action", "Acceptance yield", "Failures by slot position",
                    "Repeat offenders"):
        assert heading in rendered.text
