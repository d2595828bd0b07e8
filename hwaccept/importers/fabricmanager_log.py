"""The NVIDIA Fabric Manager log -> /var/log/fabricmanager.log, where the inventory reads it.

See hwaccept.tools.fabricmanager_log for the line format. The text is recorded as it is.
"""

from __future__ import annotations

from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts
from hwaccept.inventory.fabric_manager import LOG_PATH
from hwaccept.tools.fabricmanager_log import events, is_fabric_manager_line

SNIFF_LINES = 20


def sniff(head: str) -> bool:
    """Whether the first lines carry Fabric Manager's `[Mon D YYYY hh:mm:ss] [LEVEL]` prefix."""
    lines = [line for line in head.splitlines()[:SNIFF_LINES * 3]
             if line.startswith("[")][:SNIFF_LINES]
    return bool(lines) and sum(map(is_fabric_manager_line, lines)) >= max(1, len(lines) // 2)


def parse(text: str, source: str) -> Parts:
    """Record the log unchanged."""
    if not any(map(is_fabric_manager_line, text.splitlines())):
        raise fail(source, "no line has the Fabric Manager `[date] [LEVEL]` prefix")
    parts = Parts()
    parts.file(LOG_PATH, text.encode())
    errors = len(events(text.splitlines()))
    parts.summary = f"{len(text.splitlines())} log lines, {errors} NVSwitch errors"
    return parts


KIND = Kind("fabricmanager-log", "/var/log/fabricmanager.log (nv-fabricmanager)", sniff, parse)
