"""Error counter checks: NVLinks, Ethernet statistics, InfiniBand ports, drive temperature.

The InfiniBand counters are the real /sys/class/infiniband tree of an H100 node in the
shared corpus, replayed through the inventory's own reader.
"""

from __future__ import annotations

from typing import Any

from hwaccept.checks.catalog import Action
from hwaccept.checks.findings import Finding, Verdict
from hwaccept.inventory.records import IbPort, Nic, NvLink
from hwaccept.record import replace
from hwaccept.sources.file_tree import TreeFiles
from hwaccept.sysfs.class_infiniband import ib_ports
from tests.checks.machines import a100, gpu, h100, machine, only, profile, run
from tests.corpus import corpus, read_directory_tree

NVLINK_LIMITS = profile(gpus={"nvlinks": {"crc_errors_max": 0, "replay_errors_max": 0,
                                          "recovery_errors_max": 0}})


def counted(link: int, **errors: Any) -> NvLink:
    """An active link with every counter 0 but `errors`."""
    zero = NvLink(link, active=True, replay_errors=0, recovery_errors=0, crc_flit_errors=0,
                  crc_data_errors=0)
    return replace(zero, **errors)


def test_nvlink_errors_fail_naming_the_links() -> None:
    links = (counted(0), counted(1, crc_data_errors=3, recovery_errors=1), counted(2))
    finding = only("gpu_nvlink_errors", NVLINK_LIMITS, machine(gpus=(gpu(nvlinks=links),)))
    assert finding == Finding(
        check="gpu_nvlink_errors", family="gpu", component="gpu", component_id="1650124000000",
        name="GPU 0", verdict=Verdict.FAIL,
        message="data CRC errors above 0 on link 1: 3; recovery errors above 0 on link 1: 1",
        measured="crc_flit_errors=0, crc_data_errors=3, replay_errors=0, recovery_errors=1 "
                 "over 3 links",
        expected="crc_flit_errors<=0, crc_data_errors<=0, replay_errors<=0, "
                 "recovery_errors<=0 per link",
        serial="1650124000000", bdf="0000:19:00.0", model="NVIDIA H100 80GB HBM3",
        failure_code="GPU_NVLINK_ERRORS", action=Action.RESEAT, who="gpu0")
    clean = only("gpu_nvlink_errors", NVLINK_LIMITS,
                 machine(gpus=(gpu(nvlinks=(counted(0), counted(1))),)))
    assert clean.verdict is Verdict.PASS


def test_nvlink_counters_nvml_did_not_give_are_unknown() -> None:
    replays = profile(gpus={"nvlinks": {"replay_errors_max": 0}})
    for inventory in (h100(), a100()):
        assert {(f.verdict, f.message) for f in run("gpu_nvlink_errors", replays, inventory)} \
            == {(Verdict.UNKNOWN, "NVLink error counters not known (NVML gave no value)")}
    half = (counted(0), NvLink(1, active=True))
    finding = only("gpu_nvlink_errors", replays, machine(gpus=(gpu(nvlinks=half),)))
    assert (finding.verdict, finding.message) == (
        Verdict.UNKNOWN, "replay errors of link 1 not known")
    without = only("gpu_nvlink_errors", replays, machine(gpus=(gpu(nvlinks=()),)))
    assert (without.verdict, without.message) == (Verdict.PASS, "no NVLinks")


def test_only_the_count_and_state_keys_ask_for_gpu_nvlinks() -> None:
    assert run("gpu_nvlinks", NVLINK_LIMITS, h100()) == []
    assert run("gpu_nvlink_errors", profile(gpus={"nvlinks": {"count": 18}}), h100()) == []


ERRORS = profile(nics={"driver": "mlx5_core", "errors_max": 0})
STATISTICS = {"rx_errors": 0, "tx_errors": 0, "rx_dropped": 812, "tx_dropped": 0,
              "rx_crc_errors": 0, "rx_frame_errors": 0, "rx_missed_errors": 0,
              "rx_fifo_errors": 0, "tx_carrier_errors": 0, "collisions": 0}


def port(name: str, **counts: int) -> Nic:
    """A ConnectX port with its statistics."""
    return Nic(name, driver="mlx5_core", pci_address="0000:1a:00.0",
               counters={**STATISTICS, **counts})


def test_nic_error_counters_fail_and_dropped_packets_do_not() -> None:
    clean = only("nic_errors", ERRORS, machine(nics=(port("ens1"),)))
    assert (clean.verdict, clean.message, clean.measured, clean.expected) == (
        Verdict.PASS, "7 error counters at most 0 (rx_dropped=812)", "rx_dropped=812",
        "each *_errors <= 0")
    bad = only("nic_errors", ERRORS, machine(nics=(port("ens1", rx_errors=40, rx_crc_errors=40),)))
    assert (bad.verdict, bad.failure_code, bad.action, bad.message) == (
        Verdict.FAIL, "NIC_ERRORS", Action.REPLACE_CABLE,
        "rx_errors 40, rx_crc_errors 40, at most 0 allowed")
    unread = only("nic_errors", ERRORS, machine(nics=(Nic("ens1", driver="mlx5_core"),)))
    assert (unread.verdict, unread.message) == (Verdict.UNKNOWN, "error counters not known")


def test_the_vm_like_interface_counters_pass() -> None:
    virtio = Nic("eth0", driver="virtio_net", counters=dict.fromkeys(STATISTICS, 0))
    finding = only("nic_errors", profile(nics={"errors_max": 0}), machine(nics=(virtio,)))
    assert (finding.verdict, finding.measured) == (Verdict.PASS, "all 0")


def corpus_ports() -> tuple[IbPort, ...]:
    """The H100 node's ports, read from its captured /sys/class/infiniband."""
    tree = read_directory_tree(corpus("ib/gpud_sys-class-infiniband-h100.0"),
                               "/sys/class/infiniband")
    return ib_ports(TreeFiles(tree))


def test_the_corpus_h100_ports_counted_receive_errors_and_mlx5_1_went_down_255_times() -> None:
    strict = profile(infiniband={"symbol_errors_max": 0, "link_downed_max": 0,
                                 "rcv_errors_max": 0})
    found = run("ib_errors", strict, machine(ib_ports=corpus_ports()))
    assert [(f.name, f.verdict) for f in found] == [
        (name, Verdict.FAIL) for name in ("mlx5_0/1", "mlx5_1/1", "mlx5_4/1", "mlx5_5/1",
                                          "mlx5_6/1", "mlx5_7/1", "mlx5_8/1", "mlx5_9/1",
                                          "mlx5_bond_0/1")]
    assert found[1] == Finding(
        check="ib_errors", family="ib", component="ib", component_id="mlx5_1/1",
        name="mlx5_1/1", verdict=Verdict.FAIL,
        message="link_downed 255 (the 8-bit counter is saturated: 255 or more), at most 0 "
                "allowed; port_rcv_errors 14, at most 0 allowed",
        measured="symbol_error=0, link_downed=255, port_rcv_errors=14",
        expected="symbol_error<=0, link_downed<=0, port_rcv_errors<=0", model="MT4129",
        failure_code="IB_ERRORS", action=Action.REPLACE_CABLE)
    assert found[0].message == "port_rcv_errors 14, at most 0 allowed"


def test_only_the_port_that_went_down_fails_a_limit_on_link_downs() -> None:
    downs = profile(infiniband={"link_downed_max": 0, "link_recoveries_max": 0,
                                "hca_type": "MT4129"})
    found = run("ib_errors", downs, machine(ib_ports=corpus_ports()))
    assert [(f.name, f.verdict) for f in found if f.verdict is not Verdict.PASS] == [
        ("mlx5_1/1", Verdict.FAIL)]
    assert len(found) == 8
    assert found[0].message == ("error counters within limits (link_error_recovery=0, "
                                "link_downed=0)")
    overruns = profile(infiniband={"integrity_errors_max": 0})
    saturated = run("ib_errors", overruns, machine(ib_ports=corpus_ports()))[0]
    assert saturated.message == (
        "excessive_buffer_overrun_errors 15 (the 4-bit counter is saturated: 15 or more), at "
        "most 0 allowed")


def test_ports_without_counters_are_unknown() -> None:
    limits = profile(infiniband={"symbol_errors_max": 0})
    assert {(f.verdict, f.message) for f in run("ib_errors", limits, h100())} == {
        (Verdict.UNKNOWN, "error counters not known")}
    partial = IbPort("mlx5_0", 1, counters={"link_downed": 0})
    finding = only("ib_errors", limits, machine(ib_ports=(partial,)))
    assert (finding.verdict, finding.message) == (Verdict.UNKNOWN, "symbol_error not known")


HOT = profile(disks={"smart": {"temperature_max_c": 35}})


def test_drive_temperatures_of_the_h100_machine() -> None:
    found = run("disk_temperature", HOT, h100())
    assert [(f.name, f.verdict, f.measured, f.failure_code, f.action) for f in found] == [
        ("nvme0n1", Verdict.PASS, "25", None, None),
        ("nvme1n1", Verdict.FAIL, "39", "DISK_TEMPERATURE", Action.INSPECT)]
    assert found[1].message == "39 C at rest, above 35 C"
    assert (found[1].expected, found[1].unit) == ("<= 35", "C")
    assert run("disk_smart", HOT, h100()) == []


def test_a_drive_without_a_temperature_is_unknown() -> None:
    health = h100().disks[0].smart
    assert health is not None
    blind = replace(h100().disks[0], smart=replace(
        health, temperature_c=None))
    assert only("disk_temperature", HOT, machine(disks=(blind,))).message == (
        "temperature not known")
