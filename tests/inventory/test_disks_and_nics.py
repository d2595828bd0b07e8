"""Disks and NICs: sysfs joined with real tool output through the commands seam."""

from __future__ import annotations

import pytest

from hwaccept.inventory.command_lines import nvme_smart_log_argv, smartctl_argv
from hwaccept.inventory.disks import read_disks
from hwaccept.inventory.nics import read_nics
from hwaccept.inventory.records import Disk, Nic, SmartHealth, SmartSource
from hwaccept.sources.commands import CommandResult, CommandStatus, ReplayRunner
from hwaccept.sources.file_tree import FileTree, TreeFiles
from tests.corpus import corpus, read_ttar

CONTROLLER = "/sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0"


def nvme_tree() -> TreeFiles:
    """The sysfs layout of one NVMe namespace, with the identity the drive reports."""
    disk = f"{CONTROLLER}/nvme0n1"
    return TreeFiles(FileTree(
        contents={
            f"{disk}/size": b"976773168\n", f"{disk}/queue/rotational": b"0\n",
            f"{disk}/uevent": b"MAJOR=259\nMINOR=0\nDEVNAME=nvme0n1\nDEVTYPE=disk\n",
            f"{CONTROLLER}/model": b"Samsung SSD 970 EVO 500GB               \n",
            f"{CONTROLLER}/serial": b"S466NX0M776250H     \n",
            f"{CONTROLLER}/firmware_rev": b"2B2QEXE7\n",
            f"{CONTROLLER}/transport": b"pcie\n",
        },
        links={
            "/sys/class/block/nvme0n1": f"{disk}",
            f"{disk}/device": "../../nvme0",
            "/sys/class/nvme/nvme0": CONTROLLER,
            f"{CONTROLLER}/device": "../../../0000:3d:00.0",
        },
    ))


def exited(argv: list[str], stdout: str, code: int = 0) -> CommandResult:
    return CommandResult(tuple(argv), CommandStatus.EXITED, code, stdout)


def test_nvme_disk_with_media_errors_whole_record() -> None:
    smart = corpus("smart/scrutiny_smartctl-x-json_nvme_Samsung970EVO_media-errors-7.json")
    runner = ReplayRunner({tuple(smartctl_argv("nvme0n1")):
                           exited(smartctl_argv("nvme0n1"), smart.read_text())})
    (disk,) = read_disks(nvme_tree(), runner)
    assert disk == Disk(
        name="nvme0n1", transport="nvme", model="Samsung SSD 970 EVO 500GB",
        serial="S466NX0M776250H", firmware="2B2QEXE7", size_bytes=500107862016,
        rotational=False, pci_address="0000:3d:00.0",
        smart=SmartHealth(
            source=SmartSource.SMARTCTL, supported=True, passed=True, critical_warning=0,
            media_errors=7, percentage_used=3, available_spare=99,
            available_spare_threshold=10, temperature_c=35, power_on_hours=12798,
            unsafe_shutdowns=10, error_log_entries=62))


def test_nvme_cli_is_the_fallback_when_smartctl_is_missing() -> None:
    log = corpus("smart/netdata_nvme-cli_smart-log-json.json").read_text()
    runner = ReplayRunner({
        tuple(smartctl_argv("nvme0n1")): CommandResult(
            tuple(smartctl_argv("nvme0n1")), CommandStatus.NOT_INSTALLED),
        tuple(nvme_smart_log_argv("nvme0")): exited(nvme_smart_log_argv("nvme0"), log),
    })
    (disk,) = read_disks(nvme_tree(), runner)
    assert disk.smart is not None
    assert disk.smart.source is SmartSource.NVME_CLI
    assert disk.smart.supported
    assert disk.smart.temperature_c == 310 - 273


def test_without_any_tool_the_reason_names_smartctl() -> None:
    (disk,) = read_disks(nvme_tree(), ReplayRunner({}))
    assert disk.smart == SmartHealth(SmartSource.SMARTCTL, supported=False,
                                     reason="smartctl: not in this snapshot")
    assert disk.errors == ()


def test_nic_joins_sysfs_and_ethtool() -> None:
    tree = read_ttar(corpus("sysfs/procfs_fixtures.ttar"), prefix="fixtures/")

    def text(name: str) -> str:
        return "\n".join(line for line in corpus(f"other/node_exporter_ethtool_eth0_{name}.txt")
                         .read_text().splitlines() if not line.startswith("#"))
    runner = ReplayRunner({
        ("ethtool", "-i", "eth0"): exited(["ethtool", "-i", "eth0"], text("driver")),
        ("ethtool", "eth0"): exited(["ethtool", "eth0"], text("settings")),
    })
    (nic,) = read_nics(TreeFiles(tree), runner)
    assert nic == Nic(
        name="eth0", driver="e1000e", driver_version="5.11.0-22-generic",
        firmware_version="0.5-4", pci_address="0000:00:1f.6", mac="01:01:01:01:01:01",
        operstate="up", carrier=True, speed_mbps=1000, supported_speed_mbps=10000,
        port="Twisted Pair", duplex="full", mtu=1500, carrier_changes=2, counters={})


def test_nic_without_ethtool_says_so() -> None:
    tree = read_ttar(corpus("sysfs/procfs_fixtures.ttar"), prefix="fixtures/")
    commands: list[tuple[str, ...]] = [("ethtool", "-i", "eth0"), ("ethtool", "eth0")]
    missing = {argv: CommandResult(argv, CommandStatus.NOT_INSTALLED) for argv in commands}
    (nic,) = read_nics(TreeFiles(tree), ReplayRunner(missing))
    assert nic.errors == ("ethtool: not installed", "ethtool: not installed")
    assert nic.firmware_version is None


def test_a_snapshot_without_ethtool_output_leaves_unknowns_not_errors() -> None:
    tree = read_ttar(corpus("sysfs/procfs_fixtures.ttar"), prefix="fixtures/")
    (nic,) = read_nics(TreeFiles(tree), ReplayRunner({}))
    assert nic.errors == ()
    assert (nic.firmware_version, nic.driver_version) == (None, None)


@pytest.mark.parametrize("status", [CommandStatus.TIMEOUT, CommandStatus.NOT_INSTALLED])
def test_a_hung_or_missing_smartctl_is_recorded_on_the_disk(status: CommandStatus) -> None:
    argv = tuple(smartctl_argv("nvme0n1"))
    runner = ReplayRunner({argv: CommandResult(argv, status, duration=60.0)})
    (disk,) = read_disks(nvme_tree(), runner)
    assert disk.smart is not None
    assert not disk.smart.supported
    assert disk.smart.reason in ("smartctl: timed out after 60s", "smartctl: not installed")
    assert disk.errors == (disk.smart.reason,)


@pytest.mark.parametrize(("bits", "names"), [
    (0, ()), (0x09, ("spare_below_threshold", "read_only")),
    (0x04, ("reliability_degraded",)), (0x08, ("read_only",)),
    (0xC1, ("spare_below_threshold", "reserved_0xc0"))])
def test_critical_warning_bits_are_named(bits: int, names: tuple[str, ...]) -> None:
    health = SmartHealth(SmartSource.SMARTCTL, supported=True, critical_warning=bits)
    assert health.critical_warnings == names
