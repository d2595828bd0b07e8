"""The `hwaccept` command as a user runs it: a real process, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest


def hwaccept(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hwaccept", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_help_lists_the_commands() -> None:
    done = hwaccept("--help")
    assert done.returncode == 0
    assert "inventory" in done.stdout
    assert "snapshot" in done.stdout


def test_no_command_is_a_usage_error() -> None:
    done = hwaccept()
    assert done.returncode == 2
    assert done.stderr.startswith("usage: hwaccept")


def test_live_inventory_tables() -> None:
    done = hwaccept("inventory")
    assert done.returncode == 0, done.stderr
    assert "Inventory of live" in done.stdout
    assert "PCI devices (" in done.stdout
    if not Path("/proc/driver/nvidia").exists():
        assert "NVIDIA: not available (no NVIDIA driver" in done.stdout


def test_live_inventory_json_is_whole_when_the_process_ends_at_once() -> None:
    """`inventory` skips Python's teardown; its output must still be flushed whole."""
    done = hwaccept("inventory", "--json")
    assert (done.returncode, done.stderr) == (0, "")
    data = json.loads(done.stdout)
    assert data["origin"] == "live"
    assert data["pci_devices"]


@pytest.mark.parametrize("shape", [(), ("--json",)])
def test_output_that_cannot_be_written_is_one_line_and_exit_2(shape: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "hwaccept", "inventory", *shape],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
                              check=False)
    assert (done.returncode, done.stderr) == (
        2, "hwaccept: error: cannot write the output: No space left on device\n")


def test_capture_then_replay_gives_the_same_machine(tmp_path: Path) -> None:
    out = tmp_path / "vm.tar.gz"
    captured = hwaccept("snapshot", "capture", "-o", str(out))
    assert captured.returncode == 0, captured.stderr
    assert captured.stderr.startswith(f"wrote {out}: ")
    replayed = json.loads(hwaccept("inventory", "--snapshot", str(out), "--json").stdout)
    live = json.loads(hwaccept("inventory", "--json").stdout)
    assert replayed["origin"] == str(out)
    for section in ("system", "nvidia", "pci_devices", "nics", "disks", "gpus"):
        assert replayed[section] == live[section], section


def bad_archives(tmp_path: Path) -> dict[str, Path]:
    empty = tmp_path / "empty.tar.gz"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"\x1f\x8b not really gzip")
    escape = tmp_path / "escape.tar.gz"
    with tarfile.open(escape, "w:gz") as tar:
        info = tarfile.TarInfo("../../etc/cron.d/x")
        tar.addfile(info)
    return {"empty": empty, "garbage": garbage, "escape": escape,
            "missing": tmp_path / "missing.tar.gz"}


@pytest.mark.parametrize("kind", ["empty", "garbage", "escape", "missing"])
def test_bad_snapshots_are_one_line_and_exit_2(tmp_path: Path, kind: str) -> None:
    path = bad_archives(tmp_path)[kind]
    done = hwaccept("inventory", "--snapshot", str(path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"hwaccept: error: {path}")
    assert "Traceback" not in done.stderr


def test_unwritable_capture_target(tmp_path: Path) -> None:
    done = hwaccept("snapshot", "capture", "-o", str(tmp_path / "no/such/dir/x.tar.gz"))
    assert done.returncode == 2
    assert "cannot write" in done.stderr
    assert done.stderr.count("\n") == 1


def test_missing_root(tmp_path: Path) -> None:
    done = hwaccept("inventory", "--root", str(tmp_path / "absent"))
    assert done.returncode == 2
    assert done.stderr == f"hwaccept: error: {tmp_path / 'absent'}: root directory does not exist\n"
