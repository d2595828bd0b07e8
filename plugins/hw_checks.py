"""Profile checks as tests: one test per (check, component), judged by its finding.

A test in hwtests/ names its check with `@pytest.mark.hw_check("gpu_ecc")` and takes a
`finding` argument; this plugin runs the check engine once per process on the inventory
and the profile, and parametrizes `finding` with one value per component, in inventory
order, with readable ids (`test_gpu_ecc[gpu3-1654922004712]`). Verdicts become outcomes:

* PASS passes; WARN and MARGINAL pass too, with `verdict` and the code recorded, and are
  listed at the end of the run;
* FAIL fails with one line a technician can act on (component, serial, address,
  measured, expected, code, action);
* UNKNOWN skips, naming what is missing ("not in this snapshot", no NVIDIA driver);
* WAIVED is an expected failure carrying the waiver's reason and ticket;
* a check the profile does not ask for is collected once and skipped, saying so.

Every test records the JUnit properties of the contract (component, component_id,
serial, slot, bdf, model, check, measured, expected, unit, verdict, failure_code, action)
as user properties, which reach the report with and without xdist.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

import pytest

from hwaccept.checks.findings import Finding, Verdict
from hwaccept.checks.registry import AnyCheck, Context
from hwaccept.checks.run import check_by_name
from hwaccept.checks.waivers import apply_waivers
from hwaccept.inventory.records import Inventory
from plugins.hw_inventory import inventory_of
from plugins.hw_profile import choose

MARKER = "hw_check"
FINDINGS_KEY = pytest.StashKey[dict[str, list[Finding]]]()
WARNED = frozenset({Verdict.WARN, Verdict.MARGINAL})


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that ties a test to its check."""
    config.addinivalue_line("markers", f"{MARKER}(name): the profile check this test runs")


def findings_of(config: pytest.Config, check: AnyCheck) -> list[Finding]:
    """The check's findings on this machine, computed once per process."""
    cache = config.stash.setdefault(FINDINGS_KEY, {})
    if check.name not in cache:
        selection = choose(config)
        context = Context(selection.resolved.profile, inventory_of(config))
        cache[check.name] = apply_waivers(check.run(context), context.profile.waivers,
                                          datetime.date.today())
    return cache[check.name]


def _short(text: str) -> str:
    return re.sub(r"[^\w.:+-]+", "_", text).strip("_")


def finding_id(finding: Finding) -> str:
    """`gpu3-1654922004712`, `0000:1b:00.0-ConnectX-7`, `mlx5_0-1`, `nvme0n1-S4X`."""
    name = finding.name
    if re.fullmatch(r"GPU \d+", name):
        name = "gpu" + name[4:]
    parts = [name.replace("/", "-")]
    if finding.serial and finding.serial not in name:
        parts.append(finding.serial)
    if finding.component == "pcie" and finding.bdf == finding.name and finding.model:
        parts.append(finding.model.split()[0] if " " in finding.model else finding.model)
    return "-".join(_short(p) for p in parts if p)


def not_asked(check: AnyCheck, inventory: Inventory, sku: str) -> pytest.ParameterSet:
    """The one skipped case of a check the profile does not ask for."""
    reason = f"profile {sku} does not ask for {check.name} ({check.summary})"
    return pytest.param(None, marks=pytest.mark.skip(reason=reason), id="not-asked")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `finding` with the check's findings, one per component."""
    marker = metafunc.definition.get_closest_marker(MARKER)
    if marker is None or "finding" not in metafunc.fixturenames:
        return
    check = check_by_name(str(marker.args[0]))
    config = metafunc.config
    profile = choose(config).resolved
    if not check.wanted(profile.profile):
        metafunc.parametrize("finding", [not_asked(check, inventory_of(config), profile.name)])
        return
    found: Sequence[Finding] = findings_of(config, check)
    if not found:
        skip = pytest.mark.skip(reason=f"{check.name}: nothing to check on this machine")
        metafunc.parametrize("finding", [pytest.param(None, marks=skip, id="none")])
        return
    metafunc.parametrize("finding", list(found), ids=[finding_id(f) for f in found])


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Record the finding's JUnit properties before the test runs (they survive a skip)."""
    callspec = getattr(item, "callspec", None)
    finding = callspec.params.get("finding") if callspec else None
    if isinstance(finding, Finding):
        item.user_properties.extend(finding.properties())


def judge(finding: Finding) -> None:
    """Turn the finding's verdict into the test's outcome."""
    if finding.verdict is Verdict.FAIL:
        pytest.fail(finding.line(), pytrace=False)
    if finding.verdict is Verdict.UNKNOWN:
        pytest.skip(f"{finding.check}: {finding.line()}")
    if finding.verdict is Verdict.WAIVED:
        pytest.xfail(finding.line())


def _warned(report: pytest.TestReport) -> dict[str, str] | None:
    properties = dict((str(k), str(v)) for k, v in report.user_properties)
    return properties if properties.get("verdict") in WARNED and report.passed else None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List the warnings; checks that could not run are in pytest's own skip summary."""
    reports = [r for r in terminalreporter.stats.get("passed", [])
               if isinstance(r, pytest.TestReport) and r.when == "call"]
    warned = [(r.nodeid, p) for r in reports if (p := _warned(r))]
    if warned:
        terminalreporter.section("hwaccept: warnings (passed, reported)")
        for nodeid, properties in warned:
            terminalreporter.line(f"{properties.get('verdict')} {nodeid}: "
                                  f"{properties.get('message', '')} "
                                  f"— {properties.get('failure_code', '')}")
