"""Wall time of `hwaccept --help`, which must stay under 300 ms (lazy imports).

Usage: `.venv/bin/python bench/help_time.py [--runs N]`
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HWACCEPT = str(Path(sys.executable).with_name("hwaccept"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([HWACCEPT, "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    print(f"hwaccept --help: median {statistics.median(times) * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms over {args.runs} runs (target < 300 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
