"""NUMA nodes from /sys/devices/system/node.

See https://www.kernel.org/doc/Documentation/ABI/stable/sysfs-devices-node.
"""

from __future__ import annotations

import re

from hwaccept.sources.files import Files

NODE_DIR = "/sys/devices/system/node"
_NODE = re.compile(r"^node\d+$")


def numa_node_count(files: Files) -> int | None:
    """Number of `nodeN` directories; None when the kernel has no NUMA support."""
    try:
        entries = files.listdir(NODE_DIR)
    except OSError:
        return None
    return sum(1 for entry in entries if _NODE.match(entry))
