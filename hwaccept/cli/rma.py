"""`hwaccept rma`: what to do about each part, from a pile of JUnit reports."""

from __future__ import annotations

import argparse
import sys

from hwaccept.errors import ReportError
from hwaccept.reports.junit_read import junit_paths
from hwaccept.reports.parallel_read import read_each
from hwaccept.rma.decide import decide_sightings
from hwaccept.rma.junit_sightings import read_sightings
from hwaccept.rma.observations import Sighting, in_run_order
from hwaccept.rma.render import as_csv, as_json, as_table

EXIT_ACTION_DUE = 1
EXIT_NOTHING_READ = 2


def read_reports(arguments: list[str]) -> tuple[list[Sighting], int, int]:
    """The parts every readable report saw, how many reports read, and how many did not.

    Each report that does not read is a one-line error, and skipped. Each report is taken
    apart where it is parsed (hwaccept.rma.junit_sightings), so only its sightings reach
    this process and no report is ever held whole here.
    """
    found: list[Sighting] = []
    read = failures = 0
    try:
        paths = junit_paths(arguments)
    except ReportError as exc:
        print(f"hwaccept: error: {exc.msg}", file=sys.stderr)
        return found, 0, 1
    for _, run, error in read_each(paths, read_sightings):
        if run is None:
            print(f"hwaccept: error: {error}", file=sys.stderr)
            failures += 1
            continue
        for note in run.notes:
            print(f"hwaccept: warning: {note}", file=sys.stderr)
        found.extend(run.sightings)
        read += 1
    return found, read, failures


def run(args: argparse.Namespace) -> int:
    """Decide, print, and exit 1 when any part needs action (2 when nothing could be read)."""
    found, read, failures = read_reports(args.reports)
    if args.db:
        from hwaccept.history.database import open_database
        from hwaccept.history.rma_source import rma_sightings

        with open_database(args.db, create=False) as db:
            found.extend(rma_sightings(db))
            read += 1
    if not read:
        if not failures:
            print("hwaccept: error: no reports given (files, folders or --db)", file=sys.stderr)
        return EXIT_NOTHING_READ
    decisions = decide_sightings(in_run_order(found), args.xid_escalate_after)
    render = as_json if args.json else as_csv if args.csv else as_table
    print(render(decisions, args.all))
    return EXIT_ACTION_DUE if any(d.due for d in decisions) else 0
