"""In-process replay of a snapshot into an inventory (target: under 150 ms for 8 GPUs).

Times reading the archive, decoding it and building the inventory, each run from the
file on disk. Without an argument, captures this machine first and replays that.

Usage: `.venv/bin/python bench/replay.py [SNAPSHOT] [--runs N]`
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from hwaccept.inventory.build import build_inventory
from hwaccept.snapshot import capture, load_snapshot, snapshot_sources


def replay_once(path: str) -> tuple[float, int]:
    start = time.perf_counter()
    inventory = build_inventory(snapshot_sources(load_snapshot(path)))
    return time.perf_counter() - start, len(inventory.gpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", nargs="?")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.snapshot or str(Path(scratch) / "this-machine.tar.gz")
        if args.snapshot is None:
            capture(path)
        replay_once(path)
        runs = [replay_once(path) for _ in range(args.runs)]
    times = [seconds for seconds, _ in runs]
    print(f"replay of {args.snapshot or 'a capture of this machine'} ({runs[0][1]} GPUs): "
          f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
          f"over {args.runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
