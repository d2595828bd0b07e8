"""An nvidia-bug-report log (plain or .gz) -> the sections hwaccept has importers for.

nvidia-bug-report.sh ships with the NVIDIA driver; NVIDIA's RMA process asks for its
log. The script separates sections with a line of 44 underscores and names each by its
first line: `*** /path` (a file, followed by an `*** ls:` line and the file's bytes),
`/usr/bin/lspci -nn` and the like (a command, a blank line, its output), `dmesg:` (the
whole kernel ring buffer), `Scanning kernel log files for NVIDIA kernel messages:` (the
NVIDIA lines of the kernel logs, each log under an indented `  journalctl -b -0:` line).
Several commands can share a section without a separator (the nvidia-smi and
InfiniBand blocks). The .gz is a series of gzip members, which the input reader joins.

Taken from the sections: `nvidia-smi --query` (the `-q` importer), the most detailed
lspci listing (`-nnDvvvxxxx`, else `-vvv`, else `-nn`), `dmidecode`, `ibstat`,
/var/log/fabricmanager.log, the kernel log (`dmesg:`, else the NVIDIA kernel messages),
/proc/cmdline, /proc/cpuinfo and /proc/meminfo as files, and the kernel release and host
name from /proc/version and the header's `uname:` line. A report without the nvidia-smi,
lspci or kernel log sections is refused, naming what is missing: those are what an RMA
decision rests on, and their absence means the script was cut short or the driver was
not loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from hwaccept.importers import dmidecode, fabricmanager_log, ibstat, lspci, nvidia_smi_query
from hwaccept.importers.assemble import Conflict, Merged
from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import KERNEL_LOG_ARGV, Parts

SEPARATOR = "_" * 44
START = "Start of NVIDIA bug report log file."
END = "End of NVIDIA bug report log file."
SCAN = "Scanning kernel log files for NVIDIA kernel messages:"

_COMMAND = re.compile(r"^(?:/\S*/)?(?P<tool>nvidia-smi|lspci|dmidecode|ibstat)\b(?P<args>.*)$")
_SUBCOMMAND = re.compile(
    r"^/\S*/(?:nvidia-smi|ibstat|ibnetdiscover|ibswitches|iblinkinfo)\b.*$"
    r"|^Running InfiniBand commands for device: .*$",
    re.MULTILINE,
)
_LOG_HEADER = re.compile(r"^  (?:/\S+|journalctl -b -?\d+):$")
_RELEASE = re.compile(r"^Linux version (\S+)")
_UNAME = re.compile(r"^uname: \S+ (?P<host>\S+) (?P<release>\S+) ", re.MULTILINE)

PROC_FILES = ("/proc/cmdline", "/proc/cpuinfo", "/proc/meminfo")
LSPCI_PREFERENCE = ("-nnDvvvxxxx", "-vvv", "-nnvvv", "-nn")
REQUIRED = ("nvidia-smi --query", "lspci", "kernel log")


@dataclass
class Section:
    """One piece of the report: the line naming it and what follows."""

    title: str
    body: str


def sniff(head: str) -> bool:
    """Whether this is a bug report log: its first section says so."""
    return START in head[:4096] or "nvidia-bug-report.sh Version:" in head[:4096]


def sections(text: str) -> list[Section]:
    """Split on separator lines; commands sharing a section are split apart too."""
    found = []
    for chunk in text.split(f"\n{SEPARATOR}\n"):
        stripped = chunk.strip("\n")
        if not stripped:
            continue
        starts = [m.start() for m in _SUBCOMMAND.finditer(stripped)]
        if not starts or starts[0] != 0:
            starts.insert(0, 0)
        for begin, end in zip(starts, [*starts[1:], len(stripped)], strict=True):
            piece = stripped[begin:end]
            title, _, body = piece.partition("\n")
            found.append(Section(title.strip(), body))
    return found


def file_body(section: Section) -> str:
    """A file section's bytes: after the `*** ls:` line, without the blank line appended."""
    body = section.body
    if body.startswith("*** ls:"):
        body = body.partition("\n")[2]
    return body.removesuffix("\n")


def command_body(section: Section) -> str:
    """A command's output: after the blank line following the command."""
    return section.body.removeprefix("\n").rstrip("\n") + "\n"


def scanned_kernel_messages(body: str) -> str:
    """The NVIDIA kernel lines the script grepped, without its per-log header lines."""
    lines = [line for line in body.splitlines()
             if line.strip() and not _LOG_HEADER.match(line)
             and not line.startswith(("No NVIDIA kernel messages", "No suitable log"))]
    return "\n".join(lines) + "\n" if lines else ""


class Report:
    """Sections of one report, routed to the importers that read them."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.merged = Merged()
        self.found: set[str] = set()
        self.lspci: dict[str, Section] = {}
        self.kernel_log: str | None = None
        self.scanned: str | None = None

    def add(self, title: str, parse: Callable[[str, str], Parts], text: str) -> None:
        """Import one section and merge it; problems name the section."""
        where = f"{self.source} [section {title!r}]"
        try:
            self.merged.add(parse(text, where), where)
        except Conflict as exc:
            raise fail(where, f"contradicts another section: {exc.what}") from None

    def file_section(self, section: Section) -> None:
        """`*** /path` sections hwaccept reads."""
        path = section.title.removeprefix("*** ").strip()
        if path.endswith((" does not exist", " is not readable")):
            return
        body = file_body(section)
        if path in PROC_FILES:
            parts = Parts()
            parts.file(path, body.encode() + b"\n")
            self.merged.add(parts, self.source)
        elif path == "/proc/version" and (match := _RELEASE.match(body)):
            self.release(match[1])
        elif path.endswith("/fabricmanager.log") and body.strip():
            self.add(section.title, fabricmanager_log.parse, body + "\n")

    def release(self, release: str, host: str | None = None) -> None:
        """The kernel release (`uname -r`) and node name, as procfs holds them."""
        parts = Parts()
        parts.file("/proc/sys/kernel/osrelease", release)
        if host:
            parts.file("/proc/sys/kernel/hostname", host)
        try:
            self.merged.add(parts, self.source)
        except Conflict as exc:
            raise fail(self.source, f"contradicts itself: {exc.what}") from None

    def command_section(self, section: Section, tool: str, args: str) -> None:
        """Command sections: nvidia-smi -q, lspci, dmidecode, ibstat."""
        body = command_body(section)
        if tool == "nvidia-smi" and args.split() == ["--query"]:
            self.found.add("nvidia-smi --query")
            self.add(section.title, nvidia_smi_query.parse, body)
        elif tool == "lspci":
            self.lspci[args.strip()] = section
        elif tool == "dmidecode" and body.strip():
            self.add(section.title, dmidecode.parse, body)
        elif tool == "ibstat" and not args.strip() and body.lstrip().startswith("CA '"):
            self.add(section.title, ibstat.parse, body)

    def route(self, section: Section) -> None:
        """Send one section where it belongs; sections hwaccept does not read are skipped."""
        title = section.title
        if title.startswith("*** "):
            self.file_section(section)
        elif title == "dmesg:":
            self.kernel_log = command_body(section)
        elif title == SCAN:
            self.scanned = scanned_kernel_messages(section.body)
        elif match := _COMMAND.match(title):
            self.command_section(section, match["tool"], match["args"])

    def finish(self) -> None:
        """Import the chosen lspci and kernel log; refuse a report missing what matters."""
        for flags in (*LSPCI_PREFERENCE, *sorted(self.lspci)):
            section = self.lspci.get(flags)
            if section is not None and not flags.startswith(("-t", "-nntv")):
                self.found.add("lspci")
                self.add(section.title, lspci.parse, command_body(section))
                break
        log = self.kernel_log if self.kernel_log is not None else self.scanned
        if log is not None:
            self.found.add("kernel log")
            parts = Parts()
            parts.command(KERNEL_LOG_ARGV, log)
            self.merged.add(parts, self.source)
        missing = [name for name in REQUIRED if name not in self.found]
        if missing:
            raise fail(self.source, "nvidia-bug-report log is missing its "
                                    f"{', '.join(missing)} section{'s' if len(missing) > 1 else ''}"
                                    " (cut short, or made without the NVIDIA driver loaded)")


def parse(text: str, source: str) -> Parts:
    """Import every section hwaccept reads, as one machine."""
    if not sniff(text):
        raise fail(source, f"not an nvidia-bug-report log (no {START!r} header)")
    report = Report(source)
    if match := _UNAME.search(text[:4096]):
        report.release(match["release"], match["host"])
    try:
        for section in sections(text):
            report.route(section)
        report.finish()
    except Conflict as exc:
        raise fail(source, f"contradicts itself: {exc.what}") from None
    parts = report.merged.parts
    if END not in text[-4096:]:
        parts.notes.append(f"no {END!r} line: the report was cut short; later sections are "
                           "missing")
    parts.summary = "sections: " + ", ".join(sorted(report.found))
    return parts


KIND = Kind("nvidia-bug-report", "nvidia-bug-report.sh (nvidia-bug-report.log[.gz])",
            sniff, parse)
