"""A kernel log in any of the shapes people save it in -> the output of `dmesg`.

Accepted: util-linux `dmesg` (plain, `-T`, `--time-format iso`, `--decode`, `-r`),
pstore dumps, raw /dev/kmsg records, `journalctl -k` and syslog files; see
hwaccept.tools.kernel_log for each shape and its source. The inventory's parser reads
every shape line by line, so the text is recorded unchanged, as plain `dmesg` output
(`KERNEL_LOG_ARGV`); several logs given together are joined in the order given.
"""

from __future__ import annotations

from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import KERNEL_LOG_ARGV, Parts
from hwaccept.tools.kernel_log import parse_line

SNIFF_LINES = 40
"""Lines looked at; most must carry a kernel log prefix (a time, a priority, a host)."""


def _has_prefix(line: str) -> bool:
    record = parse_line(line)
    return record.message != line.rstrip() or any(
        (record.level, record.timestamp, record.uptime_s is not None))


def kernel_log_share(text: str) -> float:
    """The share of the first non-blank lines that are kernel log records."""
    lines = [line for line in text.splitlines()[: SNIFF_LINES * 4] if line.strip()][:SNIFF_LINES]
    if not lines:
        return 0.0
    return sum(_has_prefix(line) for line in lines) / len(lines)


def sniff(head: str) -> bool:
    """Whether most of the first lines are kernel log records."""
    return kernel_log_share(head) >= 0.6


def parse(text: str, source: str) -> Parts:
    """Record the log as it is; refuse text that is not a log at all."""
    share = kernel_log_share(text)
    if share < 0.5:
        raise fail(source, "does not look like a kernel log: most of its first lines carry no "
                           "dmesg, journal or /dev/kmsg prefix")
    parts = Parts()
    parts.command(KERNEL_LOG_ARGV, text)
    parts.complete.add("kernel")
    parts.summary = f"{len(text.splitlines())} log lines"
    return parts


KIND = Kind("kernel-log", "dmesg / journalctl -k / /dev/kmsg", sniff, parse)
