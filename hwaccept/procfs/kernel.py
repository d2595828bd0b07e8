"""Kernel identity and boot options from procfs.

`/proc/sys/kernel/osrelease` is what `uname -r` prints; `/proc/cmdline` holds the
boot command line; `/proc/sys/kernel/hostname` the node name.
"""

from __future__ import annotations

from hwaccept.sysfs.attrs import Attr, text

ATTRS = (
    Attr("hostname", "sys/kernel/hostname", text),
    Attr("kernel_version", "sys/kernel/osrelease", text),
    Attr("kernel_cmdline", "cmdline", text),
)
"""Read under `/proc`."""


def cmdline_options(cmdline: str) -> dict[str, str | None]:
    """`a=1 b quiet` -> {"a": "1", "b": None, "quiet": None}; the last one wins."""
    options: dict[str, str | None] = {}
    for word in cmdline.split():
        key, sep, value = word.partition("=")
        options[key] = value if sep else None
    return options
