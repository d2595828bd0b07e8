"""Names of the PCI devices found in HGX-class servers (see DOMAIN.md for sources)."""

from __future__ import annotations

NVIDIA = "10de"
MELLANOX = "15b3"

MODELS = {
    "10de:2330": "H100 SXM5 80GB HBM3",
    "10de:2335": "H200 SXM",
    "10de:2321": "H100 NVL",
    "10de:20b2": "A100 SXM4 80GB",
    "10de:20b0": "A100 SXM4 40GB",
    "10de:20b5": "A100 PCIe 80GB",
    "10de:22a3": "NVSwitch (HGX H100/H200)",
    "10de:1af1": "NVSwitch (HGX A100)",
    "15b3:1021": "ConnectX-7",
    "15b3:101d": "ConnectX-6 Dx",
    "15b3:101b": "ConnectX-6",
}

NVSWITCH_CLASS_PREFIX = "0680"
"""NVSwitches enumerate as class 0x068000, "bridge: other"."""


def model_name(pci_id: str | None) -> str | None:
    """A readable model for `vendor:device`, None when not in the table."""
    return MODELS.get(pci_id or "")


def is_nvswitch(vendor_id: str | None, class_code: str | None) -> bool:
    """An NVIDIA function of the bridge-other class."""
    return vendor_id == NVIDIA and (class_code or "").startswith(NVSWITCH_CLASS_PREFIX)
