"""RMA decisions from runs built in the test: retests, repeats, moved parts, Xid escalation."""

from __future__ import annotations

from hwaccept.reports.model import CaseResult, RunReport
from hwaccept.rma.decide import Decision, decide, rank, reboot_recoverable
from hwaccept.rma.observations import RunRef

GPU3 = (("component", "gpu"), ("component_id", "1654922004712"), ("serial", "1654922004712"),
        ("slot", "3"), ("model", "NVIDIA H100 80GB HBM3"))


def gpu_case(check: str, outcome: str = "passed", code: str = "", action: str = "",
             part: tuple[tuple[str, str], ...] = GPU3) -> CaseResult:
    extra = (("failure_code", code), ("action", action)) if code else ()
    return CaseResult(f"hwtests/test_gpu.py::test_{check}[gpu3]", outcome, 0.001,
                      f"{code} → {action}" if code else "", (*part, ("check", check), *extra))


def run(system: str, started: str, *cases: CaseResult) -> RunReport:
    return RunReport(f"{system}-{started}.xml", {"system_serial": system, "started": started},
                     cases)


def only(decisions: list[Decision], component_id: str = "1654922004712") -> Decision:
    [found] = [d for d in decisions if d.component_id == component_id]
    return found


def test_a_part_that_never_failed_passes() -> None:
    decision = only(decide([run("S1", "2026-11-01", gpu_case("gpu_ecc"))]))
    assert (decision.verdict, decision.due, decision.codes) == ("PASS", False, ())


def test_a_failure_is_acted_on_with_its_most_serious_action() -> None:
    decision = only(decide([run("S1", "2026-11-01",
                                gpu_case("gpu_pcie", "failed", "PCIE_LINK_DOWNTRAINED", "RESEAT"),
                                gpu_case("gpu_ecc", "failed", "GPU_ECC_DBE", "RMA_GPU"))]))
    assert decision.verdict == "RMA_GPU"
    assert decision.codes == ("GPU_ECC_DBE", "PCIE_LINK_DOWNTRAINED")
    assert (decision.slot, decision.serial) == ("3", "1654922004712")
    assert [f.check for f in decision.evidence[0].failures] == ["gpu_pcie", "gpu_ecc"]


def test_a_failure_that_passes_on_retest_is_retest_with_a_count() -> None:
    decision = only(decide([
        run("S1", "2026-11-01", gpu_case("gpu_pcie", "failed", "PCIE_LINK_DOWNTRAINED",
                                         "RESEAT")),
        run("S1", "2026-11-02", gpu_case("gpu_pcie")),
    ]))
    assert decision.verdict == "RETEST"
    assert (decision.failed_runs, decision.runs) == (1, 2)
    assert decision.notes == ("flaky: failed in 1 of 2 runs, passed the latest (2026-11-02)",)


def test_a_failure_that_repeats_is_acted_on() -> None:
    failing = gpu_case("gpu_pcie", "failed", "PCIE_LINK_DOWNTRAINED", "RESEAT")
    decision = only(decide([run("S1", "2026-11-02", failing), run("S1", "2026-11-01", failing)]))
    assert decision.verdict == "RESEAT"
    assert decision.notes == ("failed in 2 of 2 runs",)
    assert [e.run.started for e in decision.evidence] == ["2026-11-01", "2026-11-02"]


def test_a_part_that_failed_in_another_chassis_is_a_repeat_offender() -> None:
    decisions = decide([
        run("S1", "2026-11-01", gpu_case("gpu_pcie", "failed", "PCIE_LINK_DOWNTRAINED",
                                         "RESEAT")),
        run("S2", "2026-11-05", gpu_case("gpu_pcie", "failed", "PCIE_LINK_DOWNTRAINED",
                                         "RESEAT")),
    ])
    moved = next(d for d in decisions if d.system == "S2")
    first = next(d for d in decisions if d.system == "S1")
    assert moved.repeat_offender
    assert not first.repeat_offender
    assert moved.verdict == "RMA_GPU"
    assert moved.notes == ("repeat offender: failed in chassis S1 (2026-11-01: "
                           "PCIE_LINK_DOWNTRAINED)",)
    assert first.verdict == "RESEAT"


def test_a_moved_part_that_passes_in_its_new_chassis_keeps_its_past() -> None:
    decisions = decide([
        run("S1", "2026-11-01", gpu_case("gpu_pcie", "failed", "PCIE_LINK_DOWNTRAINED",
                                         "RESEAT")),
        run("S2", "2026-11-05", gpu_case("gpu_pcie")),
    ])
    moved = next(d for d in decisions if d.system == "S2")
    assert (moved.verdict, moved.repeat_offender, moved.failed_runs) == ("PASS", True, 0)
    assert moved.notes == ("repeat offender: failed in chassis S1 (2026-11-01: "
                           "PCIE_LINK_DOWNTRAINED)",)


def test_an_xid_that_came_back_elsewhere_sends_a_passing_part_to_inspection() -> None:
    xid = gpu_case("kernel_xid", "failed", "GPU_XID_79", "RESEAT")
    decisions = decide([run("S1", "2026-11-01", xid), run("S1", "2026-11-02", xid),
                        run("S2", "2026-11-05", gpu_case("kernel_xid"))])
    assert next(d for d in decisions if d.system == "S2").verdict == "INSPECT"


def test_a_slot_whose_gpu_was_swapped_is_judged_by_the_new_gpus_xids() -> None:
    def in_slot(serial: str) -> tuple[tuple[str, str], ...]:
        return ("component", "gpu"), ("component_id", "0000:19:00.0"), ("serial", serial)

    xid = gpu_case("kernel_xid", "failed", "GPU_XID_79", "RESEAT", part=in_slot("OLD"))
    decision = only(decide([run("S1", "2026-11-01", xid), run("S1", "2026-11-02", xid),
                            run("S1", "2026-11-03", gpu_case("kernel_xid",
                                                             part=in_slot("NEW")))]),
                    "0000:19:00.0")
    assert (decision.serial, decision.verdict, decision.failed_runs) == ("NEW", "RETEST", 2)


def test_a_part_that_always_passed_takes_its_slot_and_model_from_its_latest_run() -> None:
    bare = (("component", "gpu"), ("component_id", "1654922004712"))
    decision = only(decide([
        run("S1", "2026-11-01", gpu_case("gpu_ecc")),
        run("S1", "2026-11-02", gpu_case("gpu_ecc", part=(*bare, ("slot", "5")))),
        run("S1", "2026-11-03", gpu_case("gpu_ecc", part=bare)),
    ]))
    assert (decision.verdict, decision.serial, decision.slot, decision.model) == (
        "PASS", "1654922004712", "5", "NVIDIA H100 80GB HBM3")
    assert [(e.run.started, e.passed, e.failures) for e in decision.evidence] == [
        ("2026-11-01", 1, ()), ("2026-11-02", 1, ()), ("2026-11-03", 1, ())]


def test_unknown_actions_rank_with_inspection() -> None:
    assert rank("REPLACE_PSU") == rank("INSPECT") < rank("RMA_GPU")
    assert rank("PASS") == 0


def test_a_reboot_recoverable_xid_that_comes_back_goes_to_inspection() -> None:
    xid = gpu_case("kernel_xid", "failed", "GPU_XID_79", "RESEAT")
    once = only(decide([run("S1", "2026-11-01", xid), run("S1", "2026-11-02",
                                                           gpu_case("kernel_xid"))]))
    twice = only(decide([run("S1", "2026-11-01", xid), run("S1", "2026-11-03", xid)]))
    thrice = decide([run("S1", "2026-11-01", xid), run("S1", "2026-11-03", xid)],
                    xid_escalate_after=3)
    assert once.verdict == "RETEST"
    assert twice.verdict == "INSPECT"
    assert twice.notes == ("failed in 2 of 2 runs", "GPU_XID_79 in 2 runs: a reset or reboot "
                                                    "did not clear it; hardware inspection")
    assert only(thrice).verdict == "RESEAT"


def test_which_xids_a_reset_or_reboot_clears() -> None:
    assert [reboot_recoverable(c) for c in ("GPU_XID_79", "GPU_XID_48", "GPU_XID_13",
                                            "GPU_ECC_DBE", "GPU_XID_99999")] == [
        True, True, False, False, False]


def test_reports_of_other_tools_are_parts_of_unknown_kind() -> None:
    other = RunReport("dcgm.xml", {"hostname": "node3"}, (
        CaseResult("diag.memory::GPU0", "passed"),
        CaseResult("diag.memory::GPU1", "failed", 1.0, "Memory test failed: DBE"),
    ))
    decisions = decide([other])
    assert [(d.system, d.kind, d.component_id, d.verdict) for d in decisions] == [
        ("node3", "unknown", "GPU1", "INSPECT"), ("node3", "unknown", "GPU0", "PASS")]
    assert decisions[0].evidence[0].run == RunRef("dcgm.xml", "", "node3", True)
