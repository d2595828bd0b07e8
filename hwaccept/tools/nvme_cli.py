"""NVMe drive health from nvme-cli's `nvme smart-log <device> -o json`.

nvme-cli: https://github.com/linux-nvme/nvme-cli, command documented in
Documentation/nvme-smart-log.txt; the keys are those its JSON printer for the SMART /
Health Information log (`json_smart_log`) writes. The object is flat and carries no
overall pass/fail bit, so `passed` stays None. Releases differ in these forms:

- `avail_spare`, `spare_thresh` and `percent_used` keep these names from 1.0 to 2.16.
- `temperature` is the composite temperature in Kelvin, converted as nvme-cli does
  (K - 273); 2.7 alone spelled the key `Temperature`. A string with a unit, the way
  nvme-cli writes other temperatures in JSON ("310 K", "37 Celsius"), is read by its
  unit; an unknown unit raises `UnknownUnitError`.
- `critical_warning` is the byte, or an object whose `value` (`Value` in 2.7) holds it:
  with -H (later also -v) from 1.11 on, and always in 2.11 and 2.12.
- The 128-bit counters are numbers printed with "%.0Lf" in 1.x, json-c doubles in 2.0,
  "%Lf" strings ("4974.000000") in 2.1, decimal strings in 2.2 and 2.3, and plain
  numbers from 2.4 on. Each form is read exactly; a fractional value raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from hwaccept.errors import UnknownUnitError
from hwaccept.inventory.records import SmartHealth, SmartSource
from hwaccept.record import replace
from hwaccept.static_types import TYPE_CHECKING
from hwaccept.tools.json_output import load_object

if TYPE_CHECKING:
    from decimal import Decimal
    from typing import Any

NO_DATA = "nvme-cli reported no SMART log fields"

CELSIUS_OFFSETS: Mapping[str, int] = {
    "": -273, "K": -273, "Kelvin": -273, "C": 0, "°C": 0, "Celsius": 0,
}
"""Added to a temperature in this unit to get Celsius; a bare number is Kelvin."""

_TEMPERATURE = re.compile(r"(-?\d+)\s*(\S*)")


def parse_nvme_smart_log_json(text: str) -> SmartHealth:
    """Parse `nvme smart-log -o json` into one `SmartHealth`.

    Raises:
        ValueError: the text is not JSON, is not a JSON object, or a known key holds
            a value that is not a whole number (`UnknownUnitError` for a temperature
            in an unknown unit).

    """
    data = load_object(text, "nvme smart-log -o json", "-o json")
    values: dict[str, Any] = {field: _read(data, keys, parse) for field, keys, parse in FIELDS}
    if all(value is None for value in values.values()):
        return SmartHealth(SmartSource.NVME_CLI, supported=False, reason=_why_not(data))
    return replace(SmartHealth(SmartSource.NVME_CLI, supported=True), **values)


def whole_number(value: Any, key: str) -> int:
    """Read a counter printed as an integer, an integral float or a decimal string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = _decimal(value)
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"{key}: expected a whole number, got {value!r}")
    return int(number)


def celsius(value: Any, key: str) -> int:
    """Read the composite temperature, Kelvin unless a string names its unit."""
    if not isinstance(value, str):
        return whole_number(value, key) + CELSIUS_OFFSETS["K"]
    match = _TEMPERATURE.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"{key}: expected a temperature, got {value!r}")
    number, unit = match.groups()
    if unit not in CELSIUS_OFFSETS:
        raise UnknownUnitError(f"{key}: unknown temperature unit {unit!r} in {value!r}")
    return int(number) + CELSIUS_OFFSETS[unit]


def critical_warning(value: Any, key: str) -> int:
    """Read the critical warning byte, bare or inside its decoded object."""
    if not isinstance(value, dict):
        return whole_number(value, key)
    for name in ("value", "Value"):
        if name in value:
            return whole_number(value[name], f"{key}.{name}")
    raise ValueError(f"{key}: object without a value: {value!r}")


FIELDS: tuple[tuple[str, tuple[str, ...], Callable[[Any, str], int]], ...] = (
    ("critical_warning", ("critical_warning",), critical_warning),
    ("temperature_c", ("temperature", "Temperature"), celsius),
    ("available_spare", ("avail_spare",), whole_number),
    ("available_spare_threshold", ("spare_thresh",), whole_number),
    ("percentage_used", ("percent_used",), whole_number),
    ("power_on_hours", ("power_on_hours",), whole_number),
    ("unsafe_shutdowns", ("unsafe_shutdowns",), whole_number),
    ("media_errors", ("media_errors",), whole_number),
    ("error_log_entries", ("num_err_log_entries",), whole_number),
)
"""Record field, the keys nvme-cli has written it under, and how to read it."""


def _read(data: Mapping[str, Any], keys: tuple[str, ...],
          parse: Callable[[Any, str], int]) -> int | None:
    for key in keys:
        if data.get(key) is not None:
            return parse(data[key], key)
    return None


def _decimal(value: Any) -> Decimal | None:
    """Exact value of a counter printed as a float or a string (imported when needed)."""
    if not isinstance(value, float | str):
        return None
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _why_not(data: Mapping[str, Any]) -> str:
    error = data.get("error")
    return f"nvme-cli: {error}" if isinstance(error, str) and error else NO_DATA
