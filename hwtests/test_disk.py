"""Disks: count, identity, size, firmware, SMART health and temperature, per the profile.

Each test runs one check of hwaccept.checks on one component; see plugins/hw_checks.py.
"""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import Finding
from plugins.hw_checks import judge

pytestmark = [pytest.mark.acceptance, pytest.mark.disk]


@pytest.mark.hw_check("disk_count")
def test_disk_count(finding: Finding) -> None:
    """How many disks the machine has against the profile's count."""
    judge(finding)


@pytest.mark.hw_check("disk_transport")
def test_disk_transport(finding: Finding) -> None:
    """Each disk's transport against `transport` (also the section's scope)."""
    judge(finding)


@pytest.mark.hw_check("disk_size")
def test_disk_size(finding: Finding) -> None:
    """Size against `size_gb_min`."""
    judge(finding)


@pytest.mark.hw_check("disk_model")
def test_disk_model(finding: Finding) -> None:
    """Model against the `model` pattern."""
    judge(finding)


@pytest.mark.hw_check("disk_firmware")
def test_disk_firmware(finding: Finding) -> None:
    """Firmware against the `firmware` rule."""
    judge(finding)


@pytest.mark.hw_check("disk_smart")
def test_disk_smart(finding: Finding) -> None:
    """SMART health against the `smart` limits."""
    judge(finding)


@pytest.mark.hw_check("disk_temperature")
def test_disk_temperature(finding: Finding) -> None:
    """SMART temperature at rest against `smart.temperature_max_c`."""
    judge(finding)
