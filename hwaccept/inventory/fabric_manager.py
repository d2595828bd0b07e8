"""Fabric Manager log events, read through the files seam.

The log is read whole (the files seam refuses files over 8 MiB; such a log is reported
as unreadable rather than read in part).
"""

from __future__ import annotations

from hwaccept.inventory.records import KernelEvent, KernelLog
from hwaccept.sources.files import Files
from hwaccept.sysfs.attrs import describe_os_error
from hwaccept.tools.fabricmanager_log import events

LOG_PATH = "/var/log/fabricmanager.log"


def read_fabric_manager(files: Files) -> tuple[KernelLog, tuple[KernelEvent, ...]]:
    """The log's source and its NVSwitch errors; no log file is no source and no problem."""
    try:
        data = files.read_bytes(LOG_PATH)
    except FileNotFoundError:
        return KernelLog(), ()
    except OSError as exc:
        return KernelLog(problem=f"{LOG_PATH}: {describe_os_error(exc)}"), ()
    lines = data.decode("utf-8", "replace").splitlines()
    return KernelLog(source=LOG_PATH, lines=len(lines)), tuple(events(lines))
