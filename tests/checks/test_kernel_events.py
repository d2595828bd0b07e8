"""The kernel log's hardware events other than Xids, on real logs from the corpus."""

from __future__ import annotations

import pytest

from hwaccept.checks.catalog import EVENTS, SXID_EVENT, UNKNOWN_EVENT, Action, entry
from hwaccept.checks.findings import Finding, Verdict
from hwaccept.inventory.records import KernelLog, Nic
from hwaccept.profiles.schema import KernelEventCode
from hwaccept.record import replace
from tests.checks.faults import EVENT_LINES, HEALTHY
from tests.checks.machines import h100, machine, only, profile, run, with_kernel_log, with_log_lines

LOG = profile(kernel_log={"xid": {"fail": [79]}})
BOOT = "kmsg/gpud_dmesg_boot_full-decode-iso.log"
FLAPS = "kmsg/azhc_syslog_ib6-carrier-flaps.log"
PANIC = "kmsg/gpud_pstore_dmesg_kernel-panic.txt"


def test_a_boot_with_ports_that_never_came_up_has_no_fault() -> None:
    finding = only("kernel_events", LOG, with_kernel_log(h100(), BOOT))
    assert finding == Finding(
        check="kernel_events", family="kernel", component="system", component_id="HSR8X04",
        name="kernel log", verdict=Verdict.PASS,
        message="no hardware fault: cable unplugged x2, link down x3, link up x2 on 5 devices",
        measured="cable unplugged x2, link down x3, link up x2",
        expected="no hardware fault; others as the catalog says", serial="HSR8X04",
        model="PowerEdge XE9680", who="system")


def test_carrier_flaps_warn_on_the_interface() -> None:
    ib6 = Nic("ib6", driver="mlx5_core", pci_address="0000:c1:00.0")
    finding = only("kernel_events", LOG, with_kernel_log(machine(nics=(ib6,)), FLAPS))
    assert finding == Finding(
        check="kernel_events", family="kernel", component="nic", component_id="0000:c1:00.0",
        name="ib6", verdict=Verdict.WARN, message="warn: link flap (link down x6, link up x6)",
        measured="link flap (link down x6, link up x6)",
        expected="no hardware fault; others as the catalog says", bdf="0000:c1:00.0",
        failure_code="LINK_FLAP", action=Action.REPLACE_CABLE)
    assert finding.line() == ("ib6 (0000:c1:00.0): warn: link flap (link down x6, link up x6) — "
                              "LINK_FLAP → REPLACE_CABLE")


def test_an_empty_cage_at_boot_is_not_a_flap_but_unplugging_a_live_link_is() -> None:
    panic = only("kernel_events", LOG, with_kernel_log(h100(), PANIC))
    assert (panic.verdict, panic.message) == (
        Verdict.PASS, "no hardware fault: cable unplugged x1, link up x1 on 2 devices")
    pulled = ["[ 5.0] mlx5_core 0000:41:00.1 eth1: Link up",
              "[ 90.0] mlx5_core 0000:41:00.1: Port module event: module 1, Cable unplugged"]
    finding = only("kernel_events", LOG, with_log_lines(machine(), pulled))
    assert (finding.name, finding.verdict, finding.failure_code, finding.message) == (
        "0000:41:00.1", Verdict.WARN, "LINK_FLAP",
        "warn: link flap (cable unplugged x1, link up x1)")


def test_events_are_told_apart_by_device_and_counted_once_per_kind() -> None:
    gpu4 = h100().gpus[4]
    lines = [f"[ {n}.0] pcieport 0000:98:01.0: AER: Corrected error received: {gpu4.pci_address}"
             for n in range(3)]
    lines.append("[ 9.0] pcieport 0000:98:01.0: AER: Uncorrected (Fatal) error received: "
                 f"{gpu4.pci_address}")
    finding = only("kernel_events", LOG, with_log_lines(h100(), lines))
    assert finding == Finding(
        check="kernel_events", family="kernel", component="gpu", component_id=gpu4.serial or "",
        name="GPU 4", verdict=Verdict.FAIL, message="fail: AER fatal x1; warn: AER corrected x3",
        measured="AER corrected x3, AER fatal x1",
        expected="no hardware fault; others as the catalog says", serial=gpu4.serial,
        bdf="0000:9b:00.0", model="NVIDIA H100 80GB HBM3", failure_code="KERNEL_AER_FATAL",
        action=Action.RESEAT, who="gpu4")


def test_the_profile_moves_events_between_fail_warn_and_ignore() -> None:
    flapping = with_kernel_log(machine(), FLAPS)
    ignored = profile(kernel_log={"events": {"ignore": ["LINK_FLAP"]}})
    quiet = only("kernel_events", ignored, flapping)
    assert (quiet.name, quiet.verdict, quiet.message) == (
        "kernel log", Verdict.PASS, "no hardware fault: link down x6, link up x6 on 1 device")
    assert quiet.expected == "no hardware fault; ignore: LINK_FLAP; others as the catalog says"
    strict = profile(kernel_log={"events": {"fail": ["LINK_FLAP"]}})
    assert only("kernel_events", strict, flapping).verdict is Verdict.FAIL
    corrected = ["[ 1.0] pcieport 0000:00:01.0: AER: Corrected error received: 0000:01:00.0"]
    promoted = profile(kernel_log={"events": {"fail": ["KERNEL_AER_CORRECTED"]}})
    finding = only("kernel_events", promoted, with_log_lines(machine(), corrected))
    assert (finding.verdict, finding.failure_code) == (Verdict.FAIL, "KERNEL_AER_CORRECTED")


@pytest.mark.parametrize(("code", "lines"), list(EVENT_LINES.items()), ids=list(EVENT_LINES))
def test_every_kind_of_event_gets_its_catalog_code(code: str, lines: tuple[str, ...]) -> None:
    finding = only("kernel_events", LOG, with_log_lines(machine(), list(lines)))
    assert finding.failure_code == code
    row = EVENTS.get(code)
    assert finding.verdict is (Verdict.FAIL if row and row.default == "fail" else Verdict.WARN)
    assert finding.action is entry(code).action


def test_without_a_log_or_with_part_of_one_nothing_passes() -> None:
    assert only("kernel_events", LOG, h100()).message == "the kernel log is not in this snapshot"
    partial = replace(with_kernel_log(h100(), BOOT), complete=frozenset({"gpu"}))
    finding = only("kernel_events", LOG, partial)
    assert finding.verdict is Verdict.UNKNOWN
    assert finding.message.endswith("in the part of the kernel log this snapshot holds")
    refused = machine(kernel_log=KernelLog(problem="dmesg: Operation not permitted"))
    assert only("kernel_events", LOG, refused).message == (
        "the kernel log could not be read: dmesg: Operation not permitted")
    assert only("kernel_events", LOG, HEALTHY).message == "no hardware event other than Xids"
    assert run("kernel_events", profile(gpus={"count": 8}), HEALTHY) == []


def test_the_profile_names_exactly_the_catalogs_event_codes() -> None:
    assert {code.value for code in KernelEventCode} == {*EVENTS, SXID_EVENT, UNKNOWN_EVENT}
