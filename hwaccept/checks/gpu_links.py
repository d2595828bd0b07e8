"""GPU links: the PCIe link to the host, and the NVLinks.

Profile keys `gpus.pcie_gen`, `gpus.pcie_width` and `gpus.nvlinks`.

The PCIe link is NVML's (its maximum is what the GPU and the system together allow),
with sysfs's view of the GPU's PCI function where NVML gave no value; see links.py for
how an idle GPU's lowered link speed is judged. NVLinks are the links NVML enumerates.
"""

from __future__ import annotations

from hwaccept.inventory.records import Gpu
from hwaccept.profiles.schema import Gpus

from .findings import Judgment, Outcome, Verdict, failed, passed, unknown, worst
from .gpus import gpu_check, missing
from .links import Link, device_link, expected_link, judge_link, upstream_limit
from .parts import find_pci
from .registry import AnyCheck, Context


def gpu_link(gpu: Gpu, pci: Link | None) -> Link:
    """NVML's link values, each filled from sysfs where NVML gave none."""
    def pick(nvml: int | None, sysfs: int | None) -> int | None:
        return nvml if nvml is not None else sysfs
    other = pci or Link(None, None, None, None)
    return Link(pick(gpu.pcie_gen_max, other.max_gen), pick(gpu.pcie_width_max, other.max_width),
                pick(gpu.pcie_gen_current, other.gen), pick(gpu.pcie_width_current, other.width))


def _pcie_link(spec: Gpus, gpu: Gpu, context: Context) -> Outcome:
    device = find_pci(context.inventory, gpu.pci_address)
    link = gpu_link(gpu, device_link(device) if device else None)
    expected = expected_link(spec.pcie_gen, spec.pcie_width)
    judgment = judge_link(spec.pcie_gen, spec.pcie_width, link, idle_speed=True,
                          upstream=upstream_limit(context.inventory, device, spec.pcie_gen,
                                                  spec.pcie_width))
    if gpu.failed and judgment.verdict is Verdict.UNKNOWN:
        judgment = missing(gpu, "the PCIe link")
    return Outcome(judgment, link.describe(), expected)


def _link_count(links: int, want: int) -> Judgment:
    if links == want:
        return passed(f"{links} NVLinks")
    if links < want:
        return failed(f"{links} NVLinks, expected {want}", "GPU_NVLINK_MISSING")
    return failed(f"{links} NVLinks, expected {want}", "GPU_NVLINK_COUNT")


def _link_states(gpu: Gpu) -> Judgment:
    links = gpu.nvlinks or ()
    down = [str(link.link) for link in links if link.active is False]
    unread = [str(link.link) for link in links if link.active is None]
    if down:
        return failed(f"NVLink {', '.join(down)} not active", "GPU_NVLINK_DOWN")
    if unread:
        return unknown(f"state of NVLink {', '.join(unread)} not known")
    return passed(f"all {len(links)} NVLinks active")


def _nvlinks(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    rules = spec.nvlinks
    if rules is None:
        raise LookupError("gpu_nvlinks judged without `nvlinks`")
    expected = ", ".join(p for p in (f"{rules.count} links" if rules.count is not None else "",
                                     "all active" if rules.state else "") if p)
    if gpu.nvlinks is None:
        return Outcome(missing(gpu, "the NVLinks"), None, expected)
    active = sum(1 for link in gpu.nvlinks if link.active)
    measured = f"{len(gpu.nvlinks)} links, {active} active"
    judged = []
    if rules.count is not None:
        judged.append(_link_count(len(gpu.nvlinks), rules.count))
    if rules.state:
        judged.append(_link_states(gpu))
    return Outcome(worst(judged), measured, expected)


CHECKS: tuple[AnyCheck, ...] = (
    gpu_check("gpu_pcie_link", "PCIe link (capability and current) against `pcie_gen` and "
              "`pcie_width`", ("pcie_gen", "pcie_width"), _pcie_link),
    gpu_check("gpu_nvlinks", "NVLink count and states against `nvlinks`", ("nvlinks",),
              _nvlinks),
)
