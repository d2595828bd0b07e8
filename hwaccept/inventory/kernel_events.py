"""Kernel log events, each Xid tied to the GPU at its PCI address.

The log is read with `dmesg --decode --time-format iso`; when dmesg is refused
(kernel.dmesg_restrict) or absent, with `journalctl -k -b 0 -o short-iso`; then with plain
`dmesg` (a util-linux too old for `--time-format`, and the form `hwaccept snapshot import`
records a kernel log of any format in: the parser reads every format line by line).
"""

from __future__ import annotations

from collections.abc import Iterable

from hwaccept.inventory.command_lines import LOG_COMMANDS, LOG_TIMEOUT
from hwaccept.inventory.records import EventSource, Gpu, KernelEvent, KernelLog
from hwaccept.record import replace
from hwaccept.sources.commands import CommandStatus, Runner
from hwaccept.tools.kernel_log import events

NOT_IN_SNAPSHOT = "not in this snapshot"


def read_kernel_log(runner: Runner) -> tuple[KernelLog, list[str]]:
    """The first kernel log source that works, and its lines."""
    problems = []
    for argv in LOG_COMMANDS:
        result = runner.run(argv, LOG_TIMEOUT)
        if result.ok:
            lines = result.stdout.splitlines()
            return KernelLog(source=" ".join(argv), lines=len(lines)), lines
        if result.status is not CommandStatus.NOT_RECORDED:
            problems.append(result.describe())
    return KernelLog(problem="; ".join(problems) or NOT_IN_SNAPSHOT), []


def attribute_to_gpus(found: Iterable[KernelEvent], gpus: Iterable[Gpu]) -> list[KernelEvent]:
    """Fill `gpu_index` / `gpu_uuid` of Xid events from the GPU at that address."""
    by_address = {gpu.pci_address: gpu for gpu in gpus if gpu.pci_address}

    def attribute(event: KernelEvent) -> KernelEvent:
        gpu = by_address.get(event.device or "") if event.source is EventSource.XID else None
        if gpu is None:
            return event
        return replace(event, gpu_index=gpu.index, gpu_uuid=gpu.uuid)

    return [attribute(event) for event in found]


def read_kernel_events(runner: Runner) -> tuple[KernelLog, tuple[KernelEvent, ...]]:
    """The kernel log's source and its hardware events (not yet tied to GPUs)."""
    log, lines = read_kernel_log(runner)
    return log, tuple(events(lines))
