"""A run report as rows of the `runs`, `parts` and `results` tables.

Each case becomes a `results` row, each component the cases name a `parts` row with its
worst verdict and failure codes, and the run a `runs` row with its identity, counts and
its key (see `run_keys`).
"""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from hwaccept.checks.findings import Verdict
from hwaccept.history.run_keys import content_digest, run_key
from hwaccept.history.schema import COUNT_COLUMNS, PART_COLUMNS, RESULT_COLUMNS
from hwaccept.reports.components import firmware_text
from hwaccept.reports.model import (
    ERROR,
    FAILED,
    PASSED,
    SUITE_KEYS,
    XPASSED,
    CaseResult,
    RunReport,
)

Row = dict[str, Any]

FAILING_OUTCOMES = frozenset({FAILED, ERROR})


def utc_stamp(text: str | None) -> str | None:
    """An ISO time as sortable UTC text; a time without a zone is taken as UTC."""
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def case_verdict(result: Row) -> str | None:
    """A result's recorded verdict, else one its outcome implies (None for skips)."""
    recorded: str | None = result["verdict"]
    if recorded:
        return recorded
    if result["outcome"] in FAILING_OUTCOMES:
        return "FAIL"
    return "PASS" if result["outcome"] in (PASSED, XPASSED) else None


def failing(result: Row) -> bool:
    """Whether a result found a fault: it failed or errored, or its verdict is FAIL."""
    return result["outcome"] in FAILING_OUTCOMES or result["verdict"] == "FAIL"


SEVERITY = {verdict.value: verdict.severity for verdict in Verdict} | {
    Verdict.UNKNOWN.value: -1}
"""The checks' ranking of verdicts, FAIL highest; for a part's history a check that could
not judge ranks below PASS, so a part that passed everything judged shows PASS."""


def severity(verdict: str) -> tuple[int, str]:
    """Where a verdict ranks; equal ranks are ordered by name, so the choice is stable.

    A verdict from another tool that this code does not know counts as a warning: worth
    a look, not a failure.
    """
    return SEVERITY.get(verdict, Verdict.WARN.severity), verdict


def worst(verdicts: list[str | None]) -> str | None:
    """The most severe verdict of `verdicts`."""
    known = {v for v in verdicts if v}
    return max(known, key=severity) if known else None


def joined(values: list[str | None]) -> str:
    """Distinct non-empty values, sorted, comma-separated."""
    return ",".join(sorted({v for v in values if v}))


@dataclass
class ReportRows:
    """Rows ready to insert; `parts` and `results` get their `run` once the run has an id."""

    run: Row
    parts: list[Row] = field(default_factory=list)
    results: list[Row] = field(default_factory=list)

    def link(self, run_id: int) -> None:
        """Point every part and result at the run row `run_id`."""
        for row in self.parts:
            row["run"] = run_id
        for row in self.results:
            row["run"] = run_id

    def escape_surrogates(self) -> None:
        r"""Write lone surrogates as `\udcXX` text, which a database can store.

        Strings from hardware may hold undecodable bytes, which Python carries as lone
        surrogates and UTF-8 cannot encode. Only a report that holds one pays for this.
        """
        for row in (self.run, *self.parts, *self.results):
            for key, value in row.items():
                if isinstance(value, str):
                    row[key] = value.encode("utf-8", "backslashreplace").decode("utf-8")


@functools.lru_cache(maxsize=256)
def in_contract_order(keys: tuple[str, ...]) -> bool:
    """Whether properties with these keys, in this order, are the columns' own order.

    Then the columns give them back exactly; a report's cases share a few key orders,
    hence the cache.
    """
    return keys == tuple(name for name in RESULT_COLUMNS if name in keys)


def result_row(position: int, case: CaseResult) -> Row:
    """The `results` row of one case; JSON for the properties only when columns fall short."""
    row: Row = dict.fromkeys(RESULT_COLUMNS)
    row.update(case.properties)
    exact = (len(row) == len(RESULT_COLUMNS)
             and in_contract_order(tuple(name for name, _ in case.properties)))
    if not exact:
        row = {name: row[name] for name in RESULT_COLUMNS}
    row.update(position=position, nodeid=case.nodeid, outcome=case.outcome,
               duration=case.duration, outcome_message=case.message,
               properties=None if exact else json.dumps(case.properties, ensure_ascii=False))
    return row


def part_rows(results: list[Row]) -> list[Row]:
    """One row per component the results name, keyed by component id (else serial, BDF, slot)."""
    grouped: dict[tuple[str, str], list[Row]] = {}
    for result in results:
        name = (result["component_id"] or result["serial"] or result["bdf"] or result["slot"])
        if name:
            grouped.setdefault((result["component"] or "unknown", name), []).append(result)
    return [_part_row(kind, name, members) for (kind, name), members in grouped.items()]


def _part_row(kind: str, name: str, members: list[Row]) -> Row:
    row: Row = {"kind": kind, "part": name}
    for column in PART_COLUMNS:
        row[column] = next((v for result in members if (v := result[column])), None)
    row.update(verdict=worst([case_verdict(r) for r in members]), cases=len(members),
               failure_codes=joined([r["failure_code"] for r in members]),
               actions=joined([r["action"] for r in members]),
               failing=sum(failing(r) for r in members),
               firmware=firmware_text((r["check"], r["measured"]) for r in members) or None)
    return row


def run_row(report: RunReport, results: list[Row]) -> Row:
    """The `runs` row: identity, completeness, counts and the run's worst verdict."""
    digest = content_digest(report)
    key, kind = run_key(report, digest)
    counts = report.counts()
    row: Row = {name: report.identity.get(name) for name in SUITE_KEYS}
    extra = {k: v for k, v in report.identity.items() if k not in SUITE_KEYS}
    row.update(
        run_key=key, key_kind=kind, content_digest=digest, source=report.source,
        started_at=utc_stamp(report.identity.get("started")),
        extra_identity=json.dumps(extra, ensure_ascii=False),
        notes=json.dumps(report.notes, ensure_ascii=False), complete=report.complete,
        verdict=worst([case_verdict(r) for r in results]),
        failure_codes=joined([r["failure_code"] for r in results]), cases=len(results),
        ingested_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        **{column: counts.get(column.removeprefix("count_"), 0) for column in COUNT_COLUMNS})
    return row


def tally_keys(rows: ReportRows) -> list[tuple[tuple[str, ...], bool]]:
    """Each part of a stored run as (its `part_tallies` key, whether it failed)."""
    day = (rows.run["started_at"] or "")[:10]
    sku = rows.run["sku"] or ""
    return [((day, sku, part["kind"], part["model"] or "", part["slot"] or part["bdf"] or "",
              part["firmware"] or ""), part["failing"] > 0) for part in rows.parts]


def report_rows(report: RunReport) -> ReportRows:
    """Every row `report` adds to the database."""
    results = [result_row(n, case) for n, case in enumerate(report.cases)]
    return ReportRows(run_row(report, results), part_rows(results), results)
