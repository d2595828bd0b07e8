"""`hwaccept snapshot import` as a user runs it, on real captures and on bad input."""

from __future__ import annotations

import gzip
import json
import tarfile
from pathlib import Path

import pytest

from hwaccept.importers.registry import kind_names
from tests.cli.test_cli import hwaccept
from tests.corpus import CORPUS

H100_Q = CORPUS / "nvml" / "gpud_nvidia-smi-q_535.161.08_8xH100-80GB-HBM3.txt"
H100_LSPCI = CORPUS / "lspci" / "gpud_lspci-vvv_8xH100-SXM5_CX7.txt"
TRUNCATED = CORPUS / "nvml" / "gpud_nvidia-smi-q_535.183.01_H100_truncated-invalid.txt"
A100_LSPCI = CORPUS / "lspci" / "gpud_lspci-nn_8xA100.txt"
A100_RETIRED = CORPUS / "nvml" / "azhc_nvidia-smi-q-d-PAGE_RETIREMENT_8xA100_clean.txt"
XML_V12 = CORPUS / "nvml" / "telegraf_nvidia-smi-q-x_v12_A100-SXM4-80GB.xml"
TABLE = CORPUS / "nvml" / "gpud_nvidia-smi_550.90.07_table.txt"
DMESG = CORPUS / "kmsg" / "gpud_dmesg_H100-XE9680_xid119-gsp-timeout.log"


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def test_import_writes_a_snapshot_that_replays(tmp_path: Path) -> None:
    out = tmp_path / "h100.tar.gz"
    done = hwaccept("snapshot", "import", "-o", str(out), str(H100_Q), str(H100_LSPCI),
                    str(DMESG))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert f"{H100_Q}: nvidia-smi-q: 8 GPUs" in lines
    assert f"{H100_LSPCI}: lspci: 517 PCI functions" in lines
    assert lines[-1] == f"wrote {out} from 3 files"
    listed = json.loads(members(out)["imported.json"])
    assert [(i["file"], i["kind"]) for i in listed] == [
        (H100_Q.name, "nvidia-smi-q"), (H100_LSPCI.name, "lspci"), (DMESG.name, "kernel-log")]
    inventory = json.loads(hwaccept("inventory", "--snapshot", str(out), "--json").stdout)
    assert [g["serial"] for g in inventory["gpus"]][:2] == ["1650124031592", "1650124008135"]
    xids = [e for e in inventory["kernel_events"] if e["source"] == "xid"]
    assert {(e["code"], e["gpu_index"]) for e in xids} == {("119", 4)}


def test_bad_inputs_are_each_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "core.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" * 8)
    huge = tmp_path / "huge.log"
    with huge.open("wb") as handle:
        handle.truncate(1 << 30)
    newer = tmp_path / "v99.xml"
    newer.write_text(XML_V12.read_text().replace("nvsmi_device_v12.dtd", "nvsmi_device_v99.dtd"))
    report = tmp_path / "nvidia-bug-report.log"
    sep = "_" * 44
    report.write_text(f"{sep}\n\nStart of NVIDIA bug report log file.\n\n{sep}\n\n"
                      "*** /proc/cmdline\n*** ls: -r--r--r-- 1 root root 0 /proc/cmdline\nro\n")
    out = tmp_path / "out.tar.gz"
    done = hwaccept("snapshot", "import", "-o", str(out), str(H100_Q), str(TABLE), str(TRUNCATED),
                    str(newer), str(binary), str(empty), str(huge), str(report), str(DMESG))
    assert done.returncode == 2
    assert not out.exists()
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("hwaccept: error: ")]
    assert [error.split(": ")[2] for error in errors] == [
        str(TABLE), str(TRUNCATED), str(newer), str(binary), str(empty), str(huge),
        str(report)]
    assert "not a kind of file hwaccept can import" in errors[0]
    assert "incomplete" in errors[1]
    assert "nvsmi_device_v99.dtd" in errors[2]
    assert "binary file" in errors[3]
    assert errors[4].endswith("is empty")
    assert "1.0 GiB is over the 256.0 MiB import limit" in errors[5]
    assert "missing its nvidia-smi --query, lspci, kernel log sections" in errors[6]
    assert f"{H100_Q}: nvidia-smi-q: 8 GPUs" in done.stderr
    assert f"{DMESG}: kernel-log: " in done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"hwaccept: {out} not written: 7 of the inputs could not be imported as one machine")


def test_inputs_from_two_machines_are_refused(tmp_path: Path) -> None:
    done = hwaccept("snapshot", "import", "-o", str(tmp_path / "x.tar.gz"), str(A100_LSPCI),
                    str(A100_RETIRED))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-2] == (
        f"hwaccept: error: the GPUs in {A100_RETIRED} (0001:00:00.0, 0002:00:00.0, "
        "0003:00:00.0, 0004:00:00.0, 0005:00:00.0, 0006:00:00.0, 0007:00:00.0, 0008:00:00.0) "
        "are not the NVIDIA GPUs of the PCI tree (0001:00:00.0, 0002:00:00.0, 0003:00:00.0, "
        "0004:00:00.0, 000b:00:00.0, 000c:00:00.0, 000d:00:00.0, 000e:00:00.0): these inputs "
        "come from different machines")


def test_two_different_gpu_sets_contradict(tmp_path: Path) -> None:
    done = hwaccept("snapshot", "import", "-o", str(tmp_path / "x.tar.gz"), str(H100_Q),
                    str(A100_RETIRED))
    assert done.returncode == 2
    [error] = [line for line in done.stderr.splitlines() if "error" in line]
    assert error.startswith(f"hwaccept: error: {A100_RETIRED}: contradicts an earlier input: ")
    assert f"in {H100_Q}" in error


def test_as_forces_a_kind(tmp_path: Path) -> None:
    renamed = tmp_path / "gpu-info.txt"
    renamed.write_text(H100_Q.read_text())
    out = tmp_path / "x.tar.gz"
    forced = hwaccept("snapshot", "import", "-o", str(out), "--as", "nvidia-smi-q", str(renamed))
    assert forced.returncode == 0, forced.stderr
    wrong = hwaccept("snapshot", "import", "-o", str(out), "--as", "lspci", str(renamed))
    assert wrong.returncode == 2
    assert f"hwaccept: error: {renamed}: not lspci output" in wrong.stderr
    unknown = hwaccept("snapshot", "import", "-o", str(out), "--as", "nvsmi", str(renamed))
    assert unknown.returncode == 2
    assert "--as nvsmi: unknown kind; known kinds: nvidia-bug-report" in unknown.stderr


def test_a_gzipped_input_and_no_input(tmp_path: Path) -> None:
    packed = tmp_path / "nvidia-smi-q.txt.gz"
    packed.write_bytes(gzip.compress(H100_Q.read_bytes()))
    assert hwaccept("snapshot", "import", "-o", str(tmp_path / "x.tar.gz"),
                    str(packed)).returncode == 0
    done = hwaccept("snapshot", "import", "-o", str(tmp_path / "y.tar.gz"))
    assert done.returncode == 2
    assert done.stderr == "hwaccept: error: snapshot import: give at least one file\n"


def test_help_names_every_kind() -> None:
    done = hwaccept("snapshot", "import", "--help")
    text = " ".join(done.stdout.split())
    assert all(name in text for name in kind_names())


@pytest.mark.parametrize("kind", ["nvidia-smi-q", "lspci"])
def test_an_importer_that_finds_nothing_usable_says_so(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("nothing to see\n")
    done = hwaccept("snapshot", "import", "-o", str(tmp_path / "x.tar.gz"), "--as", kind,
                    str(path))
    assert done.returncode == 2
    assert done.stderr.startswith(f"hwaccept: error: {path}: ")
    assert len([line for line in done.stderr.splitlines() if "error" in line]) == 1
