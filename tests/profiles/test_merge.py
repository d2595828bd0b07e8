"""extends: merging rules, content hashes, and choosing a profile for a machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwaccept.profiles.catalog import (
    MachineIdentity,
    ProfileError,
    merge,
    resolve,
    select,
)
from hwaccept.profiles.versions import Version


def write(directory: Path, name: str, text: str) -> None:
    (directory / f"{name}.yaml").write_text(text)


def test_mappings_merge_child_wins_null_removes_lists_replace() -> None:
    parent = {"sku": "base", "match": {"vendor": "Dell*"}, "description": "base",
              "gpus": {"count": 8, "ecc": {"volatile_dbe_max": 0, "aggregate_dbe_max": 0},
                       "idle_throttle_reasons_allowed": ["gpu_idle"], "vbios": {"min": "96"}},
              "system": {"kernel_cmdline": ["iommu=pt"]}}
    child = {"sku": "child", "gpus": {"count": 4, "ecc": {"aggregate_dbe_max": 1},
                                      "idle_throttle_reasons_allowed": ["sw_power_cap"],
                                      "vbios": None}}
    assert merge(parent, child) == {
        "sku": "child",
        "gpus": {"count": 4, "ecc": {"volatile_dbe_max": 0, "aggregate_dbe_max": 1},
                 "idle_throttle_reasons_allowed": ["sw_power_cap"]},
        "system": {"kernel_cmdline": ["iommu=pt"]}}


def test_pcie_devices_merge_by_id_and_waivers_add_up() -> None:
    parent = {"pcie_devices": [{"name": "CX-7", "pci_id": "15b3:1021", "count": 8},
                               {"name": "NVMe", "pci_id": "8086:0b60", "count": 6}],
              "waivers": [{"check": "a"}]}
    child = {"pcie_devices": [{"name": "NVMe", "pci_id": "8086:0b60", "count": 2},
                              {"name": "BF-3", "pci_id": "15b3:a2dc", "count": 1}],
             "waivers": [{"check": "b"}]}
    merged = merge(parent, child)
    assert merged["pcie_devices"] == [
        {"name": "CX-7", "pci_id": "15b3:1021", "count": 8},
        {"name": "NVMe", "pci_id": "8086:0b60", "count": 2},
        {"name": "BF-3", "pci_id": "15b3:a2dc", "count": 1}]
    assert merged["waivers"] == [{"check": "a"}, {"check": "b"}]


def test_parents_merge_in_order_and_the_hash_follows_them(tmp_path: Path) -> None:
    write(tmp_path, "health", "sku: health\ngpus: {ecc: {volatile_dbe_max: 0}}\n")
    write(tmp_path, "hgx", "sku: hgx\ngpus: {count: 8, ecc: {volatile_dbe_max: 2}}\n")
    write(tmp_path, "sku1", "sku: sku1\nextends: [health, hgx]\ndescription: one\n")
    resolved = resolve("sku1", tmp_path)
    assert resolved.chain == ("sku1", "health", "hgx")
    assert resolved.profile.gpus is not None
    assert resolved.profile.gpus.count == 8
    assert resolved.profile.gpus.ecc is not None
    assert resolved.profile.gpus.ecc.volatile_dbe_max == 2
    assert resolved.profile.description == "one"
    before = resolved.sha256
    write(tmp_path, "hgx", "sku: hgx\ngpus: {count: 4}\n")
    assert resolve("sku1", tmp_path).sha256 != before


def test_a_path_can_be_given_and_parents_by_relative_path(tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    write(tmp_path / "vendor", "base", "sku: base\nnics: {mtu: 9000}\n")
    write(tmp_path / "vendor", "mine", "sku: mine\nextends: ./base.yaml\n")
    resolved = resolve(str(tmp_path / "vendor" / "mine.yaml"), tmp_path)
    assert resolved.profile.nics is not None
    assert resolved.profile.nics.mtu == 9000


XE9680 = MachineIdentity(vendor="Dell Inc.", product="PowerEdge XE9680", board="0F7C9J",
                         pci_ids=frozenset({"10de:2330", "15b3:1021"}))


def test_selection_by_dmi_then_generic(tmp_path: Path) -> None:
    write(tmp_path, "generic", "sku: generic\n")
    write(tmp_path, "xe9680", "sku: xe9680\nmatch: {vendor: dell*, product: '*XE9680'}\n")
    write(tmp_path, "virtio", "sku: virtio\nmatch: {pci_ids: ['1af4:1041']}\n")
    chosen = select(XE9680, directory=tmp_path)
    assert (chosen.resolved.name, chosen.how) == ("xe9680", "matched this machine")
    other = select(MachineIdentity(vendor="Supermicro"), directory=tmp_path)
    assert (other.resolved.name, other.how) == ("generic", "no profile matched this machine")
    assert select(XE9680, "virtio", tmp_path).resolved.name == "virtio"


def test_two_matches_and_unknown_names_are_errors(tmp_path: Path) -> None:
    write(tmp_path, "generic", "sku: generic\n")
    write(tmp_path, "a", "sku: a\nmatch: {vendor: 'Dell*'}\n")
    write(tmp_path, "b", "sku: b\nmatch: {pci_ids: ['10de:2330']}\n")
    with pytest.raises(ProfileError, match=r"profiles a and b both match this machine"):
        select(XE9680, directory=tmp_path)
    with pytest.raises(ProfileError, match=r"no profile 'hgx' \(known: a, b, generic; or give"):
        select(XE9680, "hgx", tmp_path)


def test_versions_compare_as_versions() -> None:
    assert Version("535.104.05") < Version("535.161.08") < Version("550.54.15")
    assert Version("28.39.1002") < Version("28.41.1000")
    assert Version("2.1") < Version("2.1.1")
    assert Version("96.00.74.00.01") < Version("96.00.74.00.0D") < Version("96.00.74.00.1A")
    assert Version("96.00.74.00.0d") == Version("96.00.74.00.0D")
    assert Version("1.9") < Version("1.10")
    with pytest.raises(ValueError, match=r"no digits or letters"):
        Version("..")


def test_the_most_derived_of_matching_profiles_is_chosen(tmp_path: Path) -> None:
    write(tmp_path, "generic", "sku: generic\n")
    write(tmp_path, "hgx", "sku: hgx\nmatch: {pci_ids: ['10de:2330']}\n")
    write(tmp_path, "xe", "sku: xe\nextends: hgx\nmatch: {vendor: 'Dell*'}\n")
    assert select(XE9680, directory=tmp_path).resolved.name == "xe"
