"""Running every check: coverage of the profile schema, order, waivers, disagreements."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from pydantic import BaseModel

from hwaccept.checks.findings import Verdict
from hwaccept.checks.registry import Family
from hwaccept.checks.render import render_findings
from hwaccept.checks.run import CHECKS, check_all, disagreements, tally, unknowns
from hwaccept.inventory.records import Inventory, Nic
from hwaccept.profiles import schema
from hwaccept.record import replace
from tests.checks.machines import TODAY, a100, h100, profile, with_kernel_log

SAMPLES: dict[str, dict[str, Any]] = {
    "system": {"cpu_model": "*", "sockets": 2, "cores_min": 1, "memory_gib_min": 1,
               "dimm_count": 32, "numa_nodes": 2, "bios": {"min": "1"}, "bmc": {"min": "1"},
               "kernel_cmdline": ["quiet"], "edac_correctable_max": 0},
    "gpus": {"count": 8, "model": "*", "pci_id": "10de:2330", "memory_gib_min": 1,
             "pcie_gen": 5, "pcie_width": 16, "vbios": {"min": "1"},
             "driver_version_min": "535", "persistence_mode": True, "ecc_mode": True,
             "ecc": {"volatile_sbe_max": 0}, "retired_pages": {"pending_allowed": False},
             "row_remap": {"correctable_max": 0}, "nvlinks": {"count": 18},
             "idle_temperature_max_c": 50, "power_limit_w": {"max": 700}, "mig_mode": False,
             "idle_throttle_reasons_allowed": []},
    "nvswitches": {"count": 4, "pci_id": "10de:22a3", "fabric_state": "completed"},
    "pcie_aer": {"fatal_max": 0, "nonfatal_max": 0, "correctable_max": 0},
    "nics": {"driver": "mlx5_core", "count": 2, "speed_mbps": 1000, "mtu": 1500, "state": "up",
             "firmware": {"min": "1"}, "errors_max": 0},
    "infiniband": {"count": 8, "rate_gbps": 400, "state": "ACTIVE", "phys_state": "LinkUp",
                   "link_layer": "Ethernet", "hca_type": "MT4129", "firmware": {"min": "1"},
                   "symbol_errors_max": 0, "link_recoveries_max": 0, "link_downed_max": 0,
                   "rcv_errors_max": 0, "integrity_errors_max": 0},
    "disks": {"transport": "nvme", "count": 2, "size_gb_min": 1, "model": "*",
              "firmware": {"min": "1"}, "smart": {"media_errors_max": 0}},
    "kernel_log": {"xid": {"fail": [79]}, "forbidden_patterns": ["x"],
                   "events": {"ignore": ["LINK_FLAP"]}},
}
PCIE_DEVICE = {"name": "ConnectX-7", "pci_id": "15b3:1021", "count": 8}
NESTED: dict[tuple[str, str | None], type[BaseModel]] = {
    ("gpus", "ecc"): schema.EccLimits, ("gpus", "retired_pages"): schema.RetiredPages,
    ("gpus", "row_remap"): schema.RowRemap, ("gpus", "nvlinks"): schema.NvLinks,
    ("pcie_aer", None): schema.AerLimits, ("disks", "smart"): schema.SmartLimits,
    ("kernel_log", "xid"): schema.XidPolicy, ("kernel_log", "events"): schema.EventPolicy,
}
NESTED_SAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    schema.EccLimits: {k: 0 for k in schema.EccLimits.model_fields},
    schema.RetiredPages: {"sbe_max": 0, "dbe_max": 0, "pending_allowed": False},
    schema.RowRemap: {"pending_allowed": False, "failure_allowed": False,
                      "uncorrectable_max": 0, "correctable_max": 0},
    schema.NvLinks: {"count": 18, "state": "active", "crc_errors_max": 0,
                     "replay_errors_max": 0, "recovery_errors_max": 0},
    schema.AerLimits: {k: 0 for k in schema.AerLimits.model_fields},
    schema.SmartLimits: {"critical_warning_allowed": False, "media_errors_max": 0,
                         "percentage_used_max": 100, "available_spare_min": 10,
                         "temperature_max_c": 70},
    schema.XidPolicy: {"fail": [79], "warn": [13]},
    schema.EventPolicy: {"fail": ["KERNEL_AER_CORRECTED"], "warn": ["KERNEL_NVME_TIMEOUT"],
                         "ignore": ["LINK_FLAP"]},
}
SECTION_MODELS: dict[str, type[BaseModel]] = {
    "system": schema.System, "gpus": schema.Gpus, "nvswitches": schema.NvSwitches,
    "pcie_aer": schema.AerLimits, "nics": schema.Nics, "infiniband": schema.Infiniband,
    "disks": schema.Disks, "kernel_log": schema.KernelLog,
}
SECTION_FAMILIES = {
    "system": {Family.CPU, Family.MEMORY, Family.SYSTEM}, "gpus": {Family.GPU},
    "nvswitches": {Family.NVSWITCH}, "pcie_aer": {Family.PCIE}, "nics": {Family.NIC},
    "infiniband": {Family.IB}, "disks": {Family.DISK}, "kernel_log": {Family.KERNEL},
}


def rich() -> Inventory:
    """The H100 machine with a network interface and a kernel log, so every family has parts."""
    port = Nic("ens1", driver="mlx5_core", firmware_version="22.39.1002", operstate="up",
               speed_mbps=100000, mtu=9000)
    logged = with_kernel_log(h100(), "kmsg/gpud_dmesg_xid48-dbe_xid63-row-remap_xid94.log")
    return replace(logged, nics=(port,))


def test_the_samples_name_every_key_the_schema_has() -> None:
    checked = set(schema.Profile.model_fields) - {"sku", "description", "extends", "match",
                                                  "burnin", "waivers", "pcie_devices"}
    assert set(SAMPLES) == set(SECTION_MODELS) == checked
    for section, keys in SAMPLES.items():
        assert SECTION_MODELS[section].__name__ in str(
            schema.Profile.model_fields[section].annotation), section
        assert set(keys) == set(SECTION_MODELS[section].model_fields), section
    for model, keys in NESTED_SAMPLES.items():
        assert set(keys) == set(model.model_fields), model


@pytest.mark.parametrize(("section", "key"), [(s, k) for s, keys in SAMPLES.items()
                                              for k in keys])
def test_every_profile_key_is_checked(section: str, key: str) -> None:
    sku = profile(**{section: {key: SAMPLES[section][key]}})
    found = check_all(sku, rich(), TODAY)
    assert [f for f in found if not f.message.startswith("nothing to check")], (
        f"{section}.{key} judges nothing")
    families = {check.family for check in CHECKS if check.wanted(sku)}
    assert families <= SECTION_FAMILIES[section]


@pytest.mark.parametrize(("where", "key"), [(w, k) for w, model in NESTED.items()
                                            for k in NESTED_SAMPLES[model]])
def test_every_nested_key_is_judged(where: tuple[str, str | None], key: str) -> None:
    section, sub = where
    value = {key: NESTED_SAMPLES[NESTED[where]][key]}
    sku = profile(**{section: {sub: value} if sub else value})
    judged = [f for f in check_all(sku, rich(), TODAY) if f.check != "gpu_responds"]
    assert judged
    assert all(f.expected for f in judged), judged
    assert check_all(sku, a100(), TODAY)


def test_pcie_device_keys_are_checked() -> None:
    for extra, name in (({}, "pcie_device_count"), ({"gen": 5}, "pcie_link"),
                        ({"width": 16}, "pcie_link"), ({"driver": "mlx5_core"}, "pcie_driver")):
        found = check_all(profile(pcie_devices=[{**PCIE_DEVICE, **extra}]), h100(), TODAY)
        assert name in {f.check for f in found}
    assert set(schema.PcieDevice.model_fields) == {"name", "pci_id", "count", "gen", "width",
                                                   "driver"}


def test_a_profile_that_says_nothing_checks_nothing() -> None:
    assert check_all(profile(), h100(), TODAY) == []
    assert check_all(profile(gpus={"ecc": {}}), h100(), TODAY) == []


FULL = profile(**SAMPLES, pcie_devices=[{**PCIE_DEVICE, "gen": 5, "width": 16}])


def test_findings_come_in_family_check_component_order_every_time() -> None:
    found = check_all(FULL, h100(), TODAY)
    assert found == check_all(FULL, h100(), TODAY)
    orders = [Family(f.family).order for f in found]
    assert orders == sorted(orders)
    names = [c.name for c in CHECKS]
    assert len(names) == len(set(names))
    gpu_ecc = [f.bdf for f in found if f.check == "gpu_ecc"]
    assert gpu_ecc == [g.pci_address for g in h100().gpus]


def test_disagreements_and_unknowns_of_the_h100_machine() -> None:
    found = check_all(FULL, h100(), TODAY)
    disagree = disagreements(found)
    assert [(f.check, f.verdict, f.name) for f in disagree] == [
        ("gpu_idle_throttle", Verdict.FAIL, f"GPU {n}") for n in range(8)]
    assert all(f.verdict is Verdict.UNKNOWN for f in unknowns(found))
    counts = tally(found)
    assert sum(counts.values()) == len(found)
    text = render_findings(found)
    assert text.splitlines()[0].split() == ["VERDICT", "CHECK", "COMPONENT", "MEASURED",
                                            "EXPECTED", "CODE", "ACTION", "WHY"]
    assert text.splitlines()[-1] == (
        f"{len(found)} findings: 8 FAIL, {counts[Verdict.UNKNOWN]} UNKNOWN, "
        f"{counts[Verdict.PASS]} PASS")
    assert len(text.splitlines()) == 8 + counts[Verdict.UNKNOWN] + 3


def waiver(expires: str, component: str = "1650124008135", check: str = "test_gpu_idle_throttle",
           ticket: str | None = "HW-123") -> dict[str, Any]:
    return {"check": check, "component": component, "reason": "board revision B throttles at idle",
            "ticket": ticket, "expires": expires}


THROTTLE = {"gpus": {"idle_throttle_reasons_allowed": ["gpu_idle"]}}


def test_an_active_waiver_waives_and_says_so() -> None:
    sku = profile(**THROTTLE, waivers=[waiver("2025-06-01")])
    found = check_all(sku, h100(), datetime.date(2025, 6, 1))
    waived = [f for f in found if f.verdict is Verdict.WAIVED]
    assert [f.serial for f in waived] == ["1650124008135"]
    assert waived[0].message == (
        "waived until 2025-06-01: board revision B throttles at idle (HW-123); was FAIL: clocks "
        "held back at idle by hw_slowdown, hw_power_brake_slowdown")
    assert waived[0].failure_code == "GPU_THROTTLE"
    assert len(disagreements(found)) == 7


def test_an_expired_waiver_does_not_waive_and_says_so() -> None:
    sku = profile(**THROTTLE, waivers=[waiver("2025-05-31")])
    found = check_all(sku, h100(), datetime.date(2025, 6, 1))
    gpu1 = next(f for f in found if f.serial == "1650124008135" and f.check == "gpu_idle_throttle")
    assert gpu1.verdict is Verdict.FAIL
    assert gpu1.message.endswith("; waiver expired on 2025-05-31 (HW-123)")
    no_ticket = profile(**THROTTLE, waivers=[waiver("2025-05-31", ticket=None)])
    gpu1 = next(f for f in check_all(no_ticket, h100(), TODAY)
                if f.serial == "1650124008135" and f.check == "gpu_idle_throttle")
    assert gpu1.message.endswith("; waiver expired on 2025-05-31 "
                                 "(board revision B throttles at idle)")


def test_waivers_match_patterns_addresses_and_plain_check_names() -> None:
    sku = profile(**THROTTLE, waivers=[waiver("2026-01-01", component="0000:[13]?:00.0",
                                              check="gpu_idle_*")])
    waived = [f.bdf for f in check_all(sku, h100(), TODAY) if f.verdict is Verdict.WAIVED]
    assert waived == ["0000:19:00.0", "0000:3b:00.0"]


def test_unknown_is_never_waived() -> None:
    sku = profile(gpus={"nvlinks": {"count": 18}},
                  waivers=[waiver("2026-01-01", component="*", check="*")])
    found = check_all(sku, h100(), TODAY)
    assert {f.verdict for f in found if f.check == "gpu_nvlinks"} == {Verdict.UNKNOWN}
    assert Verdict.WAIVED not in {f.verdict for f in found}
