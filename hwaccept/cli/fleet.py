"""`hwaccept fleet report`: the history database as one HTML page for the whole fleet."""

from __future__ import annotations

import argparse
import os
import sys
import time

from hwaccept.errors import HistoryError

EXIT_OK = 0
EXIT_USAGE = 2


def report(args: argparse.Namespace) -> int:
    """Write the fleet report of the database `--db` to `-o`."""
    from hwaccept.fleet.figures import fleet_figures
    from hwaccept.fleet.page import page_html
    from hwaccept.history.database import open_database
    from hwaccept.reports.junit_write import write_atomically

    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        print(f"hwaccept: error: {args.output}: folder {folder} does not exist", file=sys.stderr)
        return EXIT_USAGE
    started = time.monotonic()
    try:
        with open_database(args.db, create=False) as db:
            fleet = fleet_figures(db, args.since)
    except HistoryError as exc:
        print(f"hwaccept: error: {' '.join(exc.msg.split())}", file=sys.stderr)
        return EXIT_USAGE
    try:
        write_atomically(args.output, page_html(fleet))
    except OSError as exc:
        print(f"hwaccept: error: {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"hwaccept: fleet report of {fleet.runs:,} runs of {fleet.systems:,} servers "
          f"({len(fleet.awaiting):,} awaiting action) in {args.output} "
          f"({time.monotonic() - started:.1f} s)")
    return EXIT_OK
