"""`hwaccept inventory`: tables or JSON of a live machine or a snapshot."""

from __future__ import annotations

import argparse
import json
import sys

from hwaccept.inventory.build import build_inventory
from hwaccept.sources import Sources, live_sources


def sources_for(args: argparse.Namespace) -> Sources:
    """The seams chosen by --snapshot / --root."""
    if getattr(args, "snapshot", None):
        from hwaccept.snapshot import load_snapshot, snapshot_sources

        return snapshot_sources(load_snapshot(args.snapshot))
    return live_sources(root=args.root)


def run(args: argparse.Namespace) -> int:
    """Print the inventory; 0 even when devices had problems (they are listed)."""
    inventory = build_inventory(sources_for(args))
    if args.json:
        from hwaccept.inventory.serialize import inventory_data

        json.dump(inventory_data(inventory), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        from hwaccept.inventory.render import render

        sys.stdout.write(render(inventory))
    return 0
