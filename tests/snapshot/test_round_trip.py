"""Capture, replay, and the same inventory comes out; editing one file plants a fault."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import Inventory
from hwaccept.record import replace
from hwaccept.snapshot import capture, load_snapshot, snapshot_sources
from hwaccept.snapshot.archive import write_tar
from hwaccept.snapshot.members import decode, encode
from hwaccept.sources import Sources, recorded
from hwaccept.sources.commands import CommandResult, CommandStatus, ReplayRunner
from hwaccept.sources.file_tree import TreeFiles
from hwaccept.sources.nvml import ReplayNvml
from tests.corpus import corpus, read_ttar

NVML_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "nvml" / "h100-xe9680-gpu0-1.json"


def replayed(path: str) -> Inventory:
    return build_inventory(snapshot_sources(load_snapshot(path)))


def same_machine(a: Inventory, b: Inventory) -> bool:
    return replace(a, origin="") == replace(b, origin="")


def test_live_capture_replays_to_the_same_inventory(tmp_path: Path) -> None:
    out = tmp_path / "vm.tar.gz"
    live = capture(str(out))
    again = replayed(str(out))
    assert again.origin == str(out)
    assert same_machine(live, again)
    assert live.pci_devices, "this machine has PCI devices to compare"


def test_corpus_machine_round_trips_through_the_format(tmp_path: Path) -> None:
    """A machine assembled from real captures survives record -> write -> read -> replay."""
    smart = corpus("smart/scrutiny_smartctl-x-json_nvme_Samsung970EVO_media-errors-7.json")
    dmesg = corpus("kmsg/gpud_dmesg_xid48-dbe_xid63-row-remap_xid94.log")
    commands: dict[tuple[str, ...], CommandResult] = {
        ("smartctl", "-j", "-x", "/dev/nvme0n1"): CommandResult(
            ("smartctl", "-j", "-x", "/dev/nvme0n1"), CommandStatus.EXITED, 0,
            smart.read_text()),
        ("dmesg", "--decode", "--time-format", "iso"): CommandResult(
            ("dmesg", "--decode", "--time-format", "iso"), CommandStatus.EXITED, 0,
            dmesg.read_text()),
    }
    original = Sources(TreeFiles(read_ttar(corpus("sysfs/node_exporter_sys.ttar"))),
                       ReplayNvml(json.loads(NVML_FIXTURE.read_text())),
                       ReplayRunner(commands), "corpus")
    wrapped, tape = recorded(original)
    first = build_inventory(wrapped)
    path = tmp_path / "corpus.tar.gz"
    write_tar(str(path), encode(tape, {"created": "2026-01-01T00:00:00Z"}), 0)
    second = replayed(str(path))
    assert same_machine(first, second)
    assert len(second.gpus) == 2
    assert [e.code for e in second.kernel_events if e.source.value == "xid"][:2] == ["48", "63"]


def test_editing_one_file_plants_a_fault(tmp_path: Path) -> None:
    out = tmp_path / "vm.tar.gz"
    live = capture(str(out))
    unpacked = tmp_path / "unpacked"
    with tarfile.open(out) as tar:
        tar.extractall(unpacked, filter="data")
    nic = live.nics[0]
    mtu_file = next(unpacked.glob(f"files/sys/devices/**/net/{nic.name}/mtu"))
    mtu_file.write_text("1280\n")
    edited = replayed(str(unpacked))
    assert edited.nics[0].mtu == 1280
    assert replace(edited.nics[0], mtu=nic.mtu) == nic


def test_every_snapshot_member_is_plain_text(tmp_path: Path) -> None:
    out = tmp_path / "vm.tar.gz"
    capture(str(out))
    data = load_snapshot(str(out))
    assert data.meta["version"] == 1
    with tarfile.open(out) as tar:
        for member in tar:
            assert member.isfile() or member.isdir()
            handle = tar.extractfile(member)
            if handle is not None:
                handle.read().decode("utf-8")


def test_decode_of_encode_is_identity_for_the_tape(tmp_path: Path) -> None:
    wrapped, tape = recorded(Sources(TreeFiles(read_ttar(corpus("sysfs/procfs_fixtures.ttar"),
                                                         prefix="fixtures/")),
                                     ReplayNvml({}), ReplayRunner({}), "corpus"))
    build_inventory(wrapped)
    data = decode("mem", encode(tape, {}))
    assert data.tree.contents == tape.files.contents
    assert data.tree.links == tape.files.links
    assert data.tree.udev == tape.files.udev
    assert data.tree.present == tape.files.present
    assert data.tree.errors == tape.files.errors
    assert data.commands == tape.commands
