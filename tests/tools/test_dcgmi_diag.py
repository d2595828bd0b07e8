"""`dcgmi diag -j` documents of three DCGM generations, from tests/fixtures/burnin."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from hwaccept.tools.dcgmi_diag import (
    DcgmDiag,
    DcgmDiagError,
    DiagMeasurement,
    DiagResult,
    DiagTest,
    DiagWarning,
    parse_dcgmi_diag,
    parse_diag_test,
)
from tests.corpus import fixture

DCGM3 = "dcgm_virtualclient_dcgmi-diag-r3-j_1xGPU_pass.json"
NVVS13 = "dcgm_nvvs-1.3_diag-json_4xGPU_sm-stress-FAIL_EXTRACTED.json"
NVVS17 = "dcgm_nvvs-1.7_diag-json_4xGPU_per-gpu-error-ids_EDITED.json"
DCGM4_TEST = "dcgm_issue215_dcgmi-diag-r4-j_v4_8xGPU_diagnostic-test_FRAGMENT.json"
MALFORMED = "dcgm_virtualclient_dcgmi-diag-j_malformed-no-test-categories_EDITED.json"

DEPLOYMENT_3X = ("Denylist", "NVML Library", "CUDA Main Library", "Permissions and OS Blocks",
                 "Persistence Mode", "Environment Variables", "Page Retirement/Row Remap",
                 "Graphics Processes", "Inforom")
DEPLOYMENT_NVVS = ("Denylist", "NVML Library", "CUDA Main Library",
                   "Permissions and OS-related Blocks", "Persistence Mode",
                   "Environmental Variables", "Page Retirement/Row Remap", "Graphics Processes",
                   "Inforom")
FOUR_GPUS = (0, 1, 2, 3)
ALLOCATED = "Allocated 16583361795 bytes (97.2%)"
PCIE_13 = {  # GPU -> GPU to Host, Host to GPU, bidirectional bandwidth; the three latencies
    0: (13.08, 12.13, 22.42, 4.386, 4.200, 7.482),
    1: (13.07, 12.13, 22.41, 3.269, 3.228, 6.525),
    2: (13.07, 12.13, 22.41, 2.698, 3.016, 5.507),
    3: (13.07, 12.13, 22.41, 2.349, 2.996, 4.785),
}
PCIE_NAMES = ("gpu_to_host_bandwidth_gbps", "host_to_gpu_bandwidth_gbps",
              "bidirectional_bandwidth_gbps", "gpu_to_host_latency_us", "host_to_gpu_latency_us",
              "bidirectional_latency_us")
PCIE_TEXT = ("GPU {gpu} GPU to Host bandwidth:\t\t{0:.2f} GB/s",
             "GPU {gpu} Host to GPU bandwidth:\t\t{1:.2f} GB/s",
             "GPU {gpu} bidirectional bandwidth:\t{2:.2f} GB/s",
             "GPU {gpu} GPU to Host latency:\t\t{3:.3f} us",
             "GPU {gpu} Host to GPU latency:\t\t{4:.3f} us",
             "GPU {gpu} bidirectional latency:\t\t{5:.3f} us")
"""The PCIe plugin's info lines of NVVS 1.x, one per GPU and value."""


def sample(name: str) -> str:
    path = fixture(f"burnin/{name}")
    if not path.is_file():
        pytest.skip(f"fixture file missing: {path}")
    return path.read_text(encoding="utf-8")


def result(gpus: tuple[int, ...], status: str, *, warnings: tuple[DiagWarning, ...] = (),
           info: tuple[str, ...] = (),
           measurements: tuple[DiagMeasurement, ...] = ()) -> DiagResult:
    return DiagResult(gpus, status, warnings, info, measurements)


def plain(message: str) -> DiagWarning:
    """A warning of NVVS 1.3, printed as a bare string without error codes."""
    return DiagWarning(message, None, None, None)


def gauge(gpu: int, name: str, value: float) -> DiagMeasurement:
    return DiagMeasurement(gpu, name, value)


def passing_deployment(names: tuple[str, ...], gpus: tuple[int, ...]) -> tuple[DiagTest, ...]:
    return tuple(DiagTest("Deployment", name, (result(gpus, "Pass"),), None) for name in names)


def test_dcgm3_single_gpu_run_with_measurements_in_joined_info() -> None:
    pcie_info = (
        "GPU 0 GPU 0 GPU to Host bandwidth:\t\t13.15 GB/s, GPU 0 GPU 0 Host to GPU "
        "bandwidth:\t\t13.11 GB/s, GPU 0 GPU 0 bidirectional bandwidth:\t22.48 GB/s, GPU 0 GPU 0 "
        "GPU to Host latency:\t\t2.309 us, GPU 0 GPU 0 Host to GPU latency:\t\t2.401 us, GPU 0 "
        "GPU 0 bidirectional latency:\t\t4.621 us")
    pcie = tuple(gauge(0, name, value) for name, value in zip(
        PCIE_NAMES, (13.15, 13.11, 22.48, 2.309, 2.401, 4.621), strict=True))
    diagnostic_info = (
        "GPU 0 Allocated space for 408 output matricies from 13826359296 bytes available., GPU 0 "
        "Running with precisions: FP64 0, FP32 1, FP16 1, GPU 0 GPU 0 calculated at "
        "approximately 11103.02 gigaflops during this test")
    assert parse_dcgmi_diag(sample(DCGM3)) == DcgmDiag(
        version=None, driver_version=None, runtime_error=None, serials={},
        tests=(*passing_deployment(DEPLOYMENT_3X, ()),
               DiagTest("Integration", "PCIe", (
                   result((0,), "Pass", info=(pcie_info,), measurements=pcie),), None),
               DiagTest("Hardware", "GPU Memory", (
                   result((0,), "Pass", info=("GPU 0 Allocated 15206918958 bytes (97.3%)",),
                          measurements=(gauge(0, "memory_allocated_bytes", 15206918958),)),),
                        None),
               DiagTest("Hardware", "Diagnostic", (
                   result((0,), "Pass", info=(diagnostic_info,),
                          measurements=(gauge(0, "gflops", 11103.02),)),), None),
               DiagTest("Hardware", "EUD Test", (result((0,), "Skip"),), None),
               DiagTest("Stress", "Targeted Stress", (
                   result((0,), "Pass", info=("GPU 0 GPU 0 relative stress level\t3184",),
                          measurements=(gauge(0, "relative_stress_level", 3184),)),), None),
               DiagTest("Stress", "Targeted Power", (
                   result((0,), "Pass", info=("GPU 0 GPU 0 power average:\t70 W",),
                          measurements=(gauge(0, "power_average_w", 70),)),), None),
               DiagTest("Stress", "Memory Bandwidth", (result((0,), "Pass"),), None)))


def pcie_13_info() -> tuple[str, ...]:
    return tuple(line.format(*PCIE_13[gpu], gpu=gpu) for line in PCIE_TEXT for gpu in FOUR_GPUS)


def pcie_13_measurements() -> tuple[DiagMeasurement, ...]:
    return tuple(gauge(gpu, name, PCIE_13[gpu][column])
                 for column, name in enumerate(PCIE_NAMES) for gpu in FOUR_GPUS)


def test_nvvs13_four_gpus_failing_sm_stress() -> None:
    stress_level = "Max stress level of {} did not exceed desired stress level of 3000.0 for GPU {}"
    memory = (result((0,), "Skip", warnings=(plain(
                  'ECC memory on this card is not currently active. Please use "nvidia-smi -i 0'
                  ' -e 1" to enable and reboot.'),)),
              *(result((gpu,), "Pass", info=(ALLOCATED,),
                       measurements=(gauge(gpu, "memory_allocated_bytes", 16583361795),))
                for gpu in (1, 2, 3)))
    sm_stress = result(FOUR_GPUS, "Fail", warnings=tuple(
        plain(stress_level.format(level, gpu)) for level, gpu in (("2128.7", 0), ("1096.5", 2),
                                                                  ("1099.7", 3))),
        info=("GPU 0 temperature average:\t31 C", "GPU 1 relative stress level:\t577",
              "GPU 1 temperature average:\t32 C", "GPU 2 temperature average:\t30 C",
              "GPU 3 temperature average:\t33 C"),
        measurements=(gauge(0, "temperature_average_c", 31),
                      gauge(1, "relative_stress_level", 577),
                      gauge(1, "temperature_average_c", 32), gauge(2, "temperature_average_c", 30),
                      gauge(3, "temperature_average_c", 33)))
    assert parse_dcgmi_diag(sample(NVVS13)) == DcgmDiag(
        version="1.3", driver_version=None, runtime_error=None, serials={},
        tests=(*passing_deployment(DEPLOYMENT_NVVS, FOUR_GPUS),
               DiagTest("Hardware", "memory", memory, None),
               DiagTest("Hardware", "diagnostic", (result(FOUR_GPUS, "Skip", warnings=(
                   plain("Unable to find hardware diagnostic, skipping this test."),)),), None),
               DiagTest("Integration", "pcie", (
                   result(FOUR_GPUS, "Pass", info=pcie_13_info(),
                          measurements=pcie_13_measurements()),), None),
               DiagTest("Stress", "memory_bandwidth", (result(FOUR_GPUS, "Skip", warnings=(
                   plain("The memory bandwidth test is skipped for this GPU."),)),), None),
               DiagTest("Stress", "sm_stress", (sm_stress,), None),
               DiagTest("Stress", "targeted_stress", (result(FOUR_GPUS, "Skip"),), None),
               DiagTest("Stress", "targeted_power", (result(FOUR_GPUS, "Skip"),), None)))


def test_nvvs17_per_gpu_results_carry_dcgm_error_codes() -> None:
    diag = parse_dcgmi_diag(sample(NVVS17))
    tests = {test.name: test for test in diag.tests}
    assert (diag.version, len(diag.tests)) == ("1.7", 17)
    assert tests["Fabric Manager"] == passing_deployment(("Fabric Manager",), FOUR_GPUS)[0]
    assert tests["memory"].results[0] == result((0,), "Skip", warnings=(DiagWarning(
        'ECC memory on GPU 0 is not currently active. Please use "nvidia-smi -i 0 -e 1" to '
        "enable and reboot.", error_id=55, error_category=11, error_severity=2),))
    assert tests["sm_stress"] == DiagTest("Stress", "sm_stress", (
        result((0,), "Fail", info=("GPU 0 temperature average:\t31 C",),
               measurements=(gauge(0, "temperature_average_c", 31),), warnings=(DiagWarning(
                   "Max stress level of 2128.7 did not exceed desired stress level of 3000.0 "
                   "for GPU 0", error_id=50, error_category=9, error_severity=1),)),
        result((1,), "Pass",
               info=("GPU 1 relative stress level:\t577", "GPU 1 temperature average:\t32 C"),
               measurements=(gauge(1, "relative_stress_level", 577),
                             gauge(1, "temperature_average_c", 32))),
        result((2,), "Fail", info=("GPU 2 temperature average:\t30 C",),
               measurements=(gauge(2, "temperature_average_c", 30),), warnings=(DiagWarning(
                   "Max stress level of 1096.5 did not exceed desired stress level of 3000.0 "
                   "for GPU 2", error_id=50, error_category=9, error_severity=1),)),
        result((3,), "Fail", info=("GPU 3 temperature average:\t33 C",),
               measurements=(gauge(3, "temperature_average_c", 33),), warnings=(DiagWarning(
                   "Max stress level of 1099.7 did not exceed desired stress level of 3000.0 "
                   "for GPU 3", error_id=50, error_category=9, error_severity=1),)),
    ), None)


def test_dcgm4_test_entry_with_entities_and_summary() -> None:
    allocated = "Allocated space for 138 output matricies from 76077622886 bytes available."
    precisions = "Running with precisions: FP64 1, FP32 1, FP16 1"

    def gflops(gpu: int) -> DiagResult:
        line = f"GPU {gpu} calculated at approximately 859.08 gigaflops during this test"
        return result((gpu,), "Pass", info=(allocated, precisions, line),
                      measurements=(gauge(gpu, "gflops", 859.08),))

    data = json.loads(sample(DCGM4_TEST))
    assert parse_diag_test(data, "Hardware") == DiagTest("Hardware", "diagnostic", (
        gflops(0), gflops(1), result((2,), "Pass", info=(allocated, precisions)),
        *(result((gpu,), "Pass") for gpu in range(3, 8))), summary=result((), "Pass"))


def test_dcgm4_document_around_the_test_entry() -> None:
    """The 4.x envelope, keys as `dcgmi/Diag.cpp` writes them, around the captured entry.

    The versions are those of DCGM issue #282's 4.4.1 run; the serial is made up.
    """
    test = json.loads(sample(DCGM4_TEST))
    document = {"DCGM Diagnostic": {"test_categories": [{"category": "Hardware",
                                                         "tests": [test]}]},
                "entity_groups": [{"entity_group": "GPU", "entity_group_id": 1,
                                   "entities": [{"entity_id": 0, "serial_num": "1654922004712",
                                                 "device_id": "2330"}]}],
                "metadata": {"version": "4.4.1", "Driver Version Detected": "580.95.05"}}
    diag = parse_dcgmi_diag(json.dumps(document))
    assert (diag.version, diag.driver_version, diag.runtime_error, diag.serials) == (
        "4.4.1", "580.95.05", None, {0: "1654922004712"})
    assert diag.tests == (parse_diag_test(test, "Hardware"),)


def test_lines_before_the_json_are_skipped() -> None:
    text = "Successfully ran diagnostic for group.\n" + sample(DCGM3)
    assert parse_dcgmi_diag(text) == parse_dcgmi_diag(sample(DCGM3))


def replace_once(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new, 1)


@pytest.mark.parametrize(("name", "edit", "message"), [
    pytest.param(MALFORMED, None, "no 'DCGM GPU Diagnostic' or 'DCGM Diagnostic' object",
                 id="root-is-a-list"),
    pytest.param(DCGM3, lambda text: text[:len(text) // 2], "not JSON (", id="truncated"),
    pytest.param(DCGM3, replace_once('"status" : "Pass"', '"status" : "Passed"'),
                 "Denylist: unknown status 'Passed'", id="unknown-status"),
    pytest.param(DCGM3, replace_once('"status" : "Pass"', '"state" : "Pass"'),
                 "Denylist: a result without a status: {'state': 'Pass'}", id="no-status"),
    pytest.param(DCGM3, replace_once('"gpu_ids" : "0"', '"gpu_ids" : "GPU0"'),
                 "PCIe: GPU ids are not numbers: 'GPU0'", id="gpu-id-not-a-number"),
    pytest.param(DCGM3, replace_once('"name" : "Denylist",', ""),
                 "a test without a name in category 'Deployment'", id="test-without-name"),
    pytest.param(DCGM3, replace_once('"DCGM GPU Diagnostic"', '"DCGM Report"'),
                 "no 'DCGM GPU Diagnostic' or 'DCGM Diagnostic' object", id="other-root"),
    pytest.param(NVVS13, replace_once('"version": "1.3"', '"version": 1.3'),
                 "version, driver version or runtime_error is not a string", id="version-number"),
])
def test_malformed_documents_name_the_problem(name: str, edit: Callable[[str], str] | None,
                                              message: str) -> None:
    text = sample(name) if edit is None else edit(sample(name))
    with pytest.raises(DcgmDiagError, match="^" + re.escape(message)) as caught:
        parse_dcgmi_diag(text)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty output where `dcgmi diag -j` prints a JSON object"),
    ("Error: unable to establish a connection to the specified host: localhost\n",
     "not JSON ("),
    ("[]", "expected a JSON object from `dcgmi diag -j`, got an array"),
])
def test_output_that_is_not_a_document(text: str, message: str) -> None:
    with pytest.raises(DcgmDiagError, match="^" + re.escape(message)):
        parse_dcgmi_diag(text)
