"""The snapshots bundled under snapshots/ are real machines, consistent, and rebuildable."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from hwaccept.importers import pci_names
from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import Disk, Inventory, SmartHealth, SmartSource
from hwaccept.snapshot import load_snapshot, snapshot_sources

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "snapshots"
H100 = SNAPSHOTS / "hgx-h100-8gpu.tar.gz"
A100 = SNAPSHOTS / "hgx-a100-8gpu.tar.gz"


def inventory(path: Path) -> Inventory:
    return build_inventory(snapshot_sources(load_snapshot(str(path))))


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def test_h100_is_eight_healthy_gpus_on_the_pci_tree_they_sit_on() -> None:
    machine = inventory(H100)
    assert (machine.system.vendor, machine.system.product) == ("Dell Inc.", "PowerEdge XE9680")
    assert machine.nvidia.driver_version == "535.161.08"
    gpus = machine.gpus
    assert [g.serial for g in gpus] == [
        "1650124031592", "1650124008135", "1650124047722", "1650124032506",
        "1650124030635", "1650124048576", "1650124047010", "1650124007084"]
    tree = {d.address: d for d in machine.pci_devices}
    for gpu in gpus:
        assert gpu.name == "NVIDIA H100 80GB HBM3"
        assert (gpu.pcie_gen_current, gpu.pcie_width_current) == (5, 16)
        assert (gpu.ecc.volatile_dbe, gpu.ecc.aggregate_dbe, gpu.ecc.aggregate_sbe) == (0, 0, 0)
        assert gpu.remapped_rows is not None
        assert (gpu.remapped_rows.pending, gpu.remapped_rows.failure) == (False, False)
        assert gpu.fabric is not None
        assert gpu.fabric.state == "completed"
        assert gpu.failed is None
        assert gpu.errors == ()
        assert gpu.nvlinks is None
        pci = tree[gpu.pci_address or ""]
        assert (pci.pci_id, pci.current_link_gen, pci.current_link_width) == ("10de:2330", 5, 16)
    assert {d.address for d in machine.pci_devices if d.pci_id == "10de:2330"} == {
        g.pci_address for g in gpus}
    assert len(machine.nvswitches) == 4
    assert len(machine.ib_ports) == 12
    assert {(p.state, p.phys_state) for p in machine.ib_ports} == {("ACTIVE", "LinkUp")}
    assert sorted(p.rate_gbps or 0 for p in machine.ib_ports).count(400.0) == 8
    health = [d.smart for d in machine.disks]
    assert [(d.name, d.model) for d in machine.disks] == [
        ("nvme0n1", "INTEL SSDPF2KX076T1"), ("nvme1n1", "Micron_7400_MTFDKCB7T6TDZ")]
    assert [(h.passed, h.critical_warning, h.media_errors) if h else None for h in health] == [
        (True, 0, 0), (True, 0, 0)]
    assert machine.system.errors == ()
    assert [d.address for d in machine.pci_devices if d.errors] == []


def test_a100_is_eight_gpus_with_twelve_nvlinks_each() -> None:
    machine = inventory(A100)
    assert len(machine.gpus) == 8
    for gpu in machine.gpus:
        assert gpu.name == "NVIDIA A100-SXM4-80GB"
        assert gpu.uuid is not None
        assert gpu.nvlinks is not None
        assert [link.active for link in gpu.nvlinks] == [True] * 12
    addresses = sorted(d.address for d in machine.pci_devices if d.pci_id == "10de:20b2")
    assert addresses == [f"{domain}:00:00.0" for domain in (
        "0001", "0002", "0003", "0004", "000b", "000c", "000d", "000e")]
    assert len(machine.nvswitches) == 6
    assert {switch.gpu_links for switch in machine.nvswitches} == {None}
    assert [(p.device, p.rate) for p in machine.ib_ports][:1] == [("mlx5_0", "200 Gb/sec (4X HDR)")]
    assert machine.ib_ports[-1].rate == "40 Gb/sec (4X QDR)"
    assert machine.disks == ()


def built_with(bundle: Path) -> str:
    notes = [note for item in json.loads(members(bundle)["imported.json"])
             for note in item["notes"] if note.startswith("names turned into ids with ")]
    return notes[0] if notes else ""


def test_rebuilding_from_the_corpus_gives_the_bundled_snapshots(tmp_path: Path) -> None:
    ids = pci_names.database()
    here = f"names turned into ids with {ids.path} (version {ids.version})" if ids else ""
    if built_with(H100) and built_with(H100) != here:
        pytest.skip(f"this machine's pci.ids is not the one the bundles were built with "
                    f"({built_with(H100)})")
    done = subprocess.run([sys.executable, str(SNAPSHOTS / "build.py"), "--out-dir",
                           str(tmp_path)], capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    for bundle in (H100, A100):
        assert members(tmp_path / bundle.name) == members(bundle), bundle.name


@pytest.mark.parametrize("bundle", [H100, A100], ids=lambda p: p.name)
def test_the_acceptance_run_passes_on_each_bundle(bundle: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-m", "acceptance", "-q",
                           "-p", "no:randomly", "--hw-snapshot", str(bundle)],
                          cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]


def test_the_h100_disks_are_the_captured_drives() -> None:
    p5510, micron = inventory(H100).disks
    assert p5510 == Disk(
        name="nvme0n1", transport="nvme", model="INTEL SSDPF2KX076T1", firmware="9CV10200",
        size_bytes=3_813_930_958_848, rotational=False,
        smart=SmartHealth(SmartSource.SMARTCTL, supported=True, passed=True,
                          critical_warning=0, media_errors=0, percentage_used=0,
                          available_spare=100, available_spare_threshold=10, temperature_c=25,
                          power_on_hours=11525, unsafe_shutdowns=170, error_log_entries=0))
    assert micron.smart is not None
    assert (micron.size_bytes, micron.smart.power_on_hours, micron.smart.error_log_entries) == (
        7_681_501_126_656, 7723, 62)
