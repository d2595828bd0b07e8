from pathlib import Path

import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import fabricmanager_log, kernel_log
from hwaccept.importers.parts import KERNEL_LOG_ARGV, Parts
from hwaccept.inventory.records import EventSource, KernelEvent, KernelLog
from tests.corpus import CORPUS
from tests.importers.replay import inventory_of

KMSG = CORPUS / "kmsg"
XID_ISO = KMSG / "gpud_dmesg_xid48-dbe_xid63-row-remap_xid94.log"
FABRIC = CORPUS / "other" / "gpud_fabricmanager_nvswitch-nonfatal-12028.log"


@pytest.mark.parametrize("path", sorted(KMSG.iterdir()), ids=lambda p: p.name)
def test_every_kernel_log_shape_is_recognised(path: Path) -> None:
    text = path.read_text(errors="replace")
    assert kernel_log.sniff(text)
    assert not fabricmanager_log.sniff(text)


def test_xid_events_replay_from_an_imported_log() -> None:
    inventory = inventory_of(kernel_log.parse(XID_ISO.read_text(), str(XID_ISO)))
    assert inventory.kernel_log == KernelLog(source="dmesg",
                                             lines=len(XID_ISO.read_text().splitlines()))
    xids = [e for e in inventory.kernel_events if e.source is EventSource.XID]
    assert {(e.code, e.device) for e in xids} == {
        ("48", "0000:19:00.0"), ("63", "0000:19:00.0"), ("94", "0000:19:00.0")}


def test_logs_given_together_are_joined_in_order() -> None:
    parts = Parts()
    parts.command(KERNEL_LOG_ARGV, "[    1.0] first")
    parts.command(KERNEL_LOG_ARGV, "[    2.0] second\n")
    assert parts.commands[KERNEL_LOG_ARGV] == "[    1.0] first\n[    2.0] second\n"


def test_prose_is_not_a_kernel_log() -> None:
    prose = "Dear team,\nthe server in rack 4 is loud.\nRegards\n"
    assert not kernel_log.sniff(prose)
    with pytest.raises(ImportInputError, match=r"^note\.txt: does not look like a kernel log"):
        kernel_log.parse(prose, "note.txt")


def test_fabric_manager_nvswitch_error_replays() -> None:
    text = FABRIC.read_text()
    assert fabricmanager_log.sniff(text)
    assert not kernel_log.sniff(text)
    parts = fabricmanager_log.parse(text, str(FABRIC))
    assert parts.summary == "101 log lines, 1 NVSwitch errors"
    inventory = inventory_of(parts)
    assert inventory.fabric_manager_log == KernelLog("/var/log/fabricmanager.log", 101)
    assert inventory.fabric_manager_events == (KernelEvent(
        source=EventSource.FABRIC_MANAGER,
        message="detected NVSwitch non-fatal error 12028 on fid 0 on NVSwitch pci bus id "
                "00000000:86:00.0 physical id 3 port 61",
        timestamp="2025-02-27T15:10:02", device="0000:86:00.0", code="12028"),)


def test_a_fabric_manager_log_without_its_prefix_is_refused() -> None:
    with pytest.raises(ImportInputError, match=r"^fm\.log: no line has the Fabric Manager"):
        fabricmanager_log.parse("hello\n", "fm.log")
