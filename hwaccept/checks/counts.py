"""Count checks: how many parts of a kind the inventory holds against the profile's count.

A count of 0 says the part must be absent. Too few is `<PART>_MISSING` (the part did not
enumerate), too many `<PART>_COUNT` (a different build than the profile describes); the
catalog gives each its action. When the inventory cannot know the family
the finding is the reason it cannot, never a FAIL for a part that may be there; when it
lists the family only in part (an imported snapshot), only too many parts can fail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from hwaccept.profiles.schema import Profile

from .findings import Judgment, Outcome, failed, passed, unknown
from .parts import system_part
from .registry import Check, Context, Family, per_component

MAX_NAMED = 12


@dataclass(frozen=True)
class Tally:
    """What a count check found: the parts' names, or why they cannot be known."""

    found: Sequence[str]
    gap: Judgment | None = None  # why nothing can be said when nothing was found
    note: str = ""  # more context (parts left out, what the PCI tree shows)
    whole: bool = True  # the inventory lists every part of the family


def names(items: Sequence[str]) -> str:
    """`a, b, c` (at most MAX_NAMED, then `and N more`)."""
    shown = ", ".join(items[:MAX_NAMED])
    rest = len(items) - MAX_NAMED
    return f"{shown} and {rest} more" if rest > 0 else shown


def judge_count(expected: int, tally: Tally, what: str, code: str) -> Outcome:
    """Compare a tally with the expected count of `what` (a plural noun).

    `code` is the part's prefix: `<code>_MISSING` and `<code>_COUNT` are catalog codes.
    """
    found = len(tally.found)
    note = f"; {tally.note}" if tally.note else ""
    gap = tally.gap
    if gap is not None and not found:
        message = f"{gap.message}; expected {expected} {what}{note}"
        return Outcome(replace(gap, message=message), None, expected)
    listed = f": {names(tally.found)}" if tally.found else ""
    if not tally.whole and found <= expected:
        return Outcome(unknown(f"{found} {what} in this snapshot, which does not list them "
                               f"whole; expected {expected}{listed}{note}"), None, expected)
    if found == expected:
        return Outcome(passed(f"{found} {what}{listed}{note}"), found, expected)
    message = f"expected {expected} {what}, found {found}{listed}{note}"
    if found < expected:
        return Outcome(failed(message, f"{code}_MISSING"), found, expected)
    return Outcome(failed(message, f"{code}_COUNT"), found, expected)


def count_check(name: str, family: Family, what: str, code: str, *,
                count: Callable[[Profile], int | None],
                tally: Callable[[Context], Tally]) -> Check[Context]:
    """A check with one finding for the whole machine: its count of `what`."""
    def judge(context: Context, _whole: Context) -> Outcome:
        expected = count(context.profile)
        if expected is None:
            raise LookupError(f"{name} judged without a count in the profile")
        return judge_count(expected, tally(context), what, code)

    return per_component(
        name, family, f"how many {what} the machine has against the profile's count",
        wanted=lambda profile: count(profile) is not None,
        components=lambda context: (context,), label=lambda _context: what,
        part=lambda context, _whole: system_part(context.inventory, family.value, what),
        judge=judge)
