"""`hwaccept profile ...` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from hwaccept.cli.profile import schema_json
from hwaccept.profiles.catalog import resolve
from tests.cli.test_cli import hwaccept

ROOT = Path(__file__).resolve().parents[2]
H100 = ROOT / "snapshots" / "hgx-h100-8gpu.tar.gz"


def test_validate_reports_every_problem_of_every_file(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("sku: good\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("sku: bad\ngpus:\n  cout: 8\n  count: 8\n  count: 4\n")
    typo = tmp_path / "typo.yaml"
    typo.write_text("sku: typo\nnic: {}\n")
    done = hwaccept("profile", "validate", str(good), str(bad), str(typo))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{bad}:5:3: gpus.count: duplicate key (first given at line 4); YAML would keep only "
        "the last",
        f"{typo}:2:1: nic: unknown key 'nic'; did you mean 'nics'?",
        "hwaccept: 2 problems in 2 of 3 files",
    ]
    ok = hwaccept("profile", "validate", str(good))
    assert (ok.returncode, ok.stderr) == (0, "1 profile valid\n")


def test_show_prints_the_merged_profile(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("sku: base\ngpus: {count: 8, ecc_mode: true}\n")
    child = tmp_path / "child.yaml"
    child.write_text("sku: child\nextends: base\ngpus: {count: 4}\n")
    done = hwaccept("profile", "show", str(child))
    assert done.returncode == 0, done.stderr
    header, _, body = done.stdout.partition("\nsku:")
    assert f"# child: {child}" in header
    assert "# merged from: child <- base" in header
    assert yaml.safe_load("sku:" + body) == {"sku": "child", "gpus": {"count": 4,
                                                                      "ecc_mode": True}}
    missing = hwaccept("profile", "show", "no-such-sku")
    assert missing.returncode == 2
    assert "no profile 'no-such-sku' (known: " in missing.stderr


def test_the_shipped_schema_is_the_models_schema() -> None:
    assert (ROOT / "profiles" / "schema.json").read_text() == schema_json()
    assert json.loads(schema_json())["properties"]["gpus"]


def test_init_drafts_a_valid_profile_from_the_h100_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "xe9680-golden.yaml"
    done = hwaccept("profile", "init", "--from-snapshot", str(H100), "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    drafted = resolve(str(out)).profile
    assert drafted.sku == "xe9680-golden"
    assert drafted.match is not None
    assert (drafted.match.vendor, drafted.match.product) == ("Dell Inc.", "PowerEdge XE9680")
    assert drafted.gpus is not None
    assert (drafted.gpus.count, drafted.gpus.pci_id, drafted.gpus.pcie_gen,
            drafted.gpus.pcie_width) == (8, "10de:2330", 5, 16)
    assert drafted.nvswitches is not None
    assert drafted.nvswitches.count == 4
    ids = {d.pci_id: d.count for d in drafted.pcie_devices or ()}
    assert (ids["10de:2330"], ids["15b3:1021"], ids["8086:0b60"]) == (8, 8, 6)
    assert drafted.infiniband is not None
    assert drafted.infiniband.count == 12
    assert drafted.system is None


def test_check_lists_disagreements_and_exits_1(tmp_path: Path) -> None:
    a100 = ROOT / "snapshots" / "hgx-a100-8gpu.tar.gz"
    agree = hwaccept("profile", "check", "hgx-a100-8gpu", "--snapshot", str(a100))
    assert agree.returncode == 0, agree.stdout + agree.stderr
    assert agree.stdout.splitlines()[-1].endswith("PASS")
    differ = hwaccept("profile", "check", "hgx-h100-8gpu", "--snapshot", str(a100), "--json")
    assert differ.returncode == 1
    report = json.loads(differ.stdout)
    failed = {(f["check"], f["failure_code"]) for f in report["findings"]
              if f["verdict"] == "FAIL"}
    assert ("gpu_model", "GPU_MODEL") in failed
    assert ("nvswitch_count", "NVSWITCH_COUNT") in failed
    unknown = hwaccept("profile", "check", "hgx-h99", "--snapshot", str(a100))
    assert unknown.returncode == 2
    assert "no profile 'hgx-h99'" in unknown.stderr


def test_a_drafted_profile_passes_on_its_golden_machine(tmp_path: Path) -> None:
    out = tmp_path / "golden.yaml"
    assert hwaccept("profile", "init", "--from-snapshot", str(H100), "-o",
                    str(out)).returncode == 0
    done = hwaccept("profile", "check", str(out), "--snapshot", str(H100))
    assert done.returncode == 0, done.stdout
    assert " FAIL" not in done.stdout
