"""`hwaccept snapshot import`: build a snapshot from files field engineers already have."""

from __future__ import annotations

import argparse
import sys

from hwaccept.importers.run import Input, import_files, write_snapshot

EXIT_USAGE = 2


def inputs_of(args: argparse.Namespace) -> list[Input]:
    """Positional files (kind recognised by content), then `--as KIND FILE` pairs."""
    found = [Input(path) for path in args.files]
    found.extend(Input(path, kind) for kind, path in args.forced or [])
    return found


def run(args: argparse.Namespace) -> int:
    """Import, report each input on one line, and write the snapshot only if all were good."""
    inputs = inputs_of(args)
    if not inputs:
        print("hwaccept: error: snapshot import: give at least one file", file=sys.stderr)
        return EXIT_USAGE
    result = import_files(inputs)
    for item in result.imported:
        print(f"{item.path}: {item.kind}: {item.summary}", file=sys.stderr)
        for note in item.notes:
            print(f"{item.path}: note: {' '.join(note.split())}", file=sys.stderr)
    for warning in result.warnings:
        print(f"hwaccept: warning: {' '.join(warning.split())}", file=sys.stderr)
    for error in result.errors:
        print(f"hwaccept: error: {' '.join(error.split())}", file=sys.stderr)
    if result.errors:
        print(f"hwaccept: {args.output} not written: {len(result.errors)} of the inputs "
              "could not be imported as one machine", file=sys.stderr)
        return EXIT_USAGE
    write_snapshot(args.output, result)
    print(f"wrote {args.output} from {len(result.imported)} files", file=sys.stderr)
    return 0
