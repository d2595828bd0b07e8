"""A small fleet history with one of everything the fleet report looks for.

Day 1: SYS-A is rejected (its GPU in slot 3, serial MOVED, has a double-bit ECC error);
SYS-B passes. Day 2: SYS-A passes with a new GPU in slot 3. Day 3: SYS-C is rejected:
MOVED was fitted in its slot 3 and fails again (a repeat offender). Day 4: the run on
SYS-D did not finish.
"""

from __future__ import annotations

from hwaccept.reports.model import RunReport
from tests.history.runs import bdf, gpu_serials, server_run

MOVED = "1654922004703"
SLOT3 = bdf(3)


def small_fleet() -> list[RunReport]:
    """The five runs, oldest first."""
    first_a = gpu_serials(1654922004700)
    second_a = [*first_a[:3], "1654922009999", *first_a[4:]]
    c = gpu_serials(1654922005700)
    c[3] = MOVED
    return [
        server_run("SYS-A", first_a, "2026-05-01T08:00:00Z", failing={MOVED: "GPU_ECC_DBE"}),
        server_run("SYS-B", gpu_serials(1654922006700), "2026-05-01T09:00:00Z"),
        server_run("SYS-A", second_a, "2026-05-02T08:00:00Z"),
        server_run("SYS-C", c, "2026-05-03T08:00:00Z", failing={MOVED: "GPU_ECC_DBE"}),
        server_run("SYS-D", gpu_serials(1654922007700), "2026-05-04T08:00:00Z",
                   complete=False),
    ]
