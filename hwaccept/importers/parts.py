"""What one imported file contributes to a snapshot, as recordings of the three seams.

An importer never builds inventory records: it writes what the machine's files, NVML
and commands would have answered, so an imported machine replays through the same
parsing and checking code as a live one. Only what the input says is recorded; the
rest stays absent, and absent replays as unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

KERNEL_LOG_ARGV = ("dmesg",)
"""Kernel logs of any format are recorded as plain `dmesg` output and joined in input order.

The kernel log parser reads each line in whichever format it is in (see
hwaccept.tools.kernel_log), and the inventory reads plain `dmesg` when the preferred
forms are not in a snapshot.
"""

JOINED_COMMANDS = frozenset({KERNEL_LOG_ARGV})


@dataclass
class Parts:
    """Seam recordings from one input.

    Attributes:
        files: absolute path -> bytes, as the file would read (`/sys/.../vendor`).
        links: absolute path -> absolute target of a symlink (`/sys/bus/pci/devices/X`).
        nvml_system: NVML calls without a GPU, `call_key` -> answer (nvml.json layout).
        nvml_gpus: GPU index -> `call_key` -> answer.
        commands: argv -> standard output of a command that exited 0.
        unknown: path -> why: files the input shows exist but whose value it does not give
            (recorded as read errors with `NOT_KNOWN_ERRNO`, so they replay as unknown).
        partial: paths whose recorded bytes are only the start of the file's text (ibstat
            prints an InfiniBand rate without its lane width); another input holding the
            whole text wins over them when merged.
        complete: the component families (`pcie`, `ib`, `kernel`) this input lists whole, so
            that counting them in the snapshot means something; the GPUs count as whole
            when NVML's GPU count is recorded.
        guessed_disks: disk names (`nvme0n1`, `sda`) the importer chose because the input
            names no device; the assembler renumbers them when two inputs chose the same.
        notes: what the input said that could not be recorded, or warnings about it.
        summary: a few words on what was found ("8 GPUs", "142 PCI functions").

    """

    files: dict[str, bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    nvml_system: dict[str, Any] = field(default_factory=dict)
    nvml_gpus: dict[int, dict[str, Any]] = field(default_factory=dict)
    commands: dict[tuple[str, ...], str] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    partial: set[str] = field(default_factory=set)
    complete: set[str] = field(default_factory=set)
    guessed_disks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: str = ""

    def file(self, path: str, value: str | int | bytes) -> None:
        """Record a sysfs/procfs-style file; text gets the trailing newline sysfs prints."""
        if isinstance(value, bytes):
            self.files[path] = value
            return
        text = str(value)
        self.files[path] = (text if text.endswith("\n") else text + "\n").encode()

    def not_known(self, path: str, why: str) -> None:
        """Mark a file as existing with a value the input does not give."""
        self.unknown[path] = why

    def link(self, path: str, target: str) -> None:
        """Record a symlink by its absolute target."""
        self.links[path] = target

    def gpu(self, index: int) -> dict[str, Any]:
        """The NVML calls recorded for the GPU at `index` (created empty)."""
        return self.nvml_gpus.setdefault(index, {})

    def command(self, argv: Sequence[str], stdout: str) -> None:
        """Record the output of a command; kernel logs given twice are joined."""
        key = tuple(argv)
        if key in JOINED_COMMANDS and key in self.commands:
            self.commands[key] = join_text(self.commands[key], stdout)
        else:
            self.commands[key] = stdout

    @property
    def empty(self) -> bool:
        """True when nothing was recorded."""
        return not (self.files or self.links or self.nvml_system or self.nvml_gpus
                    or self.commands or self.unknown)


def join_text(first: str, second: str) -> str:
    """Two logs as one, each line kept whole."""
    if first and not first.endswith("\n"):
        first += "\n"
    return first + second
