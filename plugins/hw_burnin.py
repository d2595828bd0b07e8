"""Burn-in options, the run's burn-in plan, and the hard timeout of every stress test.

`--hw-burnin-minutes N` sets how long each stress test loads its device (else the
profile's `burnin.minutes`); `--hw-allow-destructive` lets disk write tests erase the
drives the profile allows. Every test marked `burnin` gets a pytest-timeout of its
duration plus a grace period (hwaccept.burnin.plan) unless it asks for its own; how it
is stopped depends on whether it runs on an xdist worker (`timeout_method`).

Stress tests name the device they load with `pytest.mark.xdist_group("<kind>:<id>")`
(`gpu:0000:19:00.0`, `disk:nvme0n1`); group `system` loads the whole machine. See
docs/burnin.md for how runs under xdist keep each device to one test at a time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Sequence

import pytest

from hwaccept.burnin.plan import BurninPlan, plan_for
from hwaccept.burnin.tool_runs import ToolRunError
from hwaccept.checks.findings import Finding, Verdict
from hwaccept.sources import Sources, live_sources
from plugins.hw_checks import judge
from plugins.hw_options import settings
from plugins.hw_profile import choose

MINUTES_HELP = ("Minutes each burn-in stress test loads its device (default: the profile's "
                "burnin.minutes, else 10)")
DESTRUCTIVE_HELP = ("Let burn-in write tests erase the disks the profile's "
                    "burnin.disk.destructive_allowed names (never a disk in use)")
PLAN_KEY = pytest.StashKey[BurninPlan]()
LIVE_KEY = pytest.StashKey[Sources]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register --hw-burnin-minutes and --hw-allow-destructive."""
    group = parser.getgroup("hwaccept", "hardware acceptance")
    group.addoption("--hw-burnin-minutes", metavar="N", type=float, help=MINUTES_HELP)
    group.addoption("--hw-allow-destructive", action="store_true", default=False,
                    help=DESTRUCTIVE_HELP)


def pytest_configure(config: pytest.Config) -> None:
    """Refuse a duration that is not positive before any test starts."""
    minutes = config.getoption("--hw-burnin-minutes", None)
    if minutes is not None and minutes <= 0:
        raise pytest.UsageError(f"--hw-burnin-minutes: expected more than 0, got {minutes:g}")


def burnin_plan(config: pytest.Config) -> BurninPlan:
    """The run's plan, resolved on first use (it needs the profile)."""
    if PLAN_KEY not in config.stash:
        spec = choose(config).resolved.profile.burnin
        config.stash[PLAN_KEY] = plan_for(spec, config.getoption("--hw-burnin-minutes", None),
                                          allow_destructive=bool(config.getoption(
                                              "--hw-allow-destructive", False)))
    return config.stash[PLAN_KEY]


def timeout_method(config: pytest.Config) -> str:
    """How pytest-timeout stops a stress test that overran.

    A GPU that hangs hangs inside the driver, where a signal is only handled once the call
    returns. Under xdist the worker is ended instead (`thread`): xdist fails the test it
    ran and starts another worker, and the run goes on. A run without workers cannot lose
    its only process, so it is interrupted (`signal`), which stops any hang in Python.
    """
    return "thread" if hasattr(config, "workerinput") else "signal"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give every burn-in test without a timeout of its own the plan's hard timeout."""
    stress = [item for item in items if item.get_closest_marker("burnin")
              and not item.get_closest_marker("timeout")]
    if stress:
        timeout, method = burnin_plan(config).timeout, timeout_method(config)
        for item in stress:
            item.add_marker(pytest.mark.timeout(timeout, method=method))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A stress engine that did not run to its end fails its test in one line."""
    try:
        return (yield)
    except ToolRunError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def burnin(pytestconfig: pytest.Config) -> BurninPlan:
    """The run's burn-in plan: duration, retries, whether writes may erase, the profile's limits."""
    return burnin_plan(pytestconfig)


def live_seams(config: pytest.Config) -> Sources:
    """The seams of the machine itself, for loading it; a replayed run skips the test.

    Under xdist the workers read the machine from the controller's recording; a load
    and its monitoring need the live GPUs and tools, so each process opens its own.
    """
    hw = settings(config)
    if hw.snapshot:
        pytest.skip(f"burn-in loads the machine itself; this run replays {hw.snapshot}")
    if LIVE_KEY not in config.stash:
        config.stash[LIVE_KEY] = live_sources(hw.root, hw.nvml_timeout)
    return config.stash[LIVE_KEY]


def worst_first(findings: Sequence[Finding]) -> list[Finding]:
    """The findings, most severe first (the order they came in among equals)."""
    return sorted(findings, key=lambda f: -f.verdict.severity)


def record_and_judge(item: pytest.Item, findings: Sequence[Finding],
                     *extra: tuple[str, str]) -> None:
    """Record the worst finding as the case's contract properties, then judge the case.

    A stress test may find several things (its measurement, the heat, new errors); the
    case carries the most severe one's check, code and action, and its message names
    every finding that did not pass. `extra` properties (attempts, samples) follow.
    """
    ordered = worst_first(findings)
    top = ordered[0]
    others = [f for f in ordered[1:] if f.verdict is not Verdict.PASS]
    if others:
        top = dataclasses.replace(top, message="; ".join(
            [top.message, *(f"{f.check}: {f.message}" for f in others)]))
    item.user_properties.extend(top.properties())
    item.user_properties.extend(extra)
    judge(top)
