"""The burn-in plan: duration from the command line or the profile, retries, hard timeouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwaccept.burnin.plan import DEFAULT_MINUTES, DEFAULT_RETRIES, grace_seconds, plan_for
from hwaccept.profiles.schema import Burnin

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO / "snapshots" / "hgx-h100-8gpu.tar.gz"

PROBE = """
import pytest

@pytest.mark.burnin
def test_stress(request, burnin):
    marker = request.node.get_closest_marker("timeout")
    print(f"PLAN minutes={burnin.minutes:g} retries={burnin.retries} "
          f"destructive={burnin.allow_destructive} timeout={marker.args[0]:g} "
          f"method={marker.kwargs['method']}")

@pytest.mark.burnin
@pytest.mark.timeout(5)
def test_own_timeout(request):
    print(f"OWN timeout={request.node.get_closest_marker('timeout').args[0]:g}")

def test_acceptance(request):
    assert request.node.get_closest_marker("timeout") is None
"""


def test_the_command_line_wins_over_the_profile() -> None:
    spec = Burnin(minutes=30, retries=4)
    assert plan_for(spec, 2.5).minutes == 2.5
    assert plan_for(spec, None).minutes == 30
    assert plan_for(spec, None).retries == 4
    assert (plan_for(None, None).minutes, plan_for(None, None).retries) == (
        DEFAULT_MINUTES, DEFAULT_RETRIES)


def test_the_timeout_leaves_a_grace_period_and_room_for_retries() -> None:
    assert plan_for(None, 1).timeout == 60 + 120 + 2 * 60
    assert plan_for(Burnin(retries=0), 60).timeout == 3600 + 900
    assert grace_seconds(3600) == 900


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makeini("[pytest]\nmarkers =\n    burnin: stress\n")
    pytester.makepyfile(test_probe=PROBE)
    return pytester.runpytest_inprocess(
        "-p", "plugins.hw_options", "-p", "plugins.hw_inventory", "-p", "plugins.hw_profile",
        "-p", "plugins.hw_burnin", "-p", "no:cacheprovider", "-s",
        f"--hw-snapshot={SNAPSHOT}", "--hw-profile=hgx-h100-8gpu", *args)


def test_stress_tests_get_the_plans_timeout(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--hw-burnin-minutes=2", "--hw-allow-destructive")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([
        "*PLAN minutes=2 retries=2 destructive=True timeout=360 method=signal*",
        "*OWN timeout=5*"])


def test_a_duration_that_is_not_positive_is_refused(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--hw-burnin-minutes=0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--hw-burnin-minutes: expected more than 0, got 0*"])


def test_on_an_xdist_worker_an_overrun_ends_the_worker(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmarkers =\n    burnin: stress\n")
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_subprocess(
        "-p", "plugins.hw_options", "-p", "plugins.hw_inventory", "-p", "plugins.hw_profile",
        "-p", "plugins.hw_burnin", "-p", "no:cacheprovider", "-n", "1",
        f"--hw-snapshot={SNAPSHOT}", "--hw-profile=hgx-h100-8gpu", "--hw-burnin-minutes=2",
        "-rP")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*PLAN minutes=2 * method=thread*"])
