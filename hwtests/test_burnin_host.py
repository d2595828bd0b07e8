"""The host under load: CPUs and memory stressed, network links watched over the burn-in.

Both read the live machine before and after (hwaccept.burnin.deltas): what the load
made EDAC count, the kernel log record (machine checks, memory errors, link events), the
interfaces' carrier changes and error counters, the InfiniBand ports' error counters.
The network test loads nothing: it watches the links for the burn-in's duration, which
under xdist is while the other devices are loaded.
"""

from __future__ import annotations

import time

import pytest

from hwaccept.burnin.deltas import (
    edac_findings,
    event_findings,
    ib_findings,
    new_events,
    nic_findings,
)
from hwaccept.burnin.plan import WATCH_PREFIX, BurninPlan
from hwaccept.burnin.stress_ng import EXIT_MEANING, StressRun, run_stress
from hwaccept.burnin.tool_runs import find_tool
from hwaccept.checks.findings import Finding, Outcome, failed, make_finding, passed, warned
from hwaccept.checks.parts import system_part
from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import EventSource, Inventory
from hwaccept.profiles.schema import EventPolicy
from plugins.hw_burnin import live_seams, record_and_judge
from plugins.hw_profile import choose

pytestmark = [pytest.mark.burnin]


def stress_finding(run: StressRun, inventory: Inventory) -> Finding:
    """stress-ng's ending as a finding on the machine's CPUs and memory."""
    work = ", ".join(f"{m.stressor} {m.per_second:.4g}/s" for m in run.metrics) or "no metrics"
    if run.failed:
        judgment = failed("; ".join([EXIT_MEANING[run.status or 0], *run.failures[:5]]),
                          "CPU_STRESS_FAILED")
    elif run.status == 7:
        judgment = warned(EXIT_MEANING[7], "CPU_STRESS_FAILED")
    else:
        judgment = passed(f"every stressor verified ({work})")
    return make_finding("cpu_memory_stress", "cpu", system_part(inventory, "cpu", "CPUs"),
                        Outcome(judgment, measured=work, expected="exit status 0"))


def event_policy(config: pytest.Config) -> EventPolicy | None:
    """The profile's `kernel_log.events` lists, which judge kernel events as in acceptance."""
    kernel_log = choose(config).resolved.profile.kernel_log
    return kernel_log.events if kernel_log else None


@pytest.mark.xdist_group("cpu:all")
def test_cpu_memory_stress(request: pytest.FixtureRequest, burnin: BurninPlan) -> None:
    """stress-ng on every CPU and most of the memory, verified; no new EDAC or MCE error."""
    sources = live_seams(request.config)
    binary = find_tool("stress-ng")
    if binary is None:
        pytest.skip("stress-ng is not installed (apt-get install stress-ng)")
    before = build_inventory(sources)
    run = run_stress(sources.runner, binary, burnin.seconds, burnin.timeout)
    if run.status is None or run.status in (1, 3, 4):
        why = run.problem or EXIT_MEANING.get(run.status or 1)
        pytest.fail(f"stress-ng did not do the work: {why}", pytrace=False)
    after = build_inventory(sources)
    events = new_events(before.kernel_events, after.kernel_events)
    findings = [stress_finding(run, after), *edac_findings(before, after),
                *event_findings(after, events, (EventSource.MCE, EventSource.EDAC),
                                "kernel_events_under_load", event_policy(request.config))]
    record_and_judge(request.node, findings)


@pytest.mark.xdist_group(f"{WATCH_PREFIX}network")
def test_network_links_hold(request: pytest.FixtureRequest, burnin: BurninPlan) -> None:
    """No carrier change, link down or new error on any interface or IB port over the burn-in."""
    sources = live_seams(request.config)
    before = build_inventory(sources)
    if not before.nics and not before.ib_ports:
        pytest.skip("no network interfaces or InfiniBand ports to watch")
    time.sleep(burnin.seconds)
    after = build_inventory(sources)
    events = new_events(before.kernel_events, after.kernel_events)
    record_and_judge(request.node, [
        *nic_findings(before, after), *ib_findings(before, after),
        *event_findings(after, events, (EventSource.LINK,), "link_events_under_load",
                        event_policy(request.config))])
