"""The machine under test as OCP TV's DutInfo: the system, every part, their firmware.

Each part of the inventory becomes a hardwareInfo (serial, part number, maker, PCI
address as its location) and each firmware or driver version a softwareInfo: OCP TV's
hardwareInfo has no firmware field (the spec counts firmware as software of type
FIRMWARE), so firmware is named after its part (`GPU 3 VBIOS`). Diagnoses and measurements
point at hardwareInfos by the names a case gives its part (component_id, serial, PCI
address, the way hwaccept.checks.parts names them); a part a case names that the
inventory does not list (no inventory, a PCI function, a memory controller) gets a
hardwareInfo of its own, built from the case's properties.
"""

from __future__ import annotations

from collections.abc import Iterable

from ocptv.output import Dut, SoftwareType
from ocptv.output.dut import HardwareInfo

from hwaccept.checks.parts import disk_part, gpu_part, ib_part, nic_part, nvswitch_part, system_part
from hwaccept.inventory.records import Inventory, System
from hwaccept.record import replace
from hwaccept.reports.model import CaseResult, RunReport

NVIDIA = "NVIDIA"


def _named(name: str, model: str | None) -> str:
    return f"{name} ({model})" if model and model != name else name


class Parts:
    """The DUT's hardwareInfos, found by any name a case may give the part."""

    def __init__(self, dut: Dut) -> None:
        self.dut = dut
        self._named: dict[str, HardwareInfo] = {}
        self._software: set[tuple[str, str]] = set()

    def find(self, keys: Iterable[str | None]) -> HardwareInfo | None:
        """The hardwareInfo known by the first of `keys` that names one."""
        return next((self._named[k] for k in keys if k and k in self._named), None)

    def add(self, keys: Iterable[str | None], name: str, **fields: str | None) -> HardwareInfo:
        """A hardwareInfo known by `keys`: the one already known by any of them, else new."""
        wanted = [k for k in keys if k]
        info = self.find(wanted) or self.dut.add_hardware_info(name, **fields)
        for key in wanted:
            self._named.setdefault(key, info)
        return info

    def software(self, name: str, version: str | None, kind: SoftwareType) -> None:
        """A softwareInfo, once per name and version; none when the version is not known."""
        if version and (name, version) not in self._software:
            self._software.add((name, version))
            self.dut.add_software_info(name, type=kind, version=version)

    def of_case(self, case: CaseResult) -> HardwareInfo | None:
        """The part a case judged; None for a case that names none."""
        component, component_id = case.get("component"), case.get("component_id")
        if not component or not component_id:
            return None
        keys = [f"{component}:{component_id}", component_id, case.get("serial"), case.get("bdf")]
        return self.find(keys) or self.add(
            keys, _named(f"{component} {component_id}", case.get("model")),
            serial_no=case.get("serial"), location=case.get("bdf") or case.get("slot"))


def _system(parts: Parts, machine: System, keys: list[str | None]) -> None:
    parts.add(keys, " ".join(p for p in (machine.vendor, machine.product) if p) or "system",
              serial_no=machine.serial, manufacturer=machine.vendor,
              computer_system=machine.hostname)
    if machine.board_name or machine.board_serial:
        parts.add([machine.board_serial], _named("mainboard", machine.board_name),
                  serial_no=machine.board_serial, part_no=machine.board_name,
                  manufacturer=machine.board_vendor)
    if machine.chassis_serial and machine.chassis_serial != machine.serial:
        parts.add([machine.chassis_serial], "chassis", serial_no=machine.chassis_serial)
    if machine.cpu_model:
        sockets = f"{machine.sockets} x " if machine.sockets else ""
        parts.add([f"cpu:{key}" for key in keys if key], f"CPUs ({sockets}{machine.cpu_model})")
    parts.software("BIOS", machine.bios_version, SoftwareType.FIRMWARE)
    parts.software("Linux kernel", machine.kernel_version, SoftwareType.SYSTEM)


def _gpus(parts: Parts, inventory: Inventory) -> None:
    for gpu in inventory.gpus:
        part = gpu_part(gpu)
        parts.add([part.component_id, gpu.serial, gpu.pci_address, gpu.uuid],
                  _named(part.name, gpu.name), serial_no=gpu.serial,
                  part_no=gpu.board_part_number, manufacturer=NVIDIA, location=gpu.pci_address)
        parts.software(f"{part.name} VBIOS", gpu.vbios_version, SoftwareType.FIRMWARE)
        parts.software(f"{part.name} InfoROM", gpu.inforom_image_version, SoftwareType.FIRMWARE)
    nvidia = inventory.nvidia
    for version in [nvidia.driver_version, *(g.driver_version for g in inventory.gpus)]:
        parts.software("NVIDIA driver", version, SoftwareType.SYSTEM)
    parts.software("CUDA driver", nvidia.cuda_driver_version, SoftwareType.SYSTEM)
    parts.software("NVML", nvidia.nvml_version, SoftwareType.SYSTEM)
    for switch in inventory.nvswitches:
        part = nvswitch_part(switch)
        parts.add([part.component_id], _named(f"NVSwitch {switch.pci_address}", switch.model),
                  manufacturer=NVIDIA, location=switch.pci_address)


def _network(parts: Parts, inventory: Inventory) -> None:
    for nic in inventory.nics:
        part = nic_part(inventory, nic)
        parts.add([part.component_id, nic.pci_address, nic.name], _named(nic.name, part.model),
                  location=nic.pci_address)
        parts.software(f"{nic.name} firmware", nic.firmware_version, SoftwareType.FIRMWARE)
        if nic.driver:
            parts.software(f"{nic.driver} driver", nic.driver_version, SoftwareType.SYSTEM)
    for port in inventory.ib_ports:
        keys = [ib_part(port).component_id, port.pci_address, port.device]
        parts.add(keys, _named(port.device, port.hca_type), part_no=port.board_id,
                  location=port.pci_address)
        parts.software(f"{port.device} firmware", port.firmware_version, SoftwareType.FIRMWARE)


def _disks(parts: Parts, inventory: Inventory) -> None:
    for disk in inventory.disks:
        part = disk_part(disk)
        parts.add([part.component_id, disk.serial, disk.name], _named(disk.name, disk.model),
                  serial_no=disk.serial, manufacturer_part_no=disk.model,
                  location=disk.pci_address)
        parts.software(f"{disk.name} firmware", disk.firmware, SoftwareType.FIRMWARE)


def machine_of(identity: dict[str, str], system: System) -> System:
    """The system record, with what the run's identity says of it on top."""
    return replace(
        system, serial=identity.get("system_serial") or system.serial,
        vendor=identity.get("vendor") or system.vendor,
        product=identity.get("product") or system.product,
        hostname=identity.get("hostname") or system.hostname)


def build_dut(run: RunReport, inventory: Inventory | None) -> tuple[Dut, Parts]:
    """The DUT with every part of the inventory, and every part the run's cases name.

    Parts only the cases name are added in node id order, so that a parallel run, whose
    results come in any order, describes the machine as a serial run does.
    """
    machine = machine_of(run.identity, inventory.system if inventory else System())
    dut = Dut(id=machine.serial or machine.hostname or "unknown",
              name=machine.hostname or machine.product)
    sku = run.identity.get("sku")
    for info in (" ".join(p for p in (machine.vendor, machine.product) if p),
                 f"SKU profile {sku}" if sku else ""):
        if info:
            dut.add_platform_info(info)
    parts = Parts(dut)
    own = system_part(inventory).component_id if inventory else None
    _system(parts, machine, [own, machine.serial, machine.hostname, "system"])
    if inventory is not None:
        _gpus(parts, inventory)
        _network(parts, inventory)
        _disks(parts, inventory)
    for case in sorted(run.cases, key=lambda c: c.nodeid):
        parts.of_case(case)
    return dut, parts
