"""JUnit reports taken straight apart into what RMA decisions need: each run's sightings.

A decision reads little of a report: which parts its cases name, which of them failed,
with what code and action. Building a CaseResult for each of a report's hundred cases,
and sending the whole RunReport back from a worker process to be rebuilt in this one,
would cost more than parsing it. So a worker parses with `parse_untrusted` (as strict as
defusedxml, and faster), walks the tree with the JUnit reader's own steps, so that
identity, notes and errors read as `read_junit` gives them, and sends back only the
run's sightings (some thirty) and notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple
from xml.etree import ElementTree

from hwaccept.reports.junit_read import (
    case_nodeid,
    case_outcome,
    contradiction,
    junit_tree,
    property_values,
    suite_identity,
    suites_of,
)
from hwaccept.reports.junit_write import INCOMPLETE_KEY
from hwaccept.reports.model import PASSED, case_name
from hwaccept.reports.untrusted_xml import parse_untrusted
from hwaccept.rma.observations import CaseView, RunRef, Sighting, sightings_of, system_named


class RunSightings(NamedTuple):
    """What one report says about each part it names, and the notes on reading it."""

    sightings: list[Sighting]
    notes: tuple[str, ...]


def read_sightings(path: str) -> RunSightings:
    """As `sightings(read_junit(path))`, with the report's notes.

    Raises:
        ReportError: the file is missing, too large, hostile, or not JUnit XML.

    """
    root, notes = junit_tree(path, parse_untrusted)
    suites = suites_of(path, root)
    identity = suite_identity(path, suites, notes)
    complete = identity.pop(INCOMPLETE_KEY, "") != "false"
    ref = RunRef(path, identity.get("started", ""), system_named(identity, path), complete)
    return RunSightings(sightings_of(ref, _cases(path, suites, notes)), tuple(notes))


def _cases(path: str, suites: list[ElementTree.Element], notes: list[str],
           ) -> Iterator[CaseView]:
    """Each case as `sightings_of` takes it, noting those whose verdict contradicts them."""
    for suite in suites:
        suite_name = suite.get("name", "")
        for case in suite.iterfind("testcase"):
            nodeid = case_nodeid(case, suite_name)
            properties = property_values(case)
            if len(case) == 1 and case[0].tag == "properties":
                outcome, message = PASSED, ""
            else:
                outcome, message = case_outcome(case)
            note = contradiction(path, nodeid, outcome, properties.get("verdict"))
            if note:
                notes.append(note)
            yield case_name(nodeid), outcome, message, properties
