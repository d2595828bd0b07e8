"""Every check, and running them all: the comparison behind `hwaccept profile check`.

Findings are listed by family (gpu, nvswitch, pcie, nic, ib, disk, cpu, memory, system,
kernel), then by check in the order below, then by component in inventory order, so
the same profile and inventory always give the same list.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from hwaccept.inventory.records import Inventory
from hwaccept.profiles.schema import Profile

from . import (
    disks,
    fabric_manager,
    gpu_idle,
    gpu_links,
    gpu_memory,
    gpus,
    identity,
    infiniband,
    kernel_events,
    kernel_log,
    nics,
    nvswitches,
    pcie,
    system,
)
from .findings import Finding, Verdict
from .registry import AnyCheck, Context
from .waivers import apply_waivers

CHECKS: tuple[AnyCheck, ...] = tuple(sorted(
    (*gpus.CHECKS, *identity.CHECKS, *gpu_links.CHECKS, *gpu_memory.CHECKS,
     *gpu_idle.CHECKS, *nvswitches.CHECKS, *pcie.CHECKS, *nics.CHECKS, *infiniband.CHECKS,
     *disks.CHECKS, *system.CHECKS, *kernel_log.CHECKS, *kernel_events.CHECKS,
     *fabric_manager.CHECKS),
    key=lambda check: check.family.order))
"""All checks, in listing order (a stable sort keeps each family's own order)."""

DISAGREEING = frozenset({Verdict.FAIL, Verdict.WARN, Verdict.MARGINAL})


def check_by_name(name: str) -> AnyCheck:
    """The check called `name`.

    Raises:
        KeyError: there is no such check.

    """
    for check in CHECKS:
        if check.name == name:
            return check
    raise KeyError(name)


def check_all(profile: Profile, inventory: Inventory, today: datetime.date) -> list[Finding]:
    """Every finding of every check the profile asks for, waivers applied as of `today`."""
    context = Context(profile, inventory)
    found = [finding for check in CHECKS for finding in check.run(context)]
    return apply_waivers(found, profile.waivers, today)


def disagreements(findings: Iterable[Finding]) -> list[Finding]:
    """Where the machine disagrees with the profile: FAIL, WARN and MARGINAL findings."""
    return [f for f in findings if f.verdict in DISAGREEING]


def unknowns(findings: Iterable[Finding]) -> list[Finding]:
    """Where the inventory cannot say whether the machine agrees."""
    return [f for f in findings if f.verdict is Verdict.UNKNOWN]


def tally(findings: Iterable[Finding]) -> Counter[Verdict]:
    """How many findings of each verdict."""
    return Counter(f.verdict for f in findings)
