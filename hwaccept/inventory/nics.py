"""`Nic` records: sysfs state and counters, plus the driver and firmware from ethtool."""

from __future__ import annotations

from collections.abc import Sequence

from hwaccept.inventory.command_lines import (
    ETHTOOL_TIMEOUT,
    ethtool_driver_argv,
    ethtool_settings_argv,
)
from hwaccept.inventory.concurrency import per_device
from hwaccept.inventory.records import Nic
from hwaccept.sources.commands import Runner
from hwaccept.sources.files import Files
from hwaccept.sysfs.class_net import NetInterface, net_interfaces
from hwaccept.tools.ethtool import DriverInfo, LinkSettings, parse_driver_info, parse_settings


def ethtool_driver(runner: Runner, name: str) -> tuple[DriverInfo | None, str | None]:
    """`ethtool -i NAME`, or the reason it gave nothing usable."""
    result = runner.run(ethtool_driver_argv(name), ETHTOOL_TIMEOUT)
    if not result.ok:
        return None, result.problem()
    try:
        return parse_driver_info(result.stdout), None
    except ValueError as exc:
        return None, f"ethtool -i {name}: {exc}"


def ethtool_settings(runner: Runner, name: str) -> tuple[LinkSettings | None, str | None]:
    """`ethtool NAME`, or the reason it gave nothing usable."""
    result = runner.run(ethtool_settings_argv(name), ETHTOOL_TIMEOUT)
    if not result.stdout.strip():
        return None, result.problem()
    try:
        return parse_settings(result.stdout), None
    except ValueError as exc:
        return None, f"ethtool {name}: {exc}"


def build_nic(runner: Runner, interface: NetInterface) -> Nic:
    """Join sysfs and ethtool views of one interface."""
    driver, driver_problem = ethtool_driver(runner, interface.name)
    settings, settings_problem = ethtool_settings(runner, interface.name)
    problems = [p for p in (driver_problem, settings_problem) if p]
    return Nic(
        name=interface.name,
        driver=driver.driver if driver else interface.driver,
        driver_version=driver.version if driver else None,
        firmware_version=driver.firmware_version if driver else None,
        pci_address=interface.pci_address,
        supported_speed_mbps=settings.supported_max_mbps if settings else None,
        port=settings.port if settings else None,
        counters=interface.counters,
        errors=interface.errors + tuple(problems),
        **interface.values,
    )


def read_nics(files: Files, runner: Runner,
              interfaces: Sequence[NetInterface] | None = None) -> tuple[Nic, ...]:
    """Every physical network interface (`interfaces` when already listed), ethtool joined."""
    listed = net_interfaces(files) if interfaces is None else interfaces
    return per_device(lambda interface: build_nic(runner, interface), listed)
