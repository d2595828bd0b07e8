"""GPUs against the SKU profile: count, identity, firmware, modes, memory health, links.

Each test runs one check of hwaccept.checks on one component; see plugins/hw_checks.py.
"""

from __future__ import annotations

import pytest

from hwaccept.checks.findings import Finding
from plugins.hw_checks import judge

pytestmark = [pytest.mark.acceptance, pytest.mark.gpu]


@pytest.mark.hw_check("gpu_count")
def test_gpu_count(finding: Finding) -> None:
    """How many GPUs the machine has against the profile's count."""
    judge(finding)


@pytest.mark.hw_check("gpu_responds")
def test_gpu_responds(finding: Finding) -> None:
    """Every GPU answers NVML (none fell off the bus)."""
    judge(finding)


@pytest.mark.hw_check("gpu_model")
def test_gpu_model(finding: Finding) -> None:
    """NVML name against `model`."""
    judge(finding)


@pytest.mark.hw_check("gpu_pci_id")
def test_gpu_pci_id(finding: Finding) -> None:
    """PCI vendor:device against `pci_id`."""
    judge(finding)


@pytest.mark.hw_check("gpu_memory")
def test_gpu_memory(finding: Finding) -> None:
    """Memory size against `memory_gib_min`."""
    judge(finding)


@pytest.mark.hw_check("gpu_vbios")
def test_gpu_vbios(finding: Finding) -> None:
    """VBIOS version against the `vbios` rule."""
    judge(finding)


@pytest.mark.hw_check("gpu_driver_version")
def test_gpu_driver_version(finding: Finding) -> None:
    """NVIDIA driver against `driver_version_min`."""
    judge(finding)


@pytest.mark.hw_check("gpu_persistence_mode")
def test_gpu_persistence_mode(finding: Finding) -> None:
    """Persistence mode against `persistence_mode`."""
    judge(finding)


@pytest.mark.hw_check("gpu_ecc_mode")
def test_gpu_ecc_mode(finding: Finding) -> None:
    """ECC mode (current and pending) against `ecc_mode`."""
    judge(finding)


@pytest.mark.hw_check("gpu_mig_mode")
def test_gpu_mig_mode(finding: Finding) -> None:
    """MIG mode (current and pending) against `mig_mode`."""
    judge(finding)


@pytest.mark.hw_check("gpu_identity")
def test_gpu_identity(finding: Finding) -> None:
    """Every GPU has a UUID and a serial, shared with no other GPU."""
    judge(finding)


@pytest.mark.hw_check("gpu_pcie_link")
def test_gpu_pcie_link(finding: Finding) -> None:
    """PCIe link (capability and current) against `pcie_gen` and `pcie_width`."""
    judge(finding)


@pytest.mark.hw_check("gpu_nvlinks")
def test_gpu_nvlinks(finding: Finding) -> None:
    """NVLink count and states against `nvlinks`."""
    judge(finding)


@pytest.mark.hw_check("gpu_nvlink_errors")
def test_gpu_nvlink_errors(finding: Finding) -> None:
    """NVLink error counters of each link against the `nvlinks` error maxima."""
    judge(finding)


@pytest.mark.hw_check("gpu_ecc")
def test_gpu_ecc(finding: Finding) -> None:
    """ECC error counts against `ecc` maxima."""
    judge(finding)


@pytest.mark.hw_check("gpu_retired_pages")
def test_gpu_retired_pages(finding: Finding) -> None:
    """Retired pages against `retired_pages`."""
    judge(finding)


@pytest.mark.hw_check("gpu_row_remap")
def test_gpu_row_remap(finding: Finding) -> None:
    """Row remapper state against `row_remap`."""
    judge(finding)


@pytest.mark.hw_check("gpu_idle_temperature")
def test_gpu_idle_temperature(finding: Finding) -> None:
    """Temperature at idle against `idle_temperature_max_c`."""
    judge(finding)


@pytest.mark.hw_check("gpu_power_limit")
def test_gpu_power_limit(finding: Finding) -> None:
    """Enforced power limit against the `power_limit_w` limit."""
    judge(finding)


@pytest.mark.hw_check("gpu_idle_throttle")
def test_gpu_idle_throttle(finding: Finding) -> None:
    """Clock event reasons at idle against `idle_throttle_reasons_allowed`."""
    judge(finding)
