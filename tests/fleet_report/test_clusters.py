"""The binomial tail behind a cluster, against exact sums, and when a group is flagged."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pytest

from hwaccept.fleet.clusters import clustered, upper_tail


def exact_tail(failed: int, tested: int, rate: Fraction) -> float:
    return float(sum(comb(tested, k) * rate**k * (1 - rate) ** (tested - k)
                     for k in range(failed, tested + 1)))


@pytest.mark.parametrize(("failed", "tested", "rate"), [
    (5, 100, Fraction(1, 100)), (1, 100, Fraction(1, 100)), (3, 8, Fraction(1, 2)),
    (100, 100, Fraction(99, 100)), (7, 1000, Fraction(2, 1000)), (2, 400, Fraction(3, 1000)),
    (40, 1000, Fraction(6, 1000)), (0, 10, Fraction(1, 10)),
])
def test_the_tail_matches_the_exact_sum(failed: int, tested: int, rate: Fraction) -> None:
    assert upper_tail(failed, tested, float(rate)) == pytest.approx(
        exact_tail(failed, tested, rate), rel=1e-9, abs=1e-300)


def test_edges_of_the_tail() -> None:
    assert upper_tail(3, 100, 0.0) == 0.0
    assert upper_tail(3, 100, 1.0) == 1.0
    assert upper_tail(101, 100, 0.5) == 0.0
    assert 0.0 < upper_tail(60, 100_000, 0.0003) < 1e-6


def test_a_slot_failing_far_above_its_family_across_chassis_is_a_cluster() -> None:
    flagged, chance = clustered(15, 100, 10, 35, 900)
    assert flagged
    assert chance == pytest.approx(exact_tail(15, 100, Fraction(35, 900)))


def test_failures_in_too_few_chassis_are_not_a_cluster() -> None:
    assert clustered(15, 100, 2, 35, 900) == (False, clustered(15, 100, 10, 35, 900)[1])


def test_a_rate_like_the_familys_is_not_a_cluster() -> None:
    flagged, chance = clustered(3, 100, 3, 27, 900)
    assert not flagged
    assert chance > 0.5


def test_comparing_many_groups_asks_for_longer_odds() -> None:
    flagged, chance = clustered(7, 100, 7, 23, 1700)
    assert 1e-4 < chance < 1e-3
    assert flagged
    assert not clustered(7, 100, 7, 23, 1700, compared=17)[0]
