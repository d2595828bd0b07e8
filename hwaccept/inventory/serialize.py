"""The inventory as JSON-ready data (what `hwaccept inventory --json` prints)."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any

from hwaccept.inventory.records import Inventory

SCHEMA_VERSION = 1


def to_data(value: Any) -> Any:
    """Dataclasses to dicts, enums to their values, tuples to lists, recursively."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(to_data(v) for v in value)
    return value


def inventory_data(inventory: Inventory) -> dict[str, Any]:
    """The whole inventory with a schema version on top."""
    return {"schema_version": SCHEMA_VERSION, **to_data(inventory)}
