"""Every kind of input, in the order their sniffers are tried.

Containers first (a bug report holds the other kinds), then the most specific
formats, and the kernel log last: its sniffer accepts any syslog-shaped text.
"""

from __future__ import annotations

import functools
import importlib

from hwaccept.errors import ImportInputError
from hwaccept.importers.kind import SNIFF_CHARS, Kind

KIND_MODULES = (
    "nvidia_bug_report",
    "nvidia_smi_xml",
    "nvidia_smi_query",
    "nvidia_smi_nvlink",
    "nvidia_smi_topo",
    "smartctl_json",
    "nvme_smart_log",
    "smartctl_text",
    "ibstat",
    "ibstatus",
    "dmidecode",
    "fabricmanager_log",
    "lspci",
    "kernel_log",
)


@functools.cache
def kinds() -> tuple[Kind, ...]:
    """The importers, in sniffing order."""
    found = []
    for name in KIND_MODULES:
        module = importlib.import_module(f"hwaccept.importers.{name}")
        found.append(module.KIND)
    return tuple(found)


def kind_names() -> list[str]:
    """What `--as` accepts."""
    return [kind.name for kind in kinds()]


def kind_named(name: str) -> Kind:
    """The importer called `name`; an unknown name lists the known ones."""
    for kind in kinds():
        if kind.name == name:
            return kind
    raise ImportInputError(f"--as {name}: unknown kind; known kinds: {', '.join(kind_names())}")


def detect(text: str) -> Kind | None:
    """The first kind whose sniffer recognises the start of `text`."""
    head = text[:SNIFF_CHARS]
    for kind in kinds():
        if kind.sniff(head):
            return kind
    return None
