"""hwtests/test_burnin_disk.py run for real on this machine, loop devices standing in for NVMe.

A plugin of the test lists loop devices made here as the inventory's NVMe drives; the rest
is the run a station makes: fio loads each device for about a second, the write guard reads
this machine's mounts, and the JUnit report carries the contract's properties. Each run is
a process of its own, as a station's is.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hwaccept.reports.junit_read import read_junit
from hwaccept.reports.model import CaseResult
from tests.burnin.loop_devices import Loops, loop_devices

REPO = Path(__file__).resolve().parents[2]
MODULE = REPO / "hwtests" / "test_burnin_disk.py"

AS_DRIVES = """
import json

import pytest

from hwaccept.inventory.records import Disk
from hwaccept.record import replace
from plugins.hw_inventory import INVENTORY_KEY, inventory_of

DRIVES = {drives!r}


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    config.stash[INVENTORY_KEY] = replace(
        inventory_of(config), disks=tuple(Disk(*drive) for drive in DRIVES))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    groups = {{item.name: [m.args[0] for m in item.iter_markers("xdist_group")]
              for item in items}}
    with open("groups.json", "w") as out:
        json.dump(groups, out)
"""

FAILING_DRIVE = """

from hwaccept.record import replace
from hwaccept.sources.commands import CommandResult, CommandStatus
from tests.burnin.fio_output import direction, fio_json


class FailingDrive:
    def run(self, argv, timeout=30.0):
        device = next(a for a in argv if a.startswith("--filename=")).split("=", 1)[1]
        return CommandResult(tuple(argv), CommandStatus.EXITED, 1,
                             fio_json(read=direction(1048576, 1.0), error=5),
                             f"fio: io_u error on file {device}: Input/output error: read "
                             "offset=0, buflen=1048576\\n")


def pytest_collection_modifyitems(items):
    for module in {item.module for item in items}:
        seams = module.live_seams
        module.live_seams = lambda config: replace(seams(config), runner=FailingDrive())
"""

PROFILE = """
sku: loop-burnin-{name}
extends: generic
burnin:
  retries: 1
  disk:
    seq_read_mbps: {{min: {floor}}}
    rand_read_kiops: {{min: {floor}}}
    seq_write_mbps: {{min: {floor}}}
    destructive_allowed: ["hwaccept-loop*"]
"""


@pytest.fixture
def loops(tmp_path: Path) -> Iterator[Loops]:
    with loop_devices(tmp_path) as made:
        yield made


@pytest.fixture
def fio() -> None:
    """The runs load the devices with fio; without it they would only skip."""
    if shutil.which("fio") is None:
        pytest.skip("fio is not installed (apt-get install fio)")


def run(pytester: pytest.Pytester, drives: list[tuple[str, str, str, str]], floor: float,
        *args: str, plugins: tuple[str, ...] = ()) -> tuple[pytest.RunResult,
                                                            dict[str, CaseResult]]:
    """Run the module over `drives` (name, transport, model, serial) with minimums `floor`."""
    pytester.makepyfile(as_drives=AS_DRIVES.format(drives=drives),
                        failing_drive=FAILING_DRIVE)
    profile = pytester.path / "loops.yaml"
    profile.write_text(PROFILE.format(name=str(floor).replace(".", "-"), floor=floor))
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess(
        str(MODULE), "-c", str(REPO / "pyproject.toml"), "--rootdir", str(REPO),
        "-p", "as_drives", *(f"-p{p}" for p in plugins), "-m", "burnin",
        "--hw-burnin-minutes=0.017", f"--hw-profile={profile}", "--hw-reports=none",
        f"--junitxml={junit}", *args)
    cases = {case.nodeid.split("::")[-1]: case for case in read_junit(str(junit)).cases}
    return result, cases


def contract(case: CaseResult, *keys: str) -> tuple[str | None, ...]:
    """The case's properties named by `keys`."""
    return tuple(case.get(key) for key in keys)


IDENTITY = ("component", "component_id", "serial", "model", "check", "unit", "expected",
            "verdict")


@pytest.mark.usefixtures("fio")
def test_each_drive_is_read_and_the_free_allowed_one_written(
        pytester: pytest.Pytester, loops: Loops, tmp_path: Path) -> None:
    free, mounted, other = loops.make("free"), loops.make("mounted"), loops.make("other")
    where = tmp_path / "mnt"
    loops.mount(mounted, where)
    drives = [(free, "nvme", "hwaccept-loop", "LOOP-FREE"),
              (mounted, "nvme", "hwaccept-loop", "LOOP-MOUNTED"),
              (other, "nvme", "other-model", "OTHER-1")]
    result, cases = run(pytester, drives, 0.000001, "--hw-allow-destructive")
    result.assert_outcomes(passed=7, skipped=2)
    written = cases[f"test_disk_seq_write[{free}]"]
    assert contract(written, *IDENTITY) == ("disk", "LOOP-FREE", "LOOP-FREE", "hwaccept-loop",
                                            "disk_seq_write", "MB/s", ">= 1e-06", "PASS")
    assert float(written.get("measured") or 0) > 0
    assert written.get("attempts") == written.get("measured")
    random = cases[f"test_disk_rand_read[{mounted}]"]
    assert contract(random, *IDENTITY) == ("disk", "LOOP-MOUNTED", "LOOP-MOUNTED",
                                           "hwaccept-loop", "disk_rand_read", "kIOPS",
                                           ">= 1e-06", "PASS")
    refused = cases[f"test_disk_seq_write[{mounted}]"]
    assert refused.outcome == "skipped"
    assert refused.message == f"not written: {mounted} is mounted at {where}"
    assert contract(refused, "component_id", "check", "verdict", "message") == (
        "LOOP-MOUNTED", "disk_seq_write", "UNKNOWN", refused.message)
    assert cases[f"test_disk_seq_write[{other}]"].message == (
        f"not written: {other} (model other-model, serial OTHER-1) matches none of the "
        "profile's burnin.disk.destructive_allowed (hwaccept-loop*)")
    groups = json.loads((pytester.path / "groups.json").read_text())
    assert groups == {f"{test}[{name}]": [f"disk:{name}"] for name, *_ in drives
                      for test in ("test_disk_seq_read", "test_disk_rand_read",
                                   "test_disk_seq_write")}


@pytest.mark.usefixtures("fio")
def test_a_slow_drive_is_measured_again_then_failed(pytester: pytest.Pytester,
                                                    loops: Loops) -> None:
    free = loops.make("slow")
    result, cases = run(pytester, [(free, "nvme", "hwaccept-loop", "LOOP-SLOW")], 1e9,
                        "--hw-allow-destructive")
    result.assert_outcomes(failed=3)
    assert {name: contract(case, "check", "failure_code", "action")
            for name, case in cases.items()} == {
        f"test_disk_seq_read[{free}]": ("disk_seq_read", "DISK_SLOW_READ", "INSPECT"),
        f"test_disk_rand_read[{free}]": ("disk_rand_read", "DISK_SLOW_READ", "INSPECT"),
        f"test_disk_seq_write[{free}]": ("disk_seq_write", "DISK_SLOW_WRITE", "INSPECT")}
    for case in cases.values():
        assert len((case.get("attempts") or "").split(",")) == 2
        assert "beyond >= 1e+09 in all 2 attempts" in case.message


def test_io_errors_fail_the_drive_and_writes_wait_to_be_asked(pytester: pytest.Pytester,
                                                              loops: Loops) -> None:
    free = loops.make("failing")
    result, cases = run(pytester, [(free, "nvme", "hwaccept-loop", "LOOP-EIO")], 0.000001,
                        "-k", "seq_read or seq_write", plugins=("failing_drive",))
    result.assert_outcomes(failed=1, skipped=1)
    failed = cases[f"test_disk_seq_read[{free}]"]
    assert contract(failed, "check", "measured", "expected", "verdict", "failure_code",
                    "action") == ("disk_seq_read", "EIO", "no I/O errors", "FAIL",
                                  "DISK_IO_ERROR", "INSPECT")
    assert f"fio: io_u error on file /dev/{free}: Input/output error" in failed.message
    assert cases[f"test_disk_seq_write[{free}]"].message == (
        "not written: writes erase the drive and need --hw-allow-destructive")


def test_a_machine_without_nvme_drives_says_so(pytester: pytest.Pytester) -> None:
    result, cases = run(pytester, [("vda", "virtio", "", "")], 0.000001)
    result.assert_outcomes(skipped=3)
    assert {case.message for case in cases.values()} == {
        "no NVMe drives to load; not loaded: vda (virtio)"}
