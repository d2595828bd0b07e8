"""Processors: model, sockets, cores, against the SKU profile.

Each test runs one check of hwaccept.checks on one component; see plugins/hw_checks.py.
"""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import Finding
from plugins.hw_checks import judge

pytestmark = [pytest.mark.acceptance, pytest.mark.cpu]


@pytest.mark.hw_check("cpu_model")
def test_cpu_model(finding: Finding) -> None:
    """CPU model name against the `cpu_model` pattern."""
    judge(finding)


@pytest.mark.hw_check("cpu_sockets")
def test_cpu_sockets(finding: Finding) -> None:
    """Populated CPU sockets against `sockets`."""
    judge(finding)


@pytest.mark.hw_check("cpu_cores")
def test_cpu_cores(finding: Finding) -> None:
    """Physical cores against `cores_min`."""
    judge(finding)
