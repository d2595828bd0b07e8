"""The profile checks as a burn-in station runs them: JUnit properties, faults, waivers."""

from __future__ import annotations

import ast
import json
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hwaccept.checks.run import CHECKS
from tests.plugins.test_acceptance_runs import REPO, run_suite

H100 = REPO / "snapshots" / "hgx-h100-8gpu.tar.gz"
GPU3_SERIAL = "1650124032506"


def cases(xml: Path) -> list[dict[str, str]]:
    found = []
    for case in ET.parse(xml).iter("testcase"):
        properties = {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
        outcome = "failed" if case.find("failure") is not None else \
            "skipped" if case.find("skipped") is not None else "passed"
        found.append({"name": case.get("name", ""), "outcome": outcome, **properties})
    return found


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The H100 bundle with double-bit ECC errors on GPU 3."""
    base = tmp_path_factory.mktemp("dbe")
    with tarfile.open(H100) as tar:
        tar.extractall(base, filter="data")
    nvml = json.loads((base / "nvml.json").read_text())
    nvml["gpus"]["3"]["nvmlDeviceGetTotalEccErrors(1, 0)"] = 2
    nvml["gpus"]["3"]["nvmlDeviceGetTotalEccErrors(1, 1)"] = 2
    (base / "nvml.json").write_text(json.dumps(nvml))
    return base


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_the_h100_bundle_passes_with_every_property(pytester: pytest.Pytester, tmp_path: Path,
                                                     workers: list[str]) -> None:
    xml = tmp_path / "junit.xml"
    result = run_suite(pytester, "--hw-snapshot", str(H100), f"--junitxml={xml}", *workers)
    assert result.ret == 0, result.stdout.str()[-3000:]
    checked = [c for c in cases(xml) if "check" in c]
    assert len(checked) > 150
    assert {c["verdict"] for c in checked} <= {"PASS", "WARN", "MARGINAL", "UNKNOWN"}
    ecc = [c for c in checked if c["check"] == "gpu_ecc"]
    assert len(ecc) == 8
    gpu3 = next(c for c in ecc if c["serial"] == GPU3_SERIAL)
    assert gpu3["name"] == f"test_gpu_ecc[gpu3-{GPU3_SERIAL}]"
    assert (gpu3["component"], gpu3["component_id"], gpu3["bdf"], gpu3["model"]) == (
        "gpu", GPU3_SERIAL, "0000:5d:00.0", "NVIDIA H100 80GB HBM3")
    links = {c["name"] for c in checked if c["check"] == "pcie_link"}
    assert "test_pcie_link[0000:1a:00.0-ConnectX-7]" in links


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_planted_dbe_fails_only_that_gpus_ecc_test(pytester: pytest.Pytester, tmp_path: Path,
                                                    planted: Path, workers: list[str]) -> None:
    xml = tmp_path / "junit.xml"
    result = run_suite(pytester, "--hw-snapshot", str(planted), f"--junitxml={xml}", *workers)
    assert result.ret == 1
    failed = [c for c in cases(xml) if c["outcome"] == "failed"]
    assert [(c["name"], c["failure_code"], c["action"]) for c in failed] == [
        (f"test_gpu_ecc[gpu3-{GPU3_SERIAL}]", "GPU_ECC_DBE", "RMA_GPU")]
    result.stdout.fnmatch_lines([f"*gpu3 (SN {GPU3_SERIAL}, 0000:5d:00.0): *GPU_ECC_DBE*RMA_GPU*"])


def profile_with_waiver(directory: Path, expires: str) -> Path:
    path = directory / f"waived-{expires}.yaml"
    path.write_text(
        f"sku: waived-{expires}\nextends: {REPO / 'profiles' / 'dell-xe9680-h100.yaml'}\n"
        "waivers:\n"
        f"  - check: gpu_ecc\n    component: '{GPU3_SERIAL}'\n"
        "    reason: DBE under vendor analysis\n    ticket: RMA-4711\n"
        f"    expires: {expires}\n")
    return path


def test_a_waiver_turns_the_failure_into_xfail_until_it_expires(pytester: pytest.Pytester,
                                                                 tmp_path: Path,
                                                                 planted: Path) -> None:
    active = profile_with_waiver(tmp_path, "2099-12-31")
    result = run_suite(pytester, "--hw-snapshot", str(planted), "--hw-profile", str(active),
                       "-rx")
    assert result.ret == 0, result.stdout.str()[-3000:]
    assert result.parseoutcomes()["xfailed"] == 1
    result.stdout.fnmatch_lines(["XFAIL*test_gpu_ecc*DBE under vendor analysis*RMA-4711*"])
    expired = profile_with_waiver(tmp_path, "2020-01-31")
    result = run_suite(pytester, "--hw-snapshot", str(planted), "--hw-profile", str(expired))
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*waiver expired on 2020-01-31*"])


def test_every_check_has_exactly_one_acceptance_test() -> None:
    marked: list[str] = []
    for module in (REPO / "hwtests").glob("test_*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "hw_check":
                marked.extend(str(arg.value) for arg in node.args
                              if isinstance(arg, ast.Constant))
    assert sorted(marked) == sorted(check.name for check in CHECKS)
