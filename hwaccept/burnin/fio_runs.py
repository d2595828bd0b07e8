"""fio against one drive: sequential and random reads, and (erasing it) sequential writes.

Each workload is one fio run on the raw block device for a given time (`--time_based`),
bypassing the page cache (`--direct=1`) so the drive, not memory, is measured, with
enough requests in flight (`--iodepth`, `--numjobs`) for an NVMe drive to reach its rated
throughput. Its jobs are reported as one (`--group_reporting`). Read runs carry fio's own
`--readonly`, which refuses any write or trim whatever else the command line says: a read
can never erase a drive. Whether a write may run is hwaccept.burnin.disk_guard's to say.

Runs go through the commands seam (an argv list, a timeout of the duration and a grace);
fio's JSON is parsed by hwaccept.tools.fio_json. Figures are decimal: MB/s is 10^6 bytes
per second (as drive datasheets rate them), kIOPS is thousands of I/Os per second.
"""

from __future__ import annotations

import errno
import math
import os
from dataclasses import dataclass

from hwaccept.sources.commands import CommandStatus, Runner
from hwaccept.tools.fio_json import FioDirection, FioJsonError, FioRun, parse_fio_json

FIO = "fio"
NOT_INSTALLED = "fio is not installed (apt-get install fio)"
GRACE_SECONDS = 30.0
"""Time fio may take past its runtime: start-up and the last requests in flight."""
DEVICE_ERRNOS = frozenset({errno.EIO, errno.ENODATA, errno.EILSEQ, errno.ENXIO, errno.ENODEV})
"""Job errors that are the drive's (failed I/O, the device gone), not fio's set-up."""


@dataclass(frozen=True)
class Workload:
    """One fio workload and how its result is compared with the profile."""

    check: str  # the JUnit `check`: disk_seq_read
    rw: str  # fio --rw
    block_size: str  # fio --bs
    iodepth: int
    numjobs: int
    unit: str  # MB/s or kIOPS
    limit: str  # the key under the profile's burnin.disk: seq_read_mbps
    code: str  # the failure code of a value below the limit
    writes: bool = False

    def value(self, direction: FioDirection) -> float:
        """The figure compared with the limit: MB/s, or kIOPS."""
        if self.unit == "kIOPS":
            return direction.iops / 1000.0
        per_second = direction.bw_bytes_s if direction.bw_bytes_s is not None else (
            direction.bw_kib_s * 1024)
        return per_second / 1e6


SEQ_READ = Workload("disk_seq_read", "read", "1M", 32, 1, "MB/s", "seq_read_mbps",
                    "DISK_SLOW_READ")
RAND_READ = Workload("disk_rand_read", "randread", "4k", 64, 4, "kIOPS", "rand_read_kiops",
                     "DISK_SLOW_READ")
SEQ_WRITE = Workload("disk_seq_write", "write", "1M", 32, 1, "MB/s", "seq_write_mbps",
                     "DISK_SLOW_WRITE", writes=True)


class FioRunError(RuntimeError):
    """fio did not run to the end, or printed what cannot be read."""


class FioNotInstalled(FioRunError):
    """There is no fio binary to run."""


class FioDeviceError(FioRunError):
    """The drive failed fio's I/O (an I/O error, or the device went away)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.errno = code


@dataclass(frozen=True)
class FioResult:
    """One run's figure, with what produced it."""

    workload: Workload
    value: float  # in workload.unit
    argv: tuple[str, ...]
    run: FioRun


def runtime(seconds: float) -> str:
    """The value of fio's --runtime: whole seconds as `30s`, else milliseconds, at least 1 s."""
    millis = max(1000, math.ceil(seconds * 1000))
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis}ms"


def fio_argv(workload: Workload, device: str, seconds: float, binary: str = FIO) -> list[str]:
    """The fio command line of `workload` on block device `device` for `seconds`."""
    argv = [binary, f"--name=hwaccept-{workload.check}", f"--filename={device}",
            f"--rw={workload.rw}", f"--bs={workload.block_size}",
            f"--iodepth={workload.iodepth}", f"--numjobs={workload.numjobs}",
            "--ioengine=libaio", "--direct=1", "--time_based", f"--runtime={runtime(seconds)}",
            "--group_reporting", "--output-format=json"]
    if workload.rw.startswith("rand"):
        argv += ["--norandommap", "--randrepeat=0"]
    if not workload.writes:
        argv.append("--readonly")
    return argv


def run_fio(runner: Runner, workload: Workload, device: str, seconds: float,
            binary: str = FIO) -> FioResult:
    """Run `workload` on `device` and return its figure.

    Raises:
        FioNotInstalled: no fio binary.
        FioDeviceError: the job ended with an error of the drive (EIO, the device gone).
        FioRunError: fio did not finish, failed otherwise, or printed no usable result.

    """
    result = runner.run(fio_argv(workload, device, seconds, binary),
                        timeout=seconds + GRACE_SECONDS)
    if result.status is CommandStatus.NOT_INSTALLED:
        raise FioNotInstalled(NOT_INSTALLED)
    try:
        run = parse_fio_json(result.stdout)
    except FioJsonError as exc:
        raise FioRunError(f"fio on {device}: {result.describe() if not result.ok else exc}"
                          ) from None
    direction = direction_of(run, workload, device, result.stderr)
    return FioResult(workload, workload.value(direction), result.argv, run)


def direction_of(run: FioRun, workload: Workload, device: str, stderr: str = "") -> FioDirection:
    """The reads or writes of the run's one (grouped) job.

    fio prints what went wrong (`fio: io_u error on file /dev/nvme0n1: Input/output
    error: read offset=...`) on stderr, or before its JSON when both are captured together.

    Raises:
        FioDeviceError, FioRunError: as for `run_fio`.

    """
    if len(run.jobs) != 1:
        raise FioRunError(f"fio on {device}: {len(run.jobs)} job results, expected one")
    job = run.jobs[0]
    if job.error:
        notices = [*run.notices, *(line.strip() for line in stderr.splitlines()
                                   if line.startswith("fio:"))]
        said = "; ".join(dict.fromkeys(notices)) or os.strerror(job.error)
        message = f"fio {workload.rw} on {device}: error {job.error} ({said})"
        if job.error in DEVICE_ERRNOS:
            raise FioDeviceError(message, job.error)
        raise FioRunError(message)
    direction = job.write if workload.writes else job.read
    if direction is None:
        raise FioRunError(f"fio {workload.rw} on {device}: nothing was transferred")
    return direction
