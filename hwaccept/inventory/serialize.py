"""The inventory as JSON-ready data (what `hwaccept inventory --json` prints)."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from hwaccept.inventory.records import Inventory
from hwaccept.record import Record
from hwaccept.static_types import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

SCHEMA_VERSION = 1


def _fields_of(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, Record):
        return list(value.__dict__.items())
    import dataclasses

    return [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]


def to_data(value: Any) -> Any:
    """Records and dataclasses to dicts, enums to their values, tuples to lists."""
    if isinstance(value, Record) or hasattr(type(value), "__dataclass_fields__"):
        return {name: to_data(item) for name, item in _fields_of(value)}
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
