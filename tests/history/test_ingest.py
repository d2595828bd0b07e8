"""Ingesting runs: each stored once, whole, and read back as it was."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from hwaccept.history.database import HistoryDB, open_database
from hwaccept.history.ingest import ingest
from hwaccept.history.queries import all_runs
from hwaccept.history.run_keys import content_digest
from hwaccept.history.schema import parts, results, runs
from hwaccept.reports.model import CaseResult, RunReport
from tests.history.runs import gpu_serials, parts_in, server_run

FIRST = server_run("SYS-A", gpu_serials(1654922004700), "2026-03-01T08:00:00Z",
                   failing={"1654922004703": "GPU_ECC_DBE"})
SECOND = server_run("SYS-B", gpu_serials(1654922004800), "2026-03-02T08:00:00Z")


def totals(db: HistoryDB) -> tuple[int, int, int]:
    with db.transaction() as conn:
        stored, seen, cases = (conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0
                               for t in (runs, parts, results))
    return stored, seen, cases


def test_ingesting_the_same_reports_again_adds_nothing(db_url: str) -> None:
    with open_database(db_url) as db:
        first = ingest(db, [FIRST, SECOND])
        again = ingest(db, [SECOND, FIRST, FIRST])
        stored = totals(db)
    assert (first.added, first.already_present) == (2, 0)
    assert (again.added, again.already_present) == (0, 3)
    assert [r.source for r in again.reports] == [SECOND.source, FIRST.source, FIRST.source]
    assert again.differing == ()
    assert stored == (2, parts_in(FIRST) + parts_in(SECOND), len(FIRST.cases) + len(SECOND.cases))


def test_a_copy_of_a_report_elsewhere_is_the_same_run(db_url: str) -> None:
    copy = dataclasses.replace(FIRST, source="/mnt/collected/node-sys-a/junit.xml")
    reformatted = dataclasses.replace(copy, cases=tuple(
        dataclasses.replace(c, duration=c.duration + 0.0001) for c in FIRST.cases))
    with open_database(db_url) as db:
        summary = ingest(db, [FIRST, copy, reformatted])
        stored = totals(db)
    assert [(r.added, r.differs) for r in summary.reports] == [(True, False), (False, False),
                                                               (False, False)]
    assert stored[0] == 1


def test_a_run_stored_from_another_report_keeps_the_first_and_says_so(db_url: str) -> None:
    rebuilt = dataclasses.replace(FIRST, cases=FIRST.cases[:5], complete=False,
                                  source="reports/SYS-A/events.jsonl")
    with open_database(db_url) as db:
        summary = ingest(db, [FIRST, rebuilt])
        (back,) = all_runs(db)
    assert [(r.added, r.differs) for r in summary.reports] == [(True, False), (False, True)]
    assert summary.differing == (summary.reports[1],)
    assert back == FIRST


def test_reports_without_a_run_id_are_told_apart_by_content(db_url: str) -> None:
    other_tool = server_run("SYS-C", gpu_serials(1654922004900), "2026-03-03T08:00:00Z",
                            run_id=None, source="ci/1/junit.xml")
    same_again = dataclasses.replace(other_tool, source="ci/2/junit.xml")
    rerun = dataclasses.replace(other_tool, source="ci/3/junit.xml",
                                cases=(*other_tool.cases[:-1],
                                       dataclasses.replace(other_tool.cases[-1],
                                                           outcome="failed")))
    with open_database(db_url) as db:
        summary = ingest(db, [other_tool, same_again, rerun])
        keys = {r.run_key for r in summary.reports}
    assert [r.added for r in summary.reports] == [True, False, True]
    assert len(keys) == 2


def test_rows_hold_the_parts_verdicts_and_counts(db_url: str) -> None:
    with open_database(db_url) as db:
        ingest(db, [FIRST])
        with db.transaction() as conn:
            run = conn.execute(sa.select(runs)).one()._asdict()
            gpu = conn.execute(sa.select(parts).where(parts.c.serial == "1654922004703")
                               ).one()._asdict()
            system = conn.execute(sa.select(parts).where(parts.c.kind == "system")
                                  ).one()._asdict()
            failed = conn.execute(sa.select(results).where(results.c.outcome == "failed")
                                  ).one()._asdict()
    assert {k: run[k] for k in ("system_serial", "product", "run_id", "verdict",
                                "failure_codes", "cases", "count_passed", "count_failed",
                                "key_kind", "complete", "started_at")} == {
        "system_serial": "SYS-A", "product": "HGX H100 8-GPU",
        "run_id": "run-SYS-A-2026-03-01T08:00:00Z", "verdict": "FAIL",
        "failure_codes": "GPU_ECC_DBE", "cases": 17, "count_passed": 16, "count_failed": 1,
        "key_kind": "run", "complete": True, "started_at": "2026-03-01T08:00:00.000000Z"}
    assert gpu == {"run": run["id"], "kind": "gpu", "part": "1654922004703",
                   "component_id": "1654922004703", "serial": "1654922004703", "slot": None,
                   "bdf": "0000:48:00.0", "model": "NVIDIA H100 80GB HBM3", "verdict": "FAIL",
                   "failure_codes": "GPU_ECC_DBE", "actions": "RMA_GPU", "cases": 2,
                   "failing": 1, "firmware": None}
    assert (system["part"], system["verdict"], system["failing"]) == ("SYS-A", "PASS", 0)
    assert failed == {
        "run": run["id"], "position": 7, "outcome": "failed", "duration": 0.002,
        "nodeid": "hwtests/test_gpu.py::test_gpu_ecc[gpu3-1654922004703]",
        "outcome_message": "gpu3: GPU_ECC_DBE", "component": "gpu",
        "component_id": "1654922004703", "serial": "1654922004703", "slot": None,
        "bdf": "0000:48:00.0", "model": "NVIDIA H100 80GB HBM3", "check": "gpu_ecc",
        "measured": "2", "expected": "0", "unit": "errors", "verdict": "FAIL",
        "failure_code": "GPU_ECC_DBE", "action": "RMA_GPU", "message": "gpu3: GPU_ECC_DBE",
        "properties": None}


def test_every_run_reads_back_as_it_was_ingested_oldest_first(db_url: str) -> None:
    odd = RunReport(
        "other-tool.xml", {"hostname": "ci-7", "build": "4711", "started": "not a time"},
        (CaseResult("suite::test_ü[π]", "xfailed", 1.25, "known: TICKET-9",
                    (("verdict", "WAIVED"), ("verdict", "PASS"), ("note", "2 · 3 ≤ 7 °C"))),
         CaseResult("suite::test_plain", "error", 0.0, "setup broke\nsecond line")),
        complete=False, notes=("other-tool.xml: invalid UTF-8 at byte 7 replaced",))
    with open_database(db_url) as db:
        ingest(db, [SECOND, odd, FIRST])
        back = list(all_runs(db, batch=2))
    assert back == [odd, FIRST, SECOND]


def test_undecodable_bytes_from_hardware_are_stored_escaped(db_url: str) -> None:
    gpu = FIRST.cases[1]
    props = tuple((k, "H100 \udc80" if k == "model" else v) for k, v in gpu.properties)
    raw = dataclasses.replace(gpu, message="NVRM: \udcff\udcfe", properties=props)
    report = dataclasses.replace(FIRST, cases=(raw,), identity={"hostname": "n\udce9ud"})
    with open_database(db_url) as db:
        assert ingest(db, [report, report]).added == 1
        (back,) = all_runs(db)
    assert back.identity == {"hostname": "n\\udce9ud"}
    assert back.cases[0].message == "NVRM: \\udcff\\udcfe"
    assert dict(back.cases[0].properties)["model"] == "H100 \\udc80"


def test_the_content_digest_tells_runs_apart_however_their_strings_look() -> None:
    def variant(message: str, *props: tuple[str, str]) -> RunReport:
        return RunReport("x.xml", {"hostname": "h"},
                         (CaseResult("t::a", "failed", 0.0, message, props),))

    nul = variant("a\0b")
    digests = {content_digest(r) for r in (
        variant("ab"), variant("a", ("b", "")), variant("", ("a", "b")), nul,
        variant("a\0", ("b", "")), variant("a"), variant("a", ("", "")))}
    assert len(digests) == 7
    assert content_digest(nul) == content_digest(dataclasses.replace(nul, source="y.xml"))
    assert content_digest(FIRST) == content_digest(dataclasses.replace(
        FIRST, identity=dict(reversed(FIRST.identity.items())), notes=("a note",)))
