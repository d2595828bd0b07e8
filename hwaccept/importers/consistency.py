"""Checks across inputs: an imported machine must be one machine.

The GPUs NVML knows and the NVIDIA display-class functions of the PCI tree are the
same devices, so their PCI addresses must agree when both are known; NVML's GPU count
must cover every GPU with recorded calls. A kernel log that loaded another driver
version than NVML reports is only a warning: a log can span several boots.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from hwaccept.importers.parts import KERNEL_LOG_ARGV, Parts
from hwaccept.sysfs.attrs import normalize_pci_address

PCI_DEVICES = "/sys/bus/pci/devices"
NVIDIA = "0x10de"
DRIVER_LOADED = re.compile(
    r"NVRM: loading NVIDIA UNIX .*?Kernel Module(?: for \S+)? +(\d+\.\d+(?:\.\d+)?) ")
DISPLAY_CLASS = "0x03"


def nvml_gpu_addresses(parts: Parts) -> dict[int, str]:
    """GPU index -> PCI address, where NVML's PCI info was recorded."""
    found = {}
    for index, calls in parts.nvml_gpus.items():
        info: Any = calls.get("nvmlDeviceGetPciInfo")
        bus_id = info.get("busId") if isinstance(info, dict) else None
        if isinstance(bus_id, str):
            found[index] = normalize_pci_address(bus_id)
    return found


def _read(parts: Parts, directory: str, name: str) -> str | None:
    data = parts.files.get(f"{directory}/{name}")
    return data.decode("utf-8", "replace").strip() if data is not None else None


def pci_tree_gpus(parts: Parts) -> set[str]:
    """Addresses of NVIDIA display-class functions (3D / VGA controllers) in the PCI tree."""
    found = set()
    for path, target in parts.links.items():
        if posixpath.dirname(path) != PCI_DEVICES:
            continue
        vendor, klass = _read(parts, target, "vendor"), _read(parts, target, "class")
        if vendor == NVIDIA and klass is not None and klass.startswith(DISPLAY_CLASS):
            found.add(posixpath.basename(path))
    return found


def _listed(addresses: set[str]) -> str:
    return ", ".join(sorted(addresses)) or "none"


def problems(parts: Parts, said_by: dict[str, str]) -> list[str]:
    """Every way the merged inputs disagree about the machine."""
    found = []
    nvml = nvml_gpu_addresses(parts)
    tree = pci_tree_gpus(parts)
    if nvml and tree and set(nvml.values()) != tree:
        nvml_source = said_by.get(f"nvml {min(nvml)} nvmlDeviceGetPciInfo", "NVML")
        found.append(
            f"the GPUs in {nvml_source} ({_listed(set(nvml.values()))}) are not the NVIDIA "
            f"GPUs of the PCI tree ({_listed(tree)}): these inputs come from different "
            "machines")
    count = parts.nvml_system.get("nvmlDeviceGetCount")
    if isinstance(count, int) and parts.nvml_gpus and max(parts.nvml_gpus) >= count:
        source = said_by.get("nvml nvmlDeviceGetCount", "NVML")
        found.append(f"{source} counts {count} GPUs but another input describes GPU "
                     f"{max(parts.nvml_gpus)}")
    return found


def warnings(parts: Parts, said_by: dict[str, str]) -> list[str]:
    """Disagreements that can be innocent, worth a person's look."""
    found = []
    log = parts.commands.get(KERNEL_LOG_ARGV, "")
    loaded = DRIVER_LOADED.findall(log) if "NVRM: loading" in log else []
    version = parts.nvml_system.get("nvmlSystemGetDriverVersion")
    if loaded and isinstance(version, str) and loaded[-1] != version:
        found.append(
            f"the kernel log ({said_by.get(f'command {KERNEL_LOG_ARGV}', 'kernel log')}) last "
            f"loaded NVIDIA driver {loaded[-1]}, but "
            f"{said_by.get('nvml nvmlSystemGetDriverVersion', 'NVML')} reports {version}: "
            "another boot, or another machine")
    return found
