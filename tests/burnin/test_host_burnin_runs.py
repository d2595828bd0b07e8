"""hwtests/test_burnin_host.py run for real on this machine, for a few seconds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hwaccept.reports.junit_read import read_junit

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("stress-ng") is None,
                    reason="stress-ng is not installed (apt-get install stress-ng)")
def test_the_host_is_stressed_and_its_links_watched(pytester: pytest.Pytester) -> None:
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess(
        str(REPO / "hwtests" / "test_burnin_host.py"), "-c", str(REPO / "pyproject.toml"),
        "--rootdir", str(REPO), "-m", "burnin", "--hw-burnin-minutes=0.02",
        "--hw-reports=none", f"--junitxml={junit}", "--hw-profile=generic")
    result.assert_outcomes(passed=2)
    cases = {case.nodeid.rsplit("::", 1)[-1]: case for case in read_junit(str(junit)).cases}
    stress = cases["test_cpu_memory_stress"]
    assert (stress.get("component"), stress.get("check"), stress.get("verdict")) == (
        "cpu", "cpu_memory_stress", "PASS")
    assert "cpu " in (stress.get("measured") or "")
    links = cases["test_network_links_hold"]
    assert links.get("verdict") == "PASS"
    assert links.get("check") in {"nic_link_under_load", "ib_link_under_load",
                                  "link_events_under_load"}
