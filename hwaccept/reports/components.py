"""The run's components as a technician sees them: one row each, and the parts to act on.

A case names its component by the JUnit contract's properties (DESIGN.md); a component is
keyed by `component_id`, so a system-level check (`gpu_count`, `disk_count`) joins the
system's row, and a PCI function checked both as an NVSwitch and as a PCIe link is one
row. A component's verdict is the worst of its cases', and a test that failed or errored
counts as FAIL whatever its properties say. Cases without a `component_id` (tests of
other tools, a crash before the properties were recorded) have no row (parts.py lists
them when they fail).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hwaccept.checks.findings import Verdict
from hwaccept.reports.model import ERROR, FAILED, PASSED, XFAILED, XPASSED, CaseResult, RunReport

FAILING = frozenset({FAILED, ERROR})
KIND_PRIORITY = ("system", "gpu", "nvswitch", "nic", "ib", "disk", "cpu", "memory", "kernel",
                 "pcie")
"""Which kind names a row whose cases differ: the system's roll-ups, then the device, PCIe last."""
KIND_ORDER = ("system", "gpu", "nvswitch", "pcie", "nic", "ib", "disk", "cpu", "memory",
              "kernel")
"""The order the rows are listed in (DESIGN.md's component list)."""
FIRMWARE_CHECK = re.compile(r"(?:^|_)(vbios|firmware|bios|bmc)$")
_PARAMETER = re.compile(r"\[(?P<id>[^\]]*)\](?:@[^\]]*)?$")
_OUTCOME_VERDICT = {PASSED: Verdict.PASS, XPASSED: Verdict.PASS, XFAILED: Verdict.WAIVED}


def verdict_of(case: CaseResult) -> str:
    """The case's verdict: FAIL for a failed or errored test, else the one it recorded."""
    if case.outcome in FAILING:
        return Verdict.FAIL.value
    recorded = case.get("verdict")
    if recorded:
        return recorded
    return _OUTCOME_VERDICT.get(case.outcome, Verdict.UNKNOWN).value


def severity(verdict: str) -> int:
    """How bad `verdict` is (FAIL highest); a verdict of another tool ranks as UNKNOWN."""
    try:
        return Verdict(verdict).severity
    except ValueError:
        return Verdict.UNKNOWN.severity


def worst(verdicts: Iterable[str]) -> str:
    """The most severe of `verdicts`; PASS when there are none."""
    return max(verdicts, key=severity, default=Verdict.PASS.value)


def failing(case: CaseResult) -> bool:
    """Whether the test failed or errored (a reason to reject the machine)."""
    return case.outcome in FAILING


def as_test_id(text: str) -> str:
    """`text` as the acceptance tests put it in an id (plugins/hw_checks.py `finding_id`)."""
    return re.sub(r"[^\w.:+-]+", "_", text.replace("/", "-")).strip("_")


def test_name(case: CaseResult) -> str:
    """What the test's id calls its component, `gpu3` in `test_gpu_ecc[gpu3-1654922004712]`.

    The acceptance tests' ids name the part and append its serial (a system-level check's
    is the system's); that suffix is dropped, and so is what follows the serial in a
    burn-in test's id (`gpu3-1654922004712-bf16`: the test's own parameters). An id that
    only spells the component id (`mlx5_0-1` for `mlx5_0/1`) or starts with the PCI
    address gives way to that. Ids of other tests give the component id.
    """
    found = _PARAMETER.search(case.nodeid)
    name = found["id"] if found else ""
    serial, bdf = case.get("serial"), case.get("bdf")
    component_id = case.get("component_id") or ""
    for known in dict.fromkeys(k for k in (serial, component_id) if k):
        name = name.removesuffix(f"-{as_test_id(known)}").split(f"-{as_test_id(known)}-")[0]
    if not name or name == as_test_id(component_id) or (bdf and name.startswith(bdf)):
        return component_id or bdf or name
    return name


def _first(cases: Sequence[CaseResult], key: str) -> str:
    return next((value for case in cases if (value := case.get(key))), "")


@functools.lru_cache(maxsize=1024)
def firmware_kind(check: str) -> str | None:
    """`vbios` for `gpu_vbios`: which firmware a check's measured value is, if any.

    Cached: ingest asks it of every case of every report, and reports share a few hundred
    check names.
    """
    found = FIRMWARE_CHECK.search(check)
    return found[1] if found else None


def firmware_text(checks: Iterable[tuple[str | None, str | None]]) -> str:
    """A part's firmware from its (check, measured value) pairs: `96.00.89.00.01`.

    The firmware checks (`gpu_vbios`, `nic_firmware`, `system_bios`, ...) record the
    version as their measured value; a part with several names each (`BIOS 2.1 · BMC 7`).
    """
    found = {kind: value for check, value in checks
             if value and check and (kind := firmware_kind(check))}
    if len(found) == 1:
        return next(iter(found.values()))
    return " · ".join(f"{what.upper()} {version}" for what, version in sorted(found.items()))


def natural_key(text: str) -> tuple[tuple[int, str], ...]:
    """Sort key putting `gpu2` before `gpu10`."""
    return tuple((int(part), "") if part.isdigit() else (-1, part)
                 for part in re.split(r"(\d+)", text) if part)


@dataclass(frozen=True)
class Component:
    """One component of the machine, with everything its cases said about it."""

    component_id: str
    kind: str
    name: str
    serial: str
    slot: str
    bdf: str
    model: str
    firmware: str
    verdict: str
    cases: tuple[CaseResult, ...]

    @property
    def location(self) -> str:
        """`slot 3 · 0000:9d:00.0`, whichever of the two are known."""
        return " · ".join(p for p in (f"slot {self.slot}" if self.slot else "", self.bdf) if p)

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        """Its failed and errored cases."""
        return tuple(case for case in self.cases if failing(case))


def _component(component_id: str, cases: Sequence[CaseResult]) -> Component:
    kinds = {case.get("component") or "" for case in cases}
    kind = next((k for k in KIND_PRIORITY if k in kinds), min(kinds))
    own = [case for case in cases if case.get("component") == kind] or list(cases)
    name = "system" if kind == "system" else test_name(own[0])
    return Component(
        component_id=component_id, kind=kind, name=name, serial=_first(own, "serial"),
        slot=_first(own, "slot"), bdf=_first(own, "bdf"), model=_first(own, "model"),
        firmware=firmware_text((case.get("check"), case.get("measured")) for case in cases),
        verdict=worst(verdict_of(case) for case in cases),
        cases=tuple(cases))


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def components(run: RunReport) -> list[Component]:
    """One component per `component_id`, the system first, then by kind and name."""
    grouped: dict[str, list[CaseResult]] = {}
    for case in run.cases:
        component_id = case.get("component_id")
        if component_id:
            grouped.setdefault(component_id, []).append(case)
    found = [_component(key, cases) for key, cases in grouped.items()]
    return sorted(found, key=lambda c: (_kind_rank(c.kind), natural_key(c.name),
                                        natural_key(c.component_id)))

