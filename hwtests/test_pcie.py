"""PCIe: expected device kinds, trained links, drivers, AER counters, against the SKU profile.

Each test runs one check of hwaccept.checks on one component; see plugins/hw_checks.py.
"""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import Finding
from plugins.hw_checks import judge

pytestmark = [pytest.mark.acceptance, pytest.mark.pcie]


@pytest.mark.hw_check("pcie_device_count")
def test_pcie_device_count(finding: Finding) -> None:
    """How many functions of each `pcie_devices` kind (by PCI id) against its `count`."""
    judge(finding)


@pytest.mark.hw_check("pcie_link")
def test_pcie_link(finding: Finding) -> None:
    """Each listed function's link (capability and current) against its kind's `gen` and `width`."""
    judge(finding)


@pytest.mark.hw_check("pcie_driver")
def test_pcie_driver(finding: Finding) -> None:
    """Each listed function's driver against its kind's `driver`."""
    judge(finding)


@pytest.mark.hw_check("pcie_aer")
def test_pcie_aer(finding: Finding) -> None:
    """AER error counts of each function against `pcie_aer` maxima."""
    judge(finding)
