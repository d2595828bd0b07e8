"""Errors a load provoked on a GPU: its counters and the kernel log's Xids, before and after.

`error_deltas` compares two reads of the same GPU (ECC counts, retired pages, remapped
rows), `new_xids` two reads of the kernel log, with the acceptance checks' failure codes
and the kernel log parser the acceptance checks use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from hwaccept.burnin.deltas import new_events
from hwaccept.checks.findings import (
    Finding,
    Judgment,
    Outcome,
    Part,
    failed,
    make_finding,
    passed,
    unknown,
    warned,
)
from hwaccept.checks.kernel_log import judge_xids, tally
from hwaccept.checks.parts import gpu_part
from hwaccept.inventory.records import EventSource, Gpu, KernelEvent
from hwaccept.tools.kernel_log import events

FAMILY = "gpu"
ERRORS_CHECK = "gpu_errors_under_load"
XID_CHECK = "gpu_xid_under_load"


@dataclass(frozen=True)
class _Counter:
    """One error counter of a GPU record, and how a rise of it is judged."""

    name: str  # as `measured` names it
    label: str  # as the message names it
    code: str
    fail: bool  # a rise fails (else it warns)


_COUNTERS = (
    _Counter("volatile_dbe", "uncorrectable (DBE) ECC errors", "GPU_ECC_DBE", True),
    _Counter("volatile_sbe", "corrected (SBE) ECC errors", "GPU_ECC_SBE", False),
    _Counter("retired_pages_dbe", "pages retired for DBEs", "GPU_RETIRED_PAGES_DBE", True),
    _Counter("retired_pages_sbe", "pages retired for SBEs", "GPU_RETIRED_PAGES_SBE", False),
    _Counter("retired_pages_pending", "page retirement pending", "GPU_RETIRED_PAGES_PENDING",
             True),
    _Counter("remap_uncorrectable", "rows remapped for uncorrectable errors",
             "GPU_ROW_REMAP_UNCORRECTABLE", True),
    _Counter("remap_correctable", "rows remapped for correctable errors",
             "GPU_ROW_REMAP_CORRECTABLE", False),
    _Counter("remap_pending", "row remap pending (needs a GPU reset)", "GPU_ROW_REMAP_PENDING",
             True),
    _Counter("remap_failure", "row remap failed", "GPU_ROW_REMAP_FAILURE", True),
)


def error_counts(gpu: Gpu) -> dict[str, int | bool | None]:
    """The error counters `error_deltas` compares, by name; volatile ECC, else aggregate.

    Volatile counts start at zero with the driver; where a GPU gives none, the aggregate
    (lifetime) count rises with the same errors.
    """
    ecc, rows = gpu.ecc, gpu.remapped_rows
    dbe = ecc.volatile_dbe if ecc.volatile_dbe is not None else ecc.aggregate_dbe
    sbe = ecc.volatile_sbe if ecc.volatile_sbe is not None else ecc.aggregate_sbe
    return {
        "volatile_dbe": dbe, "volatile_sbe": sbe,
        "retired_pages_dbe": gpu.retired_pages_dbe, "retired_pages_sbe": gpu.retired_pages_sbe,
        "retired_pages_pending": gpu.retired_pages_pending,
        "remap_uncorrectable": rows.uncorrectable if rows else None,
        "remap_correctable": rows.correctable if rows else None,
        "remap_pending": rows.pending if rows else None,
        "remap_failure": rows.failure if rows else None,
    }


def _shown(value: int | bool | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "?" if value is None else str(value)


def _rise(counter: _Counter, before: int | bool, after: int | bool) -> Outcome:
    text = f"{counter.label} {_shown(before)} → {_shown(after)} during the load"
    judge = failed if counter.fail else warned
    if isinstance(after, bool):
        measured, expected = f"{counter.name}={_shown(after)}", f"{counter.name}=no"
    else:
        measured, expected = f"{counter.name}={after}", f"{counter.name}<={before}"
    return Outcome(judge(text, counter.code), measured, expected)


def _unchanged(compared: list[str], fell: list[str], unread: list[str]) -> Judgment:
    tail = f"; not known: {', '.join(unread)}" if unread else ""
    if fell:
        return unknown(f"counters fell during the load ({', '.join(fell)}): the GPU or its "
                       f"driver was reset, so new errors cannot be told{tail}")
    if not compared:
        return unknown(f"no error counter was read both before and after the load{tail}")
    return passed(f"no new errors: {', '.join(compared)}{tail}")


def error_deltas(part: Part, before: Gpu, after: Gpu) -> list[Finding]:
    """New memory errors between two reads of one GPU: a finding per counter that rose.

    A rise of uncorrectable errors, of pages retired for them, a pending retirement or row
    remap, or a failed remap fails; more corrected errors (and their retired pages or
    remapped rows) warn, as corrected errors are counted against the profile's maxima by
    the acceptance checks. When nothing rose, one PASS names every counter compared.
    """
    old, new = error_counts(before), error_counts(after)
    rises: list[Outcome] = []
    compared: list[str] = []
    fell: list[str] = []
    unread: list[str] = []
    for counter in _COUNTERS:
        was, now = old[counter.name], new[counter.name]
        if was is None or now is None:
            unread.append(counter.name)
        elif now > was:
            rises.append(_rise(counter, was, now))
        elif now < was:
            fell.append(f"{counter.name} {_shown(was)} → {_shown(now)}")
        else:
            compared.append(f"{counter.name} {_shown(now)}")
    if not rises:
        rises.append(Outcome(_unchanged(compared, fell, unread), "none", "no new errors"))
    return [make_finding(ERRORS_CHECK, FAMILY, part, outcome) for outcome in rises]


def _xid_events(log: str) -> list[KernelEvent]:
    return [e for e in events(log.splitlines()) if e.source is EventSource.XID]


def new_xid_events(before_log: str, after_log: str) -> list[KernelEvent]:
    """Xid events of `after_log` that `before_log` does not hold, in log order.

    The kernel's ring buffer may have dropped the oldest lines in between, which only
    means fewer events to cancel (hwaccept.burnin.deltas.new_events).
    """
    return new_events(_xid_events(before_log), _xid_events(after_log))


def _xid_outcome(found: Sequence[KernelEvent], fail: set[int], warn: set[int]) -> Outcome:
    counts = tally(tuple(found))
    measured = ", ".join(f"Xid {x} x{n}" for x, n in sorted(counts.items())) or "none"
    if not counts:
        return Outcome(passed("no new Xid during the load"), measured, "no new Xid")
    judgment = judge_xids(counts, fail, warn)
    judgment = dataclasses.replace(judgment, message=f"new during the load: {judgment.message}")
    return Outcome(judgment, measured, "no new Xid")


def new_xids(before_log: str, after_log: str, gpus: Iterable[Gpu], *,
             fail: Collection[int] = (), warn: Collection[int] = (),
             strays: bool = False) -> list[Finding]:
    """A finding per GPU for the Xids logged between two reads of the kernel log.

    Xids are tied to a GPU by its PCI address and judged as the acceptance check
    `kernel_xid` judges them (the profile's `kernel_log.xid` lists, else NVIDIA's catalog),
    with that check's GPU_XID_<n> codes.

    Args:
        before_log: the kernel log read before the load (text of `dmesg` or the journal).
        after_log: the same log read after it.
        gpus: the GPUs to give findings for (each gets one, a PASS without new Xids).
        fail: Xids that fail (`kernel_log.xid.fail`).
        warn: Xids that warn (`kernel_log.xid.warn`).
        strays: also give a finding per PCI address with new Xids that no GPU of `gpus`
            has (a test watching every GPU; a test of one GPU leaves the others' Xids to
            their own tests).

    """
    found = new_xid_events(before_log, after_log)
    fails, warns = set(fail), set(warn)
    findings = []
    claimed: set[str] = set()
    for gpu in gpus:
        address = gpu.pci_address
        mine = [e for e in found if address is not None and e.device == address]
        claimed |= {address} if address else set()
        findings.append(make_finding(XID_CHECK, FAMILY, gpu_part(gpu),
                                     _xid_outcome(mine, fails, warns)))
    if strays:
        findings += [make_finding(XID_CHECK, FAMILY, _stray_part(device),
                                  _xid_outcome([e for e in found if _address(e) == device],
                                               fails, warns))
                     for device in dict.fromkeys(map(_address, found)) if device not in claimed]
    return findings


def _address(event: KernelEvent) -> str:
    return event.device or "an unknown address"


def _stray_part(device: str) -> Part:
    """A GPU known only by the address an Xid names, as the acceptance check names it."""
    return Part("gpu", device, f"GPU at {device}", bdf=device, who=device)
