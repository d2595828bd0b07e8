"""What to do about each part, decided from every run that saw it (a pure diagnoser).

Per system and part, in run order:

* never failed: PASS;
* failed in its latest run: the most serious action its failures name (`RMA_GPU` over
  `RESEAT` over `RETEST`); a failure seen in several runs says so with a count; a part
  of unknown kind (another tool's report) that failed is INSPECT;
* failed before but passed its latest run: RETEST (flaky), with the count, so a
  marginal part is told from a bad one;
* a GPU whose reboot-recoverable Xid (one NVIDIA's catalog clears with a GPU reset or a
  reboot) came back in `xid_escalate_after` runs or more is INSPECT: the reset did not
  cure it (GPUd escalates to hardware inspection after two reboots);
* a part whose serial failed before in another chassis is a repeat offender: the fault
  travels with the part, so a failing one is sent back (`RMA_<kind>`), not reseated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hwaccept.checks.catalog import XIDS, Action
from hwaccept.reports.model import RunReport
from hwaccept.rma.observations import UNKNOWN_KIND, Failure, RunRef, Sighting, all_sightings

PASS = "PASS"
SEVERITY = (PASS, Action.RETEST, Action.RESET_GPU, Action.CONFIGURE, Action.UPDATE_DRIVER,
            Action.UPDATE_FIRMWARE, Action.RESEAT, Action.INSPECT, Action.REPLACE_CABLE,
            Action.REPLACE_DIMM, Action.RMA_BOARD, Action.RMA_DISK, Action.RMA_NIC,
            Action.RMA_GPU)
"""Verdicts from least to most serious; an action not listed ranks with INSPECT."""
RMA_OF_KIND = {"gpu": Action.RMA_GPU, "nic": Action.RMA_NIC, "ib": Action.RMA_NIC,
               "disk": Action.RMA_DISK}
XID_CODE = re.compile(r"GPU_XID_(\d+)$")


@dataclass(frozen=True)
class Evidence:
    """One run's word on the part."""

    run: RunRef
    failures: tuple[Failure, ...]
    passed: int


@dataclass(frozen=True)
class Decision:
    """The verdict on one part of one system, with its reasons."""

    system: str
    kind: str
    component_id: str
    serial: str
    slot: str
    model: str
    verdict: str
    codes: tuple[str, ...]
    failed_runs: int
    runs: int
    evidence: tuple[Evidence, ...]
    notes: tuple[str, ...] = ()
    repeat_offender: bool = False

    @property
    def due(self) -> bool:
        """Whether someone has to act on this part."""
        return self.verdict != PASS


_RANKS = {str(verdict): number for number, verdict in enumerate(SEVERITY)}


def rank(verdict: str) -> int:
    """How serious a verdict is (unknown actions rank with INSPECT)."""
    return _RANKS.get(verdict, _RANKS[Action.INSPECT])


def worst(verdicts: Iterable[str]) -> str:
    """The most serious of `verdicts` (PASS for none)."""
    return max(verdicts, key=rank, default=PASS)


def reboot_recoverable(code: str) -> bool:
    """An Xid that NVIDIA's catalog clears with a GPU reset or a reboot."""
    match = XID_CODE.match(code)
    row = XIDS.get(int(match.group(1))) if match else None
    return row is not None and row.nvidia.split(" /")[0].strip() in {
        "RESET_GPU", "RESTART_BM", "WORKFLOW_XID_48"}


def _failure_verdict(kind: str, failures: Iterable[Failure]) -> str:
    actions = [f.action or Action.INSPECT for f in failures]
    return Action.INSPECT if kind == UNKNOWN_KIND else worst(actions)


def _xid_runs(history: list[Sighting]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sighting in history:
        for code in {f.code for f in sighting.failures if reboot_recoverable(f.code)}:
            counts[code] = counts.get(code, 0) + 1
    return counts


def _repeat_offences(serial: str, system: str, latest: Sighting,
                     by_serial: dict[str, list[Sighting]]) -> list[Sighting]:
    """Failures of this serial in other chassis, up to this part's latest run."""
    if not serial:
        return []
    return [s for s in by_serial.get(serial, []) if s.failed and s.run.system != system
            and s.run.started <= latest.run.started]


def _part_decision(history: list[Sighting], by_serial: dict[str, list[Sighting]],
                   xid_escalate_after: int) -> Decision:
    """The decision on one part.

    `by_serial` holds every sighting of each serial that failed somewhere; a serial it
    does not hold never failed.
    """
    latest = history[-1]
    serial = next((s.serial for s in reversed(history) if s.serial), "")
    failed = [s for s in history if s.failed]
    notes: list[str] = []
    verdict = PASS
    if latest.failed:
        verdict = _failure_verdict(latest.kind, latest.failures)
        if len(failed) > 1:
            notes.append(f"failed in {len(failed)} of {len(history)} runs")
    elif failed:
        verdict = Action.RETEST
        notes.append(f"flaky: failed in {len(failed)} of {len(history)} runs, passed the "
                     f"latest ({latest.run.started or latest.run.source})")
    same_gpu = by_serial.get(serial, []) if serial else history
    for code, count in sorted(_xid_runs(same_gpu).items()):
        if count >= xid_escalate_after:
            verdict = worst((verdict, Action.INSPECT))
            notes.append(f"{code} in {count} runs: a reset or reboot did not clear it; "
                         "hardware inspection")
    elsewhere = _repeat_offences(serial, latest.run.system, latest, by_serial)
    for sighting in elsewhere:
        seen = ", ".join(sorted({f.code for f in sighting.failures if f.code})) or "failed"
        notes.append(f"repeat offender: failed in chassis {sighting.run.system} "
                     f"({sighting.run.started or sighting.run.source}: {seen})")
    if elsewhere and latest.failed and latest.kind in RMA_OF_KIND:
        verdict = worst((verdict, RMA_OF_KIND[latest.kind]))
    codes = tuple(sorted({f.code for s in failed for f in s.failures if f.code}))
    return Decision(
        system=latest.run.system, kind=latest.kind, component_id=latest.component_id,
        serial=serial, slot=next((s.slot for s in reversed(history) if s.slot), ""),
        model=next((s.model for s in reversed(history) if s.model), ""),
        verdict=str(verdict), codes=codes, failed_runs=len(failed), runs=len(history),
        evidence=tuple(Evidence(s.run, tuple(s.failures), s.passed) for s in history),
        notes=tuple(notes), repeat_offender=bool(elsewhere))


def decide(runs: Iterable[RunReport], xid_escalate_after: int = 2) -> list[Decision]:
    """A decision per part of every system, most serious first within each system."""
    return decide_sightings(all_sightings(runs), xid_escalate_after)


def _passed(history: list[Sighting]) -> Decision:
    """The decision on a part that never failed and whose serial never failed anywhere.

    As `_part_decision` decides it, without its searches: most parts of a fleet are
    such parts, and there are hundreds of thousands of them.
    """
    latest = history[-1]
    if len(history) == 1:
        serial, slot, model = latest.serial, latest.slot, latest.model
    else:
        serial = next((s.serial for s in reversed(history) if s.serial), "")
        slot = next((s.slot for s in reversed(history) if s.slot), "")
        model = next((s.model for s in reversed(history) if s.model), "")
    return Decision(latest.run.system, latest.kind, latest.component_id, serial, slot, model,
                    PASS, (), 0, len(history),
                    tuple([Evidence(s.run, (), s.passed) for s in history]))


def decide_sightings(found: Iterable[Sighting], xid_escalate_after: int = 2) -> list[Decision]:
    """As `decide`, from sightings already in run order (oldest first)."""
    seen = list(found)
    histories: dict[tuple[str, str, str], list[Sighting]] = {}
    troubled: set[tuple[str, str, str]] = set()
    failed_serials: set[str] = set()
    for sighting in seen:
        key = (sighting.run.system, sighting.kind, sighting.component_id)
        history = histories.get(key)
        if history is None:
            histories[key] = [sighting]
        else:
            history.append(sighting)
        if sighting.failures:
            troubled.add(key)
            if sighting.serial:
                failed_serials.add(sighting.serial)
    by_serial: dict[str, list[Sighting]] = {serial: [] for serial in failed_serials}
    if by_serial:
        for sighting in seen:
            if sighting.serial in by_serial:
                by_serial[sighting.serial].append(sighting)
    decisions = []
    for key, history in histories.items():
        serial = (history[0].serial if len(history) == 1
                  else next((s.serial for s in reversed(history) if s.serial), ""))
        if key in troubled or serial in failed_serials:
            decisions.append(_part_decision(history, by_serial, xid_escalate_after))
        else:
            decisions.append(_passed(history))
    return sorted(decisions, key=lambda d: (d.system, -rank(d.verdict), d.kind,
                                            d.component_id))
