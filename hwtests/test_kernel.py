"""The kernel log: Xids per GPU, other hardware events per part, forbidden patterns.

Each test runs one check of hwaccept.checks on one component; see plugins/hw_checks.py.
"""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import Finding
from plugins.hw_checks import judge

pytestmark = [pytest.mark.acceptance, pytest.mark.kernel]


@pytest.mark.hw_check("kernel_xid")
def test_kernel_xid(finding: Finding) -> None:
    """Xid events per GPU against `xid` fail and warn lists."""
    judge(finding)


@pytest.mark.hw_check("kernel_forbidden")
def test_kernel_forbidden(finding: Finding) -> None:
    """Hardware events of the kernel log against `forbidden_patterns`."""
    judge(finding)


@pytest.mark.hw_check("kernel_events")
def test_kernel_events(finding: Finding) -> None:
    """Hardware events other than Xids (AER, MCE, EDAC, NVMe, link, SXid), per part."""
    judge(finding)


@pytest.mark.hw_check("nvswitch_sxid")
def test_nvswitch_sxid(finding: Finding) -> None:
    """NVSwitch errors (SXids) in the Fabric Manager log, per NVSwitch."""
    judge(finding)
