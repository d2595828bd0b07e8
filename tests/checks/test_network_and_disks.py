"""NIC, InfiniBand and disk checks on the bundled machines and on hand-made faults."""

from __future__ import annotations

from hwaccept.checks.catalog import Action
from hwaccept.checks.findings import Finding, Verdict
from hwaccept.inventory.records import Disk, IbPort, Nic, SmartHealth, SmartSource
from hwaccept.record import replace
from tests.checks.machines import a100, h100, machine, only, profile, run

IPOIB_MAC = "00:00:10:29:fe:80:00:00:00:00:00:00:a0:88:c2:03:00:e3:14:2a"
DATA_NICS = profile(nics={"driver": "mlx5_core", "count": 2, "speed_mbps": 100000,
                          "mtu": 9000, "state": "up", "firmware": {"min": "22.39.1002"}})


def nic(name: str, **changes: object) -> Nic:
    """A ConnectX-6 Dx port up at 100 Gb/s."""
    port = Nic(name=name, driver="mlx5_core", firmware_version="22.39.1002",
               pci_address=f"0000:2{name[-1]}:00.0", mac="e8:eb:d3:33:07:da", operstate="up",
               carrier=True, speed_mbps=100000, supported_speed_mbps=100000, mtu=9000)
    return replace(port, **changes)


def test_the_section_is_about_its_drivers_ethernet_interfaces() -> None:
    lom = nic("eno1", driver="tg3", speed_mbps=1000, operstate="down", carrier=False, mtu=1500)
    ipoib = nic("ib0", mac=IPOIB_MAC, mtu=4092)
    inventory = machine(nics=(lom, nic("ens1"), nic("ens2"), ipoib))
    count = only("nic_count", DATA_NICS, inventory)
    assert (count.verdict, count.message) == (
        Verdict.PASS, "2 Ethernet interfaces: ens1, ens2; not counted: eno1 (tg3), ib0 "
                      "(mlx5_core)")
    for name in ("nic_driver", "nic_speed", "nic_mtu", "nic_state", "nic_firmware"):
        found = run(name, DATA_NICS, inventory)
        assert [(f.name, f.verdict) for f in found] == [
            ("ens1", Verdict.PASS), ("ens2", Verdict.PASS)], name


def test_a_port_down_and_a_slow_link() -> None:
    down = nic("ens1", operstate="down", carrier=False, speed_mbps=None)
    slow = nic("ens2", speed_mbps=25000)
    inventory = machine(nics=(down, slow))
    state = run("nic_state", DATA_NICS, inventory)[0]
    assert state == Finding(
        check="nic_state", family="nic", component="nic", component_id="0000:21:00.0",
        name="ens1", verdict=Verdict.FAIL, message="link down, no carrier", measured="down",
        expected="up", bdf="0000:21:00.0", failure_code="NIC_LINK_DOWN",
        action=Action.REPLACE_CABLE)
    speeds = run("nic_speed", DATA_NICS, inventory)
    assert [(f.verdict, f.failure_code, f.message) for f in speeds] == [
        (Verdict.UNKNOWN, None, "link speed not known (the link is down)"),
        (Verdict.FAIL, "NIC_SPEED_LOW", "25000 Mb/s, expected 100000 Mb/s")]
    old = only("nic_firmware", DATA_NICS,
               machine(nics=(nic("ens1", firmware_version="22.36.1010"),)))
    assert (old.verdict, old.failure_code, old.action) == (
        Verdict.FAIL, "NIC_FIRMWARE", Action.UPDATE_FIRMWARE)


def test_nic_counts_live_and_in_a_snapshot_that_holds_no_interfaces() -> None:
    none_live = only("nic_count", DATA_NICS, machine())
    assert (none_live.verdict, none_live.failure_code, none_live.message) == (
        Verdict.FAIL, "NIC_MISSING", "expected 2 Ethernet interfaces, found 0")
    imported = only("nic_count", DATA_NICS, h100())
    assert (imported.verdict, imported.message) == (
        Verdict.UNKNOWN, "0 Ethernet interfaces in this snapshot, which does not list them "
                         "whole; expected 2")


CX7_PORTS = profile(infiniband={"count": 8, "hca_type": "mt4129", "rate_gbps": 400,
                                "state": "ACTIVE", "phys_state": "LinkUp",
                                "link_layer": "Ethernet", "firmware": {"min": "28.39.1002"}})


def test_the_h100_machines_connectx7_ports() -> None:
    count = only("ib_count", CX7_PORTS, h100())
    assert count.verdict is Verdict.PASS
    assert count.message.endswith("not counted: mlx5_1/1 (MT4125), mlx5_2/1 (MT4125), "
                                  "mlx5_7/1 (MT4125), mlx5_8/1 (MT4125)")
    for name in ("ib_hca_type", "ib_rate", "ib_state", "ib_phys_state", "ib_link_layer",
                 "ib_firmware"):
        found = run(name, CX7_PORTS, h100())
        assert len(found) == 8, name
        assert {f.verdict for f in found} == {Verdict.PASS}, name


def test_a_port_down_and_one_no_subnet_manager_brought_up() -> None:
    down = IbPort("mlx5_0", 1, state="DOWN", phys_state="Polling", rate_gbps=10.0,
                  hca_type="MT4129")
    init = IbPort("mlx5_1", 1, state="INIT", phys_state="LinkUp", rate_gbps=400.0,
                  hca_type="MT4129")
    inventory = machine(ib_ports=(down, init))
    states = run("ib_state", CX7_PORTS, inventory)
    assert [(f.verdict, f.failure_code, f.action) for f in states] == [
        (Verdict.FAIL, "IB_PORT_DOWN", Action.REPLACE_CABLE),
        (Verdict.FAIL, "IB_PORT_STATE", Action.INSPECT)]
    assert states[0].message == "port DOWN (physical state Polling), expected ACTIVE"
    phys = run("ib_phys_state", CX7_PORTS, inventory)[0]
    assert (phys.failure_code, phys.action) == ("IB_PHYS_STATE", Action.REPLACE_CABLE)
    rate = run("ib_rate", CX7_PORTS, inventory)[0]
    assert (rate.verdict, rate.failure_code) == (Verdict.FAIL, "IB_RATE_LOW")


def test_ports_of_unknown_hca_type_stay_in_scope() -> None:
    hdr = profile(infiniband={"count": 8, "hca_type": "MT4123", "rate_gbps": 200})
    types = run("ib_hca_type", hdr, a100())
    assert len(types) == 9
    assert {f.verdict for f in types} == {Verdict.UNKNOWN}
    count = only("ib_count", hdr, a100())
    assert (count.verdict, count.failure_code) == (Verdict.FAIL, "IB_PORT_COUNT")


NVME = profile(disks={"transport": "nvme", "count": 2, "size_gb_min": 3800,
                      "model": "*", "firmware": {"allowed": ["9CV1*", "E1MU23S1"]},
                      "smart": {"critical_warning_allowed": False, "media_errors_max": 0,
                                "percentage_used_max": 80, "available_spare_min": 20}})


def test_the_h100_machines_healthy_nvme_drives() -> None:
    for name in ("disk_transport", "disk_size", "disk_model", "disk_firmware", "disk_smart"):
        assert {f.verdict for f in run(name, NVME, h100())} == {Verdict.PASS}, name
    count = only("disk_count", NVME, h100())
    assert (count.verdict, count.message) == (
        Verdict.UNKNOWN, "2 disks in this snapshot, which does not list them whole; expected 2: "
                         "nvme0n1, nvme1n1")


def healthy() -> SmartHealth:
    """The SMART health of the H100 machine's first drive."""
    health = h100().disks[0].smart
    assert health is not None
    return health


def drive(health: SmartHealth) -> Disk:
    """The H100 machine's first drive with other health."""
    return replace(h100().disks[0], smart=health)


def test_a_critical_warning_sends_the_drive_back() -> None:
    worn = replace(healthy(), critical_warning=0x4)
    finding = only("disk_smart", NVME, machine(disks=(drive(worn),)))
    assert (finding.verdict, finding.failure_code, finding.action, finding.message) == (
        Verdict.FAIL, "NVME_CRITICAL_WARNING", Action.RMA_DISK,
        "critical warning reliability_degraded, expected none")
    hot = replace(healthy(), critical_warning=0x2)
    assert only("disk_smart", NVME, machine(disks=(drive(hot),))).action is Action.INSPECT


def test_media_errors_and_unreadable_smart() -> None:
    errors = replace(healthy(), media_errors=3)
    finding = only("disk_smart", NVME, machine(disks=(drive(errors),)))
    assert (finding.verdict, finding.failure_code) == (Verdict.FAIL, "DISK_MEDIA_ERRORS")
    unread = SmartHealth(SmartSource.SMARTCTL, supported=False, reason="smartctl: not installed")
    blind = only("disk_smart", NVME, machine(disks=(drive(unread),)))
    assert (blind.verdict, blind.message) == (
        Verdict.UNKNOWN, "SMART not read: smartctl: not installed")
