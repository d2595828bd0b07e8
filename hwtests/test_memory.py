"""Memory: size, NUMA nodes, DIMMs, EDAC error counts, against the SKU profile.

Each test runs one check of hwaccept.checks on one component; see plugins/hw_checks.py.
"""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import Finding
from plugins.hw_checks import judge

pytestmark = [pytest.mark.acceptance, pytest.mark.memory]


@pytest.mark.hw_check("memory_size")
def test_memory_size(finding: Finding) -> None:
    """MemTotal against `memory_gib_min`."""
    judge(finding)


@pytest.mark.hw_check("memory_dimms")
def test_memory_dimms(finding: Finding) -> None:
    """Populated DIMMs against `dimm_count`."""
    judge(finding)


@pytest.mark.hw_check("memory_numa_nodes")
def test_memory_numa_nodes(finding: Finding) -> None:
    """NUMA nodes against `numa_nodes`."""
    judge(finding)


@pytest.mark.hw_check("memory_edac")
def test_memory_edac(finding: Finding) -> None:
    """EDAC counts per memory controller: no uncorrected, corrected up to the limit."""
    judge(finding)
