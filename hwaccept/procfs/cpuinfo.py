"""Processor model from /proc/cpuinfo.

x86 names the model on `model name`; arm64 kernels print no model name, only the
implementer and part numbers, which /sys/devices/system/cpu/cpu0/regs identify too.
"""

from __future__ import annotations

CPUINFO = "/proc/cpuinfo"
_MODEL_KEYS = ("model name", "Model", "cpu model", "Processor")


def parse_cpuinfo(text: str) -> list[dict[str, str]]:
    """One `key: value` mapping per processor block."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if current:
                blocks.append(current)
            current = {}
            continue
        key, sep, value = line.partition(":")
        if sep:
            current[key.strip()] = value.strip()
    return blocks


def cpu_model(text: str) -> str | None:
    """The first processor's model string, collapsed to single spaces."""
    for block in parse_cpuinfo(text):
        for key in _MODEL_KEYS:
            if block.get(key):
                return " ".join(block[key].split())
    return None
