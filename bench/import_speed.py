"""How long `hwaccept snapshot import` takes on three real captures (target: under 1 s).

The captures: the 927 KB lspci -vvv, the 8x H100 `nvidia-smi -q` and the full boot dmesg.

Usage: `.venv/bin/python bench/import_speed.py [--runs N]`

Measures the whole command as a user runs it (a fresh process: interpreter start,
imports, the pci.ids load, parsing, merging, writing the .tar.gz), and the import alone
in one process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hwaccept.importers.run import Input, import_files

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
INPUTS = (
    CORPUS / "lspci" / "gpud_lspci-vvv_8xH100-SXM5_CX7.txt",
    CORPUS / "nvml" / "gpud_nvidia-smi-q_535.161.08_8xH100-80GB-HBM3.txt",
    CORPUS / "kmsg" / "gpud_dmesg_boot_full-decode-iso.log",
)


def command_seconds(out: str) -> float:
    argv = [sys.executable, "-m", "hwaccept", "snapshot", "import", "-o", out,
            *map(str, INPUTS)]
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def in_process_seconds() -> float:
    start = time.perf_counter()
    result = import_files([Input(str(path)) for path in INPUTS])
    elapsed = time.perf_counter() - start
    if result.errors:
        raise SystemExit("; ".join(result.errors))
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    sizes = sum(path.stat().st_size for path in INPUTS)
    first = in_process_seconds()
    inner = statistics.median(in_process_seconds() for _ in range(args.runs))
    with tempfile.TemporaryDirectory() as directory:
        out = f"{directory}/h100.tar.gz"
        whole = statistics.median(command_seconds(out) for _ in range(args.runs))
    print(f"{len(INPUTS)} files, {sizes / 1024:.0f} KiB: `hwaccept snapshot import` "
          f"{whole * 1000:.0f} ms (fresh process, median of {args.runs}); in process "
          f"{first * 1000:.0f} ms first, {inner * 1000:.0f} ms after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
