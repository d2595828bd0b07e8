"""A run written as a JUnit XML report, in the form pytest writes (xunit2).

Used to rebuild the report of a run that never finished from its event log. Strings
from hardware may hold control characters or lone surrogates (undecodable bytes): XML
cannot carry those, so they are shown visibly, `#x07`, as pytest's own writer does. The
file is written to a temporary name and renamed, so a reader never sees half of it.
"""

from __future__ import annotations

import os
import re
import tempfile
from xml.etree import ElementTree

from hwaccept.reports.model import ERROR, FAILED, SKIPPED, XFAILED, CaseResult, RunReport

INCOMPLETE_KEY = "run_complete"
"""Suite property set to `false` on a report rebuilt from an unfinished run."""

_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\u007e\u0080-\ud7ff\ue000-\ufffd"
                      "\U00010000-\U0010ffff]")


def xml_safe(text: object) -> str:
    """`text` with every character XML 1.0 cannot hold shown as `#xNN`."""
    return _ILLEGAL.sub(lambda m: f"#x{ord(m.group()):02X}", str(text))


def _properties(pairs: list[tuple[str, str]]) -> ElementTree.Element:
    holder = ElementTree.Element("properties")
    for name, value in pairs:
        ElementTree.SubElement(holder, "property", name=xml_safe(name), value=xml_safe(value))
    return holder


def _testcase(result: CaseResult) -> ElementTree.Element:
    case = ElementTree.Element("testcase", classname=xml_safe(result.classname),
                               name=xml_safe(result.name), time=f"{result.duration:.3f}")
    if result.properties:
        case.append(_properties(list(result.properties)))
    tag = {FAILED: "failure", ERROR: "error", SKIPPED: "skipped", XFAILED: "skipped"}
    if result.outcome in tag:
        child = ElementTree.SubElement(case, tag[result.outcome],
                                       message=xml_safe(result.message))
        if result.outcome == XFAILED:
            child.set("type", "pytest.xfail")
        elif result.outcome == SKIPPED:
            child.set("type", "pytest.skip")
    return case


def junit_xml(run: RunReport) -> str:
    """The report as a string, one suite named `pytest` as pytest writes it."""
    counts = run.counts()
    suite = ElementTree.Element(
        "testsuite", name="pytest", errors=str(counts[ERROR]), failures=str(counts[FAILED]),
        skipped=str(counts[SKIPPED] + counts[XFAILED]), tests=str(len(run.cases)),
        time=f"{sum(c.duration for c in run.cases):.3f}",
        timestamp=xml_safe(run.identity.get("started", "")),
        hostname=xml_safe(run.identity.get("hostname", "")))
    identity = list(run.identity.items())
    if not run.complete:
        identity.append((INCOMPLETE_KEY, "false"))
    if identity:
        suite.append(_properties(identity))
    for case in run.cases:
        suite.append(_testcase(case))
    suites = ElementTree.Element("testsuites", name="pytest tests")
    suites.append(suite)
    return '<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(suites, "unicode")


def write_atomically(path: str, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, then rename.

    The file gets the permissions a plain `open` would give it (0666 less the umask), not
    the temporary file's owner-only ones.
    """
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
