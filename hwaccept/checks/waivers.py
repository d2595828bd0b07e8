"""Profile waivers: a known deviation accepted until a date.

A FAIL, WARN or MARGINAL finding whose check and component a waiver names becomes
WAIVED, keeping its failure code and action and saying why ("waived until 2025-03-31:
<reason> (<ticket>)"). `check` matches the check name with or without the `test_` prefix
the acceptance tests carry (`gpu_ecc`, `test_gpu_ecc`, `gpu_*`); `component` matches any
of the component's identities: id, serial, PCI address, name. Both are exact names or
shell-style patterns, case-insensitive. A waiver applies through its `expires` day; after
that it no longer waives, and the finding says "waiver expired on YYYY-MM-DD (<ticket>)".
UNKNOWN is never waived: a waiver accepts a known deviation, not a missing value.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence

from hwaccept.profiles.schema import Waiver

from .findings import Finding, Verdict
from .rules import matches, matches_any

WAIVABLE = frozenset({Verdict.FAIL, Verdict.WARN, Verdict.MARGINAL})
TEST_PREFIX = "test_"


def names_finding(waiver: Waiver, finding: Finding) -> bool:
    """Whether the waiver is about this check on this component (expired or not)."""
    check = matches_any((finding.check, TEST_PREFIX + finding.check), waiver.check)
    return check and any(matches(i, waiver.component) for i in finding.identities)


def _reference(waiver: Waiver) -> str:
    return waiver.ticket or waiver.reason


def waive(finding: Finding, waivers: Sequence[Waiver], today: datetime.date) -> Finding:
    """The finding as the profile's waivers leave it on `today`."""
    if finding.verdict not in WAIVABLE:
        return finding
    named = [w for w in waivers if names_finding(w, finding)]
    active = [w for w in named if today <= w.expires]
    if active:
        waiver = active[0]
        ticket = f" ({waiver.ticket})" if waiver.ticket else ""
        return dataclasses.replace(
            finding, verdict=Verdict.WAIVED,
            message=f"waived until {waiver.expires.isoformat()}: {waiver.reason}{ticket}; "
                    f"was {finding.verdict}: {finding.message}")
    if named:
        waiver = max(named, key=lambda w: w.expires)
        return dataclasses.replace(
            finding, message=f"{finding.message}; waiver expired on "
                             f"{waiver.expires.isoformat()} ({_reference(waiver)})")
    return finding


def apply_waivers(findings: Iterable[Finding], waivers: Sequence[Waiver] | None,
                  today: datetime.date) -> list[Finding]:
    """Every finding with the waivers applied, in the same order."""
    return [waive(finding, waivers or (), today) for finding in findings]
