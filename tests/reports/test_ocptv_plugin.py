"""`--hw-ocptv FILE` on the acceptance suite: a bundled snapshot, under xdist, a planted fault."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.plugins.test_acceptance_runs import REPO, run_suite
from tests.reports.test_ocptv_output import (
    ALLOWED_ENDS,
    Line,
    dut_info,
    hardware,
    read_lines,
    run_end,
    schema_dir,
    schema_problems,
    step_items,
)

SNAPSHOT = REPO / "snapshots" / "hgx-h100-8gpu.tar.gz"
FAULTS = json.loads((REPO / "snapshots" / "faults.json").read_text())
H100_SERIALS = {"1650124031592", "1650124008135", "1650124047722", "1650124032506",
                "1650124030635", "1650124048576", "1650124047010", "1650124007084"}


def run_with_ocptv(pytester: pytest.Pytester, snapshot: Path, *args: str,
                   ) -> tuple[pytest.RunResult, list[Line]]:
    out = pytester.path / "out" / "run.ocptv.jsonl"
    result = run_suite(pytester, "--hw-snapshot", str(snapshot), "--hw-ocptv", str(out),
                       *args)
    return result, read_lines(out)


def diagnoses(lines: list[Line]) -> Counter[tuple[str, str, str, str]]:
    """(step, type, verdict, part serial or name, or "" for none) of every diagnosis."""
    parts = hardware(lines)
    found: Counter[tuple[str, str, str, str]] = Counter()
    for step, diagnosis in step_items(lines, "diagnosis"):
        part = parts.get(diagnosis.get("hardwareInfoId", ""), {})
        found[(step, diagnosis["type"], diagnosis["verdict"],
               part.get("serialNumber") or part.get("name", ""))] += 1
    return found


def test_a_snapshot_run_writes_its_parts_and_a_pass(pytester: pytest.Pytester) -> None:
    result, lines = run_with_ocptv(pytester, SNAPSHOT)
    assert result.ret == 0, result.stdout.str()[-2000:]
    result.stdout.fnmatch_lines(["hwaccept: OCP TV output in *run.ocptv.jsonl"])
    assert run_end(lines) == ("COMPLETE", "PASS")
    assert {h.get("serialNumber") for h in hardware(lines).values()} >= H100_SERIALS
    parameters = lines[1]["testRunArtifact"]["testRunStart"]["parameters"]
    assert (parameters["system_serial"], parameters["sku"]) == ("HSR8X04", "dell-xe9680-h100")
    found = diagnoses(lines)
    assert {kind for _, kind, _, _ in found} == {"PASS"}
    assert sum(n for (step, _, _, _), n in found.items() if step == "gpu_ecc") == 8
    assert schema_dir() is None or schema_problems(lines) == []


def test_a_parallel_run_gives_the_same_diagnoses(pytester: pytest.Pytester) -> None:
    serial, serial_lines = run_with_ocptv(pytester, SNAPSHOT)
    parallel, parallel_lines = run_with_ocptv(pytester, SNAPSHOT, "-n", "2")
    outcomes = serial.parseoutcomes()
    assert outcomes.pop("deselected") > 0, "only a serial run counts the deselected burn-in"
    assert parallel.parseoutcomes() == outcomes
    assert diagnoses(parallel_lines) == diagnoses(serial_lines)
    assert dut_info(parallel_lines) == dut_info(serial_lines)
    assert len(diagnoses(serial_lines)) > 100


def test_a_planted_fault_is_a_fail_diagnosis_of_its_part(pytester: pytest.Pytester,
                                                         tmp_path: Path) -> None:
    expect = FAULTS["variants"]["gpu-ecc-dbe"]["expect"]
    [(check, planted, code)] = expect["fail"]
    snapshot = REPO / "snapshots" / "faults" / "gpu-ecc-dbe.tar.gz"
    result, lines = run_with_ocptv(pytester, snapshot, "-n", "2",
                                   f"--junitxml={tmp_path / 'junit.xml'}")
    assert result.ret == 1, result.stdout.str()[-2000:]
    failed = [d for d in diagnoses(lines) if d[1] == "FAIL"]
    assert failed == [(check, "FAIL", f"{check}-fail-{code}", planted)]
    assert planted in expect["planted"]
    assert run_end(lines) == ("COMPLETE", "FAIL")
    parameters = lines[1]["testRunArtifact"]["testRunStart"]["parameters"]
    assert parameters["profile_sha256"]
    assert run_end(lines) in ALLOWED_ENDS
    assert schema_dir() is None or schema_problems(lines) == []


def test_a_folder_for_a_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    folder = pytester.mkdir("taken")
    result = run_suite(pytester, "--hw-snapshot", str(SNAPSHOT),
                       "--hw-ocptv", str(folder))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --hw-ocptv: cannot write {folder}"])


RESULTS_OF_EVERY_KIND = '''
import pytest

GPU = (("component", "gpu"), ("check", "gpu_ecc"), ("failure_code", "GPU_ECC_DBE"),
       ("action", "RMA_GPU"))


@pytest.fixture
def broken():
    raise RuntimeError("no such device")


@pytest.fixture
def leaky():
    yield
    raise RuntimeError("left the GPU busy")


def test_judged(record_property):
    for name, value in (*GPU, ("component_id", "SN1"), ("serial", "SN1"), ("verdict", "FAIL"),
                        ("measured", "volatile_dbe=1"), ("expected", "volatile_dbe<=0")):
        record_property(name, value)
    pytest.fail("gpu0 (SN SN1): 1 DBE", pytrace=False)


def test_waived(record_property):
    for name, value in (*GPU, ("component_id", "SN2"), ("verdict", "WAIVED")):
        record_property(name, value)
    pytest.xfail("waived until 2099-01-01")


def test_setup_error(broken):
    pass


def test_teardown_error(leaky):
    pass


def test_skipped():
    pytest.skip("nothing to check")
'''


def test_results_of_every_kind_reach_the_file(pytester: pytest.Pytester) -> None:
    (pytester.path / "hwtests").mkdir()
    (pytester.path / "hwtests" / "test_kinds.py").write_text(RESULTS_OF_EVERY_KIND)
    out = pytester.path / "kinds.jsonl"
    plugins = [arg for name in ("options", "inventory", "profile", "report", "ocptv")
               for arg in ("-p", f"plugins.hw_{name}")]
    result = pytester.runpytest("hwtests", "--rootdir", str(pytester.path), *plugins,
                                "--hw-snapshot", str(SNAPSHOT),
                                "--hw-reports", "none", "--hw-ocptv", str(out),
                                "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, xfailed=1, errors=2, skipped=1, passed=1)
    lines = read_lines(out)
    assert diagnoses(lines) == Counter({
        ("gpu_ecc", "FAIL", "gpu_ecc-fail-GPU_ECC_DBE", "SN1"): 1,
        ("gpu_ecc", "PASS", "gpu_ecc-waived-GPU_ECC_DBE", "gpu SN2"): 1})
    errors = {step: e["message"] for step, e in step_items(lines, "error")}
    assert errors.keys() == {"test_setup_error", "test_teardown_error"}
    assert "no such device" in errors["test_setup_error"]
    assert "left the GPU busy" in errors["test_teardown_error"]
    assert [log["message"] for _, log in step_items(lines, "log")] == [
        "hwtests/test_kinds.py::test_skipped: not judged: nothing to check"]
    assert [(m["name"], m["value"]) for _, m in step_items(lines, "measurement")] == [
        ("volatile_dbe", 1)]
    assert run_end(lines) == ("COMPLETE", "FAIL")
    assert dut_info(lines)["dutInfoId"] == "HSR8X04"
