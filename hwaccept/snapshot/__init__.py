"""Snapshots: a recording of everything a live inventory read, replayable anywhere."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

from hwaccept import __version__
from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import Inventory
from hwaccept.snapshot.archive import read_members, write_tar
from hwaccept.snapshot.members import SnapshotData, decode, encode
from hwaccept.sources import Sources, live_sources, recorded
from hwaccept.sources.commands import ReplayRunner
from hwaccept.sources.file_tree import TreeFiles
from hwaccept.sources.nvml import ReplayNvml


def load_snapshot(path: str) -> SnapshotData:
    """Read and check a snapshot archive (.tar.gz) or unpacked directory."""
    return decode(path, read_members(path))


def snapshot_sources(data: SnapshotData) -> Sources:
    """Replay implementations of the three seams answering from `data`."""
    complete = data.meta.get("complete")
    return Sources(TreeFiles(data.tree), ReplayNvml(data.nvml), ReplayRunner(data.commands),
                   origin=data.source,
                   complete=frozenset(map(str, complete)) if isinstance(complete, list) else None)


def capture(out: str, sources: Sources | None = None) -> Inventory:
    """Take a live inventory and write everything it read to the snapshot `out`."""
    wrapped, tape = recorded(sources or live_sources())
    started = time.time()
    inventory = build_inventory(wrapped)
    meta = {
        "created": datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "hostname": inventory.system.hostname or socket.gethostname(),
        "suite_version": __version__,
        "made_by": "hwaccept snapshot capture",
    }
    write_tar(out, encode(tape, meta), started)
    return inventory
