"""Comparing a machine's inventory with its SKU profile, check by check and part by part.

`check_all(profile, inventory, today)` runs every check the profile asks for and gives
one `Finding` per (check, component); `disagreements` picks the ones where the machine
and the profile disagree. The acceptance tests use the same `CHECKS` one at a time.
catalog.py maps every failure code to its action; `Finding.line()` is the one line a
technician reads.
"""

from hwaccept.checks.catalog import Action, Situation
from hwaccept.checks.findings import Finding, Verdict
from hwaccept.checks.registry import Check, Context, Family
from hwaccept.checks.run import CHECKS, check_all, check_by_name, disagreements, tally, unknowns

__all__ = [
    "CHECKS",
    "Action",
    "Check",
    "Context",
    "Family",
    "Finding",
    "Situation",
    "Verdict",
    "check_all",
    "check_by_name",
    "disagreements",
    "tally",
    "unknowns",
]
