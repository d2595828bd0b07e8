"""Four processes ingesting at once into a new database: nothing lost, nothing twice."""

from __future__ import annotations

import multiprocessing
from collections import Counter

import sqlalchemy as sa

from hwaccept.history.database import open_database
from hwaccept.history.migrations import schema_version
from hwaccept.history.run_keys import content_digest, run_key
from hwaccept.history.schema import part_tallies, parts, results, runs
from hwaccept.reports.model import RunReport
from tests.history.runs import gpu_serials, parts_in, server_run
from tests.history.workers import ingest_together

PROCESSES = 4
SHARED = [server_run(f"SYS-S{n}", gpu_serials(1654922100000 + 10 * n),
                     f"2026-04-01T{n:02d}:00:00Z",
                     failing={str(1654922100000 + 10 * n): "GPU_ECC_DBE"})
          for n in range(8)]
OWN = [[server_run(f"SYS-P{p}-{n}", gpu_serials(1654922200000 + 100 * p + 10 * n),
                   f"2026-04-02T{n:02d}:00:00Z") for n in range(6)] for p in range(PROCESSES)]


def key_of(report: RunReport) -> str:
    return run_key(report, content_digest(report))[0]


def test_concurrent_ingests_store_every_run_once(db_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    out = context.Queue()
    workers = [context.Process(target=ingest_together,
                               args=(db_url, SHARED + OWN[p], p, start, out))
               for p in range(PROCESSES)]
    for worker in workers:
        worker.start()
    answers = [out.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    failures = [a for a in answers if isinstance(a, str)]
    assert failures == []
    added = Counter(key for answer in answers if not isinstance(answer, str)
                    for key in answer[1])
    unique = SHARED + [r for own in OWN for r in own]
    assert added == Counter(key_of(r) for r in unique)
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    with open_database(db_url) as db, db.transaction() as conn:
        counts = [conn.scalar(sa.select(sa.func.count()).select_from(t)) for t in
                  (runs, parts, results)]
        tallied = conn.scalar(sa.select(sa.func.sum(part_tallies.c.tested)))
        versions = conn.scalars(sa.select(schema_version.c.version)).all()
        keys = conn.scalars(sa.select(runs.c.run_key)).all()
    assert counts == [len(unique), sum(parts_in(r) for r in unique),
                      sum(len(r.cases) for r in unique)]
    assert sorted(keys) == sorted(key_of(r) for r in unique)
    assert tallied == counts[1]
    assert versions == [1, 2, 3, 4]
