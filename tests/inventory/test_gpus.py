"""GPU records from NVML recordings and from a stand-in library with NVLinks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pynvml

from hwaccept.inventory.gpus import read_driver, read_gpus, throttle_names
from hwaccept.inventory.records import (
    EccCounts,
    FabricInfo,
    Gpu,
    NvidiaDriver,
    NvLink,
    RemappedRows,
)
from hwaccept.sources.nvml import LiveNvml, ReplayNvml
from tests.sources.test_nvml import FakeLibrary, Raise

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "nvml" / "h100-xe9680-gpu0-1.json"


def h100_gpu0(driver: NvidiaDriver) -> Gpu:
    return Gpu(
        index=0, uuid="GPU-ee7954ec-da95-fd7a-ddfd-c6b32cc2f8aa", serial="1650124031592",
        board_part_number="692-2G520-0200-000", name="NVIDIA H100 80GB HBM3",
        pci_address="0000:19:00.0", pci_device_id="2330", memory_total_bytes=81559 * 2**20,
        vbios_version="96.00.74.00.0D", inforom_image_version="G520.0200.00.05",
        driver_version=driver.driver_version, cuda_driver_version="12.2",
        persistence_mode=True, ecc_mode_current=True, ecc_mode_pending=True,
        ecc=EccCounts(0, 0, 0, 0), retired_pages_sbe=None, retired_pages_dbe=None,
        retired_pages_pending=None, remapped_rows=RemappedRows(0, 0, False, False),
        temperature_c=29, power_draw_w=67.74, power_limit_w=700.0, sm_clock_mhz=86,
        memory_clock_mhz=2619, max_sm_clock_mhz=1980, max_memory_clock_mhz=2619,
        throttle_reasons=("hw_slowdown", "hw_power_brake_slowdown"), mig_mode_current=False,
        mig_mode_pending=False, pcie_gen_current=5, pcie_gen_max=5, pcie_width_current=16,
        pcie_width_max=16, nvlinks=None,
        fabric=FabricInfo(state="completed", status="SUCCESS", clique_id=0,
                          cluster_uuid="00" * 16, health_mask=0),
    )


def test_recorded_h100_replays_into_whole_records() -> None:
    nvml = ReplayNvml(json.loads(FIXTURE.read_text()))
    driver = read_driver(nvml)
    assert driver == NvidiaDriver(True, None, "535.161.08", "12.2", None)
    gpus, problems = read_gpus(nvml, driver)
    assert problems == []
    assert gpus[0] == h100_gpu0(driver)
    assert [g.serial for g in gpus] == ["1650124031592", "1650124008135"]


def test_no_driver_means_no_gpus_and_the_reason() -> None:
    nvml = ReplayNvml({"status": {"available": False, "reason": "no NVIDIA driver: x"}})
    driver = read_driver(nvml)
    assert driver == NvidiaDriver(False, "no NVIDIA driver: x")
    assert read_gpus(nvml, driver) == ((), [])


def test_nvlinks_and_a_gpu_lost_midway() -> None:
    """GPU 0 has two links to a switch; GPU 1 is lost on its temperature read."""
    class Library(FakeLibrary):
        def nvmlDeviceGetCount(self) -> int:
            return 2

        def nvmlSystemGetDriverVersion(self) -> str:
            return "550.90.07"

        def nvmlSystemGetCudaDriverVersion(self) -> int:
            return 12040

        def nvmlSystemGetNVMLVersion(self) -> str:
            return "12.550.90.07"

    not_supported = Raise(pynvml.NVML_ERROR_NOT_SUPPORTED)
    behaviour: dict[tuple[int, str], object] = {}
    library = Library(behaviour)
    for (fn, value) in {
        "nvmlDeviceGetNvLinkState": 1, "nvmlDeviceGetNvLinkVersion": 4,
        "nvmlDeviceGetNvLinkRemotePciInfo": {"busId": "00000000:83:00.0"},
        "nvmlDeviceGetNvLinkRemoteDeviceType": 2, "nvmlDeviceGetNvLinkErrorCounter": 0,
    }.items():
        behaviour[(0, fn)] = value
    behaviour[(1, "nvmlDeviceGetTemperature")] = Raise(pynvml.NVML_ERROR_GPU_IS_LOST)
    behaviour[(0, "nvmlDeviceGetRetiredPages")] = not_supported

    class Links(Library):
        """Links 0 and 1 exist; link 2 is past the end."""

        def __getattr__(self, fn: str) -> Any:
            inner = super().__getattr__(fn)

            def call(handle: int, *args: int) -> object:
                if fn == "nvmlDeviceGetNvLinkState" and args and args[0] >= 2:
                    raise pynvml.NVMLError(pynvml.NVML_ERROR_INVALID_ARGUMENT)
                return inner(handle, *args)
            return call

    nvml = LiveNvml(Links(behaviour))
    driver = read_driver(nvml)
    assert driver.cuda_driver_version == "12.4"
    gpus, _ = read_gpus(nvml, driver)
    link = NvLink(link=0, active=True, version=4, remote_pci_address="0000:83:00.0",
                  remote_type="switch", replay_errors=0, recovery_errors=0, crc_flit_errors=0,
                  crc_data_errors=0)
    assert gpus[0].nvlinks == (link, NvLink(**{**link.__dict__, "link": 1}))
    assert gpus[0].retired_pages_sbe is None
    assert gpus[1].failed == "nvmlDeviceGetTemperature: GPU_IS_LOST"
    assert gpus[1].temperature_c is None
    calls_after_loss = [fn for index, fn in library.calls if index == 1]
    assert "nvmlDeviceGetPowerUsage" not in calls_after_loss


def test_throttle_reasons_decode_every_bit() -> None:
    assert throttle_names(0) == ()
    assert throttle_names(0x1FF) == (
        "gpu_idle", "applications_clocks_setting", "sw_power_cap", "hw_slowdown", "sync_boost",
        "sw_thermal_slowdown", "hw_thermal_slowdown", "hw_power_brake_slowdown",
        "display_clock_setting")
