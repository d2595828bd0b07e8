"""When a group's failures are too many to be the parts' own bad luck.

A GPU slot (or a riser, a cable, a firmware version) that fails across many chassis
points at the board, the cable or the firmware, not at the parts that happened to sit
there. Each group is set against its family (the slots of the same kind in the same SKU,
the firmware versions of the same model): if every part of the family failed at the
same rate, the family's rate, how likely would this group's count of failures be? The
binomial upper tail answers. A group is flagged when that chance is below `ALPHA`
divided by the number of groups compared (Bonferroni's correction: among seventy slots,
one will look unlucky at odds of one in a thousand), and its failures span
`MIN_CHASSIS` chassis or more (one bad server does not make a bad slot).
"""

from __future__ import annotations

import math

ALPHA = 1e-3
"""The chance below which a group's failures are called a cluster, before the correction."""
MIN_CHASSIS = 3
"""Chassis a cluster's failures must span."""


def upper_tail(failed: int, tested: int, rate: float) -> float:
    """P(X >= failed) for X ~ Binomial(tested, rate)."""
    if failed <= 0 or rate >= 1.0:
        return 1.0
    if failed > tested or rate <= 0.0:
        return 0.0
    if failed > tested * rate:
        return min(_terms(range(failed, tested + 1), tested, rate), 1.0)
    return max(1.0 - _terms(range(failed - 1, -1, -1), tested, rate), 0.0)


def _terms(ks: range, tested: int, rate: float) -> float:
    """The binomial terms for `ks`, which run away from the mode, summed until negligible."""
    log_rate, log_rest, whole = math.log(rate), math.log1p(-rate), math.lgamma(tested + 1)
    total = 0.0
    for k in ks:
        term = math.exp(whole - math.lgamma(k + 1) - math.lgamma(tested - k + 1)
                        + k * log_rate + (tested - k) * log_rest)
        total += term
        if term <= total * 1e-15:
            break
    return total


def clustered(failed: int, tested: int, chassis: int, family_failed: int,
              family_tested: int, *, compared: int = 1) -> tuple[bool, float]:
    """Whether a group's failures stand out from its family's, and the chance behind it.

    Args:
        failed: the group's failed part-runs.
        tested: the group's part-runs.
        chassis: distinct chassis among its failures.
        family_failed: failed part-runs of its whole family, its own included.
        family_tested: part-runs of its whole family, its own included.
        compared: how many groups are being compared, this one included.

    """
    if tested == 0 or family_tested == 0:
        return False, 1.0
    chance = upper_tail(failed, tested, family_failed / family_tested)
    return chance < ALPHA / max(compared, 1) and chassis >= MIN_CHASSIS, chance
