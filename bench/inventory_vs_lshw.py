"""`hwaccept inventory --json` against Debian's `lshw -json` on this machine, live.

Both commands run alternately, so machine noise lands on both alike; the medians and
their ratio are printed, with what each reported. Run from the checkout after setup.

Usage: `.venv/bin/python bench/inventory_vs_lshw.py [--runs N]`
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HWACCEPT = [str(Path(sys.executable).with_name("hwaccept")), "inventory", "--json"]
LSHW = ["lshw", "-json"]


def timed(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def lshw_nodes(tree: object) -> int:
    if isinstance(tree, list):
        return sum(lshw_nodes(node) for node in tree)
    if isinstance(tree, dict):
        return 1 + lshw_nodes(tree.get("children", []))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if shutil.which("lshw") is None:
        print("lshw is not installed: apt-get install lshw", file=sys.stderr)
        return 2
    for argv in (HWACCEPT, LSHW):
        timed(argv)
    ours, theirs = [], []
    for _ in range(args.runs):
        ours.append(timed(HWACCEPT)[0])
        theirs.append(timed(LSHW)[0])
    inventory = json.loads(timed(HWACCEPT)[1])
    lshw = json.loads(timed(LSHW)[1])
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"hwaccept inventory --json: median {a * 1000:.1f} ms over {args.runs} runs")
    print(f"lshw -json:                median {b * 1000:.1f} ms over {args.runs} runs")
    print(f"ratio hwaccept/lshw:       {a / b:.2f}")
    counts = {k: len(v) for k, v in inventory.items() if isinstance(v, list)}
    print(f"hwaccept reported: {counts}, SMART, AER, NVML state, kernel events")
    print(f"lshw reported: {lshw_nodes(lshw)} nodes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
