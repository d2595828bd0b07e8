"""What went wrong while the machine was under load: counters and kernel events that moved.

A burn-in reads the machine before and after its load. A counter that only ever grows
(EDAC's corrected and uncorrected counts, an interface's error counters and carrier
changes, an InfiniBand port's error counters) is judged by how much it grew; a counter
that went down was reset meanwhile, and then its whole new value counts. Kernel log
events are new when the later log holds them more times than the earlier one; they are
judged as the acceptance check `kernel_events` judges them (the profile's lists, else the
catalog).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from hwaccept.checks.findings import (
    Finding,
    Outcome,
    Part,
    failed,
    make_finding,
    passed,
    warned,
)
from hwaccept.checks.kernel_events import judge_part, part_of, seen_on
from hwaccept.checks.parts import edac_part, ib_part, nic_part, system_part
from hwaccept.inventory.records import EventSource, Inventory, KernelEvent
from hwaccept.profiles.schema import EventPolicy

IB_LINK_LOST = ("link_downed", "link_error_recovery")
"""IB counters that count the link going down or retraining: a failure under load."""
IB_ERRORS = ("symbol_error", "port_rcv_errors", "local_link_integrity_errors",
             "excessive_buffer_overrun_errors", "port_xmit_discards")


def grown(before: int | None, after: int | None) -> int:
    """How much a growing counter grew; its new value when it went down (reset)."""
    if after is None:
        return 0
    if before is None or after < before:
        return after
    return after - before


def counter_growth(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    """Each counter's growth, where it grew."""
    found = {name: grown(before.get(name), value) for name, value in after.items()}
    return {name: count for name, count in found.items() if count}


def _key(event: KernelEvent) -> tuple[object, ...]:
    return event.source, event.message, event.timestamp, event.uptime_s


def new_events(before: Iterable[KernelEvent], after: Iterable[KernelEvent]) -> list[KernelEvent]:
    """Events of `after` that `before` does not hold (as often)."""
    seen = Counter(_key(event) for event in before)
    found = []
    for event in after:
        key = _key(event)
        if seen[key]:
            seen[key] -= 1
        else:
            found.append(event)
    return found


def _counts(values: Mapping[str, int]) -> str:
    return ", ".join(f"{name} +{count}" for name, count in sorted(values.items()))


def edac_findings(before: Inventory, after: Inventory) -> list[Finding]:
    """Corrected (WARN) and uncorrected (FAIL) memory errors EDAC counted during the load."""
    earlier = {mc.name: mc for mc in before.system.edac}
    findings = []
    for mc in after.system.edac:
        old = earlier.get(mc.name)
        ce = grown(old.correctable if old else None, mc.correctable)
        ue = grown(old.uncorrectable if old else None, mc.uncorrectable)
        if ue:
            judgment = failed(f"{ue} new uncorrected and {ce} corrected memory errors", "MEMORY_UE")
        elif ce:
            judgment = warned(f"{ce} new corrected memory errors", "MEMORY_CE")
        else:
            judgment = passed("no new memory errors")
        findings.append(make_finding("memory_edac_under_load", "memory", edac_part(mc),
                                     Outcome(judgment, measured=f"ce +{ce}, ue +{ue}",
                                             expected="ue +0, ce +0")))
    return findings


def event_findings(inventory: Inventory, events: Sequence[KernelEvent],
                   sources: Iterable[EventSource], check: str,
                   policy: EventPolicy | None = None) -> list[Finding]:
    """The new kernel events of `sources`, one finding per part they name; a PASS if none.

    Each part's events are judged as the acceptance check `kernel_events` judges them: by
    the profile's `kernel_log.events` lists (`policy`), else the catalog.
    """
    wanted = set(sources)
    by_part: dict[Part, list[KernelEvent]] = {}
    for event in events:
        if event.source in wanted and event.code:
            by_part.setdefault(part_of(inventory, event), []).append(event)
    if not by_part:
        names = ", ".join(sorted(s.value for s in wanted))
        return [make_finding(check, "kernel", system_part(inventory, "system", "kernel log"),
                             Outcome(passed(f"no new {names} events in the kernel log"),
                                     measured="none", expected="none"))]
    return [make_finding(check, "kernel", part, Outcome(judge_part(seen_on(found), policy),
                                                        measured=len(found), expected=0))
            for part, found in by_part.items()]


def nic_findings(before: Inventory, after: Inventory) -> list[Finding]:
    """Carrier changes (a link flap: FAIL) and error counters that grew (WARN) per interface."""
    earlier = {nic.name: nic for nic in before.nics}
    findings = []
    for nic in after.nics:
        old = earlier.get(nic.name)
        flaps = grown(old.carrier_changes if old else None, nic.carrier_changes)
        errors = {name: count for name, count in counter_growth(
            old.counters if old else {}, nic.counters).items() if name.endswith("errors")}
        if flaps:
            judgment = failed(f"the link changed carrier {flaps} times"
                              + (f"; {_counts(errors)}" if errors else ""), "LINK_FLAP")
        elif errors:
            judgment = warned(_counts(errors), "NIC_ERRORS")
        else:
            judgment = passed("no carrier change and no new errors")
        findings.append(make_finding("nic_link_under_load", "nic", nic_part(after, nic),
                                     Outcome(judgment, measured=f"carrier changes +{flaps}"
                                             + (f", {_counts(errors)}" if errors else ""),
                                             expected="no change")))
    return findings


def ib_findings(before: Inventory, after: Inventory) -> list[Finding]:
    """Link downs and retrains (FAIL) and error counters that grew (WARN) per IB port."""
    earlier = {(port.device, port.port): port for port in before.ib_ports}
    findings = []
    for port in after.ib_ports:
        old = earlier.get((port.device, port.port))
        growth = counter_growth(old.counters if old else {}, port.counters)
        lost = {name: growth[name] for name in IB_LINK_LOST if growth.get(name)}
        errors = {name: growth[name] for name in IB_ERRORS if growth.get(name)}
        if lost:
            judgment = failed(_counts({**lost, **errors}), "IB_ERRORS")
        elif errors:
            judgment = warned(_counts(errors), "IB_ERRORS")
        else:
            judgment = passed("no link down and no new errors")
        findings.append(make_finding("ib_link_under_load", "ib", ib_part(port), Outcome(
            judgment, measured=_counts({**lost, **errors}) or "none", expected="none")))
    return findings
