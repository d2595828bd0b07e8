"""Replay what an importer recorded through the real inventory code."""

from __future__ import annotations

from hwaccept.importers.assemble import replay_sources
from hwaccept.importers.parts import Parts
from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import Inventory


def inventory_of(parts: Parts) -> Inventory:
    """The inventory a snapshot holding `parts` replays to."""
    return build_inventory(replay_sources(parts))
