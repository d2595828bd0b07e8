"""Whole-machine and kernel log checks, with real kernel logs from the corpus."""

from __future__ import annotations

import dataclasses

from hwaccept.checks import Action, Finding, Verdict
from hwaccept.inventory.records import EdacController, KernelLog, System
from tests.checks.machines import h100, machine, only, profile, run, with_kernel_log

SERVER = System(serial="SYS1", product="Test Server", cpu_model="Intel(R) Xeon(R) Platinum 8480+",
                sockets=2, cores=112, memory_total_bytes=2_113_464_000 * 1024, numa_nodes=2,
                bios_version="2.1.7", kernel_cmdline="BOOT_IMAGE=/vmlinuz ro iommu=pt "
                                                    'quiet pci=realloc=off dyndbg="file x +p"',
                edac=(EdacController("mc0", "I10NM_SOCKET", 0, 0, 16),
                      EdacController("mc1", "I10NM_SOCKET", 12, 0, 16)))
SKU = profile(system={"cpu_model": "*xeon*8480*", "sockets": 2, "cores_min": 96,
                      "memory_gib_min": 1900, "numa_nodes": 2, "bios": {"min": "2.1"},
                      "kernel_cmdline": ["iommu=pt", "quiet"], "edac_correctable_max": 20,
                      "dimm_count": 32, "bmc": {"min": "7.10"}})
CHECKS = ("cpu_model", "cpu_sockets", "cpu_cores", "memory_size", "memory_numa_nodes",
          "system_bios", "system_kernel_cmdline")


def test_a_machine_as_the_profile_describes_it() -> None:
    inventory = machine(system=SERVER)
    for name in CHECKS:
        assert only(name, SKU, inventory).verdict is Verdict.PASS, name
    assert only("memory_size", SKU, inventory) == Finding(
        check="memory_size", family="memory", component="memory", component_id="SYS1",
        name="memory", verdict=Verdict.PASS, message="2015.6 GiB memory (MemTotal)",
        measured="2015.6", expected=">= 1900", unit="GiB", serial="SYS1", model="Test Server")
    assert [(f.name, f.verdict) for f in run("memory_edac", SKU, inventory)] == [
        ("mc0", Verdict.PASS), ("mc1", Verdict.PASS)]


def test_what_the_inventory_does_not_read_is_unknown() -> None:
    inventory = machine(system=SERVER)
    dimms = only("memory_dimms", SKU, inventory)
    assert (dimms.verdict, dimms.message) == (
        Verdict.UNKNOWN, "DIMM count not read by this version of hwaccept (SMBIOS type 17); "
                         "EDAC lists 32 memory modules (dimm or rank entries)")
    bmc = only("system_bmc", SKU, inventory)
    assert (bmc.verdict, bmc.expected) == (Verdict.UNKNOWN, ">= 7.10")
    for name in CHECKS:
        assert only(name, SKU, h100()).verdict is Verdict.UNKNOWN, name
    edac = only("memory_edac", SKU, h100())
    assert edac.message == "EDAC is not in this snapshot: memory errors cannot be counted"
    assert only("memory_edac", SKU, machine()).message == (
        "EDAC is not loaded: memory errors cannot be counted")


def test_machine_faults() -> None:
    faulty = dataclasses.replace(
        SERVER, sockets=1, kernel_cmdline="ro quiet intel_iommu=on", bios_version="1.9.2",
        edac=(EdacController("mc0", correctable=30, uncorrectable=1),))
    inventory = machine(system=faulty)
    assert [(f.failure_code, f.action) for f in (
        only("cpu_sockets", SKU, inventory), only("system_kernel_cmdline", SKU, inventory),
        only("system_bios", SKU, inventory), only("memory_edac", SKU, inventory))] == [
        ("CPU_SOCKETS", Action.INSPECT), ("KERNEL_CMDLINE", Action.CONFIGURE),
        ("BIOS_FIRMWARE", Action.UPDATE_FIRMWARE), ("MEMORY_UE", Action.REPLACE_DIMM)]
    assert only("system_kernel_cmdline", SKU, inventory).message == (
        "kernel command line lacks iommu=pt")
    assert only("memory_edac", SKU, inventory).message == (
        "1 uncorrected memory errors; 30 corrected memory errors, at most 20 allowed")


XIDS = profile(kernel_log={"xid": {"fail": [48, 64, 79, 94, 95, 119], "warn": [13, 31, 63]},
                           "forbidden_patterns": ["GSP", "Machine Check"]})


def test_a_double_bit_error_in_the_kernel_log_fails_the_gpu_it_names() -> None:
    inventory = with_kernel_log(h100(), "kmsg/gpud_dmesg_xid48-dbe_xid63-row-remap_xid94.log")
    found = run("kernel_xid", XIDS, inventory)
    assert len(found) == 8
    assert found[0] == Finding(
        check="kernel_xid", family="kernel", component="gpu", component_id="1650124031592",
        name="GPU 0", verdict=Verdict.FAIL,
        message="fail: Xid 48 x1, Xid 94 x9; warn: Xid 63 x1", measured="48x1, 63x1, 94x9",
        expected="no Xid [48, 64, 79, 94, 95, 119], warn on [13, 31, 63]",
        serial="1650124031592", bdf="0000:19:00.0", model="NVIDIA H100 80GB HBM3",
        failure_code="GPU_XID_48", action=Action.RESET_GPU)
    assert {f.verdict for f in found[1:]} == {Verdict.PASS}


def test_gsp_timeouts_fail_gpu_4_and_match_a_forbidden_pattern() -> None:
    inventory = with_kernel_log(h100(), "kmsg/gpud_dmesg_H100-XE9680_xid119-gsp-timeout.log")
    gpu4 = run("kernel_xid", XIDS, inventory)[4]
    assert (gpu4.bdf, gpu4.verdict, gpu4.failure_code, gpu4.action) == (
        "0000:9b:00.0", Verdict.FAIL, "GPU_XID_119", Action.RESET_GPU)
    forbidden = only("kernel_forbidden", XIDS, inventory)
    assert (forbidden.verdict, forbidden.failure_code) == (Verdict.FAIL, "KERNEL_LOG_FORBIDDEN")
    assert forbidden.message.startswith("/GSP/ matches ")
    assert "hardware events of" in forbidden.message


def test_an_xid_at_an_address_no_gpu_has_is_not_lost() -> None:
    inventory = with_kernel_log(machine(), "kmsg/gpud_dmesg_xid48-dbe_xid63-row-remap_xid94.log")
    finding = only("kernel_xid", XIDS, inventory)
    assert (finding.component_id, finding.name, finding.failure_code) == (
        "0000:19:00.0", "GPU at 0000:19:00.0", "GPU_XID_48")


def test_without_a_kernel_log_the_checks_are_unknown() -> None:
    found = run("kernel_xid", XIDS, h100())
    assert {(f.verdict, f.message) for f in found} == {
        (Verdict.UNKNOWN, "the kernel log is not in this snapshot")}
    unreadable = machine(kernel_log=KernelLog(problem="dmesg: Operation not permitted"))
    assert only("kernel_forbidden", XIDS, unreadable).message == (
        "the kernel log could not be read: dmesg: Operation not permitted")


def test_a_clean_log_passes_and_a_partial_one_cannot() -> None:
    clean = with_kernel_log(h100(), "kmsg/gpud_dmesg_nccl-segfault.log")
    assert {f.verdict for f in run("kernel_xid", XIDS, clean)} == {Verdict.PASS}
    partial = dataclasses.replace(clean, complete=frozenset({"gpu"}))
    assert {f.verdict for f in run("kernel_xid", XIDS, partial)} == {Verdict.UNKNOWN}
