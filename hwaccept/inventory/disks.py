"""`Disk` records: sysfs and udev identity, NVMe controller data, SMART health.

Health comes from `smartctl -j -x /dev/NAME` for every disk; for an NVMe drive
that smartctl cannot read, from `nvme smart-log /dev/nvmeN -o json`.
"""

from __future__ import annotations

from collections.abc import Sequence

from hwaccept.inventory.command_lines import SMART_TIMEOUT, nvme_smart_log_argv, smartctl_argv
from hwaccept.inventory.concurrency import per_device
from hwaccept.inventory.records import Disk, SmartHealth, SmartSource
from hwaccept.sources.commands import Runner
from hwaccept.sources.files import Files
from hwaccept.sysfs.block import SECTOR_BYTES, BlockDisk, block_disks
from hwaccept.sysfs.class_nvme import NvmeController, controller_of, read_controller
from hwaccept.tools.nvme_cli import parse_nvme_smart_log_json
from hwaccept.tools.smartctl import parse_smartctl_json

Health = tuple[SmartHealth, str | None]
"""A SMART reading, and the tool's own failure when it could not give one."""


def _unreadable(source: SmartSource, reason: str, failure: str | None) -> Health:
    return SmartHealth(source, supported=False, reason=reason), failure


def smartctl_health(runner: Runner, name: str) -> Health:
    """SMART health by smartctl.

    A drive without SMART (a virtio disk) is `supported=False` and no failure; smartctl
    missing, hung or printing no JSON is a failure too.
    """
    result = runner.run(smartctl_argv(name), SMART_TIMEOUT)
    if not result.stdout.strip():
        return _unreadable(SmartSource.SMARTCTL, result.describe(), result.problem())
    try:
        return parse_smartctl_json(result.stdout), None
    except ValueError as exc:
        return _unreadable(SmartSource.SMARTCTL, f"smartctl: {exc}", f"smartctl: {exc}")


def nvme_cli_health(runner: Runner, controller: str) -> Health:
    """NVMe health log by nvme-cli."""
    result = runner.run(nvme_smart_log_argv(controller), SMART_TIMEOUT)
    if not result.ok:
        return _unreadable(SmartSource.NVME_CLI, result.describe(), result.problem())
    try:
        return parse_nvme_smart_log_json(result.stdout), None
    except ValueError as exc:
        return _unreadable(SmartSource.NVME_CLI, f"nvme: {exc}", f"nvme: {exc}")


def disk_health(runner: Runner, name: str, controller: str | None) -> tuple[SmartHealth,
                                                                            list[str]]:
    """Smartctl first; nvme-cli when smartctl cannot read an NVMe drive.

    Returns:
        The reading used, and the tool failures that left the drive without one.

    """
    health, failure = smartctl_health(runner, name)
    if health.supported or controller is None:
        return health, [failure] if failure else []
    fallback, fallback_failure = nvme_cli_health(runner, controller)
    if fallback.supported:
        return fallback, []
    return health, [f for f in (failure, fallback_failure) if f]


def build_disk(files: Files, runner: Runner, disk: BlockDisk) -> Disk:
    """Join sysfs, the NVMe controller and SMART for one disk."""
    controller: NvmeController | None = None
    name = controller_of(files, disk.sys_path) if disk.transport == "nvme" else None
    if name is not None:
        controller = read_controller(files, name)
    values, props = disk.values, disk.properties
    sectors = values.get("sectors")
    health, failures = disk_health(runner, disk.name, name)
    return Disk(
        name=disk.name,
        transport=disk.transport,
        model=(controller and controller.model) or values.get("model") or props.get("ID_MODEL"),
        serial=(controller and controller.serial) or values.get("serial")
        or props.get("ID_SERIAL_SHORT"),
        firmware=(controller and controller.firmware) or values.get("firmware")
        or props.get("ID_REVISION"),
        size_bytes=sectors * SECTOR_BYTES if sectors is not None else None,
        rotational=values.get("rotational"),
        pci_address=(controller and controller.pci_address) or disk.pci_address,
        smart=health,
        errors=disk.errors + (controller.errors if controller else ()) + tuple(failures),
    )


def read_disks(files: Files, runner: Runner,
               disks: Sequence[BlockDisk] | None = None) -> tuple[Disk, ...]:
    """Every whole hardware disk (`disks` when already listed) with its SMART health.

    The drives are queried in parallel.
    """
    listed = block_disks(files) if disks is None else disks
    return per_device(lambda disk: build_disk(files, runner, disk), listed)
