"""The kernel log's hardware events other than Xids (profile section `kernel_log`).

`kernel_events` ties each AER, MCE, EDAC, NVMe, link and SXid event
(hwaccept/tools/kernel_log.py) to the part of the inventory it names: the GPU, NVSwitch,
disk, network interface, InfiniBand port or memory controller at that PCI address or name,
else the PCI function, else the address or name itself (`cpu12`, `ib6`). Each kind of event
is named once per part with the number of lines that logged it (`AER corrected x3`; an
error the kernel prints over several lines, such as an AER header and its `PCIe Bus Error`
line, counts each) and judged by the catalog's default for its failure code
(catalog.EVENTS; an SXid by its NVSWITCH_SXID_<n> code, a kind the catalog does not list by
KERNEL_HARDWARE_EVENT), unless the profile's `kernel_log.events` lists fail, warn or ignore
that code. Lines that only continue a record (an MCE's bank and status lines) are not
counted.

Link events are judged per part as a whole: a link that went down (or lost its cable)
after it had been up, or went down more than once, flapped (LINK_FLAP). A single down
with no up before it is the state the link came up in (mlx5 prints `Link down` when an
interface is opened without a link, `Cable unplugged` for an empty cage at probe), not a
flap: whether the port should be up is nic_state's and ib_state's to judge.

There is one finding per part with an event that fails or warns. When no part has one,
there is a single finding for the whole log, passing with a tally of what it holds, or
UNKNOWN when the log was not read (or, in a snapshot holding only part of it, when the
rest could hold a fault).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from hwaccept.inventory.records import EventSource, Inventory, KernelEvent
from hwaccept.profiles.schema import EventPolicy, KernelLog, Profile
from hwaccept.tools.kernel_log import pci_address

from .catalog import EVENTS, SXID_EVENT, Severity, event_code, event_default, event_rank, sxid_code
from .coverage import kernel_log_gap
from .findings import Judgment, Outcome, Part, failed, passed, unknown, warned
from .kernel_log import partial
from .parts import (
    disk_part,
    edac_part,
    find_pci,
    gpu_part,
    ib_part,
    nic_part,
    nvswitch_part,
    pci_part,
    system_part,
)
from .registry import AnyCheck, Context, Family, per_component, required

LEFT_OUT = frozenset({EventSource.XID, EventSource.FABRIC_MANAGER})
COMPONENT = {EventSource.AER: "pcie", EventSource.MCE: "cpu", EventSource.EDAC: "memory",
             EventSource.NVME: "disk", EventSource.LINK: "nic", EventSource.SXID: "nvswitch"}
LINK_STATES = {"down": "link down", "cable_unplugged": "cable unplugged", "up": "link up"}
DOWN = frozenset({"down", "cable_unplugged"})
FLAP = "LINK_FLAP"


def kernel_section(profile: Profile) -> KernelLog | None:
    """The profile's `kernel_log` section."""
    return profile.kernel_log


@dataclass(frozen=True)
class Seen:
    """One kind of event on one part: its failure code (None: not a fault) and count."""

    code: str | None
    policy: str | None  # the name the profile's lists give it
    text: str  # `AER corrected x3`


@dataclass(frozen=True)
class Subject:
    """A part and its events, or the whole log when no part has a fault."""

    label: str
    part: Part
    events: tuple[KernelEvent, ...]
    whole: bool = False


def kind(event: KernelEvent) -> str:
    """What the event is, for people: `AER corrected`, `link down`, `SXid 12028`."""
    code = event.code or ""
    if event.source is EventSource.SXID:
        return f"SXid {code}"
    if event.source is EventSource.LINK and code in LINK_STATES:
        return LINK_STATES[code]
    row = EVENTS.get(event_code(event.source.value, code))
    return row.name if row else f"{event.source.value} {code}"


def other_seen(event: KernelEvent, count: int) -> Seen:
    """A kind of event judged on its own, by its failure code."""
    text = f"{kind(event)} x{count}"
    if event.source is EventSource.SXID:
        return Seen(sxid_code(event.code or "0"), SXID_EVENT, text)
    code = event_code(event.source.value, event.code or "")
    return Seen(code, code, text)


def flapped(states: Sequence[str]) -> bool:
    """Down after up, or down (or unplugged) more than once."""
    counts = Counter(states)
    first_up = states.index("up") if "up" in states else len(states)
    after_up = any(state in DOWN for state in states[first_up + 1:])
    return after_up or counts["down"] > 1 or counts["cable_unplugged"] > 1


def link_seen(states: Sequence[str]) -> Seen | None:
    """The link's ups and downs as one flap, or as the state it came up in."""
    if not states:
        return None
    counts = Counter(states)
    tally = ", ".join(f"{name} x{counts[state]}" for state, name in LINK_STATES.items()
                      if counts[state])
    if flapped(states):
        return Seen(FLAP, FLAP, f"link flap ({tally})")
    if counts["up"] == len(states):
        return Seen(None, None, tally)
    return Seen(None, None, f"{tally}, with no up before: not a flap")


def seen_on(events: Sequence[KernelEvent]) -> list[Seen]:
    """Every kind of event of one part, counted."""
    states = [e.code or "" for e in events
              if e.source is EventSource.LINK and e.code in LINK_STATES]
    others = [e for e in events if not (e.source is EventSource.LINK and e.code in LINK_STATES)]
    counts = Counter((e.source, e.code) for e in others)
    first = {(e.source, e.code): e for e in reversed(others)}
    found = [other_seen(first[key], n) for key, n in counts.items()]
    link = link_seen(states)
    return found + ([link] if link else [])


def severity(seen: Seen, policy: EventPolicy | None) -> Severity | None:
    """The profile's list for the event, else the catalog's default; None: not a fault."""
    if seen.code is None:
        return None
    if policy is not None and seen.policy is not None:
        for level, listed in ((Severity.FAIL, policy.fail), (Severity.WARN, policy.warn),
                              (None, policy.ignore)):
            if seen.policy in (listed or ()):
                return level
    return event_default(seen.code)


def judge_part(found: Sequence[Seen], policy: EventPolicy | None) -> Judgment:
    """The worst verdict decides; every kind of event is named with its count."""
    levels = [(seen, severity(seen, policy)) for seen in found]
    grouped = {level: sorted((s for s, lv in levels if lv is level),
                             key=lambda s: event_rank(s.code or ""))
               for level in Severity}
    rest = [s.text for s, level in levels if level is None]
    text = "; ".join([*(f"{level}: {', '.join(s.text for s in items)}"
                        for level, items in grouped.items() if items),
                      *([f"not faults: {', '.join(rest)}"] if rest else [])])
    if grouped[Severity.FAIL]:
        return failed(text, grouped[Severity.FAIL][0].code or "")
    if grouped[Severity.WARN]:
        return warned(text, grouped[Severity.WARN][0].code or "")
    return passed(", ".join(rest))


def _named(inventory: Inventory, device: str) -> Part | None:
    """The part of the inventory at a PCI address or with a name."""
    found: list[Part] = [
        *(gpu_part(g) for g in inventory.gpus if g.pci_address == device),
        *(nvswitch_part(s) for s in inventory.nvswitches if s.pci_address == device),
        *(disk_part(d) for d in inventory.disks
          if device in (d.name, d.pci_address) or d.name.startswith(f"{device}n")),
        *(nic_part(inventory, n) for n in inventory.nics if device in (n.name, n.pci_address)),
        *(ib_part(p) for p in inventory.ib_ports if p.pci_address == device),
        *(edac_part(mc) for mc in inventory.system.edac if mc.name == device),
    ]
    return found[0] if found else None


def part_of(inventory: Inventory, event: KernelEvent) -> Part:
    """The part an event names; the address or name itself when the inventory lacks it."""
    component = COMPONENT.get(event.source, "system")
    device = event.device
    if device is None:
        called = "CPUs" if event.source is EventSource.MCE else f"{component} (not named)"
        return system_part(inventory, component, called)
    named = _named(inventory, device)
    if named is not None:
        return named
    function = find_pci(inventory, device)
    if function is not None:
        return pci_part(function)
    return Part(component, device, device, bdf=device if pci_address(device) == device else None)


def counted(inventory: Inventory) -> list[KernelEvent]:
    """The events this check judges: not Xids, not the lines that continue a record."""
    return [e for e in inventory.kernel_events if e.source not in LEFT_OUT and e.code]


def subjects(context: Context) -> list[Subject]:
    """Each part with an event that fails or warns; else the whole log."""
    inventory = context.inventory
    events = counted(inventory) if kernel_log_gap(inventory) is None else []
    spec = context.profile.kernel_log
    policy = spec.events if spec else None
    by_part: dict[Part, list[KernelEvent]] = {}
    for event in events:
        by_part.setdefault(part_of(inventory, event), []).append(event)
    troubled = [Subject(part.name, part, tuple(found)) for part, found in by_part.items()
                if judge_part(seen_on(found), policy).failure_code is not None]
    whole = Subject("kernel-log", system_part(inventory, "system", "kernel log"),
                    tuple(events), whole=True)
    return troubled or [whole]


def describe_policy(policy: EventPolicy | None) -> str:
    """`no hardware fault; fail: LINK_FLAP; others as the catalog says`."""
    lists = [(name, listed) for name, listed in (
        ("fail", policy.fail), ("warn", policy.warn), ("ignore", policy.ignore))
        if listed] if policy else []
    shown = [f"{name}: {', '.join(listed)}" for name, listed in lists]
    return "; ".join(["no hardware fault", *shown, "others as the catalog says"])


def tally(events: Sequence[KernelEvent]) -> str:
    """`link down x3, cable unplugged x2` over the whole log."""
    return ", ".join(f"{name} x{n}" for name, n in Counter(map(kind, events)).items())


def _judge(spec: KernelLog, subject: Subject, context: Context) -> Outcome:
    expected = describe_policy(spec.events)
    gap = kernel_log_gap(context.inventory)
    if gap is not None:
        return Outcome(unknown(gap), None, expected)
    if subject.whole:
        parts = len({part_of(context.inventory, e) for e in subject.events})
        text = (f"no hardware fault: {tally(subject.events)} on {parts} "
                f"device{'' if parts == 1 else 's'}"
                if subject.events else "no hardware event other than Xids")
        return Outcome(partial(passed(text), context), tally(subject.events) or "none",
                       expected)
    found = seen_on(subject.events)
    return Outcome(judge_part(found, spec.events), ", ".join(s.text for s in found), expected)


def _run(context: Context, subject: Subject) -> Outcome:
    return _judge(required(kernel_section, context.profile, "kernel_events"), subject, context)


CHECKS: tuple[AnyCheck, ...] = (
    per_component("kernel_events", Family.KERNEL, "hardware events of the kernel log other "
                  "than Xids (AER, MCE, EDAC, NVMe, link, SXid), per part, by the catalog or "
                  "`events`", wanted=lambda profile: profile.kernel_log is not None,
                  components=subjects, label=lambda subject: subject.label,
                  part=lambda _context, subject: subject.part, judge=_run),
)
