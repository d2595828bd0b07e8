"""JUnit XML reports read into runs: ours with their properties, other tools' without.

Reports come from many stations and tools, so none is trusted: they are refused above a
size limit before a byte is parsed, parsed with defusedxml's rules (no entity expansion,
no external entities), and invalid UTF-8 is replaced rather than fatal. What contradicts
itself (two suites naming different systems, a case whose verdict says FAIL but whose
outcome passed) is kept as read, with a note. Each step is its own function, so that
`hwaccept rma` can take a report apart without building its RunReport
(hwaccept.rma.junit_sightings).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from xml.etree import ElementTree

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from hwaccept.errors import ReportError
from hwaccept.reports.junit_write import INCOMPLETE_KEY
from hwaccept.reports.model import (
    ERROR,
    FAILED,
    PASSED,
    SKIPPED,
    XFAILED,
    CaseResult,
    RunReport,
)

MAX_BYTES = 256 * 1024 * 1024
FAILING_VERDICTS = frozenset({"FAIL"})

XmlParser = Callable[[bytes], ElementTree.Element]


def junit_paths(arguments: Iterable[str]) -> list[str]:
    """Files as given; folders become every `*.xml` beneath them, in name order."""
    found: list[str] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found.extend(str(p) for p in sorted(path.rglob("*.xml")) if p.is_file())
        elif path.exists():
            found.append(argument)
        else:
            raise ReportError(f"{argument}: no such file or folder")
    return found


def _refused_size(path: str, size: int) -> ReportError:
    return ReportError(f"{path}: {size / 2**30:.1f} GiB, over the {MAX_BYTES // 2**20} MiB "
                       "limit for one JUnit report; refusing")


def _read_bytes(path: str) -> bytes:
    """The file's bytes, refused above the size limit before any is read."""
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise _refused_size(path, size)
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None


def junit_tree(path: str, parse: XmlParser = SafeElementTree.fromstring,
               ) -> tuple[ElementTree.Element, list[str]]:
    """The root element of the JUnit file `path`, and notes on how it was read.

    `parse` turns the file's bytes into a tree and refuses entities as defusedxml does:
    defusedxml itself by default; `parse_untrusted` (hwaccept.reports.untrusted_xml)
    is as strict and faster.

    Raises:
        ReportError: the file is missing, too large, hostile, or not well-formed XML.

    """
    raw = _read_bytes(path)
    try:
        root = parse(raw)
    except DefusedXmlException as exc:
        raise ReportError(f"{path}: refused: {type(exc).__name__} ({exc})") from None
    except ElementTree.ParseError as exc:
        return _parse_replacing(path, raw, exc)
    return root, []


def _parse_replacing(path: str, raw: bytes, first: ElementTree.ParseError,
                     ) -> tuple[ElementTree.Element, list[str]]:
    """Parse again with invalid UTF-8 replaced, when that was what stopped the parser."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        text = raw.decode("utf-8", "replace")
        try:
            root = SafeElementTree.fromstring(text)
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise ReportError(f"{path}: not well-formed XML ({exc})") from None
        note = (f"{path}: invalid UTF-8 at byte {bad.start} replaced with U+FFFD")
        return root, [note]
    if not raw.strip():
        raise ReportError(f"{path}: empty; not a JUnit report")
    raise ReportError(f"{path}: not well-formed XML ({first})") from None


def properties_of(element: ElementTree.Element) -> list[tuple[str, str]]:
    """The named properties of a suite or a case, in their order."""
    holder = element.find("properties")
    if holder is None:
        return []
    return [(name, p.get("value", p.text or "")) for p in holder.iter("property")
            if (name := p.get("name"))]


def property_values(element: ElementTree.Element) -> dict[str, str]:
    """`properties_of(element)` as a dict: the last value given for each name."""
    holder = element.find("properties")
    if holder is None:
        return {}
    return {name: p.get("value", p.text or "") for p in holder.iter("property")
            if (name := p.get("name"))}


def case_outcome(case: ElementTree.Element) -> tuple[str, str]:
    """The outcome as pytest maps it: failure, error, skipped (xfail: type pytest.xfail)."""
    for tag, outcome in (("failure", FAILED), ("error", ERROR), ("skipped", SKIPPED)):
        found = case.find(tag)
        if found is not None:
            message = found.get("message") or (found.text or "").strip().split("\n")[0]
            xfailed = tag == "skipped" and found.get("type") == "pytest.xfail"
            return (XFAILED if xfailed else outcome), message
    return PASSED, ""


def case_nodeid(case: ElementTree.Element, suite: str) -> str:
    """`classname::name`, the suite's name standing in for a missing classname."""
    return f"{case.get('classname') or suite}::{case.get('name') or '?'}"


def _case(case: ElementTree.Element, suite: str) -> CaseResult:
    outcome, message = case_outcome(case)
    try:
        duration = float(case.get("time") or 0.0)
    except ValueError:
        duration = 0.0
    return CaseResult(case_nodeid(case, suite), outcome, duration, message,
                      tuple(properties_of(case)))


def suites_of(path: str, root: ElementTree.Element) -> list[ElementTree.Element]:
    """The report's suites: the root, or every suite under a <testsuites> root.

    Raises:
        ReportError: the root is neither.

    """
    if root.tag == "testsuite":
        return [root]
    if root.tag == "testsuites":
        return list(root.iter("testsuite"))
    raise ReportError(f"{path}: root element <{root.tag}>, not <testsuites> or "
                      "<testsuite>; not a JUnit report")


def suite_identity(path: str, suites: list[ElementTree.Element],
                   notes: list[str]) -> dict[str, str]:
    """Suite properties; a report without any (another tool's) gives its suite attributes.

    pytest's `hostname` attribute names the station that ran the tests, which is the
    system only on a live run; our reports say which system in their properties.
    """
    identity: dict[str, str] = {}
    for number, suite in enumerate(suites, 1):
        for key, value in properties_of(suite):
            if key in identity and identity[key] != value:
                notes.append(f"{path}: suite {number} gives {key}={value!r}, an earlier "
                             f"suite {identity[key]!r}; keeping the first")
                continue
            identity.setdefault(key, value)
    if not identity:
        for suite in suites:
            for key, attribute in (("hostname", "hostname"), ("started", "timestamp")):
                if suite.get(attribute):
                    identity.setdefault(key, suite.get(attribute, ""))
    return identity


def contradiction(path: str, nodeid: str, outcome: str, verdict: str | None) -> str | None:
    """The note on a case that passed although its verdict says it failed, else None."""
    if outcome == PASSED and verdict in FAILING_VERDICTS:
        return f"{path}: {nodeid} passed but its verdict says {verdict}"
    return None


def read_junit(path: str) -> RunReport:
    """The run a JUnit report describes.

    Raises:
        ReportError: the file is missing, too large, hostile, or not JUnit XML.

    """
    root, notes = junit_tree(path)
    suites = suites_of(path, root)
    identity = suite_identity(path, suites, notes)
    complete = identity.pop(INCOMPLETE_KEY, "") != "false"
    cases = tuple(_case(case, suite.get("name", "")) for suite in suites
                  for case in suite.findall("testcase"))
    for case in cases:
        note = contradiction(path, case.nodeid, case.outcome, case.get("verdict"))
        if note:
            notes.append(note)
    return RunReport(path, identity, cases, complete, tuple(notes))
