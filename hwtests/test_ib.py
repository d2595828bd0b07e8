"""InfiniBand and RoCE ports: count, state, rate, link layer, firmware, error counters.

Each test runs one check of hwaccept.checks on one component; see plugins/hw_checks.py.
"""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import Finding
from plugins.hw_checks import judge

pytestmark = [pytest.mark.acceptance, pytest.mark.ib]


@pytest.mark.hw_check("ib_count")
def test_ib_count(finding: Finding) -> None:
    """How many InfiniBand ports the machine has against the profile's count."""
    judge(finding)


@pytest.mark.hw_check("ib_hca_type")
def test_ib_hca_type(finding: Finding) -> None:
    """The HCA of each port in scope against `hca_type` (the section's scope: unknown types)."""
    judge(finding)


@pytest.mark.hw_check("ib_rate")
def test_ib_rate(finding: Finding) -> None:
    """Port rate against `rate_gbps`."""
    judge(finding)


@pytest.mark.hw_check("ib_state")
def test_ib_state(finding: Finding) -> None:
    """Logical port state against `state`."""
    judge(finding)


@pytest.mark.hw_check("ib_phys_state")
def test_ib_phys_state(finding: Finding) -> None:
    """Physical port state against `phys_state`."""
    judge(finding)


@pytest.mark.hw_check("ib_link_layer")
def test_ib_link_layer(finding: Finding) -> None:
    """Link layer against `link_layer`."""
    judge(finding)


@pytest.mark.hw_check("ib_firmware")
def test_ib_firmware(finding: Finding) -> None:
    """HCA firmware against the `firmware` rule."""
    judge(finding)


@pytest.mark.hw_check("ib_errors")
def test_ib_errors(finding: Finding) -> None:
    """Port error counters against the `infiniband` error maxima."""
    judge(finding)
