"""The ATA parts of smartctl's text: attribute table, device statistics, temperatures.

Read as smartmontools' ataprint.cpp prints them (`PrintSmartAttribWithThres`,
`print_device_statistics_page`, `ataPrintSCTStatus`) and turned into the JSON keys
the same code writes. Raw attribute values are printed in a per-attribute format
(atacmds.cpp `ata_format_attr_raw_value`), so `raw.value` is written only where the
printed string gives it exactly: attributes 5 and 197, printed as a plain number
(raw48, raw64, or raw16(raw16) with zero upper words) or as `w0 (w2 w1)` (raw16(raw16)).
"""

from __future__ import annotations

import re
from typing import Any

TABLE_HEADER = re.compile(r"^ID#\s+ATTRIBUTE_NAME\s+FLAGS?\s+VALUE\s+WORST\s+THRESH")
_NUMBER = r"\d{3}|0x[0-9a-f]{2}|-{3,4}"
_ROW_START = r"^\s*(?P<id>0x[0-9a-f]{2}|\d{1,3}) (?P<name>\S+?)\s*"
_ROW_END = rf"\s+(?P<value>{_NUMBER})\s+(?P<worst>{_NUMBER})\s+(?P<thresh>{_NUMBER})\s+"
ROW_BRIEF = re.compile(_ROW_START + r"(?P<letters>[P-][O-][S-][R-][C-][K-])(?P<plus>[+ ]?)"
                       + _ROW_END + r"(?P<fail>NOW|Past|-)\s+(?P<raw>.*?)\s*$")
ROW_FULL = re.compile(_ROW_START + r"0x(?P<flags>[0-9a-f]{4})" + _ROW_END
                      + r"(?:Pre-fail|Old_age)\s+(?:Always|Offline)\s+"
                      r"(?P<fail>FAILING_NOW|In_the_past|-)\s+(?P<raw>.*?)\s*$")
DEVSTAT = re.compile(r"^0x(?P<page>[0-9a-f]{2})\s+0x(?P<offset>[0-9a-f]{3})\s+\d+\s+"
                     r"(?P<value>-?\d+|-)\s")
WHEN_FAILED = {"NOW": "now", "FAILING_NOW": "now", "Past": "past", "In_the_past": "past"}

FLAG_NAMES = ("prefailure", "updated_online", "performance", "error_rate", "event_count",
              "auto_keep")
FLAG_LETTERS = "POSRCK"
OTHER_FLAGS = 0xFFC0

RAW_VALUE_IDS = (5, 197)
TEMPERATURE_IDS = (194, 190)
TEMPERATURE_NAMES = frozenset({"Temperature_Celsius", "Airflow_Temperature_Cel",
                               "Temperature_Case", "Case_Temperature", "Drive_Temperature",
                               "Temperature_Internal"})
"""Names drivedb gives only to attributes printed `tempminmax` (ataprint.cpp reads those)."""

BOGUS_HOURS = 0xFFFFFF
"""Power-on hours above this are taken as bogus and not reported (ataprint.cpp)."""

_PLAIN = re.compile(r"^\d+$")
_RAW16 = re.compile(r"^(\d+) \((\d+) (\d+)\)$")
_HOURS = re.compile(r"^(\d+)h\+(\d{2})m(?:\+\d{2}(?:\.\d{3})?s)?$")
_TEMPERATURE = re.compile(r"^(-?\d+)(?: \(.*\))?$")
_CELSIUS = re.compile(r"^(-?\d+) Celsius$")


def _number(text: str) -> int | None:
    if text.startswith("-"):
        return None
    return int(text, 16) if text.startswith("0x") else int(text)


def _flags(match: re.Match[str]) -> dict[str, Any] | None:
    if match.re is ROW_FULL:
        value = int(match["flags"], 16)
    elif match["plus"] == "+":
        return None
    else:
        value = sum(1 << bit for bit, letter in enumerate(match["letters"]) if letter != "-")
    string = "".join(letter if value >> bit & 1 else "-"
                     for bit, letter in enumerate(FLAG_LETTERS))
    flags: dict[str, Any] = {"value": value, "string": string + ("+" if value & OTHER_FLAGS
                                                                 else " ")}
    flags.update((name, bool(value >> bit & 1)) for bit, name in enumerate(FLAG_NAMES))
    if value & OTHER_FLAGS:
        flags["other"] = value & OTHER_FLAGS
    return flags


def raw_value(ident: int, raw: str) -> int | None:
    """The 48-bit raw value behind a printed raw string, where it is exact."""
    if ident not in RAW_VALUE_IDS:
        return None
    if _PLAIN.match(raw):
        return int(raw)
    words = _RAW16.match(raw)
    if words is None:
        return None
    low, high, middle = (int(w) for w in words.groups())
    return high << 32 | middle << 16 | low


def attribute_row(match: re.Match[str]) -> dict[str, Any]:
    """One attribute as `ata_smart_attributes.table[]` holds it."""
    ident = int(match["id"], 16) if match["id"].startswith("0x") else int(match["id"])
    row: dict[str, Any] = {"id": ident, "name": match["name"]}
    for key in ("value", "worst"):
        if (number := _number(match[key])) is not None:
            row[key] = number
    if (thresh := _number(match["thresh"])) is not None:
        row["thresh"] = thresh
        row["when_failed"] = WHEN_FAILED.get(match["fail"], "")
    if (flags := _flags(match)) is not None:
        row["flags"] = flags
    raw: dict[str, Any] = {}
    if (value := raw_value(ident, match["raw"])) is not None:
        raw["value"] = value
    raw["string"] = match["raw"]
    row["raw"] = raw
    return row


def attribute_table(lines: list[str]) -> list[dict[str, Any]]:
    """The attribute table smartctl -j ends with.

    Every printed table (failed or marginal attributes, then all of them) writes its
    rows from index 0, so later tables overwrite earlier ones row by row.
    """
    table: list[dict[str, Any]] = []
    index = -1
    for line in lines:
        if TABLE_HEADER.match(line):
            index = 0
            continue
        if index < 0:
            continue
        match = ROW_BRIEF.match(line) or ROW_FULL.match(line)
        if match is None:
            index = -1
            continue
        row = attribute_row(match)
        if index < len(table):
            table[index] = row
        else:
            table.append(row)
        index += 1
    return table


def power_on_time(table: list[dict[str, Any]]) -> dict[str, int]:
    """`power_on_time` as attribute 9 sets it (hours, and minutes where printed)."""
    for row in table:
        if row["id"] != 9 or not row["name"].startswith("Power_On_"):
            continue
        raw = row["raw"]["string"]
        if _PLAIN.match(raw) and int(raw) <= BOGUS_HOURS:
            return {"hours": int(raw)}
        hours = _HOURS.match(raw)
        if hours and int(hours[1]) <= BOGUS_HOURS:
            return {"hours": int(hours[1]), "minutes": int(hours[2])}
    return {}


def attribute_temperature(table: list[dict[str, Any]]) -> int | None:
    """The temperature smartctl takes from attribute 194, else 190."""
    by_id = {row["id"]: row for row in table}
    for ident in TEMPERATURE_IDS:
        row = by_id.get(ident)
        if row is None or row["name"] not in TEMPERATURE_NAMES:
            continue
        match = _TEMPERATURE.match(row["raw"]["string"])
        if match and 0 < int(match[1]) < 128:
            return int(match[1])
    return None


def sct_temperature(fields: dict[str, list[str]]) -> int | None:
    """SCT Status `Current Temperature` (absent when printed as `?`)."""
    for value in fields.get("Current Temperature", []):
        match = _CELSIUS.match(value)
        if match:
            return int(match[1])
    return None


def device_statistics(lines: list[str]) -> dict[tuple[int, int], int]:
    """Valid Device Statistics values by (page, offset)."""
    found: dict[tuple[int, int], int] = {}
    for line in lines:
        match = DEVSTAT.match(line)
        if match and match["value"] != "-":
            found[int(match["page"], 16), int(match["offset"], 16)] = int(match["value"])
    return found
