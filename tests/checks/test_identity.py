"""Identity checks: GPU UUIDs and serials, and the chassis's DMI strings."""

from __future__ import annotations

from hwaccept.checks.catalog import Action
from hwaccept.checks.findings import Finding, Verdict
from hwaccept.inventory.records import System
from hwaccept.record import replace
from tests.checks.machines import a100, gpu, h100, machine, only, profile, run

GPUS = profile(gpus={"count": 8})


def test_the_h100_gpus_each_have_their_own_uuid_and_serial() -> None:
    found = run("gpu_identity", GPUS, h100())
    assert [f.verdict for f in found] == [Verdict.PASS] * 8
    first = h100().gpus[0]
    assert found[0] == Finding(
        check="gpu_identity", family="gpu", component="gpu", component_id="1650124031592",
        name="GPU 0", verdict=Verdict.PASS,
        message=f"UUID {first.uuid}; serial 1650124031592",
        measured=f"{first.uuid}, SN 1650124031592", expected="a UUID and a serial of its own",
        serial="1650124031592", bdf="0000:19:00.0", model="NVIDIA H100 80GB HBM3", who="gpu0")


def test_an_imported_snapshot_without_serials_cannot_know_them() -> None:
    found = run("gpu_identity", GPUS, a100())
    assert {(f.verdict, f.message.split("; ")[-1]) for f in found} == {
        (Verdict.UNKNOWN, "the serial is not in this snapshot")}


def test_two_gpus_reporting_one_serial_or_uuid_both_fail() -> None:
    twins = machine(gpus=(gpu(0), gpu(1, serial=gpu(0).serial), gpu(2, uuid=gpu(0).uuid)))
    found = run("gpu_identity", GPUS, twins)
    assert [(f.name, f.verdict, f.failure_code, f.action) for f in found] == [
        ("GPU 0", Verdict.FAIL, "GPU_IDENTITY", Action.INSPECT),
        ("GPU 1", Verdict.FAIL, "GPU_IDENTITY", Action.INSPECT),
        ("GPU 2", Verdict.FAIL, "GPU_IDENTITY", Action.INSPECT)]
    assert found[0].message == (
        f"UUID {gpu(0).uuid} is also GPU 2's; serial {gpu(0).serial} is also GPU 1's")
    assert found[1].message == f"serial {gpu(0).serial} is also GPU 0's"


def test_a_datacenter_gpu_needs_a_serial_a_geforce_board_has_none() -> None:
    bare = only("gpu_identity", GPUS, machine(gpus=(gpu(serial=None),)))
    assert (bare.verdict, bare.failure_code, bare.message) == (
        Verdict.FAIL, "GPU_IDENTITY", "no serial (NVML gave none)")
    zeros = only("gpu_identity", GPUS, machine(gpus=(gpu(serial="0000000000000"),)))
    assert (zeros.verdict, zeros.message) == (
        Verdict.FAIL, "serial 0000000000000 is zeros only: no board serial")
    geforce = only("gpu_identity", GPUS, machine(gpus=(
        gpu(serial=None, name="NVIDIA GeForce RTX 4090"),)))
    assert (geforce.verdict, geforce.message.split("; ")[-1]) == (
        Verdict.PASS, "no serial (NVIDIA GeForce RTX 4090 boards have none NVML can read)")
    nameless = only("gpu_identity", GPUS, machine(gpus=(gpu(serial=None, name=None),)))
    assert nameless.verdict is Verdict.UNKNOWN


def test_a_lost_gpu_is_unknown_and_no_uuid_fails() -> None:
    lost = only("gpu_identity", GPUS, machine(gpus=(
        gpu(uuid=None, serial=None, failed="nvmlDeviceGetUUID: GPU_IS_LOST"),)))
    assert lost.verdict is Verdict.UNKNOWN
    assert "stopped answering NVML" in lost.message
    no_uuid = only("gpu_identity", GPUS, machine(gpus=(gpu(uuid=None),)))
    assert (no_uuid.verdict, no_uuid.message.split("; ")[0]) == (
        Verdict.FAIL, "no UUID (NVML gave none)")


SYSTEM = profile(system={"sockets": 2})
DELL = profile(match={"vendor": "Dell Inc.", "product": "PowerEdge XE9680"})
BY_PCI = profile(match={"pci_ids": ["1af4:1042"]})


def test_the_h100_machine_names_itself() -> None:
    assert only("system_identity", SYSTEM, h100()) == Finding(
        check="system_identity", family="system", component="system", component_id="HSR8X04",
        name="DMI identity", verdict=Verdict.PASS,
        message="sys_vendor Dell Inc.; product_name PowerEdge XE9680; product_serial HSR8X04",
        measured="Dell Inc. / PowerEdge XE9680 / HSR8X04",
        expected="DMI vendor, product name and serial set", serial="HSR8X04",
        model="PowerEdge XE9680", who="system")
    assert only("system_identity", DELL, h100()).verdict is Verdict.PASS
    assert run("system_identity", profile(gpus={"count": 8}), h100()) == []


def test_an_imported_snapshot_without_dmi_cannot_know_it() -> None:
    finding = only("system_identity", SYSTEM, a100())
    assert (finding.verdict, finding.message) == (Verdict.UNKNOWN, "DMI is not in this snapshot")
    partial = replace(h100(), system=System(vendor="Dell Inc."))
    assert only("system_identity", SYSTEM, partial).message == (
        "product_name is not in this snapshot; product_serial is not in this snapshot")


def test_a_live_machine_without_a_serial_fails() -> None:
    unnamed = machine(system=System(vendor="Supermicro", product="SYS-821GE-TNHR",
                                    bios_version="2.1"))
    finding = only("system_identity", SYSTEM, unnamed)
    assert (finding.verdict, finding.failure_code, finding.action, finding.measured) == (
        Verdict.FAIL, "SYSTEM_IDENTITY", Action.INSPECT, "Supermicro / SYS-821GE-TNHR / ?")
    assert finding.message == ("no product_serial in DMI (empty, or a placeholder such as "
                               "'To Be Filled By O.E.M.')")
    as_user = machine(system=System(
        vendor="Supermicro", product="SYS-821GE-TNHR",
        errors=("/sys/class/dmi/id/product_serial: Permission denied",)))
    assert only("system_identity", SYSTEM, as_user).message == (
        "product_serial could not be read (Permission denied)")


def test_a_machine_without_dmi_fails_only_a_profile_that_matches_by_dmi() -> None:
    microvm = machine(system=System(hostname="vm1"))
    assert (only("system_identity", BY_PCI, microvm).verdict,
            only("system_identity", DELL, microvm).verdict) == (Verdict.UNKNOWN, Verdict.FAIL)
    assert only("system_identity", DELL, microvm).message == (
        "no DMI table (/sys/class/dmi/id holds none of its strings), yet the profile recognises "
        "machines by DMI")
