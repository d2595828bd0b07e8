"""`hwaccept snapshot capture`: record this machine into a replayable snapshot."""

from __future__ import annotations

import argparse
import sys

from hwaccept.snapshot import capture as capture_snapshot
from hwaccept.sources import live_sources


def capture(args: argparse.Namespace) -> int:
    """Write the snapshot and say what it holds."""
    inventory = capture_snapshot(args.output, live_sources(root=args.root))
    print(f"wrote {args.output}: {len(inventory.pci_devices)} PCI devices, "
          f"{len(inventory.gpus)} GPUs, {len(inventory.nics)} NICs, "
          f"{len(inventory.ib_ports)} IB ports, {len(inventory.disks)} disks", file=sys.stderr)
    return 0
