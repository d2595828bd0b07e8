"""`NvSwitch` records: NVIDIA bridge-class PCI functions, joined with GPU NVLinks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from hwaccept.inventory.records import Gpu, NvSwitch, PciDevice
from hwaccept.pci_ids import is_nvswitch, model_name


def switch_links(gpus: Iterable[Gpu]) -> Counter[str]:
    """Active GPU NVLinks per far-end switch PCI address."""
    return Counter(
        link.remote_pci_address
        for gpu in gpus
        for link in gpu.nvlinks or ()
        if link.active and link.remote_type == "switch" and link.remote_pci_address
    )


def read_nvswitches(pci: Iterable[PciDevice], gpus: tuple[Gpu, ...]) -> tuple[NvSwitch, ...]:
    """One record per NVSwitch function.

    `gpu_links` is None when no GPU says where its NVLinks lead (no NVLinks, or a snapshot
    that records their states but not their far ends).
    """
    links = switch_links(gpus)
    known = any(link.remote_pci_address for gpu in gpus for link in gpu.nvlinks or ())
    return tuple(
        NvSwitch(
            pci_address=device.address,
            device_id=device.device_id,
            model=model_name(device.pci_id),
            driver=device.driver,
            gpu_links=links.get(device.address, 0) if known else None,
        )
        for device in pci
        if is_nvswitch(device.vendor_id, device.class_code)
    )
