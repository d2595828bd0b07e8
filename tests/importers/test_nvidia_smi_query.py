from pathlib import Path

import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import nvidia_smi_query, nvidia_smi_xml
from hwaccept.importers.parts import Parts
from hwaccept.inventory.records import EccCounts, FabricInfo, Gpu, Inventory, RemappedRows
from tests.corpus import CORPUS
from tests.importers.replay import inventory_of

NVML = CORPUS / "nvml"
H100 = NVML / "gpud_nvidia-smi-q_535.161.08_8xH100-80GB-HBM3.txt"
A10 = NVML / "gpud_nvidia-smi-q_535.129.03_A10_remapped-rows-uncorrectable-pending.txt"
RTX4090 = NVML / "gpud_nvidia-smi-q_535.154.05_8xRTX4090.txt"
TRUNCATED = NVML / "gpud_nvidia-smi-q_535.183.01_H100_truncated-invalid.txt"
TITAN_V = NVML / "gpud_nvidia-smi-q_560.35.03_TITAN-V.txt"
RETIREMENT = NVML / "azhc_nvidia-smi-q-d-PAGE_RETIREMENT_8xA100_clean.txt"
RETIREMENT_EDITED = NVML / "azhc_nvidia-smi-q-d-PAGE_RETIREMENT_8xA100_EDITED-retired-pages.txt"

ZERO_ECC = EccCounts(0, 0, 0, 0)
HEADER = ("==============NVSMI LOG==============\n\n"
          "Driver Version                            : 550.54.15\n"
          "CUDA Version                              : 12.4\n\n"
          "Attached GPUs                             : {count}\n")


def imported(path: str, text: str | None = None) -> tuple[Parts, Inventory]:
    body = text if text is not None else Path(path).read_text()
    parts = nvidia_smi_query.parse(body, path)
    return parts, inventory_of(parts)


def test_eight_healthy_h100() -> None:
    text = H100.read_text()
    assert nvidia_smi_query.sniff(text[:65536])
    parts, inventory = imported(str(H100), text)
    assert parts.summary == "8 GPUs"
    assert parts.notes == []
    assert (inventory.nvidia.driver_version, inventory.nvidia.cuda_driver_version) == (
        "535.161.08", "12.2")
    assert inventory.gpus[0] == Gpu(
        index=0, uuid="GPU-ee7954ec-da95-fd7a-ddfd-c6b32cc2f8aa", serial="1650124031592",
        board_part_number="692-2G520-0200-000", name="NVIDIA H100 80GB HBM3",
        pci_address="0000:19:00.0", pci_device_id="2330", memory_total_bytes=81559 << 20,
        vbios_version="96.00.74.00.0D", inforom_image_version="G520.0200.00.05",
        driver_version="535.161.08", cuda_driver_version="12.2", persistence_mode=True,
        ecc_mode_current=True, ecc_mode_pending=True, ecc=ZERO_ECC,
        remapped_rows=RemappedRows(0, 0, False, False), temperature_c=29,
        power_draw_w=67.74, power_limit_w=700.0, sm_clock_mhz=86, memory_clock_mhz=2619,
        max_sm_clock_mhz=1980, max_memory_clock_mhz=2619,
        throttle_reasons=("hw_slowdown", "hw_power_brake_slowdown"),
        mig_mode_current=False, mig_mode_pending=False, pcie_gen_current=5,
        pcie_gen_max=5, pcie_width_current=16, pcie_width_max=16,
        fabric=FabricInfo(state="completed", status="SUCCESS"))
    gpus = inventory.gpus
    assert [g.serial for g in gpus] == [
        "1650124031592", "1650124008135", "1650124047722", "1650124032506",
        "1650124030635", "1650124048576", "1650124047010", "1650124007084"]
    assert [g.pci_address for g in gpus] == [
        "0000:19:00.0", "0000:3b:00.0", "0000:4c:00.0", "0000:5d:00.0",
        "0000:9b:00.0", "0000:bb:00.0", "0000:cb:00.0", "0000:db:00.0"]
    assert {(g.pcie_gen_current, g.pcie_gen_max, g.pcie_width_current, g.pcie_width_max)
            for g in gpus} == {(5, 5, 16, 16)}
    assert {g.ecc for g in gpus} == {ZERO_ECC}
    assert {g.fabric for g in gpus} == {FabricInfo(state="completed", status="SUCCESS")}
    assert [g.failed for g in gpus] == [None] * 8
    assert [g.nvlinks for g in gpus] == [None] * 8


def test_a10_with_an_uncorrectable_row_remap_pending() -> None:
    parts, inventory = imported(str(A10))
    assert parts.summary == "1 GPU"
    assert inventory.gpus == (Gpu(
        index=0, uuid="GPU-73d12ef7-f589-f867-4259-c7090ab44736", serial="1324521052681",
        board_part_number="900-2G133-0020-100", name="NVIDIA A10",
        pci_address="0000:07:00.0", pci_device_id="2236", memory_total_bytes=23028 << 20,
        vbios_version="94.02.5C.00.04", inforom_image_version="G133.0215.00.06",
        driver_version="535.129.03", cuda_driver_version="12.2", persistence_mode=True,
        ecc_mode_current=True, ecc_mode_pending=True, ecc=ZERO_ECC,
        remapped_rows=RemappedRows(0, 4, True, False), temperature_c=33,
        power_draw_w=43.89, power_limit_w=150.0, sm_clock_mhz=225, memory_clock_mhz=405,
        max_sm_clock_mhz=1695, max_memory_clock_mhz=6251, throttle_reasons=("gpu_idle",),
        pcie_gen_current=4, pcie_gen_max=4, pcie_width_current=16, pcie_width_max=16),)
    calls = parts.nvml_gpus[0]
    assert calls["nvmlDeviceGetMigMode"] == {"error": "NOT_SUPPORTED"}
    assert calls["nvmlDeviceGetRetiredPages(0)"] == {"error": "NOT_SUPPORTED"}
    assert calls["nvmlDeviceGetGpuFabricInfoV"] == {"error": "NOT_SUPPORTED"}


def test_geforce_rtx_4090_has_ecc_disabled() -> None:
    _, inventory = imported(str(RTX4090))
    assert len(inventory.gpus) == 8
    first = inventory.gpus[0]
    assert (first.name, first.serial, first.pci_address) == (
        "NVIDIA GeForce RTX 4090", None, "0000:01:00.0")
    assert {(g.ecc_mode_current, g.ecc_mode_pending, g.ecc) for g in inventory.gpus} == {
        (False, False, EccCounts())}
    assert {g.remapped_rows for g in inventory.gpus} == {RemappedRows(0, 0, False, False)}


def test_titan_v_volta_layout_without_ecc_or_remapper() -> None:
    parts, inventory = imported(str(TITAN_V))
    gpu = inventory.gpus[0]
    assert inventory.nvidia.cuda_driver_version == "12.6"
    assert (gpu.ecc, gpu.ecc_mode_current, gpu.remapped_rows) == (EccCounts(), None, None)
    assert (gpu.pcie_gen_current, gpu.pcie_gen_max) == (1, 3)
    calls = parts.nvml_gpus[0]
    assert calls["nvmlDeviceGetTotalEccErrors(1, 1)"] == {"error": "NOT_SUPPORTED"}
    assert calls["nvmlDeviceGetRemappedRows"] == {"error": "NOT_SUPPORTED"}


def test_truncated_h100_dump_is_refused() -> None:
    with pytest.raises(ImportInputError) as caught:
        nvidia_smi_query.parse(TRUNCATED.read_text(), "h100.txt")
    assert caught.value.msg == (
        "h100.txt: incomplete nvidia-smi -q output: the header promises 8 GPUs, 1 found; "
        "the text ends at line 91 inside GPU 00000000:53:00.0 "
        "(Clocks Event Reasons > Display Clock Setting)")


def test_page_retirement_only() -> None:
    clean, _ = imported(str(RETIREMENT))
    parts, inventory = imported(str(RETIREMENT_EDITED))
    assert clean.summary == parts.summary == "8 GPUs"
    assert [(g.retired_pages_sbe, g.retired_pages_dbe, g.retired_pages_pending)
            for g in inventory.gpus] == [
        (60, 5, False), (2, 61, True), (0, 0, False), (6, 0, True),
        (0, 0, False), (20, 45, True), (0, 0, False), (8, 56, True)]
    assert [g.pci_address for g in inventory.gpus] == [
        f"000{n}:00:00.0" for n in range(1, 9)]
    assert inventory.gpus[1] == Gpu(
        index=1, pci_address="0002:00:00.0", driver_version="535.86.10",
        cuda_driver_version="12.2", retired_pages_sbe=2, retired_pages_dbe=61,
        retired_pages_pending=True)
    assert parts.nvml_gpus[0]["nvmlDeviceGetRetiredPages(1)"] == [None] * 5


def block(bus: str, body: str) -> str:
    return f"GPU {bus}\n" + body


def test_older_layout_throttle_reasons_volta_totals_and_enforced_limit() -> None:
    text = HEADER.format(count=1) + block("00000000:06:00.0", (
        "    Persistence Mode                      : Disabled\n"
        "    Clocks Throttle Reasons\n"
        "        Idle                              : Not Active\n"
        "        SW Power Cap                      : Active\n"
        "        HW Slowdown                       : Not Active\n"
        "        Unknown                           : Not Active\n"
        "    ECC Errors\n"
        "        Volatile\n"
        "            Single Bit\n"
        "                Device Memory             : 3\n"
        "                Total                     : 5\n"
        "            Double Bit\n"
        "                Device Memory             : 0\n"
        "                Total                     : 1\n"
        "        Aggregate\n"
        "            Single Bit\n"
        "                Total                     : 12\n"
        "            Double Bit\n"
        "                Total                     : 2\n"
        "    Retired Pages\n"
        "        Single Bit ECC                    : 1\n"
        "        Double Bit ECC                    : 2\n"
        "        Pending                           : Yes\n"
        "    Power Readings\n"
        "        Power Draw                        : 41.07 W\n"
        "        Power Limit                       : 300.00 W\n"
        "        Enforced Power Limit              : 250.00 W\n"))
    parts, inventory = imported("old.txt", text)
    calls = parts.nvml_gpus[0]
    assert calls["nvmlDeviceGetCurrentClocksThrottleReasons"] == 0x4
    assert "nvmlDeviceGetCurrentClocksEventReasons" not in calls
    gpu = inventory.gpus[0]
    assert gpu == Gpu(
        index=0, pci_address="0000:06:00.0", driver_version="550.54.15",
        cuda_driver_version="12.4", persistence_mode=False, ecc=EccCounts(5, 1, 12, 2),
        retired_pages_sbe=1, retired_pages_dbe=2, retired_pages_pending=True,
        power_draw_w=41.07, power_limit_w=250.0, throttle_reasons=("sw_power_cap",))


ECC_AMPERE = (
    "    ECC Errors\n"
    "        Volatile\n"
    "            SRAM Correctable              : 1\n"
    "            SRAM Uncorrectable Parity     : 1\n"
    "            SRAM Uncorrectable SEC-DED    : 2\n"
    "            DRAM Correctable              : 2\n"
    "            DRAM Uncorrectable            : 4\n"
    "        Aggregate\n"
    "            SRAM Correctable              : 10\n"
    "            SRAM Uncorrectable Parity     : 0\n"
    "            SRAM Uncorrectable SEC-DED    : N/A\n"
    "            DRAM Correctable              : 20\n"
    "            DRAM Uncorrectable            : 40\n"
    "            SRAM Threshold Exceeded       : No\n"
    "        Aggregate Uncorrectable SRAM Sources\n"
    "            SRAM L2                       : 7\n")


def test_sram_and_dram_counts_add_up_to_nvml_totals() -> None:
    parts, inventory = imported("ecc.txt", HEADER.format(count=1)
                                + block("00000000:19:00.0", ECC_AMPERE))
    assert inventory.gpus[0].ecc == EccCounts(3, 7, 30, None)
    assert "nvmlDeviceGetTotalEccErrors(1, 1)" not in parts.nvml_gpus[0]
    assert parts.notes == ["GPU 0 nvmlDeviceGetTotalEccErrors(1, 1): '0 / N/A / 40' is not "
                           "understood; not recorded"]


def test_printed_errors_become_nvml_errors() -> None:
    text = HEADER.format(count=1) + block("00000000:19:00.0", (
        "    Serial Number                         : [Insufficient Permissions]\n"
        "    Persistence Mode                      : Requested functionality has been "
        "deprecated\n"
        "    Remapped Rows\n"
        "        Correctable Error                 : 0\n"
        "        Uncorrectable Error               : [GPU requires reset]\n"
        "        Pending                           : No\n"
        "        Remapping Failure Occurred        : No\n"
        "    Temperature\n"
        "        GPU Current Temp                  : ERR!\n"
        "    Max Clocks\n"
        "        SM                                : 1980 MHz\n"))
    parts, inventory = imported("errors.txt", text)
    calls = parts.nvml_gpus[0]
    assert calls["nvmlDeviceGetSerial"] == {"error": "NO_PERMISSION"}
    assert calls["nvmlDeviceGetPersistenceMode"] == {"error": "DEPRECATED"}
    assert calls["nvmlDeviceGetRemappedRows"] == {"error": "RESET_REQUIRED"}
    assert calls["nvmlDeviceGetTemperature(0)"] == {"error": "UNKNOWN"}
    gpu = inventory.gpus[0]
    assert gpu.errors == ("nvmlDeviceGetSerial: NO_PERMISSION",
                          "nvmlDeviceGetPersistenceMode: DEPRECATED",
                          "nvmlDeviceGetRemappedRows: RESET_REQUIRED")
    assert gpu.failed == "nvmlDeviceGetTemperature: UNKNOWN"
    assert gpu.max_sm_clock_mhz is None


def test_newer_power_fields_and_fabric_clique() -> None:
    body = (
        "    GPU Power Readings\n"
        "        Average Power Draw                : {average}\n"
        "        Instantaneous Power Draw          : 75.50 W\n"
        "        Current Power Limit               : 500.00 W\n"
        "        Requested Power Limit             : 700.00 W\n"
        "    Module Power Readings\n"
        "        Average Power Draw                : 900.00 W\n"
        "    Fabric\n"
        "        State                             : In Progress\n"
        "        Status                            : N/A\n"
        "        CliqueId                          : 4000000004\n"
        "        ClusterUUID                       : 50000000-0000-0000-0000-000000000005\n"
        "        Health\n"
        "            Bandwidth                     : Full\n")
    _, averaged = imported("gb.txt", HEADER.format(count=1) + block(
        "00000000:19:00.0", body.format(average="72.25 W")))
    _, instant = imported("ga100.txt", HEADER.format(count=1) + block(
        "00000000:19:00.0", body.format(average="N/A")))
    assert (averaged.gpus[0].power_draw_w, instant.gpus[0].power_draw_w) == (72.25, 75.5)
    assert averaged.gpus[0].power_limit_w == 500.0
    assert averaged.gpus[0].fabric == FabricInfo(
        state="in_progress", clique_id=4000000004,
        cluster_uuid="50000000000000000000000000000005")


def test_gpus_left_out_are_refused_even_when_blocks_are_whole() -> None:
    retirement = RETIREMENT.read_text().split("GPU 00000003")[0]
    with pytest.raises(ImportInputError, match=(
            r"^picked\.txt: incomplete nvidia-smi -q output: the header promises 8 GPUs, "
            r"2 found; the text ends after GPU 00000002:00:00\.0 at line 19 \(cut off, or "
            r"GPUs picked with -i")):
        nvidia_smi_query.parse(retirement, "picked.txt")


@pytest.mark.parametrize(("text", "reason"), [
    (HEADER.format(count=2), "the header promises 2 GPUs, 0 found; the text ends at line 6"),
    (HEADER.format(count=1) + block("00000000:19:00.0", (
        "    Product Name                          : NVIDIA H100 80GB HBM3\n"
        "    Serial Number                         : 1650124031592\n")),
     "the last GPU block stops before its Processes section; the text ends at line 9 "
     "inside GPU 00000000:19:00.0 (Serial Number)"),
    (HEADER.format(count=2) + block("00000001:00:00.0", (
        "    Retired Pages\n        Single Bit ECC : 0\n"
        "    Remapped Rows                         : N/A\n"))
     + block("00000002:00:00.0", "    Retired Pages\n        Single Bit ECC : 0\n"),
     "the last GPU block is shorter than the first; the text ends at line 13 inside GPU "
     "00000002:00:00.0 (Retired Pages > Single Bit ECC)"),
    (HEADER.format(count=1) + block("00000001:00:00.0", "    Retired Pages\n"),
     "a section heading has nothing under it; the text ends at line 8 inside GPU "
     "00000001:00:00.0 (Retired Pages)"),
    (HEADER.format(count=1) + block("00000001:00:00.0", (
        "    Retired Pages\n        Single Bit ECC                    : 6")),
     "the last line has no line end; the text ends at line 9 inside GPU 00000001:00:00.0 "
     "(Retired Pages > Single Bit ECC)"),
])
def test_cut_off_output_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ImportInputError) as caught:
        nvidia_smi_query.parse(text, "cut.txt")
    assert caught.value.msg == f"cut.txt: incomplete nvidia-smi -q output: {reason}"


def test_not_a_query_log() -> None:
    with pytest.raises(ImportInputError, match=r"^x: no 'Attached GPUs' line"):
        nvidia_smi_query.parse("==============NVSMI LOG==============\n", "x")
    twice = A10.read_text() * 2
    with pytest.raises(ImportInputError, match=r"^x: holds 2 nvidia-smi -q logs"):
        nvidia_smi_query.parse(twice, "x")


def test_sniffing_is_specific() -> None:
    assert not nvidia_smi_query.sniff((NVML / "telegraf_nvidia-smi-q-x_A10G.xml").read_text())
    assert not nvidia_smi_query.sniff((NVML / "gpud_nvidia-smi_550.90.07_table.txt").read_text())
    assert not nvidia_smi_xml.sniff(H100.read_text()[:65536])
    assert nvidia_smi_query.sniff(RETIREMENT.read_text())


def test_windows_line_ends_read_the_same() -> None:
    text = A10.read_text()
    _, plain = imported(str(A10), text)
    _, crlf = imported(str(A10), text.replace("\n", "\r\n"))
    assert crlf == plain
