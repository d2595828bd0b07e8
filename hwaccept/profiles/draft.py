"""A profile drafted from a golden machine: what it has, for a vendor to tighten.

Counts, models, PCI ids, link generations and widths and the firmware versions seen
become the draft's expectations; health limits are the strict ones every SKU starts
from (no uncorrectable errors, no pending remaps, no critical disk warnings). Only what
the inventory knows is written: an unknown value leaves its key out. Minimums are what
the machine has, rounded down (memory to whole GiB, disk sizes to whole GB); PCIe links
are expected to train as they did on the golden machine.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from hwaccept.inventory.records import Gpu, Inventory, PciDevice
from hwaccept.pci_ids import NVIDIA, model_name

HARDWARE_XIDS = (48, 63, 64, 74, 79, 92, 94, 95, 119, 120)
"""Xids that point at the GPU or its board (NVIDIA's Xid catalog; see profiles/README.md)."""

EXPECTED_CLASSES = ("0108", "0200", "0207", "0300", "0302", "0680")
"""PCI classes a profile lists by id: NVMe, Ethernet, InfiniBand, VGA, 3D, NVSwitch bridges."""

GIB = 1 << 30


def slug(text: str) -> str:
    """`PowerEdge XE9680` -> `poweredge-xe9680`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "drafted"


def _one(values: Iterable[Any]) -> Any:
    """The value all items share, None when they differ or none is known."""
    seen = {v for v in values if v is not None}
    return seen.pop() if len(seen) == 1 else None


def _versions(values: Iterable[str | None]) -> dict[str, list[str]] | None:
    seen = sorted({v for v in values if v})
    return {"allowed": seen} if seen else None


def _prune(data: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is unknown or empty, recursively."""
    pruned: dict[str, Any] = {}
    for key, value in data.items():
        kept = _prune(value) if isinstance(value, dict) else value
        if kept is not None and kept not in ({}, []):
            pruned[key] = kept
    return pruned


def system_section(inventory: Inventory) -> dict[str, Any]:
    """CPU, memory, NUMA and BIOS as seen."""
    system = inventory.system
    memory = system.memory_total_bytes
    return {
        "cpu_model": system.cpu_model,
        "sockets": system.sockets,
        "cores_min": system.cores,
        "memory_gib_min": math.floor(memory / GIB) if memory else None,
        "numa_nodes": system.numa_nodes,
        "bios": _versions([system.bios_version]),
        "edac_correctable_max": 0 if system.edac else None,
    }


def _gpu_pci_id(gpu: Gpu) -> str | None:
    return f"{NVIDIA}:{gpu.pci_device_id}" if gpu.pci_device_id else None


def gpus_section(inventory: Inventory) -> dict[str, Any]:
    """GPU count, model and the state every GPU was in."""
    gpus = inventory.gpus
    if not inventory.nvidia.available:
        return {"count": 0} if inventory.origin == "live" else {}
    memory = [g.memory_total_bytes for g in gpus if g.memory_total_bytes]
    links = [g.nvlinks for g in gpus if g.nvlinks is not None]
    return {
        "count": len(gpus),
        "model": _one(g.name for g in gpus),
        "pci_id": _one(_gpu_pci_id(g) for g in gpus),
        "memory_gib_min": math.floor(min(memory) / GIB) if memory else None,
        "pcie_gen": _one(g.pcie_gen_max for g in gpus),
        "pcie_width": _one(g.pcie_width_max for g in gpus),
        "vbios": _versions(g.vbios_version for g in gpus),
        "driver_version_min": inventory.nvidia.driver_version,
        "persistence_mode": _one(g.persistence_mode for g in gpus),
        "ecc_mode": _one(g.ecc_mode_current for g in gpus),
        "ecc": {"volatile_dbe_max": 0, "aggregate_dbe_max": 0},
        "row_remap": {"pending_allowed": False, "failure_allowed": False},
        "retired_pages": {"pending_allowed": False},
        "nvlinks": {"count": _one(len(n) for n in links), "state": "active"}
        if links and any(links) else None,
        "mig_mode": _one(g.mig_mode_current for g in gpus),
    }


def nvswitches_section(inventory: Inventory) -> dict[str, Any]:
    """NVSwitch count and id; fabric registration when the GPUs reported it complete."""
    switches = inventory.nvswitches
    fabric = {g.fabric.state for g in inventory.gpus if g.fabric}
    return {
        "count": len(switches),
        "pci_id": _one(f"{NVIDIA}:{s.device_id}" for s in switches if s.device_id),
        "fabric_state": "completed" if fabric == {"completed"} else None,
    } if switches else {}


def _expected(device: PciDevice) -> bool:
    return bool(device.pci_id and device.class_code
                and device.class_code[:4] in EXPECTED_CLASSES)


def trained(device: PciDevice) -> tuple[int | None, int | None]:
    """The link the golden machine trained, as generation and width.

    A GPU drops its link speed at idle, so for NVIDIA display-class functions the
    generation is the link's capability (the checks measure the speed under load).
    """
    gpu = device.vendor_id == NVIDIA and (device.class_code or "").startswith("03")
    gen = device.max_link_gen if gpu else device.current_link_gen or device.max_link_gen
    return gen, device.current_link_width or device.max_link_width


def pcie_devices(inventory: Inventory) -> list[dict[str, Any]]:
    """One entry per PCI id of the device kinds a profile lists, with their trained links."""
    by_id: dict[str, list[PciDevice]] = {}
    for device in inventory.pci_devices:
        if _expected(device):
            by_id.setdefault(device.pci_id or "", []).append(device)
    entries = []
    for pci_id, devices in sorted(by_id.items()):
        entries.append(_prune({
            "name": model_name(pci_id) or f"PCI {pci_id}",
            "pci_id": pci_id,
            "count": len(devices),
            "gen": _one(trained(d)[0] for d in devices),
            "width": _one(trained(d)[1] for d in devices),
            "driver": _one(d.driver for d in devices),
        }))
    return entries


def network_sections(inventory: Inventory) -> dict[str, Any]:
    """Ethernet interfaces and RDMA ports as seen."""
    nics, ports = inventory.nics, inventory.ib_ports
    ethernet = {
        "count": len(nics),
        "driver": _one(n.driver for n in nics),
        "speed_mbps": _one(n.speed_mbps for n in nics),
        "mtu": _one(n.mtu for n in nics),
        "state": "up" if nics and all(n.operstate == "up" for n in nics) else None,
        "firmware": _versions(n.firmware_version for n in nics),
    } if nics else {}
    rdma = {
        "count": len(ports),
        "rate_gbps": _one(p.rate_gbps for p in ports),
        "state": "ACTIVE" if all(p.state == "ACTIVE" for p in ports) else None,
        "phys_state": "LinkUp" if all(p.phys_state == "LinkUp" for p in ports) else None,
        "link_layer": _one(p.link_layer for p in ports),
        "hca_type": _one(p.hca_type for p in ports),
        "firmware": _versions(p.firmware_version for p in ports),
    } if ports else {}
    return {"nics": ethernet, "infiniband": rdma}


def disks_section(inventory: Inventory) -> dict[str, Any]:
    """Data disks as seen, with strict SMART limits."""
    disks = inventory.disks
    sizes = [d.size_bytes for d in disks if d.size_bytes]
    return {
        "transport": _one(d.transport for d in disks),
        "count": len(disks),
        "size_gb_min": math.floor(min(sizes) / 1e9) if sizes else None,
        "model": _one(d.model for d in disks),
        "firmware": _versions(d.firmware for d in disks),
        "smart": {"critical_warning_allowed": False, "media_errors_max": 0}
        if any(d.smart and d.smart.supported for d in disks) else None,
    } if disks else {}


def draft(inventory: Inventory, sku: str, source: str, today: date) -> dict[str, Any]:
    """The drafted profile's data, in the order a person reads it."""
    system = inventory.system
    match = {"vendor": system.vendor, "product": system.product} if system.product else None
    data: dict[str, Any] = {
        "sku": sku,
        "description": f"Drafted from {source} on {today.isoformat()}; review every value "
                       "before use.",
        "match": match,
        "system": system_section(inventory),
        "gpus": gpus_section(inventory),
        "nvswitches": nvswitches_section(inventory),
        "pcie_devices": pcie_devices(inventory),
        "pcie_aer": {"fatal_max": 0, "nonfatal_max": 0},
        **network_sections(inventory),
        "disks": disks_section(inventory),
        "kernel_log": {"xid": {"fail": list(HARDWARE_XIDS)}} if inventory.gpus else None,
    }
    return _prune(data)


def counted(data: dict[str, Any]) -> Counter[str]:
    """How many keys the draft set per section, for the command's summary."""
    return Counter({key: len(value) if isinstance(value, dict | list) else 1
                    for key, value in data.items()})
