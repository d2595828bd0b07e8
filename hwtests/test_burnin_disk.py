"""NVMe drives under load: sequential and random reads, and sequential writes that erase.

Each test runs one fio workload (hwaccept.burnin.fio_runs) on the raw drive for the
burn-in's duration and compares its figure with the profile's `burnin.disk` minimum,
measuring a low value again before failing it (hwaccept.burnin.measure). A re-measurement
loads the drive for `RETRY_SECONDS` at most, so that every attempt fits in the test's grace
period. A drive that answers with I/O errors fails with DISK_IO_ERROR.

Reads never write (fio's `--readonly`). The write test erases the drive: it runs only with
`--hw-allow-destructive`, on a drive the profile's `burnin.disk.destructive_allowed` names,
and never on a drive in use (hwaccept.burnin.disk_guard); else it skips with every reason
the guard gave, and records the drive's identity with them. Each case of a drive is in its
xdist group `disk:<name>`: a drive is loaded by one test at a time, drives in parallel.
"""

from __future__ import annotations

import errno
from collections.abc import Callable

import pytest

from hwaccept.burnin.disk_guard import write_refusals
from hwaccept.burnin.fio_runs import (
    RAND_READ,
    SEQ_READ,
    SEQ_WRITE,
    FioDeviceError,
    FioNotInstalled,
    FioRunError,
    Workload,
    run_fio,
)
from hwaccept.burnin.measure import attempts_property, finding_of, measure
from hwaccept.burnin.plan import BurninPlan
from hwaccept.checks.findings import Finding, Outcome, failed, make_finding, unknown
from hwaccept.checks.parts import disk_part
from hwaccept.inventory.records import Disk, Inventory
from hwaccept.profiles.schema import Limit
from hwaccept.sources.commands import Runner
from plugins.hw_burnin import live_seams, record_and_judge
from plugins.hw_inventory import inventory_of

pytestmark = [pytest.mark.burnin, pytest.mark.disk]

RETRY_SECONDS = 30.0
"""Longest a re-measurement loads the drive (the burn-in's duration when shorter)."""


def nvme_drives(inventory: Inventory) -> tuple[Disk, ...]:
    """The drives the burn-in loads: NVMe, in inventory order."""
    return tuple(disk for disk in inventory.disks if disk.transport == "nvme")


def no_nvme(inventory: Inventory) -> str:
    """Why no drive is loaded, naming the disks that are not NVMe."""
    others = ", ".join(f"{d.name} ({d.transport or 'transport unknown'})" for d in inventory.disks)
    return "no NVMe drives to load" + (f"; not loaded: {others}" if others else "")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `drive` with the NVMe drives, each case in its drive's xdist group."""
    if "drive" not in metafunc.fixturenames:
        return
    inventory = inventory_of(metafunc.config)
    drives = nvme_drives(inventory)
    if not drives:
        skip = pytest.mark.skip(reason=no_nvme(inventory))
        metafunc.parametrize("drive", [pytest.param(None, marks=skip, id="none")])
        return
    metafunc.parametrize("drive", [
        pytest.param(drive, id=drive.name, marks=pytest.mark.xdist_group(f"disk:{drive.name}"))
        for drive in drives])


def limit_of(burnin: BurninPlan, workload: Workload) -> Limit:
    """The profile's limit for `workload`, else skip the test saying it is not asked for."""
    spec = burnin.spec.disk if burnin.spec else None
    limit = getattr(spec, workload.limit, None) if spec else None
    if not isinstance(limit, Limit):
        pytest.skip(f"the profile sets no burnin.disk.{workload.limit}")
    return limit


def attempt_durations(seconds: float) -> Callable[[], float]:
    """The duration of each attempt: `seconds` for the first, at most RETRY_SECONDS after."""
    attempts: list[float] = []

    def duration() -> float:
        attempts.append(seconds if not attempts else min(seconds, RETRY_SECONDS))
        return attempts[-1]
    return duration


def io_error(drive: Disk, workload: Workload, exc: FioDeviceError) -> Finding:
    """The drive failed the workload's I/O."""
    return make_finding(workload.check, "disk", disk_part(drive), Outcome(
        failed(str(exc), "DISK_IO_ERROR"), measured=errno.errorcode.get(exc.errno, exc.errno),
        expected="no I/O errors"))


def loaded_case(request: pytest.FixtureRequest, drive: Disk, workload: Workload, *,
                limit: Limit, burnin: BurninPlan, runner: Runner) -> None:
    """Load the drive (again while low), record the finding and its attempts, judge it."""
    duration = attempt_durations(burnin.seconds)

    def take() -> float:
        return run_fio(runner, workload, f"/dev/{drive.name}", duration()).value

    try:
        measured = measure(workload.check, workload.unit, take, limit, burnin.retries)
    except FioNotInstalled as exc:
        pytest.skip(str(exc))
    except FioDeviceError as exc:
        record_and_judge(request.node, [io_error(drive, workload, exc)])
        return
    except FioRunError as exc:
        pytest.fail(str(exc), pytrace=False)
    record_and_judge(request.node, [finding_of(measured, disk_part(drive), "disk", workload.code)],
                     attempts_property(measured))


def test_disk_seq_read(request: pytest.FixtureRequest, drive: Disk, burnin: BurninPlan) -> None:
    """Sequential reads (1 MiB, 32 in flight) in MB/s against `burnin.disk.seq_read_mbps`."""
    limit = limit_of(burnin, SEQ_READ)
    seams = live_seams(request.config)
    loaded_case(request, drive, SEQ_READ, limit=limit, burnin=burnin, runner=seams.runner)


def test_disk_rand_read(request: pytest.FixtureRequest, drive: Disk, burnin: BurninPlan) -> None:
    """Random reads (4 KiB, 4 jobs of 64 in flight) in kIOPS against `rand_read_kiops`."""
    limit = limit_of(burnin, RAND_READ)
    seams = live_seams(request.config)
    loaded_case(request, drive, RAND_READ, limit=limit, burnin=burnin, runner=seams.runner)


@pytest.mark.destructive
def test_disk_seq_write(request: pytest.FixtureRequest, drive: Disk, burnin: BurninPlan) -> None:
    """Sequential writes (1 MiB, 32 in flight) in MB/s against `seq_write_mbps`: erases the drive.

    The guard is asked right before the load, so a drive mounted since collection is refused.
    """
    limit = limit_of(burnin, SEQ_WRITE)
    seams = live_seams(request.config)
    spec = burnin.spec.disk if burnin.spec else None
    refusals = write_refusals(seams.files, drive, asked=burnin.allow_destructive,
                              allowed=spec.destructive_allowed if spec else None)
    if refusals:
        message = "not written: " + "; ".join(refusal.message for refusal in refusals)
        request.node.user_properties.extend(make_finding(
            SEQ_WRITE.check, "disk", disk_part(drive), Outcome(unknown(message))).properties())
        pytest.skip(message)
    loaded_case(request, drive, SEQ_WRITE, limit=limit, burnin=burnin, runner=seams.runner)
