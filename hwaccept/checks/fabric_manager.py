"""NVSwitch errors in the Fabric Manager log (asked for by the profile's `kernel_log`).

`nvswitch_sxid` gives one finding per NVSwitch: the errors the Fabric Manager log reports
at its PCI address (hwaccept/tools/fabricmanager_log.py reads `detected NVSwitch non-fatal
error 12028 ... pci bus id 00000000:86:00.0`), each SXid counted once per severity with how
often it was logged (`SXid 12028 x3`). A fatal error fails and a non-fatal one warns; the
code is NVSWITCH_SXID_<n> of the lowest-numbered fatal SXid, else of the lowest-numbered
non-fatal one, and the catalog gives the action (its FATAL situation for a fatal one).
Errors at an address no NVSwitch of the inventory has get a finding of their own. The log
file outlives reboots, so an error it holds may come from an earlier boot.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from hwaccept.inventory.records import KernelEvent

from .catalog import Situation, sxid_code
from .coverage import fabric_log_gap
from .findings import Judgment, Outcome, Part, failed, passed, unknown, warned
from .parts import nvswitch_part
from .registry import AnyCheck, Context, Family, per_component

SEVERITY = re.compile(r"\bNVSwitch (?P<non>non-)?fatal error\b")
EXPECTED = "no NVSwitch error in the Fabric Manager log"
Seen = Counter[tuple[int, bool]]
"""How often each (SXid, fatal) was logged."""


@dataclass(frozen=True)
class SwitchErrors:
    """An NVSwitch (or a PCI address no NVSwitch has) and the errors logged for it."""

    label: str
    part: Part
    events: tuple[KernelEvent, ...]


def is_fatal(event: KernelEvent) -> bool:
    """Whether the log line reports a fatal error (`fatal error`, not `non-fatal error`)."""
    match = SEVERITY.search(event.message)
    return match is not None and match["non"] is None


def subjects(context: Context) -> list[SwitchErrors]:
    """Every NVSwitch, then each address with errors but no NVSwitch."""
    inventory = context.inventory
    logged = inventory.fabric_manager_events
    found = [SwitchErrors(s.pci_address, nvswitch_part(s),
                          tuple(e for e in logged if e.device == s.pci_address))
             for s in inventory.nvswitches]
    known = {s.pci_address for s in inventory.nvswitches}
    strays: dict[str, list[KernelEvent]] = {}
    for event in logged:
        if event.device not in known:
            strays.setdefault(event.device or "an unknown address", []).append(event)
    return found + [SwitchErrors(device, Part("nvswitch", device, device, bdf=device),
                                 tuple(events)) for device, events in strays.items()]


def tally(events: tuple[KernelEvent, ...]) -> Seen:
    """How often each SXid was logged, by severity."""
    return Counter((int(e.code), is_fatal(e)) for e in events if e.code and e.code.isdigit())


def judge_sxids(counts: Seen) -> Judgment:
    """Fatal errors fail, non-fatal ones warn; every SXid seen is named with its count."""
    fatal = sorted(n for n, bad in counts if bad)
    other = sorted(n for n, bad in counts if not bad)
    text = "; ".join(f"{label}: {', '.join(f'SXid {n} x{counts[n, bad]}' for n in numbers)}"
                     for label, bad, numbers in (("fatal", True, fatal),
                                                 ("non-fatal", False, other)) if numbers)
    where = " in the Fabric Manager log"
    if fatal:
        return failed(text + where, sxid_code(fatal[0]), Situation.FATAL)
    if other:
        return warned(text + where, sxid_code(other[0]))
    return passed(EXPECTED)


def measured(counts: Seen) -> str:
    """`SXid 12028 x1 (non-fatal)`, or `none`."""
    return ", ".join(f"SXid {n} x{c} ({'fatal' if bad else 'non-fatal'})"
                     for (n, bad), c in sorted(counts.items())) or "none"


def _judge(context: Context, subject: SwitchErrors) -> Outcome:
    gap = fabric_log_gap(context.inventory)
    if gap is not None:
        return Outcome(unknown(gap), None, EXPECTED)
    counts = tally(subject.events)
    return Outcome(judge_sxids(counts), measured(counts), EXPECTED)


CHECKS: tuple[AnyCheck, ...] = (
    per_component("nvswitch_sxid", Family.KERNEL, "NVSwitch errors (SXids) in the Fabric "
                  "Manager log, per NVSwitch: fatal fails, non-fatal warns",
                  wanted=lambda profile: profile.kernel_log is not None,
                  components=subjects, label=lambda subject: subject.label,
                  part=lambda _context, subject: subject.part, judge=_judge),
)
