"""The profile's comparison rules: limits with a marginal band, version rules, patterns.

A `Limit`'s marginal band is a fraction of each bound (profiles/schema.py): with
`min: 350, marginal: 0.05` a value below 350 fails and one from 350 up to (not including)
367.5 is MARGINAL, as Azure's health checks warn below 1.05x their floor; with a `max`
the band is the same fraction below it. A `VersionRule` allows a version when it matches
one of `allowed` (if given) and is not below `min` (if given): each rule given must hold.
Patterns are shell-style (`*`, `?`, `[...]`) and matched case-insensitively.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from hwaccept.profiles.schema import Limit, VersionRule
from hwaccept.profiles.versions import Version

from .findings import Judgment, Outcome, Verdict, failed, passed, unknown


def matches(text: str, pattern: str) -> bool:
    """Whether `text` matches the shell-style `pattern`, ignoring case."""
    return fnmatch.fnmatchcase(text.casefold(), pattern.casefold())


def matches_any(texts: Iterable[str], pattern: str) -> bool:
    """Whether any of `texts` matches `pattern`."""
    return any(matches(text, pattern) for text in texts)


def judge_limit(value: float, limit: Limit) -> Verdict:
    """PASS, MARGINAL (within the band inside a bound) or FAIL (beyond a bound)."""
    if (limit.min is not None and value < limit.min) or (
            limit.max is not None and value > limit.max):
        return Verdict.FAIL
    band = limit.marginal or 0.0
    if limit.min is not None and value < limit.min + abs(limit.min) * band:
        return Verdict.MARGINAL
    if limit.max is not None and value > limit.max - abs(limit.max) * band:
        return Verdict.MARGINAL
    return Verdict.PASS


def describe_limit(limit: Limit) -> str:
    """`>= 350 (marginal below 367.5)`, `<= 700`, `300 .. 700`."""
    band = limit.marginal or 0.0
    if limit.min is not None and limit.max is not None:
        text = f"{limit.min:g} .. {limit.max:g}"
    elif limit.min is not None:
        text = f">= {limit.min:g}"
    else:
        text = f"<= {limit.max:g}"
    notes = []
    if band and limit.min is not None:
        notes.append(f"marginal below {limit.min + abs(limit.min) * band:g}")
    if band and limit.max is not None:
        notes.append(f"marginal above {limit.max - abs(limit.max) * band:g}")
    return f"{text} ({', '.join(notes)})" if notes else text


def describe_version_rule(rule: VersionRule) -> str:
    """`one of 28.39.*, 28.41.*; >= 28.39.1002`."""
    parts = []
    if rule.allowed:
        parts.append(f"one of {', '.join(rule.allowed)}")
    if rule.min is not None:
        parts.append(f">= {rule.min}")
    return "; ".join(parts) or "any"


def version_problem(version: str, rule: VersionRule) -> str | None:
    """Why `version` breaks `rule`, or None when it is allowed.

    Raises:
        ValueError: `version` has nothing to compare (no digits or letters).

    """
    if rule.allowed and not any(matches(version, p) for p in rule.allowed):
        return f"{version} is not one of the allowed {', '.join(rule.allowed)}"
    if rule.min is not None and Version(version) < Version(rule.min):
        return f"{version} is older than {rule.min}"
    return None


def at_least(version: str, minimum: str) -> bool:
    """Whether `version` is `minimum` or newer.

    Raises:
        ValueError: either has nothing to compare.

    """
    return not Version(version) < Version(minimum)


def judge_version(version: str | None, rule: VersionRule, what: str, *, code: str,
                  missing: Judgment) -> Outcome:
    """A firmware or BIOS version against its rule; `missing` when it is not known.

    `code` is a firmware code of the catalog (its action: update the firmware).
    """
    expected = describe_version_rule(rule)
    if version is None:
        return Outcome(missing, None, expected)
    try:
        problem = version_problem(version, rule)
    except ValueError as exc:
        return Outcome(unknown(f"{what} not comparable: {exc}"), version, expected)
    if problem:
        return Outcome(failed(f"{what} {problem}", code), version, expected)
    return Outcome(passed(f"{what} {version}"), version, expected)
