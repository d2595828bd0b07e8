"""The profiles shipped in profiles/: valid, editor-ready, described, merged as intended."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwaccept.profiles.catalog import (
    PROFILES_DIR,
    MachineIdentity,
    Resolved,
    resolve,
    resolve_all,
    select,
)

HEADER = "# yaml-language-server: $schema=./schema.json"
SHIPPED = sorted(PROFILES_DIR.glob("*.yaml"))
NAMES = [path.stem for path in SHIPPED]


def shipped(name: str) -> Resolved:
    return resolve(name, PROFILES_DIR)


def test_the_expected_profiles_are_shipped() -> None:
    assert set(NAMES) >= {"generic", "nvidia-datacenter-base", "hgx-h100-8gpu",
                          "dell-xe9680-h100", "dgx-h100", "hgx-h200-8gpu", "hgx-a100-8gpu",
                          "pcie-l40s-8gpu", "vm-virtio"}


def test_every_shipped_profile_validates_with_its_parents() -> None:
    assert resolve_all([str(path) for path in SHIPPED], PROFILES_DIR) == []


@pytest.mark.parametrize("path", SHIPPED, ids=NAMES)
def test_first_line_is_the_schema_header(path: Path) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER


@pytest.mark.parametrize("path", SHIPPED, ids=NAMES)
def test_file_is_named_after_its_sku_and_described(path: Path) -> None:
    resolved = shipped(path.stem)
    assert resolved.name == path.stem
    if path.stem != "generic":
        assert resolved.profile.description


def test_h100_profiles_merge_the_baseboard_and_the_health_rules() -> None:
    dell = shipped("dell-xe9680-h100")
    assert dell.chain == ("dell-xe9680-h100", "hgx-h100-8gpu", "nvidia-datacenter-base",
                          "generic")
    profile = dell.profile
    assert profile.gpus is not None
    assert (profile.gpus.count, profile.gpus.pci_id, profile.gpus.pcie_gen,
            profile.gpus.pcie_width, profile.gpus.ecc_mode) == (8, "10de:2330", 5, 16, True)
    assert profile.gpus.nvlinks is not None
    assert profile.gpus.nvlinks.model_dump(exclude_none=True) == {
        "count": 18, "state": "active", "replay_errors_max": 0, "recovery_errors_max": 0}
    assert profile.gpus.ecc is not None
    assert profile.gpus.ecc.volatile_dbe_max == 0
    assert profile.gpus.row_remap is not None
    assert profile.gpus.row_remap.model_dump(exclude_none=True) == {
        "pending_allowed": False, "failure_allowed": False, "uncorrectable_max": 512}
    assert profile.nvswitches is not None
    assert (profile.nvswitches.count, profile.nvswitches.pci_id,
            profile.nvswitches.fabric_state) == (4, "10de:22a3", "completed")
    assert [(d.pci_id, d.count) for d in profile.pcie_devices or ()] == [
        ("10de:22a3", 4), ("15b3:1021", 8), ("15b3:101d", 4), ("14e4:165f", 2)]
    assert profile.kernel_log is not None
    assert profile.kernel_log.xid is not None
    assert {48, 64, 74, 79, 94, 95, 119, 120} <= set(profile.kernel_log.xid.fail or ())


def test_dgx_h100_overrides_what_nvidia_fixes_and_keeps_its_own_match() -> None:
    dgx = shipped("dgx-h100")
    assert dgx.chain[:2] == ("dgx-h100", "hgx-h100-8gpu")
    assert dgx.profile.system is not None
    assert (dgx.profile.system.sockets, dgx.profile.system.cores_min) == (2, 112)
    assert dgx.profile.disks is not None
    assert (dgx.profile.disks.count, dgx.profile.disks.size_gb_min) == (10, 1920)
    assert dgx.profile.gpus is not None
    assert dgx.profile.gpus.count == 8
    assert shipped("hgx-h100-8gpu").profile.match is None


def test_a100_profile_resolves_with_its_parents() -> None:
    a100 = shipped("hgx-a100-8gpu")
    assert a100.chain == ("hgx-a100-8gpu", "nvidia-datacenter-base", "generic")
    gpus = a100.profile.gpus
    assert gpus is not None
    assert (gpus.count, gpus.model, gpus.pci_id, gpus.pcie_gen) == (
        8, "NVIDIA A100-SXM4-80GB", "10de:20b2", 4)
    assert gpus.nvlinks is not None
    assert (gpus.nvlinks.count, gpus.nvlinks.replay_errors_max, gpus.nvlinks.recovery_errors_max,
            gpus.nvlinks.crc_errors_max) == (12, 0, 0, None)
    assert gpus.power_limit_w is not None
    assert (gpus.power_limit_w.min, gpus.power_limit_w.max) == (400, None)
    assert a100.profile.nvswitches is not None
    assert (a100.profile.nvswitches.count, a100.profile.nvswitches.pci_id,
            a100.profile.nvswitches.fabric_state) == (6, "10de:1af1", None)
    assert gpus.retired_pages is not None
    assert gpus.retired_pages.pending_allowed is False
    burnin = a100.profile.burnin
    assert burnin is not None
    assert burnin.gpu is not None
    assert burnin.gpu.h2d_gbps is not None
    assert (burnin.gpu.h2d_gbps.min, burnin.gpu.h2d_gbps.marginal) == (21, 0.05)


@pytest.mark.parametrize(("machine", "chosen"), [
    (MachineIdentity("Dell Inc.", "PowerEdge XE9680", None,
                     frozenset({"10de:2330", "10de:22a3"})), "dell-xe9680-h100"),
    (MachineIdentity("Dell Inc.", "PowerEdge XE9680", None, frozenset({"10de:2335"})),
     "generic"),
    (MachineIdentity("NVIDIA", "DGXH100", None, frozenset()),
     "dgx-h100"),
    (MachineIdentity("NVIDIA", "DGX H100", None, frozenset()), "dgx-h100"),
    (MachineIdentity(None, None, None, frozenset({"8086:0d57", "1af4:1041", "1af4:1042"})),
     "vm-virtio"),
    (MachineIdentity(None, None, None, frozenset({"10de:20b2", "10de:1af1"})), "generic"),
], ids=["xe9680-h100", "xe9680-h200", "dgx-unspaced", "dgx-spaced", "virtio-vm",
        "unknown-a100"])
def test_selection_among_the_shipped_profiles(machine: MachineIdentity, chosen: str) -> None:
    assert select(machine, directory=PROFILES_DIR).resolved.name == chosen
