"""Ethernet interfaces: count, driver, link, speed, MTU, firmware, errors, per the profile.

Each test runs one check of hwaccept.checks on one component; see plugins/hw_checks.py.
"""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import Finding
from plugins.hw_checks import judge

pytestmark = [pytest.mark.acceptance, pytest.mark.nic]


@pytest.mark.hw_check("nic_count")
def test_nic_count(finding: Finding) -> None:
    """How many Ethernet interfaces the machine has against the profile's count."""
    judge(finding)


@pytest.mark.hw_check("nic_driver")
def test_nic_driver(finding: Finding) -> None:
    """Each interface's driver against `driver` (also the section's scope)."""
    judge(finding)


@pytest.mark.hw_check("nic_speed")
def test_nic_speed(finding: Finding) -> None:
    """Link speed against `speed_mbps`."""
    judge(finding)


@pytest.mark.hw_check("nic_mtu")
def test_nic_mtu(finding: Finding) -> None:
    """MTU against `mtu`."""
    judge(finding)


@pytest.mark.hw_check("nic_state")
def test_nic_state(finding: Finding) -> None:
    """Operational state against `state`."""
    judge(finding)


@pytest.mark.hw_check("nic_firmware")
def test_nic_firmware(finding: Finding) -> None:
    """Firmware version against the `firmware` rule."""
    judge(finding)


@pytest.mark.hw_check("nic_errors")
def test_nic_errors(finding: Finding) -> None:
    """Statistics error counters against `errors_max`."""
    judge(finding)
