"""fio's JSON output as fio 3.x prints it, for replaying runs of fio with chosen figures."""

from __future__ import annotations

import json
from typing import Any

from hwaccept.sources.commands import CommandResult, CommandStatus


def direction(bw_bytes_s: int, iops: float) -> dict[str, Any]:
    """One direction's object with the keys hwaccept.tools.fio_json reads."""
    latency = {"min": 1000, "max": 90000, "mean": 2500.0, "stddev": 300.0,
               "percentile": {"99.000000": 8000}}
    return {"io_bytes": bw_bytes_s * 2, "bw": bw_bytes_s // 1024, "bw_bytes": bw_bytes_s,
            "iops": iops, "runtime": 2000, "total_ios": int(iops * 2),
            "clat_ns": latency, "lat_ns": latency}


IDLE = {"io_bytes": 0, "bw": 0, "bw_bytes": 0, "iops": 0.0, "runtime": 0, "total_ios": 0,
        "clat_ns": {"min": 0, "max": 0, "mean": 0.0, "stddev": 0.0},
        "lat_ns": {"min": 0, "max": 0, "mean": 0.0, "stddev": 0.0}}


def fio_json(*, read: dict[str, Any] | None = None, write: dict[str, Any] | None = None,
             error: int = 0, name: str = "hwaccept-disk_seq_read") -> str:
    """A whole document with one (grouped) job."""
    job = {"jobname": name, "groupid": 0, "error": error, "elapsed": 3,
           "read": read or IDLE, "write": write or IDLE}
    return json.dumps({"fio version": "fio-3.33", "timestamp": 1795326032, "jobs": [job]},
                      indent=2)


def exited(argv: tuple[str, ...], stdout: str, returncode: int = 0,
           stderr: str = "") -> CommandResult:
    """The result of a fio run as the commands seam gives it."""
    return CommandResult(argv, CommandStatus.EXITED, returncode, stdout, stderr, 2.1)
