"""The fio workloads: command lines, figures and failures replayed, real runs on loop devices."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from hwaccept.burnin.fio_runs import (
    RAND_READ,
    SEQ_READ,
    SEQ_WRITE,
    FioDeviceError,
    FioNotInstalled,
    FioResult,
    FioRunError,
    Workload,
    fio_argv,
    run_fio,
    runtime,
)
from hwaccept.sources.commands import (
    DEFAULT_TIMEOUT,
    CommandResult,
    CommandStatus,
    LiveRunner,
)
from tests.burnin.fio_output import direction, exited, fio_json
from tests.burnin.loop_devices import Loops, loop_devices

DEVICE = "/dev/nvme0n1"
IO_ERROR = ("fio: io_u error on file /dev/nvme0n1: Input/output error: read offset=1048576, "
            "buflen=1048576\n"
            "fio: pid=4242, err=5/file:io_u.c:1889, func=io_u error, error=Input/output error\n")


class Answering:
    """A Runner answering each command with `answer(argv)`, recording argv and timeout."""

    def __init__(self, answer: Callable[[tuple[str, ...]], CommandResult]) -> None:
        self.answer = answer
        self.calls: list[tuple[tuple[str, ...], float]] = []

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> CommandResult:
        self.calls.append((tuple(argv), timeout))
        return self.answer(tuple(argv))


def test_each_workload_has_the_command_line_it_documents() -> None:
    common = ["--ioengine=libaio", "--direct=1", "--time_based", "--runtime=600s",
              "--group_reporting", "--output-format=json"]
    assert fio_argv(SEQ_READ, DEVICE, 600) == [
        "fio", "--name=hwaccept-disk_seq_read", f"--filename={DEVICE}", "--rw=read", "--bs=1M",
        "--iodepth=32", "--numjobs=1", *common, "--readonly"]
    assert fio_argv(RAND_READ, DEVICE, 600) == [
        "fio", "--name=hwaccept-disk_rand_read", f"--filename={DEVICE}", "--rw=randread",
        "--bs=4k", "--iodepth=64", "--numjobs=4", *common, "--norandommap", "--randrepeat=0",
        "--readonly"]
    assert fio_argv(SEQ_WRITE, DEVICE, 600, "/opt/fio/bin/fio") == [
        "/opt/fio/bin/fio", "--name=hwaccept-disk_seq_write", f"--filename={DEVICE}",
        "--rw=write", "--bs=1M", "--iodepth=32", "--numjobs=1", *common]


@pytest.mark.parametrize(("seconds", "value"), [
    (0.01, "1s"), (1.0, "1s"), (1.5, "1500ms"), (3.0, "3s"), (1.2001, "1201ms"), (600.0, "600s"),
])
def test_runtime_is_whole_seconds_or_milliseconds_and_at_least_one_second(
        seconds: float, value: str) -> None:
    assert runtime(seconds) == value


@pytest.mark.parametrize(("workload", "output", "value"), [
    pytest.param(SEQ_READ, fio_json(read=direction(3_210_987_654, 3062.2)), 3210.987654,
                 id="seq-read-mb-per-s"),
    pytest.param(RAND_READ, fio_json(read=direction(3_327_426_560, 812_360.5)), 812.3605,
                 id="rand-read-kiops"),
    pytest.param(SEQ_WRITE, fio_json(write=direction(2_048_000_000, 1953.1)), 2048.0,
                 id="seq-write-mb-per-s"),
])
def test_figures_are_read_from_the_grouped_job(workload: Workload, output: str,
                                               value: float) -> None:
    runner = Answering(lambda argv: exited(argv, output))
    result = run_fio(runner, workload, DEVICE, 120.0)
    assert result.value == pytest.approx(value)
    assert runner.calls == [(tuple(fio_argv(workload, DEVICE, 120.0)), 150.0)]
    assert result.argv == runner.calls[0][0]


def test_a_missing_fio_says_how_to_install_it() -> None:
    runner = Answering(lambda argv: CommandResult(argv, CommandStatus.NOT_INSTALLED))
    with pytest.raises(FioNotInstalled, match=r"^fio is not installed \(apt-get install fio\)$"):
        run_fio(runner, SEQ_READ, DEVICE, 10)


def test_an_io_error_is_the_drives_and_quotes_fio() -> None:
    output = fio_json(read=direction(1_000_000, 1.0), error=5)
    runner = Answering(lambda argv: exited(argv, output, 1, IO_ERROR))
    with pytest.raises(FioDeviceError) as caught:
        run_fio(runner, SEQ_READ, DEVICE, 10)
    assert caught.value.errno == 5
    assert str(caught.value) == (
        "fio read on /dev/nvme0n1: error 5 (fio: io_u error on file /dev/nvme0n1: Input/output "
        "error: read offset=1048576, buflen=1048576; fio: pid=4242, err=5/file:io_u.c:1889, "
        "func=io_u error, error=Input/output error)")


@pytest.mark.parametrize(("result", "message"), [
    pytest.param(lambda argv: exited(argv, fio_json(error=13), 1),
                 "fio read on /dev/nvme0n1: error 13 (Permission denied)", id="job-error"),
    pytest.param(lambda argv: CommandResult(argv, CommandStatus.TIMEOUT, duration=40.2),
                 "fio on /dev/nvme0n1: fio: timed out after 40s", id="timeout"),
    pytest.param(lambda argv: exited(argv, "", 1, "fio: unrecognized option '--bogus'\n"),
                 "fio on /dev/nvme0n1: fio: exit status 1: fio: unrecognized option '--bogus'",
                 id="refused"),
    pytest.param(lambda argv: exited(argv, fio_json()),
                 "fio read on /dev/nvme0n1: nothing was transferred", id="nothing-read"),
    pytest.param(lambda argv: exited(argv, '{"fio version": "fio-3.33"}'),
                 "fio on /dev/nvme0n1: no `fio version` and `jobs` in the JSON", id="no-jobs"),
])
def test_a_run_that_did_not_measure_says_why(
        result: Callable[[tuple[str, ...]], CommandResult], message: str) -> None:
    with pytest.raises(FioRunError) as caught:
        run_fio(Answering(result), SEQ_READ, DEVICE, 10)
    assert not isinstance(caught.value, FioDeviceError)
    assert str(caught.value).startswith(message)


@pytest.fixture
def loops(tmp_path: Path) -> Iterator[Loops]:
    with loop_devices(tmp_path) as made:
        yield made


def live_run(workload: Workload, device: str, seconds: float) -> FioResult:
    """Run fio for real, else skip saying it is not installed."""
    try:
        return run_fio(LiveRunner(), workload, f"/dev/{device}", seconds)
    except FioNotInstalled as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("workload", [SEQ_READ, RAND_READ], ids=lambda w: w.check)
def test_reads_of_a_loop_device_measure_and_write_nothing(loops: Loops, tmp_path: Path,
                                                          workload: Workload) -> None:
    device = loops.make("read")
    result = live_run(workload, device, 1.0)
    assert result.argv == tuple(fio_argv(workload, f"/dev/{device}", 1.0))
    assert result.value > 0
    [job] = result.run.jobs
    assert (job.jobname, job.error, job.write) == (f"hwaccept-{workload.check}", 0, None)
    assert job.read is not None
    assert job.read.io_bytes > 0
    assert (tmp_path / "read.img").read_bytes().count(0) == (tmp_path / "read.img").stat().st_size


def test_a_write_of_a_loop_device_measures_and_writes(loops: Loops, tmp_path: Path) -> None:
    device = loops.make("write")
    result = live_run(SEQ_WRITE, device, 1.0)
    assert result.value > 0
    [job] = result.run.jobs
    assert (job.error, job.read, job.write is not None) == (0, None, True)
    assert any((tmp_path / "write.img").read_bytes()[:1 << 20])
