"""Loading the JSON object a tool prints (`smartctl -j`, `nvme ... -o json`)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from hwaccept.static_types import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}


def load_object(text: str, command: str, flag: str) -> Mapping[str, Any]:
    """Return the top-level JSON object `command` printed when run with `flag`.

    Raises:
        ValueError: the output is empty, not JSON, or not a JSON object.

    """
    if not text.strip():
        raise ValueError(f"empty output where `{command}` prints a JSON object")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        tool = command.split(maxsplit=1)[0]
        raise ValueError(f"not JSON ({exc}); was {tool} run with {flag}?") from None
    if isinstance(data, dict):
        return data
    kind = _JSON_KINDS.get(type(data), type(data).__name__)
    raise ValueError(f"expected a JSON object from `{command}`, got {kind}")
