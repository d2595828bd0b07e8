"""What a load changed: counters that grew (or were reset), and kernel events that are new."""

from __future__ import annotations

from hwaccept.burnin.deltas import (
    counter_growth,
    edac_findings,
    event_findings,
    grown,
    ib_findings,
    new_events,
    nic_findings,
)
from hwaccept.checks.findings import Verdict
from hwaccept.inventory.records import (
    EdacController,
    EventSource,
    IbPort,
    Inventory,
    Nic,
)
from hwaccept.record import replace
from hwaccept.tools.kernel_log import events
from tests.checks.machines import snapshot

MCE = ("[  610.000004] mce: [Hardware Error]: CPU 0: Machine Check Exception: 5 Bank 6: "
       "b200000000070005")
LINK_DOWN = "[  611.000000] mlx5_core 0000:1b:00.0 eth2: Link down"
BOOT = "[    1.000000] EDAC MC0: Giving out device to module i10nm_edac controller Intel_10nm"


def machine(*, edac: tuple[EdacController, ...] = (), nics: tuple[Nic, ...] = (),
            ib: tuple[IbPort, ...] = (), log: tuple[str, ...] = ()) -> Inventory:
    base = snapshot("hgx-h100-8gpu")
    system = replace(base.system, edac=edac)
    return replace(base, system=system, nics=nics, ib_ports=ib,
                               kernel_events=tuple(events(log)))


def test_a_counter_counts_what_it_grew_or_all_of_it_after_a_reset() -> None:
    assert (grown(5, 8), grown(8, 3), grown(None, 4), grown(4, None)) == (3, 3, 4, 0)
    assert counter_growth({"a": 1, "b": 7}, {"a": 1, "b": 9, "c": 2}) == {"b": 2, "c": 2}


def test_events_are_new_when_the_later_log_holds_them_more_often() -> None:
    before = events([BOOT, MCE])
    after = events([BOOT, MCE, MCE.replace("610.", "612."), LINK_DOWN])
    assert [e.message for e in new_events(before, after)] == [
        e.message for e in events([MCE.replace("610.", "612."), LINK_DOWN])]
    assert new_events(after, after) == []


def test_memory_errors_counted_during_the_load() -> None:
    before = machine(edac=(EdacController("mc0", correctable=3, uncorrectable=0),
                           EdacController("mc1", correctable=0, uncorrectable=0)))
    after = machine(edac=(EdacController("mc0", correctable=5, uncorrectable=0),
                          EdacController("mc1", correctable=1, uncorrectable=1)))
    found = {f.component_id: f for f in edac_findings(before, after)}
    assert (found["mc0"].verdict, found["mc0"].failure_code, found["mc0"].message) == (
        Verdict.WARN, "MEMORY_CE", "2 new corrected memory errors")
    assert (found["mc1"].verdict, found["mc1"].failure_code, found["mc1"].action) == (
        Verdict.FAIL, "MEMORY_UE", "REPLACE_DIMM")
    assert edac_findings(before, before)[0].verdict is Verdict.PASS


def test_a_machine_check_during_the_load_fails_on_the_cpus() -> None:
    after = machine(log=(BOOT, MCE))
    found = event_findings(after, new_events(events([BOOT]), after.kernel_events),
                           (EventSource.MCE, EventSource.EDAC), "kernel_events_under_load")
    assert [(f.component, f.verdict, f.failure_code) for f in found] == [
        ("cpu", Verdict.FAIL, "KERNEL_MCE_EXCEPTION")]
    quiet = event_findings(after, [], (EventSource.MCE,), "kernel_events_under_load")
    assert [(f.verdict, f.message) for f in quiet] == [
        (Verdict.PASS, "no new mce events in the kernel log")]


def test_a_link_that_changed_carrier_fails_and_new_errors_warn() -> None:
    before = machine(nics=(Nic("eth0", carrier_changes=2, counters={"rx_crc_errors": 0}),
                           Nic("eth1", carrier_changes=2, counters={"rx_crc_errors": 0})))
    after = machine(nics=(Nic("eth0", carrier_changes=4, counters={"rx_crc_errors": 0}),
                          Nic("eth1", carrier_changes=2, counters={"rx_crc_errors": 7,
                                                                   "rx_dropped": 3})))
    found = {f.name: f for f in nic_findings(before, after)}
    assert (found["eth0"].verdict, found["eth0"].failure_code, found["eth0"].action) == (
        Verdict.FAIL, "LINK_FLAP", "REPLACE_CABLE")
    assert (found["eth1"].verdict, found["eth1"].failure_code, found["eth1"].message) == (
        Verdict.WARN, "NIC_ERRORS", "rx_crc_errors +7")


def test_an_ib_port_that_went_down_fails_and_symbol_errors_warn() -> None:
    before = machine(ib=(IbPort("mlx5_0", 1, counters={"link_downed": 0, "symbol_error": 0}),
                         IbPort("mlx5_1", 1, counters={"link_downed": 1, "symbol_error": 0})))
    after = machine(ib=(IbPort("mlx5_0", 1, counters={"link_downed": 1, "symbol_error": 12}),
                        IbPort("mlx5_1", 1, counters={"link_downed": 1, "symbol_error": 4})))
    found = {f.name: f for f in ib_findings(before, after)}
    assert (found["mlx5_0/1"].verdict, found["mlx5_0/1"].message) == (
        Verdict.FAIL, "link_downed +1, symbol_error +12")
    assert (found["mlx5_1/1"].verdict, found["mlx5_1/1"].failure_code) == (
        Verdict.WARN, "IB_ERRORS")
