"""One run as its reports describe it: the system's identity and each test's result.

Every report format reads into and writes from these records: the event log a run
appends to, the JUnit file pytest writes (and other tools' JUnit files, which carry no
properties), the rebuilt JUnit and HTML reports, the RMA decisions and the history
database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"
XFAILED = "xfailed"
XPASSED = "xpassed"
ERROR = "error"
OUTCOMES = (PASSED, FAILED, SKIPPED, XFAILED, XPASSED, ERROR)

SUITE_KEYS = ("system_serial", "product", "vendor", "sku", "profile_path", "profile_sha256",
              "hostname", "suite_version", "started", "finished", "run_id")
"""The run's identity, in the order the JUnit report lists it (DESIGN.md's contract)."""

CASE_KEYS = ("component", "component_id", "serial", "slot", "bdf", "model", "check",
             "measured", "expected", "unit", "verdict", "failure_code", "action", "message")
"""The properties each test case records (DESIGN.md's contract)."""


def case_name(nodeid: str) -> str:
    """JUnit's name of the case with this node id: what follows its last `::`."""
    return nodeid.split("::")[-1]


@dataclass(frozen=True)
class CaseResult:
    """One test's result: where it came from, its outcome and its properties."""

    nodeid: str
    outcome: str
    duration: float = 0.0
    message: str = ""
    properties: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        """The last value recorded for property `key`, or None."""
        found = None
        for name, value in self.properties:
            if name == key:
                found = value
        return found

    @property
    def classname(self) -> str:
        """JUnit's classname as pytest writes it: `hwtests.test_gpu`."""
        path = self.nodeid.split("::")[0]
        module = path.removesuffix(".py").replace("/", ".")
        middle = self.nodeid.split("::")[1:-1]
        return ".".join([module, *middle])

    @property
    def name(self) -> str:
        """JUnit's name: the test function with its parameters."""
        return case_name(self.nodeid)


@dataclass(frozen=True)
class RunReport:
    """A whole run: the system's identity, every result, and whether the run finished."""

    source: str
    identity: dict[str, str] = field(default_factory=dict)
    cases: tuple[CaseResult, ...] = ()
    complete: bool = True
    notes: tuple[str, ...] = ()
    """Warnings met while reading it (a torn last line, replaced bytes, contradictions)."""

    def counts(self) -> dict[str, int]:
        """How many results of each outcome."""
        found = dict.fromkeys(OUTCOMES, 0)
        for case in self.cases:
            found[case.outcome] = found.get(case.outcome, 0) + 1
        return found
