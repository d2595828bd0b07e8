"""How long each stress test loads its device, how often a low value is measured again.

The duration comes from `--hw-burnin-minutes`, else the profile's `burnin.minutes`, else
`DEFAULT_MINUTES`; every stress test is given a hard timeout of its duration, a grace
period (`grace_seconds`) and room for each re-measurement of a low value (`RETRY_SECONDS`
each), so a hung GPU fails its own test and the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

from hwaccept.profiles.schema import Burnin

DEFAULT_MINUTES = 10.0
DEFAULT_RETRIES = 2
"""Measurements taken again, after the first, before a low value fails."""
GRACE_MINIMUM = 120.0
GRACE_SHARE = 0.25
RETRY_SECONDS = 60.0
"""The longest a re-measurement takes (a measurement window)."""
SYSTEM_GROUP = "system"
"""The xdist group of tests that load the whole machine (all GPUs at once): they run alone."""
WATCH_PREFIX = "watch:"
"""Groups of tests that load nothing but watch over the burn-in (the network links): a
scheduler starts them first, so they span the loads."""


@dataclass(frozen=True)
class BurninPlan:
    """The run's burn-in settings, resolved from the command line and the profile."""

    minutes: float
    retries: int
    allow_destructive: bool
    spec: Burnin | None
    """The profile's `burnin` section (None when it has none)."""

    @property
    def seconds(self) -> float:
        """How long each stress test loads its device."""
        return self.minutes * 60.0

    @property
    def timeout(self) -> float:
        """The hard limit of one stress test: its duration, a grace period, its retries."""
        return self.seconds + grace_seconds(self.seconds) + self.retries * RETRY_SECONDS


def grace_seconds(duration: float) -> float:
    """Time a stress test may run past its duration (set-up, a re-measurement, clean-up)."""
    return max(GRACE_MINIMUM, GRACE_SHARE * duration)


def plan_for(spec: Burnin | None, minutes: float | None, *,
             allow_destructive: bool = False) -> BurninPlan:
    """The plan from the command line's `minutes` (None: the profile's) and the profile."""
    chosen = minutes if minutes is not None else (
        float(spec.minutes) if spec and spec.minutes else DEFAULT_MINUTES)
    retries = spec.retries if spec and spec.retries is not None else DEFAULT_RETRIES
    return BurninPlan(chosen, retries, allow_destructive, spec)
