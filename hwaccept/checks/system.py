"""Whole-machine checks: processors, memory, firmware, the kernel command line.

Profile section `system`. Findings are about the chassis (its DMI serial is the
component id), except EDAC, which gives one finding per memory controller. Memory size
is MemTotal, which is a little below the installed memory (the kernel and firmware keep
some): set `memory_gib_min` accordingly. The inventory does not read DIMM slots (SMBIOS
type 17) or the BMC, so `dimm_count` and `bmc` are UNKNOWN. Kernel command line options
must appear as whole words (`iommu=pt` is not satisfied by `intel_iommu=on`).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable

from hwaccept.inventory.records import EdacController
from hwaccept.inventory.records import System as Machine
from hwaccept.profiles.schema import Profile, System

from .coverage import read_everything
from .findings import Judgment, Outcome, Part, failed, passed, unknown, worst
from .parts import edac_part, system_part
from .registry import AnyCheck, Check, Context, Family, section_check
from .rules import describe_version_rule, judge_version, matches

GIB = 1024**3
NOT_READ = "not read by this version of hwaccept"


def system_section(profile: Profile) -> System | None:
    """The profile's `system` section."""
    return profile.system


def whole(name: str, family: Family, summary: str, *, key: str, called: str,
          judge: Callable[[System, Machine, Context], Outcome]) -> Check[Machine]:
    """A check with one finding for the machine (`called` in it), asked for by `key`."""
    def part(context: Context, _machine: Machine) -> Part:
        return system_part(context.inventory, family.value, called)
    return section_check(name, family, summary, section=system_section, keys=(key,),
                         components=lambda context: (context.inventory.system,),
                         label=lambda _machine: family.value, part=part, judge=judge)


def _cpu_model(spec: System, machine: Machine, _context: Context) -> Outcome:
    pattern = spec.cpu_model or ""
    if machine.cpu_model is None:
        return Outcome(unknown("CPU model not known"), None, pattern)
    if matches(machine.cpu_model, pattern):
        return Outcome(passed(f"{machine.cpu_model} matches {pattern}"), machine.cpu_model,
                       pattern)
    return Outcome(failed(f"{machine.cpu_model} does not match {pattern}", "CPU_MODEL"),
                   machine.cpu_model, pattern)


def equal(value: int | None, want: int | None, what: str, code: str) -> Outcome:
    """A count that must be exactly the profile's."""
    if value is None:
        return Outcome(unknown(f"{what} not known"), None, want)
    if value == want:
        return Outcome(passed(f"{value} {what}"), value, want)
    return Outcome(failed(f"{value} {what}, expected {want}", code), value, want)


def at_least(value: float | None, least: float, what: str, code: str,
             unit: str = "") -> Outcome:
    """A quantity that must reach the profile's minimum."""
    shown = f" {unit}" if unit else ""
    expected = f">= {least:g}"
    if value is None:
        return Outcome(unknown(f"{what} not known"), None, expected, unit or None)
    if value >= least:
        return Outcome(passed(f"{value:g}{shown} {what}"), value, expected, unit or None)
    return Outcome(failed(f"{value:g}{shown} {what}, expected at least {least:g}{shown}", code),
                   value, expected, unit or None)


def _memory(spec: System, machine: Machine, _context: Context) -> Outcome:
    size = machine.memory_total_bytes
    gib = None if size is None else round(size / GIB, 1)
    return at_least(gib, spec.memory_gib_min or 0.0, "memory (MemTotal)", "MEMORY_SIZE", "GiB")


def _dimms(spec: System, machine: Machine, _context: Context) -> Outcome:
    seen = [mc.dimms for mc in machine.edac]
    hint = (f"; EDAC lists {sum(d or 0 for d in seen)} memory modules (dimm or rank entries)"
            if seen and None not in seen else "")
    return Outcome(unknown(f"DIMM count {NOT_READ} (SMBIOS type 17){hint}"), None,
                   spec.dimm_count)


def _bmc(spec: System, _machine: Machine, _context: Context) -> Outcome:
    return Outcome(unknown(f"BMC firmware version {NOT_READ}"), None,
                   describe_version_rule(spec.bmc) if spec.bmc else None)


def _bios(spec: System, machine: Machine, _context: Context) -> Outcome:
    rule = spec.bios
    if rule is None:
        raise LookupError("system_bios judged without `bios`")
    return judge_version(machine.bios_version, rule, "BIOS", code="BIOS_FIRMWARE",
                         missing=unknown("BIOS version not known"))


def cmdline_words(cmdline: str) -> list[str]:
    """The command line's words, quotes removed as the kernel parses them."""
    try:
        return shlex.split(cmdline)
    except ValueError:
        return cmdline.split()


def _cmdline(spec: System, machine: Machine, _context: Context) -> Outcome:
    wanted = list(spec.kernel_cmdline or ())
    expected = " ".join(wanted)
    if machine.kernel_cmdline is None:
        return Outcome(unknown("kernel command line not known"), None, expected)
    words = set(cmdline_words(machine.kernel_cmdline))
    absent = [option for option in wanted if option not in words]
    measured = machine.kernel_cmdline.strip()
    if absent:
        return Outcome(failed(f"kernel command line lacks {' '.join(absent)}",
                              "KERNEL_CMDLINE"), measured, expected)
    return Outcome(passed(f"kernel command line holds {expected or 'nothing asked'}"),
                   measured, expected)


def controllers(context: Context) -> list[EdacController | None]:
    """The EDAC memory controllers, or one None when there are none to read."""
    found: list[EdacController | None] = list(context.inventory.system.edac)
    return found or [None]


def judge_edac(controller: EdacController, most: int) -> Judgment:
    """No uncorrected errors, and at most `most` corrected ones."""
    judged = []
    if controller.uncorrectable is None:
        judged.append(unknown("uncorrected error count not known"))
    elif controller.uncorrectable:
        judged.append(failed(f"{controller.uncorrectable} uncorrected memory errors, expected 0",
                             "MEMORY_UE"))
    if controller.correctable is None:
        judged.append(unknown("corrected error count not known"))
    elif controller.correctable > most:
        judged.append(failed(f"{controller.correctable} corrected memory errors, at most {most} "
                             "allowed", "MEMORY_CE"))
    return worst(judged or [passed(f"{controller.uncorrectable} uncorrected, "
                                   f"{controller.correctable} corrected memory errors")])


def _edac(spec: System, controller: EdacController | None, context: Context) -> Outcome:
    most = spec.edac_correctable_max or 0
    expected = f"ue=0, ce<={most}"
    if controller is None:
        where = "not loaded" if read_everything(context.inventory) else "not in this snapshot"
        return Outcome(unknown(f"EDAC is {where}: memory errors cannot be counted"), None,
                       expected)
    measured = f"ue={controller.uncorrectable}, ce={controller.correctable}"
    return Outcome(judge_edac(controller, most), measured, expected)


def _edac_part(context: Context, controller: EdacController | None) -> Part:
    return edac_part(controller) if controller else system_part(context.inventory, "memory",
                                                                "memory controllers")


CHECKS: tuple[AnyCheck, ...] = (
    whole("cpu_model", Family.CPU, "CPU model name against the `cpu_model` pattern",
          key="cpu_model", called="CPUs", judge=_cpu_model),
    whole("cpu_sockets", Family.CPU, "populated CPU sockets against `sockets`", key="sockets",
          called="CPUs",
          judge=lambda spec, machine, _c: equal(machine.sockets, spec.sockets, "CPU sockets",
                                                "CPU_SOCKETS")),
    whole("cpu_cores", Family.CPU, "physical cores against `cores_min`", key="cores_min",
          called="CPUs",
          judge=lambda spec, machine, _c: at_least(machine.cores, spec.cores_min or 0,
                                                   "physical cores", "CPU_CORES")),
    whole("memory_size", Family.MEMORY, "MemTotal against `memory_gib_min`",
          key="memory_gib_min", called="memory", judge=_memory),
    whole("memory_dimms", Family.MEMORY, "populated DIMMs against `dimm_count`",
          key="dimm_count", called="memory", judge=_dimms),
    whole("memory_numa_nodes", Family.MEMORY, "NUMA nodes against `numa_nodes`",
          key="numa_nodes", called="memory",
          judge=lambda spec, machine, _c: equal(machine.numa_nodes, spec.numa_nodes,
                                                "NUMA nodes", "MEMORY_NUMA_NODES")),
    section_check("memory_edac", Family.MEMORY, "EDAC error counts of each memory controller: "
                  "no uncorrected, corrected up to `edac_correctable_max`",
                  section=system_section, keys=("edac_correctable_max",),
                  components=controllers, label=lambda mc: mc.name if mc else "edac",
                  part=_edac_part, judge=_edac),
    whole("system_bios", Family.SYSTEM, "BIOS version against the `bios` rule", key="bios",
          called="BIOS", judge=_bios),
    whole("system_bmc", Family.SYSTEM, "BMC firmware against the `bmc` rule", key="bmc",
          called="BMC", judge=_bmc),
    whole("system_kernel_cmdline", Family.SYSTEM, "the kernel command line holds every "
          "`kernel_cmdline` option", key="kernel_cmdline", called="kernel command line",
          judge=_cmdline),
)
