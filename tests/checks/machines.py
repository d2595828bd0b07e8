"""Inventories for the check tests: the bundled snapshots, and small hand-made machines."""

from __future__ import annotations

import datetime
import functools
from pathlib import Path
from typing import Any

from hwaccept.checks.findings import Finding
from hwaccept.checks.registry import Context
from hwaccept.checks.run import check_by_name
from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.fabric_manager import LOG_PATH
from hwaccept.inventory.kernel_events import attribute_to_gpus
from hwaccept.inventory.records import (
    EccCounts,
    Gpu,
    Inventory,
    KernelLog,
    NvidiaDriver,
    PciDevice,
    RemappedRows,
    System,
)
from hwaccept.profiles.schema import Profile
from hwaccept.record import replace
from hwaccept.snapshot import load_snapshot, snapshot_sources
from hwaccept.tools import fabricmanager_log
from hwaccept.tools.kernel_log import events
from tests.corpus import corpus

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"
TODAY = datetime.date(2025, 6, 1)


@functools.cache
def snapshot(name: str) -> Inventory:
    """A bundled snapshot's inventory (`hgx-h100-8gpu`, `hgx-a100-8gpu`)."""
    return build_inventory(snapshot_sources(load_snapshot(str(SNAPSHOTS / f"{name}.tar.gz"))))


def h100() -> Inventory:
    """The bundled 8x H100 Dell XE9680."""
    return snapshot("hgx-h100-8gpu")


def a100() -> Inventory:
    """The bundled 8x A100 server."""
    return snapshot("hgx-a100-8gpu")


def with_kernel_log(inventory: Inventory, capture: str) -> Inventory:
    """`inventory` as if its kernel log were the corpus capture `capture` (kmsg/...)."""
    return with_log_lines(inventory, corpus(capture).read_text().splitlines())


def with_log_lines(inventory: Inventory, lines: list[str]) -> Inventory:
    """`inventory` as if its whole kernel log were `lines`."""
    found = attribute_to_gpus(events(lines), inventory.gpus)
    return replace(inventory, kernel_log=KernelLog(source="dmesg", lines=len(lines)),
                               kernel_events=tuple(found), complete=None)


def with_fabric_log(inventory: Inventory, lines: list[str]) -> Inventory:
    """`inventory` as if its Fabric Manager log were `lines`."""
    return replace(
        inventory, fabric_manager_log=KernelLog(source=LOG_PATH, lines=len(lines)),
        fabric_manager_events=tuple(fabricmanager_log.events(lines)))


def xid_line(address: str, xid: int, text: str = "test") -> str:
    """A kernel log line of an Xid at a GPU's PCI address (`0000:9b:00.0`)."""
    return f"[  100.000000] NVRM: Xid (PCI:{address[:-2]}): {xid}, pid=1, name=x, {text}"


def profile(**sections: Any) -> Profile:
    """A profile made of `sections` (each as a profile file would say it)."""
    return Profile.model_validate({"sku": "test-sku", **sections})


def gpu(index: int = 0, **changes: Any) -> Gpu:
    """A healthy H100 at idle, with `changes`."""
    healthy = Gpu(
        index=index, uuid=f"GPU-{index:08d}", serial=f"16501240{index:05d}",
        name="NVIDIA H100 80GB HBM3", pci_address=f"0000:{0x19 + index:02x}:00.0",
        pci_device_id="2330", memory_total_bytes=81559 * 2**20, vbios_version="96.00.74.00.0D",
        driver_version="535.161.08", persistence_mode=True, ecc_mode_current=True,
        ecc_mode_pending=True, ecc=EccCounts(0, 0, 0, 0),
        remapped_rows=RemappedRows(0, 0, pending=False, failure=False), temperature_c=30,
        power_limit_w=700.0, throttle_reasons=("gpu_idle",), mig_mode_current=False,
        mig_mode_pending=False, pcie_gen_current=5, pcie_gen_max=5, pcie_width_current=16,
        pcie_width_max=16, nvlinks=(),
    )
    return replace(healthy, **changes)


def pci(address: str, pci_id: str, **changes: Any) -> PciDevice:
    """A PCI function trained at its Gen5 x16 maximum, bound to a driver."""
    vendor, device = pci_id.split(":")
    trained = PciDevice(address=address, vendor_id=vendor, device_id=device,
                        class_code="020000", driver="mlx5_core", current_link_gen=5,
                        max_link_gen=5, current_link_width=16, max_link_width=16)
    return replace(trained, **changes)


def machine(**fields: Any) -> Inventory:
    """A live machine (serial SYS1) with a working NVIDIA driver and `fields`."""
    base: dict[str, Any] = {
        "origin": "live", "system": System(serial="SYS1", product="Test Server"),
        "nvidia": NvidiaDriver(True, driver_version="535.161.08"),
    }
    return Inventory(**(base | fields))


def run(name: str, sku: Profile, inventory: Inventory) -> list[Finding]:
    """The findings of one check."""
    return check_by_name(name).run(Context(sku, inventory))


def only(name: str, sku: Profile, inventory: Inventory) -> Finding:
    """The single finding of one check."""
    found = run(name, sku, inventory)
    assert len(found) == 1, found
    return found[0]
