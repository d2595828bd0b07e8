"""Gather a whole `Inventory` through the seams.

Commands take the longest, so they go first, each on a thread of its own: the kernel
log at once, smartctl and ethtool as soon as the disks and interfaces are enumerated.
Only then is the code that reads their output imported (`assemble`), and the sysfs and
NVML reads run, while the commands do. On a virtual machine whose whole inventory
takes 60 ms, that hides smartctl's 10-15 ms behind the imports. The result does not
depend on the order.
"""

from __future__ import annotations

from hwaccept.inventory.command_lines import (
    ETHTOOL_TIMEOUT,
    LOG_COMMANDS,
    LOG_TIMEOUT,
    SMART_TIMEOUT,
    ethtool_driver_argv,
    ethtool_settings_argv,
    smartctl_argv,
)
from hwaccept.inventory.concurrency import Ahead
from hwaccept.record import replace
from hwaccept.sources import Sources
from hwaccept.static_types import TYPE_CHECKING
from hwaccept.sysfs.block import block_disks
from hwaccept.sysfs.class_net import net_interfaces

if TYPE_CHECKING:
    from hwaccept.inventory.records import Inventory


def build_inventory(sources: Sources) -> Inventory:
    """Read everything the seams expose into one immutable record."""
    files, runner = sources.files, Ahead(sources.runner)
    runner.start(LOG_COMMANDS[0], LOG_TIMEOUT)
    disks = block_disks(files)
    for disk in disks:
        runner.start(smartctl_argv(disk.name), SMART_TIMEOUT)
    interfaces = net_interfaces(files)
    for interface in interfaces:
        runner.start(ethtool_driver_argv(interface.name), ETHTOOL_TIMEOUT)
        runner.start(ethtool_settings_argv(interface.name), ETHTOOL_TIMEOUT)
    from hwaccept.inventory.assemble import assemble_inventory

    return assemble_inventory(replace(sources, runner=runner), disks, interfaces)
