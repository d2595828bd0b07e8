"""The machine: DMI identity, BIOS, BMC, kernel command line, against the SKU profile.

Each test runs one check of hwaccept.checks on one component; see plugins/hw_checks.py.
"""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import Finding
from plugins.hw_checks import judge

pytestmark = [pytest.mark.acceptance, pytest.mark.system]


@pytest.mark.hw_check("system_identity")
def test_system_identity(finding: Finding) -> None:
    """DMI vendor, product name and serial are set."""
    judge(finding)


@pytest.mark.hw_check("system_bios")
def test_system_bios(finding: Finding) -> None:
    """BIOS version against the `bios` rule."""
    judge(finding)


@pytest.mark.hw_check("system_bmc")
def test_system_bmc(finding: Finding) -> None:
    """BMC firmware against the `bmc` rule."""
    judge(finding)


@pytest.mark.hw_check("system_kernel_cmdline")
def test_system_kernel_cmdline(finding: Finding) -> None:
    """The kernel command line holds every `kernel_cmdline` option."""
    judge(finding)
