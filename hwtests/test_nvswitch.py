"""NVSwitches: count, identity, fabric registration, against the SKU profile.

Each test runs one check of hwaccept.checks on one component; see plugins/hw_checks.py.
"""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import Finding
from plugins.hw_checks import judge

pytestmark = [pytest.mark.acceptance, pytest.mark.nvswitch]


@pytest.mark.hw_check("nvswitch_count")
def test_nvswitch_count(finding: Finding) -> None:
    """How many NVSwitches the machine has against the profile's count."""
    judge(finding)


@pytest.mark.hw_check("nvswitch_pci_id")
def test_nvswitch_pci_id(finding: Finding) -> None:
    """Each NVSwitch's PCI id against `pci_id`."""
    judge(finding)


@pytest.mark.hw_check("nvswitch_fabric")
def test_nvswitch_fabric(finding: Finding) -> None:
    """Each GPU's NVSwitch fabric registration against `fabric_state`."""
    judge(finding)
