"""GPU checks: count, identity, firmware, driver and modes (profile section `gpus`).

Values come from NVML. A GPU that stopped answering fails `gpu_responds` (GPU_LOST, as
for Xid 79) and its other values are UNKNOWN, naming that failure, so the
one fault is reported once. Memory health, links and idle state have their own modules.
"""

from __future__ import annotations

from collections.abc import Callable

from hwaccept.inventory.records import Gpu
from hwaccept.pci_ids import NVIDIA
from hwaccept.profiles.schema import Gpus, Profile

from .catalog import Situation
from .counts import Tally, count_check
from .coverage import gpus_unread, holds_whole, nvidia_gpus_on_pci, nvml_gap, pci_gap
from .findings import Judgment, Outcome, failed, passed, unknown, warned
from .parts import find_pci, gpu_label, gpu_part, system_part
from .registry import (
    AnyCheck,
    Check,
    Context,
    Family,
    asks,
    per_component,
    required,
    section_check,
)
from .rules import at_least, judge_version, matches

GIB = 1024**3
GpuJudge = Callable[[Gpus, Gpu, Context], Outcome]


def gpus_section(profile: Profile) -> Gpus | None:
    """The profile's `gpus` section."""
    return profile.gpus


def gpu_check(name: str, summary: str, keys: tuple[str, ...], judge: GpuJudge) -> Check[Gpu]:
    """A check with one finding per GPU, asked for by any of `keys` of `gpus`."""
    return section_check(name, Family.GPU, summary, section=gpus_section, keys=keys,
                         components=lambda context: context.inventory.gpus, label=gpu_label,
                         part=lambda _context, gpu: gpu_part(gpu), judge=judge,
                         unread=gpus_unread)


def missing(gpu: Gpu, what: str) -> Judgment:
    """UNKNOWN: NVML gave no `what` (not supported, not recorded, or the GPU is lost)."""
    if gpu.failed:
        return unknown(f"{what} not known: the GPU stopped answering NVML ({gpu.failed})")
    return unknown(f"{what} not known (NVML gave no value)")


def on_off(value: bool) -> str:
    """`enabled` / `disabled`."""
    return "enabled" if value else "disabled"


def judge_mode(gpu: Gpu, what: str, expected: bool, *, current: bool | None,
               pending: bool | None, code: str) -> Outcome:
    """A mode that NVML reports as current and pending (takes effect at the next reset)."""
    if current is None:
        return Outcome(missing(gpu, what), None, expected)
    if current != expected:
        resets = pending == expected
        message = f"{what} is {on_off(current)}, expected {on_off(expected)}" + (
            " (already set to change at the next GPU reset)" if resets else "")
        return Outcome(failed(message, code, Situation.RESET_PENDING if resets else None),
                       current, expected)
    if pending is not None and pending != current:
        return Outcome(warned(f"{what} is {on_off(current)} but becomes {on_off(pending)} at "
                              "the next GPU reset", code), current, expected)
    return Outcome(passed(f"{what} {on_off(current)}"), current, expected)


def _responds(_spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    if gpu.failed:
        return Outcome(failed(f"the GPU stopped answering NVML ({gpu.failed}): fallen off the "
                              "bus or hung", "GPU_LOST"), gpu.failed, "answers")
    return Outcome(passed("answers NVML"), "answers", "answers")


def _model(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    pattern = spec.model or ""
    if gpu.name is None:
        return Outcome(missing(gpu, "the model name"), None, pattern)
    if matches(gpu.name, pattern):
        return Outcome(passed(f"{gpu.name} matches {pattern}"), gpu.name, pattern)
    return Outcome(failed(f"{gpu.name} does not match {pattern}", "GPU_MODEL"), gpu.name,
                   pattern)


def _pci_id(spec: Gpus, gpu: Gpu, context: Context) -> Outcome:
    device = find_pci(context.inventory, gpu.pci_address)
    found = (device.pci_id if device else None) or (
        f"{NVIDIA}:{gpu.pci_device_id}" if gpu.pci_device_id else None)
    if found is None:
        return Outcome(missing(gpu, "the PCI id"), None, spec.pci_id)
    if found == spec.pci_id:
        return Outcome(passed(f"PCI id {found}"), found, spec.pci_id)
    return Outcome(failed(f"PCI id {found}, expected {spec.pci_id}", "GPU_PCI_ID"), found,
                   spec.pci_id)


def _memory(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    least = spec.memory_gib_min or 0.0
    if gpu.memory_total_bytes is None:
        return Outcome(missing(gpu, "the memory size"), None, f">= {least:g}", "GiB")
    gib = round(gpu.memory_total_bytes / GIB, 2)
    if gib >= least:
        return Outcome(passed(f"{gib:g} GiB of memory"), gib, f">= {least:g}", "GiB")
    return Outcome(failed(f"{gib:g} GiB of memory, expected at least {least:g} GiB",
                          "GPU_MEMORY_SIZE"), gib, f">= {least:g}", "GiB")


def _vbios(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    rule = spec.vbios
    if rule is None:
        raise LookupError("gpu_vbios judged without `vbios`")
    return judge_version(gpu.vbios_version, rule, "VBIOS", code="GPU_FIRMWARE",
                         missing=missing(gpu, "the VBIOS version"))


def _persistence(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    return judge_mode(gpu, "persistence mode", bool(spec.persistence_mode),
                      current=gpu.persistence_mode, pending=None, code="GPU_PERSISTENCE_MODE")


def _ecc_mode(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    return judge_mode(gpu, "ECC", bool(spec.ecc_mode), current=gpu.ecc_mode_current,
                      pending=gpu.ecc_mode_pending, code="GPU_ECC_MODE")


def _mig_mode(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    return judge_mode(gpu, "MIG mode", bool(spec.mig_mode), current=gpu.mig_mode_current,
                      pending=gpu.mig_mode_pending, code="GPU_MIG_MODE")


def gpu_tally(context: Context) -> Tally:
    """The GPUs NVML lists; when it cannot, why, and what the PCI tree shows."""
    inventory = context.inventory
    gap = nvml_gap(inventory)
    if gap is None or pci_gap(inventory) is not None:
        return Tally([f"GPU {g.index}" for g in inventory.gpus], gap,
                     whole=holds_whole(inventory, "gpu"))
    on_pci = nvidia_gpus_on_pci(inventory)
    spec = context.profile.gpus
    if spec is not None and spec.count == 0:
        return Tally(on_pci, note=f"counted on the PCI tree ({gap.message})",
                     whole=holds_whole(inventory, "pcie"))
    return Tally([], gap, f"the PCI tree shows {len(on_pci)} NVIDIA GPUs")


def _driver(context: Context, _whole: Context) -> Outcome:
    spec = required(gpus_section, context.profile, "gpu_driver_version")
    least = spec.driver_version_min or ""
    gap = nvml_gap(context.inventory)
    version = context.inventory.nvidia.driver_version
    if gap is not None:
        return Outcome(gap, None, f">= {least}")
    if version is None:
        return Outcome(unknown("the driver version not known (NVML gave no value)"), None,
                       f">= {least}")
    try:
        newer = at_least(version, least)
    except ValueError as exc:
        return Outcome(unknown(f"driver version not comparable: {exc}"), version, f">= {least}")
    if newer:
        return Outcome(passed(f"driver {version}"), version, f">= {least}")
    return Outcome(failed(f"driver {version} is older than {least}", "GPU_DRIVER_VERSION"),
                   version, f">= {least}")


CHECKS: tuple[AnyCheck, ...] = (
    count_check("gpu_count", Family.GPU, "GPUs", "GPU",
                count=lambda p: p.gpus.count if p.gpus else None, tally=gpu_tally),
    gpu_check("gpu_responds", "every GPU answers NVML (none fell off the bus)",
              tuple(Gpus.model_fields), _responds),
    gpu_check("gpu_model", "NVML name against `model`", ("model",), _model),
    gpu_check("gpu_pci_id", "PCI vendor:device against `pci_id`", ("pci_id",), _pci_id),
    gpu_check("gpu_memory", "memory size against `memory_gib_min`", ("memory_gib_min",),
              _memory),
    gpu_check("gpu_vbios", "VBIOS version against the `vbios` rule", ("vbios",), _vbios),
    per_component("gpu_driver_version", Family.GPU, "NVIDIA driver against `driver_version_min`",
                  wanted=asks(gpus_section, "driver_version_min"),
                  components=lambda context: (context,), label=lambda _context: "nvidia-driver",
                  part=lambda context, _w: system_part(context.inventory, "gpu",
                                                       "NVIDIA driver"),
                  judge=_driver),
    gpu_check("gpu_persistence_mode", "persistence mode against `persistence_mode`",
              ("persistence_mode",), _persistence),
    gpu_check("gpu_ecc_mode", "ECC mode (current and pending) against `ecc_mode`",
              ("ecc_mode",), _ecc_mode),
    gpu_check("gpu_mig_mode", "MIG mode (current and pending) against `mig_mode`",
              ("mig_mode",), _mig_mode),
)
