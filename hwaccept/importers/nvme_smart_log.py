"""nvme-cli's `nvme smart-log /dev/nvmeN -o json` -> that command's output, and its drive.

The format is nvme-cli's JSON SMART / Health Information log (Documentation/
nvme-smart-log.txt in https://github.com/linux-nvme/nvme-cli): one flat object with
`critical_warning`, `temperature` (Kelvin), `avail_spare`, `spare_thresh`,
`percent_used`, `media_errors` and the other log fields; hwaccept.tools.nvme_cli reads
every form nvme-cli releases have printed. The text is recorded verbatim as the
standard output of `nvme smart-log /dev/<controller> -o json`
(hwaccept.inventory.command_lines.nvme_smart_log_argv); a file holding several logs one after
another is one drive each.

The log names no device and no drive: the controller comes from a device name in the
file name (`nvme3` or `nvme3n1` -> controller nvme3, namespace nvme3n1), else it is
guessed (nvme0, then nvme1, ...). Only the controller and its namespace are recorded
(hwaccept.importers.disk_tree), so the inventory has a disk to attach the log to; model,
serial, firmware and size are not in the log and stay unknown. The inventory reads
this log when smartctl's output is not in the snapshot.
"""

from __future__ import annotations

from typing import Any

from hwaccept.errors import ImportInputError
from hwaccept.importers.disk_tree import DiskIdentity, choose_name, nvme_controller, record_disk
from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts
from hwaccept.importers.smartctl_json import json_documents
from hwaccept.inventory.command_lines import nvme_smart_log_argv
from hwaccept.tools.nvme_cli import parse_nvme_smart_log_json

SIGNATURE_KEYS = ("critical_warning", "avail_spare", "media_errors")
"""Top-level keys every nvme-cli release writes in its JSON SMART log."""


def is_smart_log(data: Any) -> bool:
    """Whether a JSON value is nvme-cli's SMART log object."""
    return (isinstance(data, dict) and all(key in data for key in SIGNATURE_KEYS)
            and "json_format_version" not in data)


def sniff(head: str) -> bool:
    """Whether this is nvme-cli's JSON SMART log (a flat object with its keys)."""
    if not head.lstrip().startswith("{") or '"avail_spare"' not in head:
        return False
    try:
        documents = json_documents(head, "")
    except ImportInputError:
        return False
    return bool(documents) and all(is_smart_log(data) for _, data in documents)


def _record(parts: Parts, raw: str, data: Any, source: str, *, single: bool) -> str:
    if not is_smart_log(data):
        raise fail(source, "not nvme-cli's JSON SMART log (no critical_warning, "
                           "avail_spare and media_errors keys); expected the output of "
                           "`nvme smart-log /dev/nvmeN -o json`")
    try:
        health = parse_nvme_smart_log_json(raw)
    except ValueError as exc:
        raise fail(source, str(exc)) from None
    if not health.supported:
        raise fail(source, health.reason or "no SMART log fields")
    name = choose_name(parts, source, None, nvme=True, single=single)
    controller = nvme_controller(name) or name
    record_disk(parts, name, DiskIdentity())
    parts.command(nvme_smart_log_argv(controller), raw)
    return controller


def parse(text: str, source: str) -> Parts:
    """Record each log as its controller's `nvme smart-log -o json` output."""
    documents = json_documents(text, source)
    if not documents:
        raise fail(source, "is empty")
    parts = Parts()
    controllers = [_record(parts, raw, data, source, single=len(documents) == 1)
                   for raw, data in documents]
    parts.summary = (f"SMART log of {controllers[0]}" if len(controllers) == 1
                     else f"SMART logs of {len(controllers)} NVMe controllers")
    return parts


KIND = Kind("nvme-smart-log", "nvme smart-log /dev/nvmeN -o json", sniff, parse)
