"""Every command the inventory runs, and how long each may take.

They are kept apart from the code that reads their output so that `build_inventory`
can start them before it imports that code (see `hwaccept.inventory.build`).
"""

from __future__ import annotations

LOG_COMMANDS = (
    ("dmesg", "--decode", "--time-format", "iso"),
    ("journalctl", "-k", "-b", "0", "-o", "short-iso", "--no-pager", "-q"),
    ("dmesg",),
)
"""The kernel log's sources, tried in order (see `hwaccept.inventory.kernel_events`)."""
LOG_TIMEOUT = 30.0

SMART_TIMEOUT = 60.0
ETHTOOL_TIMEOUT = 10.0

TOPO_ARGV = ("nvidia-smi", "topo", "-m")
TOPO_TIMEOUT = 60.0


def smartctl_argv(name: str) -> list[str]:
    """The command whose JSON the SMART parser reads."""
    return ["smartctl", "-j", "-x", f"/dev/{name}"]


def nvme_smart_log_argv(controller: str) -> list[str]:
    """nvme-cli's health log of one controller, as JSON."""
    return ["nvme", "smart-log", f"/dev/{controller}", "-o", "json"]


def ethtool_driver_argv(name: str) -> list[str]:
    """`ethtool -i NAME`: driver, its version and the firmware version."""
    return ["ethtool", "-i", name]


def ethtool_settings_argv(name: str) -> list[str]:
    """`ethtool NAME`: link modes, port and speed."""
    return ["ethtool", name]
