"""A run written as OCP TV JSON lines, from a run built here and a bundled snapshot.

The lines are checked against the OCP TV output schema: the JSON Schema files of
github.com/opencomputeproject/ocp-diag-core, `json_spec/output/*.json` (commit
5708d0c1f70f44c82f9a8743b6ab8f4a489c48ac, the spec version ocptv 0.1.7 names; unchanged up
to 8fae3f573a0aeb07d4fd78855f0ba2e464a8a2ad), kept in tests/fixtures/ocptv (see its
SOURCES.md) and looked for in SCHEMA_DIRS.
Every line is also checked for what the schema cannot say: sequence, references, and the
status and result pairs the spec allows.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from ocptv.output import Dut
from ocptv.output import TestRun as OcptvRun
from ocptv.output.config import Writer, get_config

from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import Gpu, Inventory
from hwaccept.reports.model import CaseResult, RunReport
from hwaccept.reports.ocptv_output import write_ocptv
from hwaccept.sources import open_sources

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO / "snapshots" / "hgx-h100-8gpu.tar.gz"
SCHEMA_DIRS = (REPO / "tests" / "fixtures" / "ocptv",
               REPO.parent / "shared" / "corpus" / "ocp-diag-core" / "json_spec" / "output")
ALLOWED_ENDS = {("COMPLETE", "PASS"), ("COMPLETE", "FAIL"), ("ERROR", "NOT_APPLICABLE"),
                ("SKIP", "NOT_APPLICABLE")}

Line = dict[str, Any]


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return build_inventory(open_sources(str(SNAPSHOT)))


def gpu_case(gpu: Gpu, check: str, outcome: str, verdict: str, **more: str) -> CaseResult:
    properties = {"component": "gpu", "component_id": gpu.serial or "", "serial": gpu.serial,
                  "bdf": gpu.pci_address, "model": gpu.name, "check": check,
                  "verdict": verdict, **more}
    return CaseResult(f"hwtests/test_gpu.py::test_{check}[gpu{gpu.index}-{gpu.serial}]",
                      outcome, 0.01, more.get("message", ""),
                      tuple((k, v) for k, v in properties.items() if v is not None))


def mixed_cases(gpus: tuple[Gpu, ...]) -> tuple[CaseResult, ...]:
    return (
        gpu_case(gpus[0], "gpu_ecc", "failed", "FAIL", measured="volatile_dbe=1",
                 expected="volatile_dbe<=0", failure_code="GPU_ECC_DBE", action="RMA_GPU",
                 message="volatile uncorrectable (DBE) 1, at most 0 allowed"),
        gpu_case(gpus[1], "gpu_ecc", "passed", "PASS", measured="volatile_dbe=0",
                 expected="volatile_dbe<=0", message="no uncorrectable errors"),
        gpu_case(gpus[1], "gpu_memory", "passed", "PASS", measured="79.65",
                 expected=">= 74.5", unit="GiB", message="79.65 GiB"),
        gpu_case(gpus[2], "gpu_power_limit", "passed", "MARGINAL", measured="697",
                 expected="650 .. 700 (marginal above 665)", unit="W",
                 failure_code="GPU_POWER_LIMIT", action="INSPECT",
                 message="697 W, near a bound of 650 .. 700"),
        gpu_case(gpus[3], "gpu_nvlinks", "skipped", "UNKNOWN", expected="18 links",
                 message="the NVLinks not known"),
        gpu_case(gpus[4], "gpu_retired_pages", "error", "PASS",
                 message="fixture 'finding' broke"),
        gpu_case(gpus[5], "gpu_ecc", "xfailed", "WAIVED", failure_code="GPU_ECC_DBE",
                 action="RMA_GPU", message="waived until 2099-01-01 (ticket HW-1)"),
        CaseResult("hwtests/test_system.py::test_system_bios[not-asked]", "skipped", 0.0,
                   "profile dell-xe9680-h100 does not ask for system_bios"),
    )


def read_lines(path: Path) -> list[Line]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(tmp_path: Path, run: RunReport, inventory: Inventory | None) -> list[Line]:
    path = tmp_path / "run.ocptv.jsonl"
    write_ocptv(str(path), run, inventory)
    return read_lines(path)


def dut_info(lines: list[Line]) -> dict[str, Any]:
    info: dict[str, Any] = lines[1]["testRunArtifact"]["testRunStart"]["dutInfo"]
    return info


def hardware(lines: list[Line]) -> dict[str, dict[str, str]]:
    return {h["hardwareInfoId"]: h for h in dut_info(lines).get("hardwareInfos", [])}


def step_items(lines: list[Line], kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(step name, artifact) of each step artifact of `kind` (diagnosis, measurement...)."""
    names: dict[str, str] = {}
    found = []
    for line in lines:
        step = line.get("testStepArtifact", {})
        if "testStepStart" in step:
            names[step["testStepId"]] = step["testStepStart"]["name"]
        if kind in step:
            found.append((names[step["testStepId"]], step[kind]))
    return found


def run_end(lines: list[Line]) -> tuple[str, str]:
    end = lines[-1]["testRunArtifact"]["testRunEnd"]
    return end["status"], end["result"]


@pytest.fixture
def mixed(tmp_path: Path, inventory: Inventory) -> list[Line]:
    run = RunReport("test", {"system_serial": "HSR8X04", "sku": "dell-xe9680-h100"},
                    mixed_cases(inventory.gpus))
    return write(tmp_path, run, inventory)


def test_lines_are_a_well_formed_run(mixed: list[Line]) -> None:
    assert [line["sequenceNumber"] for line in mixed] == list(range(len(mixed)))
    for line in mixed:
        stamp = datetime.datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00"))
        assert stamp.tzinfo is not None
        assert len(set(line) & {"schemaVersion", "testRunArtifact", "testStepArtifact"}) == 1
    assert mixed[0]["schemaVersion"] == {"major": 2, "minor": 0}
    assert "testRunStart" in mixed[1]["testRunArtifact"]
    assert run_end(mixed) in ALLOWED_ENDS
    started = [name for name, _ in step_items(mixed, "testStepStart")]
    assert len(started) == len(set(started)) == 6
    assert started == [name for name, _ in step_items(mixed, "testStepEnd")]


def test_every_reference_names_a_declared_part(mixed: list[Line]) -> None:
    declared = hardware(mixed)
    referenced = [item.get("hardwareInfoId") for kind in ("diagnosis", "measurement")
                  for _, item in step_items(mixed, kind)]
    assert referenced
    assert set(referenced) <= set(declared)


def test_dut_lists_every_gpu_with_serial_and_vbios(mixed: list[Line],
                                                   inventory: Inventory) -> None:
    by_serial = {h.get("serialNumber"): h for h in hardware(mixed).values()}
    software = {s["name"]: s for s in dut_info(mixed)["softwareInfos"]}
    assert len(inventory.gpus) == 8
    for gpu in inventory.gpus:
        part = by_serial[gpu.serial]
        assert (part["location"], part["partNumber"]) == (gpu.pci_address,
                                                          gpu.board_part_number)
        vbios = software[f"GPU {gpu.index} VBIOS"]
        assert (vbios["version"], vbios["softwareType"]) == (gpu.vbios_version, "FIRMWARE")
    assert software["NVIDIA driver"]["version"] == inventory.nvidia.driver_version


def test_dut_lists_the_system_switches_adapters_and_disks(mixed: list[Line],
                                                          inventory: Inventory) -> None:
    info = dut_info(mixed)
    parts = list(hardware(mixed).values())
    software = {s["name"]: s["version"] for s in info["softwareInfos"]}
    assert info["dutInfoId"] == "HSR8X04"
    assert parts[0] == {"hardwareInfoId": "HSR8X04_0", "name": "Dell Inc. PowerEdge XE9680",
                        "serialNumber": "HSR8X04", "manufacturer": "Dell Inc."}
    locations = {p.get("location") for p in parts}
    assert {s.pci_address for s in inventory.nvswitches} <= locations
    for port in inventory.ib_ports:
        assert software[f"{port.device} firmware"] == port.firmware_version
    for disk in inventory.disks:
        assert software[f"{disk.name} firmware"] == disk.firmware
    assert {"info": "SKU profile dell-xe9680-h100"} in info["platformInfos"]


def test_a_failing_case_is_a_fail_diagnosis_of_its_gpu(mixed: list[Line],
                                                       inventory: Inventory) -> None:
    parts = hardware(mixed)
    diagnoses = [d for name, d in step_items(mixed, "diagnosis") if name == "gpu_ecc"]
    by_serial: dict[str | None, dict[str, Any]] = {
        parts[d["hardwareInfoId"]]["serialNumber"]: d for d in diagnoses}
    failed = by_serial[inventory.gpus[0].serial]
    assert (failed["type"], failed["verdict"]) == ("FAIL", "gpu_ecc-fail-GPU_ECC_DBE")
    assert failed["message"].endswith("— GPU_ECC_DBE → RMA_GPU")
    assert by_serial[inventory.gpus[1].serial]["type"] == "PASS"
    assert run_end(mixed) == ("COMPLETE", "FAIL")


def test_numbers_are_measurements_with_validators(mixed: list[Line],
                                                  inventory: Inventory) -> None:
    parts = hardware(mixed)
    measured = {m["name"]: m for _, m in step_items(mixed, "measurement")}
    memory = measured["gpu_memory"]
    assert (memory["value"], memory["unit"]) == (79.65, "GiB")
    assert [(v["type"], v["value"]) for v in memory["validators"]] == [
        ("GREATER_THAN_OR_EQUAL", 74.5)]
    assert parts[memory["hardwareInfoId"]]["serialNumber"] == inventory.gpus[1].serial
    power = measured["gpu_power_limit"]
    assert [(v["type"], v["value"]) for v in power["validators"]] == [
        ("GREATER_THAN_OR_EQUAL", 650), ("LESS_THAN_OR_EQUAL", 700)]
    dbe = [m for name, m in step_items(mixed, "measurement") if m["name"] == "volatile_dbe"]
    assert [(m["value"], m["validators"][0]["type"]) for m in dbe] == [
        (1, "LESS_THAN_OR_EQUAL"), (0, "LESS_THAN_OR_EQUAL")]


def test_marginal_and_waived_pass_with_their_verdict_named(mixed: list[Line]) -> None:
    verdicts = {d["verdict"]: d["type"] for _, d in step_items(mixed, "diagnosis")}
    assert verdicts["gpu_power_limit-marginal-GPU_POWER_LIMIT"] == "PASS"
    assert verdicts["gpu_ecc-waived-GPU_ECC_DBE"] == "PASS"


def test_what_was_not_judged_is_a_log_or_an_error(mixed: list[Line]) -> None:
    judged_steps = {name for name, _ in step_items(mixed, "diagnosis")}
    assert judged_steps == {"gpu_ecc", "gpu_memory", "gpu_power_limit"}
    logs = {name: log for name, log in step_items(mixed, "log")}
    assert logs["gpu_nvlinks"]["severity"] == "WARNING"
    assert "the NVLinks not known" in logs["gpu_nvlinks"]["message"]
    assert logs["test_system_bios"]["severity"] == "INFO"
    errors = step_items(mixed, "error")
    assert [(name, e["symptom"]) for name, e in errors] == [("gpu_retired_pages", "test-error")]
    assert "fixture 'finding' broke" in errors[0][1]["message"]
    ends = {name: end["status"] for name, end in step_items(mixed, "testStepEnd")}
    assert ends == {"gpu_ecc": "COMPLETE", "gpu_memory": "COMPLETE",
                    "gpu_power_limit": "COMPLETE", "gpu_nvlinks": "SKIP",
                    "gpu_retired_pages": "ERROR", "test_system_bios": "SKIP"}


@pytest.mark.parametrize(("outcomes", "complete", "end"), [
    (("passed", "passed"), True, ("COMPLETE", "PASS")),
    (("passed", "failed"), True, ("COMPLETE", "FAIL")),
    (("passed", "error"), True, ("COMPLETE", "FAIL")),
    (("skipped", "skipped"), True, ("SKIP", "NOT_APPLICABLE")),
    ((), True, ("SKIP", "NOT_APPLICABLE")),
    (("passed", "failed"), False, ("ERROR", "NOT_APPLICABLE")),
])
def test_run_status_and_result(tmp_path: Path, inventory: Inventory, outcomes: tuple[str, ...],
                               complete: bool, end: tuple[str, str]) -> None:
    verdicts = {"passed": "PASS", "failed": "FAIL", "error": "PASS", "skipped": "UNKNOWN"}
    cases = tuple(gpu_case(gpu, "gpu_ecc", outcome, verdicts[outcome])
                  for gpu, outcome in zip(inventory.gpus, outcomes, strict=False))
    lines = write(tmp_path, RunReport("test", {}, cases, complete), inventory)
    assert run_end(lines) == end
    symptoms = [line["testRunArtifact"]["error"]["symptom"] for line in lines
                if "error" in line.get("testRunArtifact", {})]
    assert symptoms == ([] if complete else ["run-incomplete"])


class ListWriter(Writer):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, buffer: str) -> None:
        self.lines.append(buffer)


def test_ocptv_configuration_is_left_as_it_was(tmp_path: Path, inventory: Inventory) -> None:
    config = get_config()
    original = config.writer
    mine = ListWriter()
    config.writer = mine
    try:
        write(tmp_path, RunReport("test", {}, mixed_cases(inventory.gpus)), inventory)
        assert config.writer is mine
        assert mine.lines == []
        OcptvRun("other", "1").start(dut=Dut(id="other"))
    finally:
        config.writer = original
    assert '"name": "other"' in mine.lines[-1]


def test_without_inventory_the_cases_name_the_parts(tmp_path: Path,
                                                    inventory: Inventory) -> None:
    run = RunReport("test", {"system_serial": "HSR8X04"}, mixed_cases(inventory.gpus))
    lines = write(tmp_path, run, None)
    parts = hardware(lines)
    assert "softwareInfos" not in dut_info(lines) or not any(
        "VBIOS" in s["name"] for s in dut_info(lines)["softwareInfos"])
    failed = [d for _, d in step_items(lines, "diagnosis") if d["type"] == "FAIL"]
    assert [parts[d["hardwareInfoId"]]["serialNumber"] for d in failed] == [
        inventory.gpus[0].serial]
    assert parts[failed[0]["hardwareInfoId"]]["location"] == inventory.gpus[0].pci_address


def schema_dir() -> Path | None:
    return next((d for d in SCHEMA_DIRS if (d / "root.json").is_file()), None)


def schema_problems(lines: list[Line]) -> list[str]:
    """What the OCP TV output schema finds wrong with each line (skips without it)."""
    directory = schema_dir()
    if directory is None:
        pytest.skip("no OCP TV JSON Schema: put ocp-diag-core's json_spec/output/*.json in "
                    f"one of {', '.join(map(str, SCHEMA_DIRS))}")
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    schemas = [json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))]
    registry = referencing.Registry().with_resources(
        (s["$id"], referencing.Resource.from_contents(s)) for s in schemas)
    root = json.loads((directory / "root.json").read_text())
    validator = jsonschema.Draft202012Validator(root, registry=registry)
    return [f"line {i}: {error.message}" for i, line in enumerate(lines)
            for error in validator.iter_errors(line)]


def test_lines_follow_the_ocp_tv_schema(mixed: list[Line]) -> None:
    assert schema_problems(mixed) == []
    broken = json.loads(json.dumps(mixed[-1]).replace('"COMPLETE"', '"DONE"'))
    assert schema_problems([broken])
