"""The shipped profiles agree with the machines they describe.

The machines: the bundled snapshots, and the virtio VM this suite's own CI runs on.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from hwaccept.checks.findings import Verdict
from hwaccept.checks.run import check_all, disagreements
from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import Inventory
from hwaccept.profiles.catalog import resolve
from hwaccept.snapshot import load_snapshot, snapshot_sources
from hwaccept.sources import live_sources

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2026, 11, 22)


def snapshot(name: str) -> Inventory:
    return build_inventory(snapshot_sources(load_snapshot(str(ROOT / "snapshots" / name))))


@pytest.mark.parametrize(("profile", "machine"), [
    ("hgx-h100-8gpu", "hgx-h100-8gpu.tar.gz"),
    ("dell-xe9680-h100", "hgx-h100-8gpu.tar.gz"),
    ("hgx-a100-8gpu", "hgx-a100-8gpu.tar.gz"),
    ("generic", "hgx-h100-8gpu.tar.gz"),
    ("generic", "hgx-a100-8gpu.tar.gz"),
])
def test_bundled_snapshots_pass_against_their_profiles(profile: str, machine: str) -> None:
    findings = check_all(resolve(profile).profile, snapshot(machine), TODAY)
    assert disagreements(findings) == []
    assert any(f.verdict is Verdict.PASS for f in findings)


def test_this_vm_passes_against_its_profile() -> None:
    findings = check_all(resolve("vm-virtio").profile, build_inventory(live_sources()), TODAY)
    assert disagreements(findings) == []
    passed = {f.check for f in findings if f.verdict is Verdict.PASS}
    assert {"gpu_count", "disk_count", "nic_count", "pcie_device_count"} <= passed


def test_the_h100_does_not_pass_as_an_a100() -> None:
    findings = disagreements(check_all(resolve("hgx-a100-8gpu").profile,
                                       snapshot("hgx-h100-8gpu.tar.gz"), TODAY))
    assert {f.failure_code for f in findings} >= {"GPU_MODEL", "GPU_PCI_ID", "NVSWITCH_PCI_ID"}
