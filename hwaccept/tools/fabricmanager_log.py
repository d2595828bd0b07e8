"""NVSwitch errors in the NVIDIA Fabric Manager log.

Fabric Manager (nv-fabricmanager) writes `[Feb 27 2025 15:10:02] [ERROR] [tid 12727] <text>`
lines to LOG_FILE_NAME of /usr/share/nvidia/nvswitch/fabricmanager.cfg
(/var/log/fabricmanager.log by default; see NVIDIA's Fabric Manager User Guide). An
NVSwitch error reads `detected NVSwitch non-fatal error 12028 on fid 0 on NVSwitch pci bus
id 00000000:86:00.0 physical id 3 port 61` (`fatal error` for a fatal one); its number is
the SXid the driver logs for the same error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hwaccept.inventory.records import EventSource, KernelEvent
from hwaccept.sysfs.attrs import normalize_pci_address

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

LINE = re.compile(
    r"^\[(?P<month>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<year>\d{4}) (?P<time>\d\d:\d\d:\d\d)\] "
    r"\[(?P<level>[A-Z]+)\] (?:\[tid \d+\] )?(?P<message>.*)$"
)
NVSWITCH_ERROR = re.compile(
    r"detected NVSwitch (?P<severity>non-fatal|fatal) error (?P<code>\d+)"
    r".*?pci bus id (?P<pci>[0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])"
)


def is_fabric_manager_line(line: str) -> bool:
    """Whether a line has the Fabric Manager's `[date] [LEVEL]` prefix."""
    return LINE.match(line) is not None


def timestamp(match: re.Match[str]) -> str:
    """The line's local time in ISO 8601 (the log gives no offset)."""
    month = MONTHS.index(match["month"]) + 1
    return f"{match['year']}-{month:02d}-{int(match['day']):02d}T{match['time']}"


def events(lines: Iterable[str]) -> list[KernelEvent]:
    """One event per NVSwitch error line; code is the error (SXid) number."""
    found = []
    for line in lines:
        if "NVSwitch" not in line:
            continue
        match = LINE.match(line)
        error = NVSWITCH_ERROR.search(line)
        if match is None or error is None:
            continue
        found.append(KernelEvent(
            source=EventSource.FABRIC_MANAGER,
            message=match["message"].strip(),
            timestamp=timestamp(match),
            device=normalize_pci_address(error["pci"]),
            code=error["code"],
        ))
    return found
