"""Kernel log checks (profile section `kernel_log`).

`kernel_xid` gives one finding per GPU: the Xid events the log ties to it, each Xid counted
once with how often it was logged (`Xid 94 x17`, in the message and in `measured`). An
Xid fails or warns as the profile's `xid` lists say; one they do not list is judged by
the default catalog.py gives it, following NVIDIA's Xid catalog, and one the catalog does
not describe warns. Xids at an address no GPU of the inventory has get a finding of their
own, so none is lost. The failure code is GPU_XID_<n> of the most telling Xid of the worst
verdict (catalog.XID_PRIORITY), and the action is the catalog's for that Xid.

A snapshot holding only part of the log (`kernel` not among its complete families, such
as the NVIDIA lines of a bug report) cannot show that a line is absent: what would pass is
UNKNOWN there.

`kernel_forbidden` searches the hardware events' messages: the inventory keeps only the
log lines that are hardware events (Xid, SXid, AER, MCE, EDAC, NVMe, link), so a
pattern for any other line cannot match, and the finding says how much was searched.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from hwaccept.inventory.records import EventSource, Gpu, KernelEvent
from hwaccept.profiles.schema import KernelLog, Profile

from .catalog import Severity, xid_code, xid_default, xid_rank, xid_row
from .coverage import holds_whole, kernel_log_gap
from .findings import Judgment, Outcome, Part, Verdict, failed, passed, unknown, warned
from .parts import gpu_label, gpu_part, system_part
from .registry import AnyCheck, Context, Family, section_check

SHOWN_MATCHES = 3


def kernel_section(profile: Profile) -> KernelLog | None:
    """The profile's `kernel_log` section."""
    return profile.kernel_log


@dataclass(frozen=True)
class XidSubject:
    """A GPU (or a PCI address no GPU has) and the Xid events logged for it."""

    label: str
    part: Part
    events: tuple[KernelEvent, ...]


def xid_number(event: KernelEvent) -> int | None:
    """The Xid as a number, None when the event's code is not one."""
    return int(event.code) if event.code and event.code.isdigit() else None


def _belongs(event: KernelEvent, gpu: Gpu) -> bool:
    if event.gpu_index is not None:
        return event.gpu_index == gpu.index
    return event.device is not None and event.device == gpu.pci_address


def subjects(context: Context) -> list[XidSubject]:
    """Every GPU, then each address with Xids but no GPU; the whole log when neither."""
    inventory = context.inventory
    xids = [e for e in inventory.kernel_events if e.source is EventSource.XID]
    found = [XidSubject(gpu_label(g), gpu_part(g), tuple(e for e in xids if _belongs(e, g)))
             for g in inventory.gpus]
    claimed = {id(e) for s in found for e in s.events}
    strays: dict[str, list[KernelEvent]] = {}
    for event in xids:
        if id(event) not in claimed:
            strays.setdefault(event.device or "an unknown address", []).append(event)
    found += [XidSubject(device, Part("gpu", device, f"GPU at {device}", bdf=device,
                                      who=device), tuple(events))
              for device, events in strays.items()]
    return found or [XidSubject("kernel-log", system_part(inventory, "gpu", "GPUs"), ())]


def tally(events: tuple[KernelEvent, ...]) -> Counter[int]:
    """How often each Xid was logged."""
    return Counter(n for n in map(xid_number, events) if n is not None)


def severity(xid: int, fail: set[int], warn: set[int]) -> Severity:
    """The profile's list for the Xid, else the catalog's default."""
    if xid in fail:
        return Severity.FAIL
    return Severity.WARN if xid in warn else xid_default(xid)


def seen(xid: int, count: int) -> str:
    """`Xid 48 x1 (Double Bit ECC Error)`."""
    row = xid_row(xid)
    return f"Xid {xid} x{count}" + (f" ({row.name})" if row else "")


def judge_xids(counts: Counter[int], fail: set[int], warn: set[int]) -> Judgment:
    """The worst verdict decides; every Xid seen is named with its count."""
    if not counts:
        return passed("no Xid")
    grouped = {level: sorted((x for x in counts if severity(x, fail, warn) is level),
                             key=xid_rank) for level in Severity}
    text = "; ".join(f"{level}: {', '.join(seen(x, counts[x]) for x in xids)}"
                     for level, xids in grouped.items() if xids)
    if grouped[Severity.FAIL]:
        return failed(text, xid_code(grouped[Severity.FAIL][0]))
    return warned(text, xid_code(grouped[Severity.WARN][0]))


def partial(judgment: Judgment, context: Context) -> Judgment:
    """A PASS becomes UNKNOWN when the snapshot holds only part of the kernel log."""
    if judgment.verdict is not Verdict.PASS or holds_whole(context.inventory, "kernel"):
        return judgment
    return unknown(f"{judgment.message}, in the part of the kernel log this snapshot holds")


def _xid(spec: KernelLog, subject: XidSubject, context: Context) -> Outcome:
    fail = set(spec.xid.fail or ()) if spec.xid else set()
    warn = set(spec.xid.warn or ()) if spec.xid else set()
    expected = ", ".join(p for p in (f"no Xid {sorted(fail)}" if fail else "",
                                     f"warn on {sorted(warn)}" if warn else "",
                                     "others as the Xid catalog says") if p)
    gap = kernel_log_gap(context.inventory)
    if gap is not None:
        return Outcome(unknown(gap), None, expected)
    counts = tally(subject.events)
    measured = ", ".join(f"Xid {x} x{n}" for x, n in sorted(counts.items())) or "none"
    return Outcome(partial(judge_xids(counts, fail, warn), context), measured, expected)


def _forbidden(spec: KernelLog, _log: object, context: Context) -> Outcome:
    patterns = list(spec.forbidden_patterns or ())
    expected = "no match for " + " | ".join(f"/{p}/" for p in patterns)
    gap = kernel_log_gap(context.inventory)
    if gap is not None:
        return Outcome(unknown(gap), None, expected)
    events = context.inventory.kernel_events
    hits = []
    for pattern in patterns:
        matched = [e.message for e in events if re.search(pattern, e.message)]
        if matched:
            shown = " | ".join(matched[:SHOWN_MATCHES])
            hits.append(f"/{pattern}/ matches {len(matched)} events: {shown}")
    searched = (f"{len(events)} hardware events of {context.inventory.kernel_log.lines} log "
                "lines searched (other lines are not kept)")
    if hits:
        return Outcome(failed(f"{'; '.join(hits)} ({searched})", "KERNEL_LOG_FORBIDDEN"),
                       len(hits), expected)
    return Outcome(partial(passed(f"no forbidden pattern matches; {searched}"), context), 0,
                   expected)


CHECKS: tuple[AnyCheck, ...] = (
    section_check("kernel_xid", Family.KERNEL, "Xid events per GPU against `xid` fail and warn "
                  "lists", section=kernel_section, keys=("xid",), components=subjects,
                  label=lambda subject: subject.label,
                  part=lambda _context, subject: subject.part, judge=_xid),
    section_check("kernel_forbidden", Family.KERNEL, "hardware events of the kernel log "
                  "against `forbidden_patterns`", section=kernel_section,
                  keys=("forbidden_patterns",),
                  components=lambda context: (context.inventory.kernel_log,),
                  label=lambda _log: "kernel-log",
                  part=lambda context, _log: system_part(context.inventory, "system",
                                                         "kernel log"),
                  judge=_forbidden),
)
