from pathlib import Path

import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import ibstat, ibstatus, nvidia_smi_nvlink
from hwaccept.importers.assemble import Merged
from hwaccept.importers.kind import SNIFF_CHARS
from hwaccept.importers.parts import Parts
from hwaccept.inventory.records import Inventory, NvLink
from tests.corpus import CORPUS
from tests.importers.replay import inventory_of

NVML = CORPUS / "nvml"
EIGHT_A100 = NVML / "gpud_nvidia-smi-nvlink-status_8xA100-SXM4-80GB.txt"
GPU7 = NVML / "azhc_nvidia-smi-nvlink-status_A100_healthy-12x25GBs.txt"
GPU6_INACTIVE = NVML / "azhc_nvidia-smi-nvlink-status_A100_all-links-inactive.txt"
NVLINK_FILES = [EIGHT_A100, GPU7, GPU6_INACTIVE]

A100 = "NVIDIA A100-SXM4-80GB"
TWELVE_ACTIVE = tuple(NvLink(link, active=True) for link in range(12))


def parts_of(path: Path) -> Parts:
    return nvidia_smi_nvlink.parse(path.read_text(), str(path))


def with_count(parts: Parts, count: int) -> Inventory:
    """Replay `parts` together with another input that recorded the GPU count."""
    counted = Parts(nvml_system={"nvmlDeviceGetCount": count})
    merged = Merged()
    merged.add(counted, "nvidia-smi-topo-m.txt")
    merged.add(parts, "nvlink.txt")
    return inventory_of(merged.parts)


def test_eight_a100_each_with_twelve_active_links() -> None:
    text = EIGHT_A100.read_text()
    assert nvidia_smi_nvlink.sniff(text)
    parts = nvidia_smi_nvlink.parse(text, str(EIGHT_A100))
    assert parts.summary == "8 GPUs, 96 of 96 NVLinks active"
    assert parts.notes == []
    assert parts.nvml_system == {"nvmlDeviceGetCount": 8}
    assert parts.nvml_gpus[0]["nvmlDeviceGetNvLinkState(12)"] == {"error": "INVALID_ARGUMENT"}
    gpus = inventory_of(parts).gpus
    assert [gpu.index for gpu in gpus] == list(range(8))
    assert all(gpu.name == A100 and gpu.nvlinks == TWELVE_ACTIVE for gpu in gpus)
    assert gpus[0].uuid == "GPU-5269b708-678a-b1a8-60f0-c90406537486"
    assert all(gpu.errors == () and gpu.failed is None for gpu in gpus)


def test_a_single_gpu_listing_gives_that_gpu_but_no_count() -> None:
    parts = parts_of(GPU7)
    assert set(parts.nvml_gpus) == {7}
    assert parts.nvml_system == {}
    assert parts.notes == ["only GPU 7 is listed (`-i 7`?): the number of GPUs is not recorded"]
    assert inventory_of(parts).gpus == ()
    gpu = with_count(parts, 8).gpus[7]
    assert (gpu.name, gpu.uuid) == (A100, "GPU-c7e253b0-c227-6f10-e860-7482c85e7ce8")
    assert gpu.nvlinks == TWELVE_ACTIVE


def test_all_links_inactive_records_no_link_and_says_so() -> None:
    text = GPU6_INACTIVE.read_text()
    assert nvidia_smi_nvlink.sniff(text)
    parts = nvidia_smi_nvlink.parse(text, str(GPU6_INACTIVE))
    assert parts.nvml_gpus == {6: {
        "nvmlDeviceGetName": A100,
        "nvmlDeviceGetUUID": "GPU-9667d95e-6d22-0c22-1f57-c481f13e7c44"}}
    assert parts.summary == "1 GPU, 1 with all NVLinks inactive"
    assert parts.notes[0].startswith("GPU 6: all NVLinks are inactive")
    gpu = with_count(parts, 8).gpus[6]
    assert gpu.name == A100
    assert gpu.nvlinks is None


def test_inactive_links_and_fractional_speeds() -> None:
    text = ("GPU 0: Tesla V100-SXM2-32GB (UUID: GPU-0b1c)\n"
            "\t Link 0: 25.781 GB/s\n\t Link 1: 25.781 GB/s\n\t Link 2: <inactive>\n"
            "GPU 1: Tesla V100-SXM2-32GB (UUID: GPU-0b1d)\n"
            "NVML: Unable to retrieve NVLink information as all links are inActive\n")
    assert nvidia_smi_nvlink.sniff(text)
    parts = nvidia_smi_nvlink.parse(text, "v100.txt")
    assert parts.summary == "2 GPUs, 2 of 3 NVLinks active, 1 with all NVLinks inactive"
    gpus = inventory_of(parts).gpus
    assert gpus[0].nvlinks == (NvLink(0, active=True), NvLink(1, active=True),
                               NvLink(2, active=False))
    assert gpus[1].nvlinks is None


def test_gpus_not_numbered_from_zero_give_no_count() -> None:
    text = ("GPU 0: A (UUID: GPU-a)\n\t Link 0: 25 GB/s\n"
            "GPU 2: A (UUID: GPU-c)\n\t Link 0: 25 GB/s\n")
    parts = nvidia_smi_nvlink.parse(text, "gap.txt")
    assert "nvmlDeviceGetCount" not in parts.nvml_system
    assert parts.notes == ["GPUs 0, 2 are listed, not 0..n-1 in order: the number of GPUs "
                           "is not recorded"]


def test_links_with_a_gap_have_no_end_marker() -> None:
    text = "GPU 0: A (UUID: GPU-a)\n\t Link 0: 25 GB/s\n\t Link 2: 25 GB/s\n"
    parts = nvidia_smi_nvlink.parse(text, "gap.txt")
    assert set(parts.nvml_gpus[0]) == {"nvmlDeviceGetName", "nvmlDeviceGetUUID",
                                       "nvmlDeviceGetNvLinkState(0)",
                                       "nvmlDeviceGetNvLinkState(2)"}
    assert parts.notes[0].startswith("GPU 0: links 0, 2 are not numbered from 0")


@pytest.mark.parametrize(("text", "message"), [
    ("GPU 0: A (UUID: GPU-a)\n\t Link 0: Replay Errors: 0\n", r"is not a link status"),
    ("GPU 0: A (UUID: GPU-a)\nGPU 1: A (UUID: GPU-b)\n", r"without any `Link N:` status"),
    ("No devices were found\n", r"^x\.txt: no `GPU N: <name> \(UUID: GPU-\.\.\.\)` lines"),
    ("GPU 0: A (UUID: GPU-a)\n\t Link 0: 25 GB/s\nGPU 0: A (UUID: GPU-a)\n",
     r"GPU 0 is listed twice"),
    ("GPU 0: A (UUID: GPU-a)\n\t Link 0: 25 GB/s\n\t Link 0: 25 GB/s\n",
     r"link 0 is listed twice"),
])
def test_unusable_output_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ImportInputError, match=message):
        nvidia_smi_nvlink.parse(text, "x.txt")


def test_other_nvlink_reports_and_gpu_lists_are_not_sniffed() -> None:
    assert not nvidia_smi_nvlink.sniff("GPU 0: A (UUID: GPU-a)\nGPU 1: A (UUID: GPU-b)\n")
    assert not nvidia_smi_nvlink.sniff(
        "GPU 0: A (UUID: GPU-a)\n\t Link 0: Replay Errors: 0\n\t Link 0: CRC Errors: 0\n")
    assert not nvidia_smi_nvlink.sniff(
        "GPU 0: A (UUID: GPU-a)\n\t Link 0, P2P is supported: true\n")


def test_sniffer_claims_no_other_corpus_file() -> None:
    claimed = []
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path not in NVLINK_FILES:
            head = path.read_bytes()[:SNIFF_CHARS].decode("utf-8", "replace")
            if nvidia_smi_nvlink.sniff(head):
                claimed.append(str(path.relative_to(CORPUS)))
    assert claimed == []


def test_ib_sniffers_do_not_claim_nvlink_files() -> None:
    for path in NVLINK_FILES:
        text = path.read_text()
        assert not ibstat.sniff(text)
        assert not ibstatus.sniff(text)
