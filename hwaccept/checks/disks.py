"""Data disk checks (profile section `disks`).

The section is about the disks of its `transport` (all disks when it names none); a disk
whose transport is not known stays in, and `disk_transport` says it is unknown. SMART
limits are NVMe health log fields (NVMe Base Specification, SMART / Health Information);
on another transport a field the drive does not report is not applicable, not unknown.
With a `smart` section, a drive whose overall SMART status failed fails too. Any set
critical warning bit is NVME_CRITICAL_WARNING; when the temperature bit is the only one, it
is the catalog's TEMPERATURE_ONLY situation (the drive's cooling, not the drive).
`disk_temperature` compares the temperature SMART reports (read at rest) with
`smart.temperature_max_c`; `disk_smart` is asked for by the other `smart` keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hwaccept.inventory.records import Disk, SmartHealth
from hwaccept.profiles.schema import Disks, Profile, SmartLimits

from .catalog import Situation
from .counts import Tally, count_check, names
from .coverage import holds_whole, unlisted
from .findings import Judgment, Outcome, failed, passed, unknown, worst
from .parts import disk_label, disk_part
from .registry import AnyCheck, Check, Context, Family, section_check
from .rules import judge_version, matches

GB = 10**9
NVME = "nvme"
TEMPERATURE_ONLY = ("temperature_out_of_range",)
SMART_KEYS = ("critical_warning_allowed", "media_errors_max", "percentage_used_max",
              "available_spare_min")
S = TypeVar("S")


def disks_section(profile: Profile) -> Disks | None:
    """The profile's `disks` section."""
    return profile.disks


def in_scope(context: Context) -> list[Disk]:
    """The disks the section is about, in inventory order."""
    spec = context.profile.disks
    transport = spec.transport if spec else None
    return [d for d in context.inventory.disks
            if transport is None or d.transport in (None, transport)]


def disk_tally(context: Context) -> Tally:
    """The disks in scope, and the others for context."""
    inventory = context.inventory
    chosen = in_scope(context)
    others = [f"{d.name} ({d.transport})" for d in inventory.disks if d not in chosen]
    return Tally([d.name for d in chosen], whole=holds_whole(inventory, "disk"),
                 note=f"not counted: {names(others)}" if others else "")


def _transport(spec: Disks, disk: Disk, _context: Context) -> Outcome:
    if disk.transport is None:
        return Outcome(unknown(f"transport not known, so whether it is a {spec.transport} "
                               "disk is unknown"), None, spec.transport)
    return Outcome(passed(f"transport {disk.transport}"), disk.transport, spec.transport)


def _size(spec: Disks, disk: Disk, _context: Context) -> Outcome:
    least = spec.size_gb_min or 0.0
    expected = f">= {least:g}"
    if disk.size_bytes is None:
        return Outcome(unknown("size not known"), None, expected, "GB")
    size = round(disk.size_bytes / GB, 1)
    if size >= least:
        return Outcome(passed(f"{size:g} GB"), size, expected, "GB")
    return Outcome(failed(f"{size:g} GB, expected at least {least:g} GB", "DISK_SIZE"), size,
                   expected, "GB")


def _model(spec: Disks, disk: Disk, _context: Context) -> Outcome:
    pattern = spec.model or ""
    if disk.model is None:
        return Outcome(unknown("model not known"), None, pattern)
    if matches(disk.model, pattern):
        return Outcome(passed(f"{disk.model} matches {pattern}"), disk.model, pattern)
    return Outcome(failed(f"{disk.model} does not match {pattern}", "DISK_MODEL"), disk.model,
                   pattern)


def _firmware(spec: Disks, disk: Disk, _context: Context) -> Outcome:
    rule = spec.firmware
    if rule is None:
        raise LookupError("disk_firmware judged without `firmware`")
    return judge_version(disk.firmware, rule, "firmware", code="DISK_FIRMWARE",
                         missing=unknown("firmware version not known"))


def _limit(value: int | None, nvme: bool, what: str, code: str, *, most: int | None = None,
           least: int | None = None) -> Judgment | None:
    if value is None:
        return unknown(f"{what} not known") if nvme else None
    if most is not None and value > most:
        return failed(f"{what} {value}, at most {most} allowed", code)
    if least is not None and value < least:
        return failed(f"{what} {value}, at least {least} required", code)
    return passed(f"{what} {value}")


def _critical(health: SmartHealth, nvme: bool) -> Judgment | None:
    if health.critical_warning is None:
        return unknown("critical warning not known") if nvme else None
    bits = health.critical_warnings
    if not bits:
        return passed("no critical warning")
    return failed(f"critical warning {', '.join(bits)}, expected none", "NVME_CRITICAL_WARNING",
                  Situation.TEMPERATURE_ONLY if bits == TEMPERATURE_ONLY else None)


def smart_judgments(limits: SmartLimits, disk: Disk) -> list[Judgment]:
    """Each limit the profile sets, judged on the drive's health (when it applies).

    smartctl reports an NVMe drive as FAILED whenever a critical warning bit is set, so the
    specific findings come first and name the failure; the overall status comes last.
    """
    health = disk.smart
    if health is None or not health.supported:
        return [unknown(f"SMART not read: {health.reason if health else 'no health record'}")]
    nvme = disk.transport == NVME
    judged: list[Judgment | None] = []
    if limits.critical_warning_allowed is False:
        judged.append(_critical(health, nvme))
    if limits.media_errors_max is not None:
        judged.append(_limit(health.media_errors, nvme, "media errors", "DISK_MEDIA_ERRORS",
                             most=limits.media_errors_max))
    if limits.percentage_used_max is not None:
        judged.append(_limit(health.percentage_used, nvme, "percentage used", "DISK_WEAR",
                             most=limits.percentage_used_max))
    if limits.available_spare_min is not None:
        judged.append(_limit(health.available_spare, nvme, "available spare", "DISK_SPARE_LOW",
                             least=limits.available_spare_min))
    if health.passed is False:
        judged.append(failed("overall SMART health FAILED", "DISK_SMART_FAILED"))
    return [j for j in judged if j is not None]


def smart_section(profile: Profile) -> SmartLimits | None:
    """The profile's `disks.smart` section."""
    return profile.disks.smart if profile.disks else None


def _smart(limits: SmartLimits, disk: Disk, _context: Context) -> Outcome:
    judged = smart_judgments(limits, disk) or [
        unknown(f"none of the SMART values the profile limits applies to a "
                f"{disk.transport or 'disk of unknown transport'}")]
    health = disk.smart
    measured = None if health is None or not health.supported else ", ".join(
        f"{k}={v}" for k, v in (("critical_warning", health.critical_warning),
                                ("media_errors", health.media_errors),
                                ("percentage_used", health.percentage_used),
                                ("available_spare", health.available_spare)) if v is not None)
    return Outcome(worst(judged), measured or None, describe_smart(limits))


def describe_smart(limits: SmartLimits) -> str:
    """The limits as one line."""
    parts = [
        "critical_warning=0" if limits.critical_warning_allowed is False else "",
        f"media_errors<={limits.media_errors_max}" if limits.media_errors_max is not None
        else "",
        f"percentage_used<={limits.percentage_used_max}"
        if limits.percentage_used_max is not None else "",
        f"available_spare>={limits.available_spare_min}"
        if limits.available_spare_min is not None else "",
    ]
    return ", ".join(p for p in parts if p) or "SMART health passed"


def _temperature(limits: SmartLimits, disk: Disk, _context: Context) -> Outcome:
    most = limits.temperature_max_c or 0.0
    expected = f"<= {most:g}"
    health = disk.smart
    if health is None or not health.supported:
        why = health.reason if health else "no health record"
        return Outcome(unknown(f"SMART not read: {why}"), None, expected, "C")
    celsius = health.temperature_c
    if celsius is None:
        return Outcome(unknown("temperature not known"), None, expected, "C")
    if celsius > most:
        return Outcome(failed(f"{celsius} C at rest, above {most:g} C", "DISK_TEMPERATURE"),
                       celsius, expected, "C")
    return Outcome(passed(f"{celsius} C at rest"), celsius, expected, "C")


def scoped(name: str, summary: str, section: Callable[[Profile], S | None],
           keys: tuple[str, ...], judge: Callable[[S, Disk, Context], Outcome]) -> Check[Disk]:
    """A check with one finding per disk in scope, asked for by any of `keys` of `section`."""
    return section_check(name, Family.DISK, summary, section=section, keys=keys,
                         components=in_scope, label=disk_label,
                         part=lambda _context, disk: disk_part(disk), judge=judge,
                         unread=unlisted("disk", "disks"))


def disk_check(name: str, summary: str, key: str,
               judge: Callable[[Disks, Disk, Context], Outcome]) -> Check[Disk]:
    """A check with one finding per disk in scope, asked for by `key` of `disks`."""
    return scoped(name, summary, disks_section, (key,), judge)


CHECKS: tuple[AnyCheck, ...] = (
    count_check("disk_count", Family.DISK, "disks", "DISK",
                count=lambda p: p.disks.count if p.disks else None, tally=disk_tally),
    disk_check("disk_transport", "the transport of each disk in scope against `transport` "
               "(the section's scope: unknown transports)", "transport", _transport),
    disk_check("disk_size", "size against `size_gb_min`", "size_gb_min", _size),
    disk_check("disk_model", "model against the `model` pattern", "model", _model),
    disk_check("disk_firmware", "firmware against the `firmware` rule", "firmware", _firmware),
    scoped("disk_smart", "SMART health against the `smart` limits", smart_section,
           SMART_KEYS, _smart),
    scoped("disk_temperature", "SMART temperature at rest against `smart.temperature_max_c`",
           smart_section, ("temperature_max_c",), _temperature),
)
