"""`hwaccept inventory`: tables or JSON of a live machine or a snapshot."""

from __future__ import annotations

import argparse
import json
import sys

from hwaccept.inventory.build import build_inventory
from hwaccept.sources import open_sources


def run(args: argparse.Namespace) -> int:
    """Print the inventory; 0 even when devices had problems (they are listed)."""
    inventory = build_inventory(open_sources(args.snapshot, args.root))
    if args.json:
        from hwaccept.inventory.serialize import inventory_data

        json.dump(inventory_data(inventory), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        from hwaccept.inventory.render import render

        sys.stdout.write(render(inventory))
    return 0
