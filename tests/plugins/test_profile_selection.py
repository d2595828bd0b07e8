"""Profile selection as a burn-in station meets it: header, overrides, bad profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugins.test_acceptance_runs import REPO, run_suite

H100 = REPO / "snapshots" / "hgx-h100-8gpu.tar.gz"
A100 = REPO / "snapshots" / "hgx-a100-8gpu.tar.gz"


def test_this_vm_selects_its_profile_by_pci_ids(pytester: pytest.Pytester) -> None:
    result = run_suite(pytester)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["hwaccept: profile vm-virtio (matched this machine): "
                                 f"{REPO / 'profiles' / 'vm-virtio.yaml'}, sha256 *",
                                 "hwaccept: profile merged from vm-virtio <- generic"])


def test_a_dell_xe9680_selects_the_dell_profile(pytester: pytest.Pytester) -> None:
    result = run_suite(pytester, "--hw-snapshot", str(H100), "--co")
    result.stdout.fnmatch_lines(["hwaccept: profile dell-xe9680-h100 (matched this machine)*"])


def test_no_match_says_so_loudly(pytester: pytest.Pytester) -> None:
    result = run_suite(pytester, "--hw-snapshot", str(A100), "--co")
    result.stdout.fnmatch_lines([
        "hwaccept: profile generic (no profile matched this machine)*",
        "hwaccept: !!! NO SKU PROFILE MATCHED THIS MACHINE*"])


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_hw_profile_wins_and_is_recorded_in_junit(pytester: pytest.Pytester, tmp_path: Path,
                                                  workers: list[str]) -> None:
    xml = tmp_path / "junit.xml"
    result = run_suite(pytester, "--hw-snapshot", str(A100), "--hw-profile", "hgx-a100-8gpu",
                       f"--junitxml={xml}", *workers)
    result.stdout.fnmatch_lines(["hwaccept: profile hgx-a100-8gpu (--hw-profile)*"])
    text = xml.read_text()
    assert '<property name="sku" value="hgx-a100-8gpu"' in text
    assert '<property name="profile_sha256" value="' in text


def test_an_unknown_profile_lists_the_known_ones_and_runs_nothing(
        pytester: pytest.Pytester) -> None:
    result = run_suite(pytester, "--hw-profile", "hgx-h99")
    assert result.ret == 2
    result.stderr.fnmatch_lines([f"{REPO / 'profiles'}: no profile 'hgx-h99' (known: *"
                                 "dell-xe9680-h100*generic*vm-virtio; or give a path*"])
    assert "passed" not in result.stdout.str()
    assert "Traceback" not in result.stderr.str()


def test_a_bad_profile_stops_the_run_with_every_problem(pytester: pytest.Pytester,
                                                        tmp_path: Path) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text("sku: mine\ngpu: {count: 8}\ndisks: {count: -1}\n")
    result = run_suite(pytester, "--hw-profile", str(bad))
    assert result.ret == 2
    result.stderr.fnmatch_lines([
        f"{bad}:2:1: gpu: unknown key 'gpu'; did you mean 'gpus'?",
        f"{bad}:3:16: disks.count: must be 0 or more, got -1"])
    assert "passed" not in result.stdout.str()
