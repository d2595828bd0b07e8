"""The bug-report importer on a real report, and on reports assembled from real captures.

The corpus holds no bug report of an HGX server; `hgx_report` lays real captures of one
out the way nvidia-bug-report.sh (R580) writes them: a synthetic report, real sections.
"""

import gzip
from pathlib import Path

import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import nvidia_bug_report
from hwaccept.importers.inputs import read_input
from hwaccept.importers.registry import detect
from hwaccept.inventory.records import EventSource
from tests.corpus import CORPUS
from tests.importers.replay import inventory_of

EXCERPT = Path(__file__).parents[1] / "fixtures" / "imports" / \
    "nvidia-bug-report_quadro-k2200_excerpt.log"
SEPARATOR = "_" * 44


def report(*sections: str, end: bool = True) -> str:
    header = ("\nStart of NVIDIA bug report log file.  Please include this file, along\n"
              "with a detailed description of your problem, when reporting a graphics\n"
              "driver bug via the NVIDIA Linux forum (see forums.developer.nvidia.com)\n"
              "or by sending email to 'linux-bugs@nvidia.com'.\n\n"
              "nvidia-bug-report.sh Version: 37062940\n\n"
              "Date: Thu Jul 31 11:22:39 UTC 2024\n"
              "uname: Linux hgx-01 5.15.0-112-generic #122-Ubuntu SMP x86_64 GNU/Linux\n"
              "command line flags: \n\n")
    body = "".join(f"{SEPARATOR}\n\n{section}\n" for section in (header.lstrip("\n"),
                                                                    *sections))
    return f"{SEPARATOR}\n\n" + body.removeprefix(f"{SEPARATOR}\n\n") + (
        f"{SEPARATOR}\n\nEnd of NVIDIA bug report log file.\n" if end else "")


def file_section(path: str, content: str) -> str:
    return f"*** {path}\n*** ls: -r--r--r-- 1 root root 0 2024-07-31 11:22:39 {path}\n{content}"


def command_section(command: str, output: str) -> str:
    return f"{command}\n\n{output}"


def hgx_report(*, nvidia_smi: str | None = None, end: bool = True) -> str:
    smi = nvidia_smi if nvidia_smi is not None else \
        (CORPUS / "nvml" / "gpud_nvidia-smi-q_535.161.08_8xH100-80GB-HBM3.txt").read_text()
    sections = [
        file_section("/proc/cmdline", "BOOT_IMAGE=/vmlinuz ro iommu=pt pci=realloc\n"),
        command_section("/usr/bin/lspci -nnDvvvxxxx",
                        (CORPUS / "lspci" / "gpud_lspci-vvv_8xH100-SXM5_CX7.txt").read_text()),
        command_section("/usr/sbin/dmidecode",
                        (CORPUS / "dmi" / "gpud_dmidecode_Dell-PowerEdge-XE9680.txt").read_text()),
        "dmesg:\n\n" + (CORPUS / "kmsg" / "gpud_dmesg_H100-XE9680_xid119-gsp-timeout.log"
                        ).read_text(),
        command_section("/usr/bin/nvidia-smi --query", smi)
        + "\n\n" + command_section("/usr/bin/nvidia-smi --query --unit",
                                   "\n==============NVSMI LOG==============\n"),
        command_section("/usr/sbin/ibstat",
                        (CORPUS / "ib" / "gpud_ibstat_8xH100_all-active.txt").read_text())
        + "\nRunning InfiniBand commands for device: mlx5_0\n\n"
        + command_section("/usr/sbin/ibnetdiscover -C mlx5_0", "#\n# Topology file\n"),
        file_section("/var/log/fabricmanager.log",
                     (CORPUS / "other" / "gpud_fabricmanager_nvswitch-nonfatal-12028.log"
                      ).read_text()),
    ]
    return report(*sections, end=end)


def test_a_real_report_gives_its_gpu_pci_functions_kernel_and_log() -> None:
    text = EXCERPT.read_text()
    assert nvidia_bug_report.sniff(text)
    parts = nvidia_bug_report.parse(text, "k2200.log")
    assert parts.summary == "sections: kernel log, lspci, nvidia-smi --query"
    inventory = inventory_of(parts)
    system = inventory.system
    assert (system.hostname, system.kernel_version) == ("fujitsu", "5.18.0-14parrot1-amd64")
    assert system.kernel_cmdline is not None
    assert system.kernel_cmdline.startswith("BOOT_IMAGE=/@/boot/vmlinuz-5.18.0-14parrot1")
    [gpu] = inventory.gpus
    assert (gpu.name, gpu.serial, gpu.pci_address, gpu.driver_version) == (
        "Quadro K2200", "0421215034293", "0000:01:00.0", "510.73.08")
    assert len(inventory.pci_devices) == 14
    assert inventory.kernel_log.lines == 30


def test_an_hgx_report_gives_every_section_hwaccept_reads() -> None:
    parts = nvidia_bug_report.parse(hgx_report(), "hgx.log")
    assert parts.summary == "sections: kernel log, lspci, nvidia-smi --query"
    inventory = inventory_of(parts)
    assert inventory.system.product == "PowerEdge XE9680"
    assert inventory.system.kernel_cmdline == "BOOT_IMAGE=/vmlinuz ro iommu=pt pci=realloc"
    assert [g.pci_address for g in inventory.gpus] == [
        f"0000:{bus}:00.0" for bus in ("19", "3b", "4c", "5d", "9b", "bb", "cb", "db")]
    assert {d.address for d in inventory.pci_devices if d.device_id == "2330"} == {
        g.pci_address for g in inventory.gpus}
    assert len(inventory.nvswitches) == 4
    assert len(inventory.ib_ports) == 12
    assert {e.code for e in inventory.kernel_events if e.source is EventSource.XID} == {"119"}
    assert [e.code for e in inventory.fabric_manager_events] == ["12028"]


def test_a_gzipped_report_of_many_members_reads_the_same(tmp_path: Path) -> None:
    text = hgx_report()
    path = tmp_path / "nvidia-bug-report.log.gz"
    pieces = text.split(SEPARATOR)
    path.write_bytes(b"".join(gzip.compress((p + SEPARATOR).encode()) for p in pieces[:-1])
                     + gzip.compress(pieces[-1].encode()))
    read = read_input(str(path))
    assert read == text
    kind = detect(read)
    assert kind is not None
    assert kind.name == "nvidia-bug-report"


def test_missing_sections_are_named() -> None:
    without_smi = hgx_report().replace("/usr/bin/nvidia-smi --query\n", "/usr/bin/true\n")
    with pytest.raises(ImportInputError) as caught:
        nvidia_bug_report.parse(without_smi, "cut.log")
    assert caught.value.msg == (
        "cut.log: nvidia-bug-report log is missing its nvidia-smi --query section (cut short, "
        "or made without the NVIDIA driver loaded)")
    with pytest.raises(ImportInputError, match=r"missing its nvidia-smi --query, lspci, kernel "
                                               r"log sections"):
        nvidia_bug_report.parse(report(file_section("/proc/cmdline", "ro\n")), "empty.log")


def test_a_broken_section_is_named_by_the_report_and_the_section() -> None:
    truncated = (CORPUS / "nvml" / "gpud_nvidia-smi-q_535.183.01_H100_truncated-invalid.txt"
                 ).read_text()
    with pytest.raises(ImportInputError) as caught:
        nvidia_bug_report.parse(hgx_report(nvidia_smi=truncated), "hgx.log")
    assert caught.value.msg.startswith(
        "hgx.log [section '/usr/bin/nvidia-smi --query']: ")
    assert "incomplete" in caught.value.msg


def test_a_report_without_its_end_line_is_imported_with_a_note() -> None:
    parts = nvidia_bug_report.parse(hgx_report(end=False), "hgx.log")
    assert any("cut short" in note for note in parts.notes)


def test_other_files_are_not_bug_reports() -> None:
    assert not nvidia_bug_report.sniff("GPU 00000000:19:00.0\n")
    with pytest.raises(ImportInputError, match=r"^x: not an nvidia-bug-report log"):
        nvidia_bug_report.parse("hello\n", "x")
