"""Whole-machine and kernel log checks, with real kernel logs from the corpus."""

from __future__ import annotations

from hwaccept.checks.catalog import Action
from hwaccept.checks.findings import Finding, Verdict
from hwaccept.inventory.records import EdacController, KernelLog, System
from hwaccept.record import replace
from tests.checks.machines import (
    h100,
    machine,
    only,
    profile,
    run,
    with_fabric_log,
    with_kernel_log,
    with_log_lines,
    xid_line,
)
from tests.corpus import corpus

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
        measured="2015.6", expected=">= 1900", unit="GiB", serial="SYS1", model="Test Server",
        who="system")
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
    faulty = replace(
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
        "1 uncorrected memory errors, expected 0; 30 corrected memory errors, at most 20 "
        "allowed")


XIDS = profile(kernel_log={"xid": {"fail": [48, 64, 79, 94, 95, 119], "warn": [13, 31, 63]},
                           "forbidden_patterns": ["GSP", "Machine Check"]})


def test_a_double_bit_error_in_the_kernel_log_fails_the_gpu_it_names() -> None:
    inventory = with_kernel_log(h100(), "kmsg/gpud_dmesg_xid48-dbe_xid63-row-remap_xid94.log")
    found = run("kernel_xid", XIDS, inventory)
    assert len(found) == 8
    assert found[0] == Finding(
        check="kernel_xid", family="kernel", component="gpu", component_id="1650124031592",
        name="GPU 0", verdict=Verdict.FAIL,
        message="fail: Xid 48 x1 (Double Bit ECC Error), Xid 94 x9 (Contained memory error); "
                "warn: Xid 63 x1 (GPU memory remapping event)",
        measured="Xid 48 x1, Xid 63 x1, Xid 94 x9",
        expected="no Xid [48, 64, 79, 94, 95, 119], warn on [13, 31, 63], others as the Xid "
                 "catalog says",
        serial="1650124031592", bdf="0000:19:00.0", model="NVIDIA H100 80GB HBM3",
        failure_code="GPU_XID_48", action=Action.RESET_GPU, who="gpu0")
    assert found[0].line() == (
        "gpu0 (SN 1650124031592, 0000:19:00.0): fail: Xid 48 x1 (Double Bit ECC Error), Xid 94 "
        "x9 (Contained memory error); warn: Xid 63 x1 (GPU memory remapping event) — "
        "GPU_XID_48 → RESET_GPU")
    assert {f.verdict for f in found[1:]} == {Verdict.PASS}


def test_repeated_xids_are_counted_once_and_a_warn_list_xid_warns_with_its_code() -> None:
    gpu3 = h100().gpus[3]
    assert gpu3.pci_address is not None
    lines = [xid_line(gpu3.pci_address, 13, f"Graphics Exception {n}") for n in range(17)]
    finding = run("kernel_xid", XIDS, with_log_lines(h100(), lines))[3]
    assert (finding.verdict, finding.failure_code, finding.action, finding.measured,
            finding.message) == (
        Verdict.WARN, "GPU_XID_13", Action.RETEST, "Xid 13 x17",
        "warn: Xid 13 x17 (Graphics Engine Exception)")
    assert finding.line() == (
        f"gpu3 (SN {gpu3.serial}, {gpu3.pci_address}): warn: Xid 13 x17 (Graphics Engine "
        "Exception) — GPU_XID_13 → RETEST")


def test_an_xid_the_profile_does_not_list_is_judged_by_the_catalog() -> None:
    only_79 = profile(kernel_log={"xid": {"fail": [79]}})
    address = h100().gpus[0].pci_address or ""
    judged = {xid: run("kernel_xid", only_79, with_log_lines(h100(), [xid_line(address, xid)]))[0]
              for xid in (46, 8, 144, 79)}
    assert {xid: (f.verdict, f.failure_code, f.action) for xid, f in judged.items()} == {
        46: (Verdict.FAIL, "GPU_XID_46", Action.RESET_GPU),
        8: (Verdict.WARN, "GPU_XID_8", Action.RETEST),
        144: (Verdict.WARN, "GPU_XID_144", Action.INSPECT),
        79: (Verdict.FAIL, "GPU_XID_79", Action.RESEAT)}
    assert judged[144].message == "warn: Xid 144 x1"
    demoted = profile(kernel_log={"xid": {"warn": [46]}})
    finding = run("kernel_xid", demoted, with_log_lines(h100(), [xid_line(address, 46)]))[0]
    assert (finding.verdict, finding.failure_code) == (Verdict.WARN, "GPU_XID_46")


def test_gsp_timeouts_fail_gpu_4_and_match_a_forbidden_pattern() -> None:
    inventory = with_kernel_log(h100(), "kmsg/gpud_dmesg_H100-XE9680_xid119-gsp-timeout.log")
    gpu4 = run("kernel_xid", XIDS, inventory)[4]
    assert (gpu4.bdf, gpu4.verdict, gpu4.failure_code, gpu4.action, gpu4.measured) == (
        "0000:9b:00.0", Verdict.FAIL, "GPU_XID_119", Action.RESET_GPU, "Xid 119 x5")
    forbidden = only("kernel_forbidden", XIDS, inventory)
    assert (forbidden.verdict, forbidden.failure_code) == (Verdict.FAIL, "KERNEL_LOG_FORBIDDEN")
    assert forbidden.message.startswith("/GSP/ matches ")
    assert "hardware events of" in forbidden.message


def test_an_xid_at_an_address_no_gpu_has_is_not_lost() -> None:
    inventory = with_kernel_log(machine(), "kmsg/gpud_dmesg_xid48-dbe_xid63-row-remap_xid94.log")
    finding = only("kernel_xid", XIDS, inventory)
    assert (finding.component_id, finding.name, finding.failure_code) == (
        "0000:19:00.0", "GPU at 0000:19:00.0", "GPU_XID_48")
    assert finding.line().startswith("0000:19:00.0: fail: Xid 48 x1 ")


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
    partial = replace(clean, complete=frozenset({"gpu"}))
    assert {f.verdict for f in run("kernel_xid", XIDS, partial)} == {Verdict.UNKNOWN}


FM_LOG = corpus("other/gpud_fabricmanager_nvswitch-nonfatal-12028.log").read_text().splitlines()
FATAL = ("[Feb 27 2025 15:12:40] [ERROR] [tid 12727] detected NVSwitch fatal error 24007 on fid "
         "0 on NVSwitch pci bus id 00000000:84:00.0 physical id 1 port 12")


def test_a_non_fatal_nvswitch_error_warns_on_the_switch_it_names() -> None:
    found = run("nvswitch_sxid", XIDS, with_fabric_log(h100(), FM_LOG))
    assert [(f.name, f.verdict) for f in found] == [
        ("0000:83:00.0", Verdict.PASS), ("0000:84:00.0", Verdict.PASS),
        ("0000:85:00.0", Verdict.PASS), ("0000:86:00.0", Verdict.WARN)]
    assert found[3] == Finding(
        check="nvswitch_sxid", family="kernel", component="nvswitch",
        component_id="0000:86:00.0", name="0000:86:00.0", verdict=Verdict.WARN,
        message="non-fatal: SXid 12028 x1 in the Fabric Manager log",
        measured="SXid 12028 x1 (non-fatal)", expected="no NVSwitch error in the Fabric Manager "
                                                      "log",
        bdf="0000:86:00.0", model="NVSwitch (HGX H100/H200)", failure_code="NVSWITCH_SXID_12028",
        action=Action.RETEST)
    assert found[3].line() == ("0000:86:00.0: non-fatal: SXid 12028 x1 in the Fabric Manager "
                               "log — NVSWITCH_SXID_12028 → RETEST")


def test_a_fatal_nvswitch_error_fails_and_errors_elsewhere_are_not_lost() -> None:
    stray = FATAL.replace("00000000:84:00.0", "00000000:99:00.0")
    found = run("nvswitch_sxid", XIDS, with_fabric_log(h100(), [*FM_LOG, FATAL, FATAL, stray]))
    judged = {f.name: (f.verdict, f.failure_code, f.action, f.measured) for f in found}
    assert judged["0000:84:00.0"] == (Verdict.FAIL, "NVSWITCH_SXID_24007", Action.INSPECT,
                                      "SXid 24007 x2 (fatal)")
    assert judged["0000:99:00.0"] == (Verdict.FAIL, "NVSWITCH_SXID_24007", Action.INSPECT,
                                      "SXid 24007 x1 (fatal)")
    assert found[-1].component == "nvswitch"


def test_without_the_fabric_manager_log_the_switches_are_unknown() -> None:
    found = run("nvswitch_sxid", XIDS, h100())
    assert {(f.verdict, f.message) for f in found} == {
        (Verdict.UNKNOWN, "the Fabric Manager log is not in this snapshot")}
    live = replace(h100(), complete=None)
    assert {f.message for f in run("nvswitch_sxid", XIDS, live)} == {
        "no Fabric Manager log at /var/log/fabricmanager.log"}
    assert run("nvswitch_sxid", XIDS, machine()) == []
    assert run("nvswitch_sxid", profile(), h100()) == []
