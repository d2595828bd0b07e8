"""GPU checks on the bundled machines and on hand-made faults."""

from __future__ import annotations

import dataclasses

import pytest

from hwaccept.checks.catalog import Action
from hwaccept.checks.findings import Finding, Verdict
from hwaccept.inventory.records import EccCounts, NvidiaDriver, NvLink, RemappedRows
from hwaccept.record import replace
from tests.checks.machines import a100, gpu, h100, machine, only, profile, run

EIGHT = profile(gpus={"count": 8})


def test_the_h100_machine_has_its_eight_gpus() -> None:
    assert only("gpu_count", EIGHT, h100()) == Finding(
        check="gpu_count", family="gpu", component="gpu", component_id="HSR8X04", name="GPUs",
        verdict=Verdict.PASS, message="8 GPUs: GPU 0, GPU 1, GPU 2, GPU 3, GPU 4, GPU 5, GPU 6, "
                                      "GPU 7",
        measured="8", expected="8", serial="HSR8X04", model="PowerEdge XE9680", who="system")


def test_a_missing_gpu_fails_the_count_naming_expected_and_found() -> None:
    seven = replace(h100(), gpus=h100().gpus[:7])
    finding = only("gpu_count", EIGHT, seven)
    assert (finding.verdict, finding.failure_code, finding.action) == (
        Verdict.FAIL, "GPU_MISSING", Action.RESEAT)
    assert finding.message.startswith("expected 8 GPUs, found 7: GPU 0, ")
    assert (finding.measured, finding.expected) == ("7", "8")


def test_a_snapshot_without_nvml_cannot_know_its_gpus() -> None:
    without = replace(h100(), gpus=(), nvidia=NvidiaDriver(
        False, "NVML is not in this snapshot"))
    finding = only("gpu_count", EIGHT, without)
    assert finding == dataclasses.replace(
        only("gpu_count", EIGHT, h100()), verdict=Verdict.UNKNOWN, measured=None,
        message="NVML is not in this snapshot; expected 8 GPUs; the PCI tree shows 8 NVIDIA "
                "GPUs")
    nothing = only("gpu_ecc", profile(gpus={"ecc": {"volatile_dbe_max": 0}}), without)
    assert (nothing.verdict, nothing.component_id, nothing.message) == (
        Verdict.UNKNOWN, "HSR8X04", "nothing to check: NVML is not in this snapshot")


def test_a_live_machine_without_the_driver_fails() -> None:
    live = machine(nvidia=NvidiaDriver(False, "no NVIDIA driver: libnvidia-ml.so.1 not found"))
    finding = only("gpu_count", EIGHT, live)
    assert (finding.verdict, finding.failure_code, finding.action, finding.message) == (
        Verdict.FAIL, "NVIDIA_DRIVER_MISSING", Action.CONFIGURE,
        "no NVIDIA driver: libnvidia-ml.so.1 not found; expected 8 GPUs")
    recorded = replace(h100(), gpus=(), nvidia=live.nvidia)
    finding = only("gpu_count", EIGHT, recorded)
    assert (finding.verdict, finding.message) == (
        Verdict.FAIL, "no NVIDIA driver: libnvidia-ml.so.1 not found; expected 8 GPUs; the PCI "
                      "tree shows 8 NVIDIA GPUs")
    assert only("gpu_driver_version", profile(gpus={"driver_version_min": "535.104.05"}),
                live).verdict is Verdict.FAIL


def test_no_gpus_wanted_and_none_on_the_pci_tree_passes_without_a_driver() -> None:
    no_driver = replace(h100(), origin="live", gpus=(), nvidia=NvidiaDriver(
        False, "no NVIDIA driver: the nvidia kernel module is not loaded"))
    bare = replace(no_driver, pci_devices=tuple(
        d for d in h100().pci_devices if d.pci_id != "10de:2330"))
    assert only("gpu_count", profile(gpus={"count": 0}), bare).verdict is Verdict.PASS
    gpus_there = only("gpu_count", profile(gpus={"count": 0}), no_driver)
    assert (gpus_there.verdict, gpus_there.failure_code) == (Verdict.FAIL, "GPU_COUNT")


def test_a_double_bit_error_fails_the_gpu_for_rma() -> None:
    faulty = machine(gpus=(gpu(0), gpu(1, ecc=EccCounts(0, 1, 0, 1))))
    found = run("gpu_ecc", profile(gpus={"ecc": {"volatile_dbe_max": 0, "aggregate_dbe_max": 0,
                                                 "aggregate_sbe_max": 100}}), faulty)
    assert [f.verdict for f in found] == [Verdict.PASS, Verdict.FAIL]
    assert found[1] == Finding(
        check="gpu_ecc", family="gpu", component="gpu", component_id="1650124000001",
        name="GPU 1", verdict=Verdict.FAIL,
        message="volatile uncorrectable (DBE) 1, at most 0 allowed; aggregate uncorrectable "
                "(DBE) 1, at most 0 allowed",
        measured="volatile_dbe=1, aggregate_dbe=1, aggregate_sbe=0",
        expected="volatile_dbe<=0, aggregate_dbe<=0, aggregate_sbe<=100",
        serial="1650124000001", bdf="0000:1a:00.0", model="NVIDIA H100 80GB HBM3",
        failure_code="GPU_ECC_DBE", action=Action.RMA_GPU, who="gpu1")


ROW_REMAP = profile(gpus={"row_remap": {"pending_allowed": False, "failure_allowed": False,
                                        "uncorrectable_max": 8}})


@pytest.mark.parametrize(("rows", "verdict", "code", "action"), [
    (RemappedRows(0, 1, pending=False, failure=True), Verdict.FAIL, "GPU_ROW_REMAP_FAILURE",
     Action.RMA_GPU),
    (RemappedRows(0, 1, pending=True, failure=False), Verdict.FAIL, "GPU_ROW_REMAP_PENDING",
     Action.RESET_GPU),
    (RemappedRows(0, 9, pending=False, failure=False), Verdict.FAIL,
     "GPU_ROW_REMAP_UNCORRECTABLE", Action.RMA_GPU),
    (RemappedRows(3, 2, pending=False, failure=False), Verdict.PASS, None, None),
])
def test_row_remapping(rows: RemappedRows, verdict: Verdict, code: str | None,
                       action: Action | None) -> None:
    finding = only("gpu_row_remap", ROW_REMAP, machine(gpus=(gpu(remapped_rows=rows),)))
    assert (finding.verdict, finding.failure_code, finding.action) == (verdict, code, action)


def test_a_value_nvml_did_not_give_is_unknown_never_pass_or_fail() -> None:
    blank = machine(gpus=(gpu(remapped_rows=None, temperature_c=None),))
    remap = only("gpu_row_remap", ROW_REMAP, blank)
    assert (remap.verdict, remap.message) == (
        Verdict.UNKNOWN, "row remapping state not known (NVML gave no value)")
    hot = only("gpu_idle_temperature", profile(gpus={"idle_temperature_max_c": 45}), blank)
    assert (hot.verdict, hot.measured, hot.failure_code) == (Verdict.UNKNOWN, None, None)
    pages = run("gpu_retired_pages", profile(gpus={"retired_pages": {"dbe_max": 0}}), h100())
    assert {(f.verdict, f.message) for f in pages} == {
        (Verdict.UNKNOWN, "pages retired for DBEs not known (NVML gave no value)")}


def test_a_downtrained_x8_link_fails_while_an_idle_gen1_passes() -> None:
    link = profile(gpus={"pcie_gen": 5, "pcie_width": 16})
    narrow = only("gpu_pcie_link", link, machine(gpus=(gpu(pcie_width_current=8),)))
    assert (narrow.verdict, narrow.failure_code, narrow.action, narrow.measured,
            narrow.expected, narrow.message) == (
        Verdict.FAIL, "PCIE_LINK_DOWNTRAINED", Action.RESEAT, "Gen5 x8 (max Gen5 x16)",
        "Gen5 x16", "PCIe link x8, expected x16")
    idle = only("gpu_pcie_link", link, machine(gpus=(gpu(pcie_gen_current=1),)))
    assert idle.verdict is Verdict.PASS
    assert "GPUs lower the link speed when idle" in idle.message
    capped = only("gpu_pcie_link", link, machine(gpus=(gpu(pcie_gen_max=4, pcie_gen_current=4),)))
    assert (capped.verdict, capped.failure_code, capped.action) == (
        Verdict.FAIL, "PCIE_LINK_CAPABILITY", Action.INSPECT)


def test_every_h100_link_is_gen5_x16() -> None:
    found = run("gpu_pcie_link", profile(gpus={"pcie_gen": 5, "pcie_width": 16}), h100())
    assert {(f.verdict, f.measured, f.message) for f in found} == {
        (Verdict.PASS, "Gen5 x16 (max Gen5 x16)", "PCIe link Gen5 x16 (max Gen5 x16)")}
    assert [f.bdf for f in found] == [g.pci_address for g in h100().gpus]


def test_a_gpu_that_fell_off_the_bus_fails_once_and_is_unknown_elsewhere() -> None:
    lost = gpu(3, failed="nvmlDeviceGetTemperature: GPU_IS_LOST", temperature_c=None)
    inventory = machine(gpus=(lost,))
    responds = only("gpu_responds", EIGHT, inventory)
    assert (responds.verdict, responds.failure_code, responds.action) == (
        Verdict.FAIL, "GPU_LOST", Action.RESEAT)
    hot = only("gpu_idle_temperature", profile(gpus={"idle_temperature_max_c": 45}), inventory)
    assert (hot.verdict, hot.message) == (
        Verdict.UNKNOWN, "the temperature not known: the GPU stopped answering NVML "
                         "(nvmlDeviceGetTemperature: GPU_IS_LOST)")


def test_driver_versions_compare_as_versions() -> None:
    wanted = profile(gpus={"driver_version_min": "535.161.08"})
    old = only("gpu_driver_version", wanted, machine(nvidia=NvidiaDriver(
        True, driver_version="535.104.05")))
    assert (old.verdict, old.failure_code, old.action, old.message) == (
        Verdict.FAIL, "GPU_DRIVER_VERSION", Action.UPDATE_DRIVER,
        "driver 535.104.05 is older than 535.161.08")
    assert only("gpu_driver_version", wanted, h100()).verdict is Verdict.PASS
    assert only("gpu_driver_version", wanted, a100()).verdict is Verdict.UNKNOWN


def test_vbios_rule() -> None:
    rule = profile(gpus={"vbios": {"allowed": ["96.00.89.*"]}})
    found = run("gpu_vbios", rule, h100())
    assert {(f.verdict, f.failure_code, f.action, f.message) for f in found} == {
        (Verdict.FAIL, "GPU_FIRMWARE", Action.UPDATE_FIRMWARE,
         "VBIOS 96.00.74.00.0D is not one of the allowed 96.00.89.*")}


def test_power_limit_within_the_marginal_band_is_marginal() -> None:
    band = profile(gpus={"power_limit_w": {"min": 690, "marginal": 0.02}})
    finding = only("gpu_power_limit", band, machine(gpus=(gpu(power_limit_w=700.0),)))
    assert (finding.verdict, finding.measured, finding.expected, finding.unit) == (
        Verdict.MARGINAL, "700", ">= 690 (marginal below 703.8)", "W")
    assert only("gpu_power_limit", band, machine(gpus=(gpu(power_limit_w=710.0),))
                ).verdict is Verdict.PASS
    low = only("gpu_power_limit", band, machine(gpus=(gpu(power_limit_w=500.0),)))
    assert (low.verdict, low.failure_code) == (Verdict.FAIL, "GPU_POWER_LIMIT")


def test_modes_with_a_pending_change() -> None:
    ecc = profile(gpus={"ecc_mode": True})
    after_reset = only("gpu_ecc_mode", ecc, machine(gpus=(gpu(
        ecc_mode_current=False, ecc_mode_pending=True),)))
    assert (after_reset.verdict, after_reset.action) == (Verdict.FAIL, Action.RESET_GPU)
    going = only("gpu_ecc_mode", ecc, machine(gpus=(gpu(ecc_mode_pending=False),)))
    assert (going.verdict, going.failure_code) == (Verdict.WARN, "GPU_ECC_MODE")


def test_the_h100_gpus_are_slowed_down_at_idle() -> None:
    found = run("gpu_idle_throttle", profile(gpus={"idle_throttle_reasons_allowed": ["gpu_idle"]}),
                h100())
    assert {(f.verdict, f.failure_code, f.measured) for f in found} == {
        (Verdict.FAIL, "GPU_THROTTLE", "hw_slowdown, hw_power_brake_slowdown")}


def test_nvlinks_of_the_a100_machine() -> None:
    twelve = profile(gpus={"nvlinks": {"count": 12, "state": "active"}})
    assert {(f.verdict, f.measured) for f in run("gpu_nvlinks", twelve, a100())} == {
        (Verdict.PASS, "12 links, 12 active")}
    links = tuple(NvLink(n, active=n != 5) for n in range(12))
    down = only("gpu_nvlinks", twelve, machine(gpus=(gpu(nvlinks=links),)))
    assert (down.verdict, down.failure_code, down.message) == (
        Verdict.FAIL, "GPU_NVLINK_DOWN", "NVLink 5 not active")
    eighteen = run("gpu_nvlinks", profile(gpus={"nvlinks": {"count": 18}}), a100())
    assert {f.failure_code for f in eighteen} == {"GPU_NVLINK_MISSING"}
    assert {f.verdict for f in run("gpu_nvlinks", twelve, h100())} == {Verdict.UNKNOWN}


def test_model_pci_id_and_memory_of_the_h100_machine() -> None:
    sku = profile(gpus={"model": "nvidia h100*", "pci_id": "10de:2330", "memory_gib_min": 79})
    for name in ("gpu_model", "gpu_pci_id", "gpu_memory"):
        assert {f.verdict for f in run(name, sku, h100())} == {Verdict.PASS}, name
    wrong = run("gpu_model", sku, a100())
    assert {(f.verdict, f.failure_code) for f in wrong} == {(Verdict.FAIL, "GPU_MODEL")}
