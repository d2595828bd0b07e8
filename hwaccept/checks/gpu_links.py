"""GPU links: the PCIe link to the host, and the NVLinks.

Profile keys `gpus.pcie_gen`, `gpus.pcie_width` and `gpus.nvlinks`.

The PCIe link is NVML's (its maximum is what the GPU and the system together allow),
with sysfs's view of the GPU's PCI function where NVML gave no value; see links.py for
how an idle GPU's lowered link speed is judged. NVLinks are the links NVML enumerates:
`gpu_nvlinks` judges their count and states (`nvlinks.count`, `state`),
`gpu_nvlink_errors` each link's error counters (nvmlDeviceGetNvLinkErrorCounter, counted
since the driver loaded) against `crc_errors_max` (flit CRC and data CRC errors, each),
`replay_errors_max` and `recovery_errors_max`. DCGM's health watch fails a GPU on any new
replay or recovery error and on CRC errors only at 100 per second or more
(NVIDIA/DCGM modules/health/DcgmHealthWatch.cpp, common/DcgmGPUHardwareLimits.h). A counter
NVML gave no value for is UNKNOWN; when a GPU has no counter at all (links not read, or
read without their counters, as imported snapshots record them) the finding says so once.
"""

from __future__ import annotations

from collections.abc import Callable

from hwaccept.inventory.records import Gpu, NvLink
from hwaccept.profiles.schema import Gpus, NvLinks, Profile

from .coverage import gpus_unread
from .findings import Judgment, Outcome, Verdict, failed, passed, unknown, worst
from .gpus import gpu_check, missing
from .links import Link, device_link, expected_link, judge_link, upstream_limit
from .parts import find_pci, gpu_label, gpu_part
from .registry import AnyCheck, Check, Context, Family, section_check

NVLINK_COUNTERS = (
    ("crc_errors_max", "crc_flit_errors", "flit CRC errors"),
    ("crc_errors_max", "crc_data_errors", "data CRC errors"),
    ("replay_errors_max", "replay_errors", "replay errors"),
    ("recovery_errors_max", "recovery_errors", "recovery errors"),
)
"""(profile key, NvLink field, what the finding calls it)."""
COUNTERS_UNKNOWN = "NVLink error counters not known (NVML gave no value)"


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


def nvlinks_section(profile: Profile) -> NvLinks | None:
    """The profile's `gpus.nvlinks` section."""
    return profile.gpus.nvlinks if profile.gpus else None


def nvlink_check(name: str, summary: str, keys: tuple[str, ...],
                 judge: Callable[[NvLinks, Gpu, Context], Outcome]) -> Check[Gpu]:
    """A check with one finding per GPU, asked for by any of `keys` of `gpus.nvlinks`."""
    return section_check(name, Family.GPU, summary, section=nvlinks_section, keys=keys,
                         components=lambda context: context.inventory.gpus, label=gpu_label,
                         part=lambda _context, gpu: gpu_part(gpu), judge=judge,
                         unread=gpus_unread)


def _nvlinks(rules: NvLinks, gpu: Gpu, _context: Context) -> Outcome:
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


def asked_counters(rules: NvLinks) -> list[tuple[str, str, int]]:
    """(NvLink field, name, maximum) of every counter the profile limits."""
    return [(field, what, most) for key, field, what in NVLINK_COUNTERS
            if (most := getattr(rules, key)) is not None]


def judge_counter(links: tuple[NvLink, ...], field: str, what: str, most: int) -> Judgment:
    """One counter on every link: the links above the maximum, else those not known."""
    values = [(link.link, getattr(link, field)) for link in links]
    above = [f"link {n}: {v}" for n, v in values if v is not None and v > most]
    if above:
        return failed(f"{what} above {most} on {'; '.join(above)}", "GPU_NVLINK_ERRORS")
    unread = [str(n) for n, v in values if v is None]
    if unread:
        return unknown(f"{what} of link {', '.join(unread)} not known")
    return passed(f"{what} at most {most}")


def _nvlink_errors(rules: NvLinks, gpu: Gpu, _context: Context) -> Outcome:
    asked = asked_counters(rules)
    expected = ", ".join(f"{field}<={most}" for field, _, most in asked) + " per link"
    links = gpu.nvlinks or ()
    if gpu.failed:
        return Outcome(missing(gpu, "the NVLink error counters"), None, expected)
    if not any(getattr(link, field) is not None for link in links for field, _, _ in asked):
        if gpu.nvlinks == ():
            return Outcome(passed("no NVLinks"), "no NVLinks", expected)
        return Outcome(unknown(COUNTERS_UNKNOWN), None, expected)
    totals = {field: sum(getattr(link, field) or 0 for link in links) for field, _, _ in asked}
    measured = ", ".join(f"{field}={total}" for field, total in totals.items()) + (
        f" over {len(links)} links")
    return Outcome(worst([judge_counter(links, field, what, most) for field, what, most in asked]),
                   measured, expected)


CHECKS: tuple[AnyCheck, ...] = (
    gpu_check("gpu_pcie_link", "PCIe link (capability and current) against `pcie_gen` and "
              "`pcie_width`", ("pcie_gen", "pcie_width"), _pcie_link),
    nvlink_check("gpu_nvlinks", "NVLink count and states against `nvlinks`",
                 ("count", "state"), _nvlinks),
    nvlink_check("gpu_nvlink_errors", "NVLink error counters of each link against the "
                 "`nvlinks` error maxima", ("crc_errors_max", "replay_errors_max",
                                            "recovery_errors_max"), _nvlink_errors),
)
