"""RMA decisions from the history database are those from the reports it was fed."""

from __future__ import annotations

from hwaccept.history.database import open_database
from hwaccept.history.ingest import ingest
from hwaccept.history.rma_source import rma_sightings
from hwaccept.reports.model import CaseResult, RunReport
from hwaccept.rma.decide import decide, decide_sightings
from tests.history.runs import gpu_serials, server_run

MOVED = "1654922004703"
A_GPUS = gpu_serials(1654922004700)
B_GPUS = [*gpu_serials(1654922004800)[:5], MOVED, *gpu_serials(1654922004806, 2)]
OTHER_TOOL = RunReport("dcgm.xml", {"hostname": "node3", "started": "2026-03-06T00:00:00Z"}, (
    CaseResult("diag.memory::GPU0", "passed"),
    CaseResult("diag.memory::GPU1", "failed", 1.0, "Memory test failed: DBE"),
))
RUNS = [
    server_run("SYS-A", A_GPUS, "2026-03-01T08:00:00Z", failing={MOVED: "GPU_ECC_DBE"}),
    server_run("SYS-A", A_GPUS, "2026-03-02T08:00:00Z", failing={MOVED: "GPU_XID_79"}),
    server_run("SYS-A", A_GPUS, "2026-03-03T08:00:00Z"),
    server_run("SYS-B", B_GPUS, "2026-03-05T09:30:00Z", failing={MOVED: "GPU_XID_79"}),
    OTHER_TOOL,
]


def test_decisions_from_the_database_equal_those_from_the_reports(db_url: str) -> None:
    with open_database(db_url) as db:
        ingest(db, RUNS)
        from_database = decide_sightings(rma_sightings(db))
    from_reports = decide(RUNS)
    assert from_database == from_reports
    due = {(d.system, d.component_id): d.verdict for d in from_reports if d.due}
    assert due == {("SYS-A", MOVED): "INSPECT", ("SYS-B", MOVED): "RMA_GPU",
                   ("node3", "GPU1"): "INSPECT"}


def test_a_case_is_named_as_the_report_reader_names_it(db_url: str) -> None:
    odd = CaseResult("suite.py::k:::v", "failed", 0.1, "boom")
    run = RunReport("other.xml", {"started": "2026-05-05T00:00:00Z"}, (odd,))
    with open_database(db_url) as db:
        ingest(db, [run])
        [sighting] = rma_sightings(db)
    assert sighting.component_id == odd.name == ":v"
