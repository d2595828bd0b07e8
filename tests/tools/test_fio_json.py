"""fio JSON output: published samples from tests/fixtures/burnin and a live run of fio."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from hwaccept.tools.fio_json import (
    FioDirection,
    FioJob,
    FioJsonError,
    FioLatency,
    FioRun,
    parse_fio_json,
)
from tests.corpus import fixture

NVME_RANDRW = "fio_superbench_fio-3.16_nvme0n1_randrw-4k.json"
WINDOWS_ERROR = "fio_virtualclient_fio-3.13_windowsaio_job-error-42_EDITED.txt"
LOCAL_READ = "fio_local_fio-3.33_read-128k-psync-5s_tmpfile.json"

PERCENTS = (1.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 95.0, 99.0, 99.5,
            99.9, 99.95, 99.99)
"""The percentiles fio reports by default, in the order it prints them."""


def sample(name: str) -> str:
    path = fixture(f"burnin/{name}")
    if not path.is_file():
        pytest.skip(f"fixture file missing: {path}")
    return path.read_text(encoding="utf-8")


def percentiles(*values_ns: int) -> dict[float, int]:
    return dict(zip(PERCENTS, values_ns, strict=True))


def test_nvme_randrw_with_total_latency_percentiles() -> None:
    assert parse_fio_json(sample(NVME_RANDRW)) == FioRun("fio-3.16", 1626763278, (FioJob(
        "rand_read_write", groupid=0, error=0, elapsed_s=41,
        read=FioDirection(
            10463010816, 340570, 348743777, 85138.890741, 30002, 2554337,
            clat=FioLatency(278533, 10175655, 1444476.063469, 300748.583131, {}),
            lat=FioLatency(280646, 10177629, 1446562.147113, 300723.879349, percentiles(
                872448, 1036288, 1122304, 1220608, 1286144, 1351680, 1417216, 1482752,
                1564672, 1662976, 1810432, 1941504, 2244608, 2408448, 3620864, 4358144,
                6062080))),
        write=FioDirection(
            10454208512, 340283, 348450387, 85066.128925, 30002, 2552154,
            clat=FioLatency(433904, 6300941, 1558511.433458, 207734.850159, {}),
            lat=FioLatency(441909, 6302845, 1560749.444938, 207695.144244, percentiles(
                1155072, 1269760, 1318912, 1384448, 1449984, 1499136, 1531904, 1597440,
                1646592, 1728512, 1826816, 1908736, 2072576, 2179072, 2605056, 3031040,
                4358144)))),), notices=())


def test_job_error_and_the_notices_printed_before_the_json() -> None:
    assert parse_fio_json(sample(WINDOWS_ERROR)) == FioRun("fio-3.13", 1598385433, (FioJob(
        "fiotest", groupid=0, error=42, elapsed_s=4,
        read=FioDirection(
            536973312, 197509, 202249835, 49501.318267, 2655, 131426,
            clat=FioLatency(220057, 16434775, 5922036.884193, 2236444.572861, percentiles(
                1335296, 2179072, 2736128, 3489792, 4816896, 5668864, 6258688, 6782976,
                7241728, 7831552, 8585216, 9371648, 10420224, 11075584, 12517376, 12910592,
                14745600)),
            lat=FioLatency(286606, 16443603, 5933374.176961, 2235791.364193, {})),
        write=None),), notices=(
        "fio: pid=19192, err=42/file:io_u.c:2074, func=io_u_queued_complete, "
        "error=Illegal byte sequence",
        "fio: pid=19192, err=43/file:io_u.c:2074, func=io_u_queued_complete, "
        "error=Different Error"))


def test_read_job_captured_on_this_project_vm() -> None:
    assert parse_fio_json(sample(LOCAL_READ)) == FioRun("fio-3.33", 1795332368, (FioJob(
        "burnin-read", groupid=0, error=0, elapsed_s=6,
        read=FioDirection(
            7138836480, 1393189, 1426625995, 10884.292566, 5004, 54465,
            clat=FioLatency(3305, 27318917, 90876.446525, 895026.659659, percentiles(
                4256, 4448, 4640, 4832, 5024, 5216, 5472, 5728, 6112, 6816, 8768, 246784,
                337920, 8093696, 14221312, 15925248, 18743296)),
            lat=FioLatency(3315, 27318957, 90900.578757, 895027.536081, {})),
        write=None),), notices=())


def test_live_fio_read_job(tmp_path: Path) -> None:
    fio = shutil.which("fio")
    if fio is None:
        pytest.skip("fio not installed (not on PATH)")
    argv = [fio, "--name=hwaccept-read", f"--filename={tmp_path / 'data'}", "--size=8M",
            "--rw=read", "--bs=64k", "--ioengine=psync", "--runtime=1", "--time_based",
            "--output-format=json"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    run = parse_fio_json(done.stdout)
    [job] = run.jobs
    assert re.fullmatch(r"fio-\d+\.\d+\S*", run.fio_version)
    assert (job.jobname, job.groupid, job.error, job.write) == ("hwaccept-read", 0, 0, None)
    assert job.read is not None
    assert job.read.io_bytes > 0
    assert job.read.total_ios * 65536 == job.read.io_bytes
    assert job.read.bw_bytes_s is not None
    assert job.read.bw_kib_s == job.read.bw_bytes_s // 1024
    assert job.read.clat.min_ns <= job.read.clat.percentiles_ns[50.0] <= job.read.clat.max_ns


def cut_at(marker: str) -> Callable[[str], str]:
    return lambda text: text[:text.index(marker)]


@pytest.mark.parametrize(("name", "edit", "message"), [
    pytest.param(LOCAL_READ, cut_at('"write"'), "not JSON (", id="truncated"),
    pytest.param(LOCAL_READ, lambda text: text.replace('"jobs"', '"runs"', 1),
                 "no `fio version` and `jobs` in the JSON", id="no-jobs"),
    pytest.param(LOCAL_READ, lambda text: text.replace('"clat_ns"', '"clat"', 1),
                 "job 'burnin-read' read: fio 2.x latencies in microseconds are not supported",
                 id="fio-2-latencies"),
    pytest.param(LOCAL_READ, lambda text: text.replace('"bw" : 1393189', '"bw" : "1393189"'),
                 "job 'burnin-read' read: 'bw' should be int, got '1393189'", id="bw-string"),
    pytest.param(LOCAL_READ, lambda text: text.replace('"iops" : 10884.292566', '"iops" : null'),
                 "job 'burnin-read' read: 'iops' should be a number, got None", id="iops-null"),
    pytest.param(LOCAL_READ, lambda text: text.replace('"1.000000" : 4256', '"p1" : 4256'),
                 "job 'burnin-read' read clat_ns: percentile is not a map of percent to ns",
                 id="percentile-key"),
])
def test_malformed_output_names_the_problem(name: str, edit: Callable[[str], str],
                                            message: str) -> None:
    with pytest.raises(FioJsonError, match="^" + re.escape(message)) as caught:
        parse_fio_json(edit(sample(name)))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty output where `fio --output-format=json` prints a JSON object"),
    ("fio: failed parsing rw=reed\n", "not JSON ("),
])
def test_output_that_is_not_fio_json(text: str, message: str) -> None:
    with pytest.raises(FioJsonError, match="^" + re.escape(message)):
        parse_fio_json(text)
