"""Rebuild the bundled snapshots from the real captures in ../shared/corpus.

    .venv/bin/python snapshots/build.py [--out-dir DIR]

Which captures make each snapshot is in bundles.json, and why in docs/snapshots.md. The
fault variants of the H100 snapshot (faults.json, faults.py) are then built from the
snapshot just written, under `faults/`. SOURCE_DATE_EPOCH is fixed, so a rebuild from the
same captures gives the same members.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import faults

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


def main() -> int:
    """Import each bundle's captures into its snapshot; stop at the first that fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=str(HERE), help="Where to write (default: here)")
    parser.add_argument("--corpus", default=str(CORPUS), help="The shared corpus")
    args = parser.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    from hwaccept.cli.main import main as hwaccept

    bundles = json.loads((HERE / "bundles.json").read_text())
    for name, captures in bundles.items():
        out = os.path.join(args.out_dir, name)
        status = hwaccept(["snapshot", "import", "-o", out,
                           *(os.path.join(args.corpus, c) for c in captures)])
        if status:
            return status
    base = Path(args.out_dir) / faults.description()["base"]
    faults.build_all(base, Path(args.out_dir), Path(args.corpus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
