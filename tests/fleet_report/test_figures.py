"""The fleet report's figures, read from SQLite and PostgreSQL histories."""

from __future__ import annotations

import datetime

from hwaccept.fleet.figures import fleet_figures
from hwaccept.history.database import open_database
from hwaccept.history.ingest import ingest
from tests.fleet_report.fleet_history import (
    BAD_NIC_FIRMWARE,
    BAD_SLOT,
    NIC_MODEL,
    fleet_runs,
)
from tests.fleet_report.history_cases import MOVED, SLOT3, small_fleet
from tests.history.runs import GPU_MODEL

DAY = datetime.date(2026, 5, 1)


def test_yield_per_sku_and_day_counts_runs_and_first_runs(db_url: str) -> None:
    with open_database(db_url) as db:
        ingest(db, small_fleet())
        fleet = fleet_figures(db)
    assert (fleet.runs, fleet.systems, fleet.first, fleet.last, fleet.period) == (
        5, 4, "2026-05-01", "2026-05-04", "day")
    assert [(p.period.day, p.runs, p.accepted, p.new_systems, p.first_pass)
            for p in fleet.yields] == [(1, 2, 1, 2, 1), (2, 1, 1, 0, 0), (3, 1, 0, 1, 0),
                                       (4, 1, 0, 1, 0)]
    assert {p.sku for p in fleet.yields} == {"hgx-h100-8gpu"}


def test_servers_whose_latest_run_failed_or_broke_await_action(db_url: str) -> None:
    with open_database(db_url) as db:
        ingest(db, small_fleet())
        fleet = fleet_figures(db)
    assert [(a.run.system, a.run.complete, [(p.kind, p.serial, p.position, p.codes, p.actions)
                                            for p in a.failed])
            for a in fleet.awaiting] == [
        ("SYS-D", False, []),
        ("SYS-C", True, [("gpu", MOVED, SLOT3, ("GPU_ECC_DBE",), ("RMA_GPU",))])]


def test_a_part_failing_in_two_chassis_is_a_repeat_offender(db_url: str) -> None:
    with open_database(db_url) as db:
        ingest(db, small_fleet())
        fleet = fleet_figures(db)
    assert [(o.serial, o.kind, o.model, o.chassis) for o in fleet.offenders] == [
        (MOVED, "gpu", GPU_MODEL, ("SYS-A", "SYS-C"))]
    assert [(c.code, c.failed, c.parts, c.chassis, c.actions) for c in fleet.codes] == [
        ("GPU_ECC_DBE", 2, 1, 2, ("RMA_GPU",))]


def test_failures_are_counted_by_model_and_by_slot(db_url: str) -> None:
    with open_database(db_url) as db:
        ingest(db, small_fleet())
        fleet = fleet_figures(db)
    assert [(r.key, r.tested, r.failed, r.parts, r.chassis) for r in fleet.models] == [
        (("gpu", GPU_MODEL), 40, 2, 1, 2)]
    slot3 = next(r for r in fleet.slots if r.key == ("hgx-h100-8gpu", "gpu", SLOT3))
    assert (slot3.tested, slot3.failed, slot3.chassis, slot3.flagged) == (5, 2, 2, False)
    assert sum(r.tested for r in fleet.slots) == 40
    assert fleet.firmware == ()


def test_since_leaves_out_older_runs(db_url: str) -> None:
    with open_database(db_url) as db:
        ingest(db, small_fleet())
        fleet = fleet_figures(db, since=DAY + datetime.timedelta(days=2))
    assert (fleet.runs, fleet.first) == (2, "2026-05-03")
    assert fleet.offenders == ()
    assert [a.run.system for a in fleet.awaiting] == ["SYS-D", "SYS-C"]


def test_an_empty_database_has_no_figures(db_url: str) -> None:
    with open_database(db_url) as db:
        fleet = fleet_figures(db)
    assert (fleet.runs, fleet.systems, fleet.yields, fleet.awaiting) == (0, 0, (), ())


def test_the_planted_bad_slot_and_firmware_are_the_only_clusters(tmp_path: object) -> None:
    with open_database(f"{tmp_path}/fleet.db") as db:
        ingest(db, fleet_runs(2000, bad_firmware_factor=15.0))
        fleet = fleet_figures(db)
    assert [r.key for r in fleet.slots if r.flagged] == [BAD_SLOT]
    assert [r.key for r in fleet.firmware if r.flagged] == [("nic", NIC_MODEL,
                                                             BAD_NIC_FIRMWARE)]
    assert fleet.offenders
    assert all(len(o.chassis) > 1 for o in fleet.offenders)
    assert fleet.period == "week"
