"""PCI Express and NVSwitch checks on the bundled machines and on hand-made faults."""

from __future__ import annotations

from hwaccept.checks.catalog import Action
from hwaccept.checks.findings import Finding, Verdict
from hwaccept.inventory.records import AerCounters, FabricInfo, Inventory
from hwaccept.record import replace
from tests.checks.machines import a100, gpu, h100, machine, only, pci, profile, run

CX7 = {"name": "ConnectX-7", "pci_id": "15b3:1021", "count": 8, "gen": 5, "width": 16,
       "driver": "mlx5_core"}
H100_GPU = {"name": "H100 SXM5", "pci_id": "10de:2330", "count": 8, "gen": 5, "width": 16,
            "driver": "nvidia"}
DEVICES = profile(pcie_devices=[CX7, H100_GPU])


def changed(inventory: Inventory, address: str, **changes: object) -> Inventory:
    """`inventory` with one PCI function changed."""
    return replace(inventory, pci_devices=tuple(
        replace(d, **changes) if d.address == address else d
        for d in inventory.pci_devices))


def test_the_h100_machine_has_its_connectx7s_and_gpus_at_gen5_x16() -> None:
    counts = run("pcie_device_count", DEVICES, h100())
    assert [(f.verdict, f.name, f.measured) for f in counts] == [
        (Verdict.PASS, "ConnectX-7 (15b3:1021)", "8"), (Verdict.PASS, "H100 SXM5 (10de:2330)", "8")]
    links = run("pcie_link", DEVICES, h100())
    assert len(links) == 16
    assert {f.verdict for f in links} == {Verdict.PASS}
    assert links[1] == Finding(
        check="pcie_link", family="pcie", component="pcie", component_id="0000:1a:00.0",
        name="0000:1a:00.0", verdict=Verdict.PASS, message="PCIe link Gen5 x16 (max Gen5 x16)",
        measured="Gen5 x16 (max Gen5 x16)", expected="Gen5 x16", bdf="0000:1a:00.0",
        model="ConnectX-7")
    assert {f.verdict for f in run("pcie_driver", DEVICES, h100())} == {Verdict.PASS}


def test_a_downtrained_x8_of_x16_link_fails() -> None:
    narrow = changed(h100(), "0000:1a:00.0", current_link_width=8)
    finding = next(f for f in run("pcie_link", DEVICES, narrow) if f.bdf == "0000:1a:00.0")
    assert (finding.verdict, finding.failure_code, finding.action, finding.measured,
            finding.message) == (
        Verdict.FAIL, "PCIE_LINK_DOWNTRAINED", Action.RESEAT, "Gen5 x8 (max Gen5 x16)",
        "PCIe link x8, expected x16")
    assert finding.line() == (
        "0000:1a:00.0: PCIe link x8, expected x16 — PCIE_LINK_DOWNTRAINED → RESEAT")


def test_a_slot_that_cannot_carry_the_link_is_inspected() -> None:
    port = h100().pci_devices[0].address
    device = pci("0000:01:00.0", "15b3:1021", parent=port, current_link_gen=4)
    upstream = replace(h100().pci_devices[0], max_link_gen=4, max_link_width=16)
    finding = only("pcie_link", profile(pcie_devices=[{**CX7, "count": 1}]),
                   machine(pci_devices=(upstream, device)))
    assert (finding.verdict, finding.failure_code, finding.action, finding.message) == (
        Verdict.FAIL, "PCIE_LINK_DOWNTRAINED", Action.INSPECT,
        f"PCIe link Gen4, expected Gen5; the upstream port {port} is capable of only Gen4")


def test_an_idle_gpu_function_at_gen1_passes_but_a_nic_at_gen4_does_not() -> None:
    idle = changed(h100(), "0000:19:00.0", current_link_gen=1)
    gpu_link = next(f for f in run("pcie_link", DEVICES, idle) if f.bdf == "0000:19:00.0")
    assert gpu_link.verdict is Verdict.PASS
    slow = changed(h100(), "0000:1a:00.0", current_link_gen=4)
    nic_link = next(f for f in run("pcie_link", DEVICES, slow) if f.bdf == "0000:1a:00.0")
    assert (nic_link.verdict, nic_link.failure_code) == (Verdict.FAIL, "PCIE_LINK_DOWNTRAINED")


def test_a_missing_card_and_an_unknown_link() -> None:
    gone = replace(h100(), pci_devices=tuple(
        d for d in h100().pci_devices if d.address != "0000:9c:00.0"))
    count = run("pcie_device_count", DEVICES, gone)[0]
    assert (count.verdict, count.failure_code, count.action, count.measured) == (
        Verdict.FAIL, "PCIE_DEVICE_MISSING", Action.RESEAT, "7")
    a100_link = run("pcie_link", profile(pcie_devices=[{**H100_GPU, "pci_id": "10de:20b2"}]),
                    a100())
    assert {(f.verdict, f.message) for f in a100_link} == {
        (Verdict.UNKNOWN, "current link speed not known; current link width not known")}


def test_an_unbound_driver_fails_live_and_is_unknown_in_an_import() -> None:
    unbound = pci("0000:1a:00.0", "15b3:1021", driver=None)
    live = only("pcie_driver", profile(pcie_devices=[{**CX7, "count": 1}]),
                machine(pci_devices=(unbound,)))
    assert (live.verdict, live.failure_code, live.message) == (
        Verdict.FAIL, "PCIE_DRIVER", "no driver bound, expected mlx5_core")
    imported = run("pcie_driver", profile(pcie_devices=[{**H100_GPU, "pci_id": "10de:20b2"}]),
                   a100())
    assert {f.verdict for f in imported} == {Verdict.UNKNOWN}
    wrong = only("pcie_driver", profile(pcie_devices=[{**CX7, "count": 1}]), machine(
        pci_devices=(replace(unbound, driver="vfio-pci"),)))
    assert (wrong.verdict, wrong.message) == (Verdict.FAIL, "bound to vfio-pci, expected mlx5_core")


def test_aer_counters() -> None:
    limits = profile(pcie_aer={"fatal_max": 0, "correctable_max": 10})
    clean = pci("0000:1a:00.0", "15b3:1021", aer=AerCounters(3, 0, 0))
    fatal = pci("0000:3c:00.0", "15b3:1021", aer=AerCounters(0, 0, 1, {"Surprise Down": 1}))
    silent = pci("0000:4d:00.0", "15b3:1021")
    found = run("pcie_aer", limits, machine(pci_devices=(clean, fatal, silent)))
    assert [(f.bdf, f.verdict, f.failure_code) for f in found] == [
        ("0000:1a:00.0", Verdict.PASS, None),
        ("0000:3c:00.0", Verdict.FAIL, "PCIE_AER_FATAL")]
    assert found[1].message == "1 fatal AER errors, at most 0 allowed (Surprise Down=1)"
    nothing = only("pcie_aer", limits, h100())
    assert (nothing.verdict, nothing.component_id) == (Verdict.UNKNOWN, "HSR8X04")


def test_nvswitches() -> None:
    four = profile(nvswitches={"count": 4, "pci_id": "10de:22a3", "fabric_state": "completed"})
    assert only("nvswitch_count", four, h100()).verdict is Verdict.PASS
    assert {f.verdict for f in run("nvswitch_pci_id", four, h100())} == {Verdict.PASS}
    assert {f.verdict for f in run("nvswitch_fabric", four, h100())} == {Verdict.PASS}
    six = only("nvswitch_count", four, a100())
    assert (six.verdict, six.failure_code, six.measured) == (Verdict.FAIL, "NVSWITCH_COUNT", "6")
    assert {(f.verdict, f.failure_code) for f in run("nvswitch_pci_id", four, a100())} == {
        (Verdict.FAIL, "NVSWITCH_PCI_ID")}
    assert {f.verdict for f in run("nvswitch_fabric", four, a100())} == {Verdict.UNKNOWN}
    waiting = machine(gpus=(gpu(fabric=FabricInfo("not_started")),))
    finding = only("nvswitch_fabric", four, waiting)
    assert (finding.verdict, finding.failure_code, finding.action) == (
        Verdict.FAIL, "NVSWITCH_FABRIC_STATE", Action.CONFIGURE)


def test_counts_in_a_family_the_snapshot_does_not_list_whole_are_unknown() -> None:
    partial = replace(h100(), complete=frozenset({"gpu"}))
    finding = only("nvswitch_count", profile(nvswitches={"count": 8}), partial)
    assert (finding.verdict, finding.measured) == (Verdict.UNKNOWN, None)
    assert finding.message.startswith("4 NVSwitches in this snapshot, which does not list them "
                                      "whole; expected 8")
    too_many = only("nvswitch_count", profile(nvswitches={"count": 2}), partial)
    assert (too_many.verdict, too_many.failure_code) == (Verdict.FAIL, "NVSWITCH_COUNT")
