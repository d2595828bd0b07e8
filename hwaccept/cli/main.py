"""The `hwaccept` command. Subcommands import their modules only when they run."""

from __future__ import annotations

import argparse
import errno
import gc
import os
import sys
from collections.abc import Callable, Sequence

from hwaccept.static_types import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, NoReturn

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


def _inventory(args: argparse.Namespace) -> int:
    from hwaccept.cli.inventory import run

    return run(args)


def _capture(args: argparse.Namespace) -> int:
    from hwaccept.cli.snapshot import capture

    return capture(args)


def _import(args: argparse.Namespace) -> int:
    from hwaccept.cli.snapshot_import import run

    return run(args)


def _report(action: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        from hwaccept.cli import report

        handler: Handler = getattr(report, action)
        return handler(args)
    return run


def _healthcheck(args: argparse.Namespace) -> int:
    from hwaccept.cli.healthcheck import run

    return run(args)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected more than 0 seconds, got {text}")
    return value


def _history(action: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        from hwaccept.cli import history

        handler: Handler = getattr(history, action)
        return handler(args)
    return run


def _rma(args: argparse.Namespace) -> int:
    from hwaccept.cli.rma import run

    return run(args)


def _fleet(action: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        from hwaccept.cli import fleet

        handler: Handler = getattr(fleet, action)
        return handler(args)
    return run


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def _profile(action: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        from hwaccept.cli import profile

        handler: Handler = getattr(profile, action)
        return handler(args)
    return run


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """--snapshot and --root, shared by commands that read a machine."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--snapshot", metavar="FILE",
                       help="Replay a snapshot (.tar.gz or unpacked directory) instead of "
                            "reading this machine")
    group.add_argument("--root", metavar="DIR", default="/",
                       help="Read sysfs and procfs under DIR instead of / (default: /)")


Adder = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _columns() -> int:
    """The terminal's width as argparse would take it, without importing shutil.

    argparse's help formatter imports shutil for this (and shutil bz2 and lzma), a tenth
    of `hwaccept history`'s time, on every parser made, help printed or not.
    """
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 80
    except (OSError, ValueError):
        return 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, as wide as the terminal."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_columns() - 2)


class _Parser(argparse.ArgumentParser):
    """A parser, and the parsers of its subcommands, with `_HelpFormatter` by default."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The subcommands and their options; with `command`, only that command's.

    Parsing one command's arguments needs no other command's parser, and building them
    all takes a fifth of `hwaccept history`'s time. `--help` and an unknown command get
    them all.
    """
    parser: argparse.ArgumentParser = _Parser(
        prog="hwaccept", description="Acceptance and burn-in checks for GPU servers.")
    parser.add_argument("--version", action="store_true", help="Print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = COMMANDS.get(command or "")
    for add in [chosen] if chosen else dict.fromkeys(COMMANDS.values()):
        add(commands)
    return parser


def add_inventory_command(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                          ) -> None:
    """`hwaccept inventory`."""
    inventory = commands.add_parser("inventory", help="List the hardware of a machine")
    add_source_options(inventory)
    inventory.add_argument("--json", action="store_true", help="Print JSON instead of tables")
    inventory.set_defaults(handler=_inventory)


def add_snapshot_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                          ) -> None:
    """`hwaccept snapshot capture|import`."""
    snapshot = commands.add_parser("snapshot", help="Capture replayable snapshots")
    snapshot_commands = snapshot.add_subparsers(dest="snapshot_command", metavar="ACTION")
    capture = snapshot_commands.add_parser(
        "capture", help="Record this machine into a snapshot")
    capture.add_argument("-o", "--output", required=True, metavar="FILE",
                         help="Snapshot to write (.tar.gz)")
    capture.add_argument("--root", metavar="DIR", default="/",
                         help="Read sysfs and procfs under DIR instead of / (default: /)")
    capture.set_defaults(handler=_capture)
    importer = snapshot_commands.add_parser(
        "import", help="Build a snapshot from nvidia-smi, lspci, dmesg, smartctl... files",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Build a snapshot from the files field engineers collect. Each file's\n"
                    "kind is recognised by its content; --as forces one. Kinds:\n"
                    "  nvidia-bug-report, nvidia-smi-xml, nvidia-smi-q, nvidia-smi-nvlink,\n"
                    "  nvidia-smi-topo, smartctl-json, nvme-smart-log, smartctl, ibstat,\n"
                    "  ibstatus, dmidecode, fabricmanager-log, lspci, kernel-log.\n"
                    "Nothing is written unless every file imports and they describe one "
                    "machine.")
    importer.add_argument("-o", "--output", required=True, metavar="FILE",
                          help="Snapshot to write (.tar.gz)")
    importer.add_argument("--as", dest="forced", nargs=2, action="append",
                          metavar=("KIND", "FILE"), help="Import FILE as KIND")
    importer.add_argument("files", nargs="*", metavar="FILE", help="Files to import")
    importer.set_defaults(handler=_import)
    snapshot.set_defaults(handler=lambda _args: _usage(snapshot))


def add_history_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`hwaccept ingest REPORT...` and `hwaccept history SERIAL`."""
    db_help = ("The history database: a SQLite file or sqlite:///PATH, or postgresql://... "
               "(default: reports/history.db)")
    ingest = commands.add_parser("ingest", help="Store runs' JUnit reports in the history "
                                                "database")
    ingest.add_argument("reports", nargs="+", metavar="REPORT",
                        help="JUnit files, or folders searched for *.xml")
    ingest.add_argument("--db", metavar="PATH|URL", help=db_help)
    ingest.set_defaults(handler=_history("ingest"))
    history = commands.add_parser(
        "history", help="Every run, chassis, slot and verdict of a part or system serial")
    history.add_argument("serial", metavar="SERIAL")
    history.add_argument("--db", metavar="PATH|URL", help=db_help)
    history.add_argument("--json", action="store_true", help="Print JSON")
    history.set_defaults(handler=_history("history"))


def add_healthcheck_command(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                            ) -> None:
    """`hwaccept healthcheck [--profile X] [--snapshot F]`."""
    health = commands.add_parser(
        "healthcheck", help="Read-only checks of a server in service (a scheduler's health "
                            "check)",
        description="One line per problem; exit status 1 when the node should be drained "
                    "(a check failed), 0 when healthy (warnings allowed), 2 on bad input.")
    add_source_options(health)
    health.add_argument("--profile", metavar="NAME|PATH",
                        help="The SKU profile (default: the one whose match fits, else "
                             "generic)")
    health.add_argument("--nvml-timeout", type=_seconds, default=10.0, metavar="SECONDS",
                        help="How long one NVML call may take before its GPU counts as hung "
                             "(default: 10)")
    health.set_defaults(handler=_healthcheck)


def add_rma_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`hwaccept rma REPORT... [--db URL]`."""
    rma = commands.add_parser(
        "rma", help="Decide what to do about each part from JUnit reports and history",
        description="Per system and part: PASS, RETEST, RESEAT, REPLACE_<part>, RMA_<part> "
                    "(or another action), with failure codes and the runs behind them. Exit "
                    "status 1 when any part needs action.")
    rma.add_argument("reports", nargs="*", metavar="REPORT",
                     help="JUnit files, or folders searched for *.xml")
    rma.add_argument("--db", metavar="PATH|URL",
                     help="Also decide from every run in this history database")
    shape = rma.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="Print JSON")
    shape.add_argument("--csv", action="store_true", help="Print CSV, one row per part")
    rma.add_argument("--all", action="store_true", help="List passing parts too")
    rma.add_argument("--xid-escalate-after", type=_positive, default=2, metavar="N",
                     help="Runs in which a reboot-recoverable Xid may come back on one GPU "
                          "before it goes to hardware inspection (default: 2)")
    rma.set_defaults(handler=_rma)


def add_fleet_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`hwaccept fleet report`."""
    import datetime

    def day(text: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a day as YYYY-MM-DD, got {text!r}") from None

    fleet = commands.add_parser("fleet", help="Reports over every server in the history")
    actions = fleet.add_subparsers(dest="fleet_command", metavar="ACTION")
    report = actions.add_parser(
        "report", help="One HTML page: yield per SKU, failures by model, slot, code and "
                       "firmware, repeat offenders, servers awaiting action")
    report.add_argument("--db", metavar="PATH|URL",
                        help="The history database: a SQLite file or sqlite:///PATH, or "
                             "postgresql://... (default: reports/history.db)")
    report.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="The page to write (.html)")
    report.add_argument("--since", type=day, metavar="YYYY-MM-DD",
                        help="Leave out runs started before this day")
    report.set_defaults(handler=_fleet("report"))
    fleet.set_defaults(handler=lambda _args: _usage(fleet))


def add_report_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`hwaccept report rebuild`."""
    report = commands.add_parser("report", help="Rebuild a run's reports")
    actions = report.add_subparsers(dest="report_command", metavar="ACTION")
    rebuild = actions.add_parser(
        "rebuild", help="Make junit.xml and report.html again from a run's events.jsonl")
    rebuild.add_argument("events", metavar="EVENTS.JSONL")
    rebuild.add_argument("-o", "--output", metavar="DIR",
                         help="Write them into DIR (default: beside the event log)")
    rebuild.set_defaults(handler=_report("rebuild"))
    report.set_defaults(handler=lambda _args: _usage(report))


def add_profile_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`hwaccept profile validate|show|init|check|schema`."""
    profile = commands.add_parser("profile", help="Validate, show, draft and check profiles")
    actions = profile.add_subparsers(dest="profile_command", metavar="ACTION")
    validate = actions.add_parser("validate", help="Check profile files; every error at once")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(handler=_profile("validate"))
    show = actions.add_parser("show", help="Print a profile with its parents merged in")
    show.add_argument("name", metavar="NAME|PATH")
    show.set_defaults(handler=_profile("show"))
    init = actions.add_parser("init", help="Draft a profile from a golden machine")
    init.add_argument("--from-snapshot", metavar="FILE",
                      help="The golden machine's snapshot (default: this machine)")
    init.add_argument("-o", "--output", metavar="FILE", help="Write the draft to FILE")
    init.add_argument("--sku", help="The draft's sku (default: from FILE or the product name)")
    init.set_defaults(handler=_profile("init"))
    check = actions.add_parser("check", help="List every way a machine and a profile disagree")
    check.add_argument("name", metavar="NAME|PATH")
    check.add_argument("--snapshot", metavar="FILE",
                       help="The machine's snapshot (default: this machine)")
    check.add_argument("--all", action="store_true", help="Show agreeing findings too")
    check.add_argument("--json", action="store_true", help="Print JSON")
    check.set_defaults(handler=_profile("check"))
    schema = actions.add_parser("schema", help="Print the profiles' JSON Schema")
    schema.add_argument("-o", "--output", metavar="FILE", help="Write it to FILE")
    schema.set_defaults(handler=_profile("schema"))
    profile.set_defaults(handler=lambda _args: _usage(profile))


COMMANDS: dict[str, Adder] = {
    "inventory": add_inventory_command, "snapshot": add_snapshot_commands,
    "profile": add_profile_commands, "report": add_report_commands, "rma": add_rma_command,
    "healthcheck": add_healthcheck_command, "ingest": add_history_commands,
    "history": add_history_commands, "fleet": add_fleet_commands,
}
"""Each command's name, and what adds its parser (some add two commands)."""


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    return EXIT_USAGE


QUICK_EXIT = frozenset({"inventory", "healthcheck"})
"""Commands that hold nothing but their output when they return."""


def console() -> NoReturn:
    """The `hwaccept` script: `main()`, then, after a read-only command, a quick exit.

    Python's own teardown (clearing every module, a last garbage collection) took 10 ms
    of `hwaccept inventory`'s 70, and frees nothing the system would not. Commands in
    `QUICK_EXIT` open no file, database or child process that outlives them, so once
    their output is flushed the process ends there.
    """
    arguments = sys.argv[1:]
    status = main(arguments)
    if arguments[:1] and arguments[0] in QUICK_EXIT:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            pass
        except OSError as exc:
            status = _unwritable_output(exc)
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    The cyclic garbage collector is paused for the run: a command allocates many small
    objects while importing and lives well under a second; collections (about 30 of
    them in `hwaccept inventory`) would cost it some 5 ms and free nothing.
    """
    gc.disable()
    try:
        return _run(argv)
    finally:
        gc.enable()


def _run(argv: Sequence[str] | None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments[0] if arguments else None)
    args = parser.parse_args(arguments)
    if args.version:
        from hwaccept import __version__

        print(f"hwaccept {__version__}")
        return EXIT_OK
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        return _usage(parser)
    return _call(handler, args)


def _call(handler: Handler, args: argparse.Namespace) -> int:
    """Run a command; its errors, an interrupt or unwritable output end in one line."""
    from hwaccept.errors import HwacceptError

    try:
        return handler(args)
    except HwacceptError as exc:
        print(f"hwaccept: error: {' '.join(exc.msg.split())}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("hwaccept: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        if exc.filename is not None or exc.errno not in OUTPUT_ERRNOS:
            raise
        return _unwritable_output(exc)


OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT})
"""Errors of writing to standard output (a full disk, a file grown past its limit)."""


def _unwritable_output(exc: OSError) -> int:
    print(f"hwaccept: error: cannot write the output: {exc.strerror}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    console()
