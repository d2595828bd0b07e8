"""Parsing speed of the kernel log parser on the corpus's full 8x H100 boot log (2,362 lines).

Usage: `.venv/bin/python bench/kernel_log.py [--runs N]`
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hwaccept.tools.kernel_log import events, parse_line

BOOT_LOG = (Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "kmsg"
            / "gpud_dmesg_boot_full-decode-iso.log")


def median_time(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    lines = BOOT_LOG.read_text().splitlines()
    every = median_time(lambda: [parse_line(line) for line in lines], args.runs)
    found = median_time(lambda: events(lines), args.runs)
    print(f"{len(lines)} lines: parse_line on every line {every * 1000:.1f} ms, "
          f"events() {found * 1000:.1f} ms (medians of {args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
