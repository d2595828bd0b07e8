"""Kernel log reading and tying Xid events to the GPU at their PCI address."""

from __future__ import annotations

from hwaccept.inventory.command_lines import LOG_COMMANDS
from hwaccept.inventory.kernel_events import attribute_to_gpus, read_kernel_events
from hwaccept.inventory.records import EventSource, Gpu, KernelEvent, KernelLog
from hwaccept.sources.commands import CommandResult, CommandStatus, ReplayRunner
from tests.corpus import corpus

XID_LOG = corpus("kmsg/gpud_dmesg_H100-XE9680_xid119-gsp-timeout.log").read_text()


def test_xid_events_name_the_gpu_at_their_address() -> None:
    gpus = (Gpu(index=4, uuid="GPU-509665ad-b600-ac93-3616-d754b23d636d",
                pci_address="0000:9b:00.0"), Gpu(index=0, pci_address="0000:19:00.0"))
    dmesg = CommandResult(LOG_COMMANDS[0], CommandStatus.EXITED, 0, XID_LOG)
    log, found = read_kernel_events(ReplayRunner({LOG_COMMANDS[0]: dmesg}))
    assert log == KernelLog(source=" ".join(LOG_COMMANDS[0]), lines=len(XID_LOG.splitlines()))
    tied = attribute_to_gpus(found, gpus)
    xids = [e for e in tied if e.source is EventSource.XID]
    assert len(xids) == 5
    assert {(e.code, e.gpu_index, e.gpu_uuid) for e in xids} == {
        ("119", 4, "GPU-509665ad-b600-ac93-3616-d754b23d636d")}


def test_events_on_unknown_addresses_stay_unattributed() -> None:
    event = KernelEvent(EventSource.XID, "x", device="0000:aa:00.0", code="79")
    assert attribute_to_gpus([event], [Gpu(index=0, pci_address="0000:19:00.0")]) == [event]


def test_journal_then_plain_dmesg_are_the_fallbacks_and_failures_are_named() -> None:
    refused = CommandResult(LOG_COMMANDS[0], CommandStatus.EXITED, 1, "",
                            "dmesg: read kernel buffer failed: Operation not permitted\n")
    journal = CommandResult(LOG_COMMANDS[1], CommandStatus.EXITED, 0, "line\n")
    log, _ = read_kernel_events(ReplayRunner({LOG_COMMANDS[0]: refused,
                                              LOG_COMMANDS[1]: journal}))
    assert log.source == " ".join(LOG_COMMANDS[1])
    log, found = read_kernel_events(ReplayRunner({LOG_COMMANDS[0]: refused}))
    assert log == KernelLog(problem="dmesg: exit status 1: dmesg: read kernel buffer failed: "
                                    "Operation not permitted")
    assert found == ()
    plain = CommandResult(LOG_COMMANDS[2], CommandStatus.EXITED, 0, "[    1.000000] line\n")
    log, _ = read_kernel_events(ReplayRunner({LOG_COMMANDS[0]: refused,
                                              LOG_COMMANDS[2]: plain}))
    assert log == KernelLog(source="dmesg", lines=1)
    log, _ = read_kernel_events(ReplayRunner({}))
    assert log == KernelLog(problem="not in this snapshot")
