"""Merge the parts of several inputs into one snapshot, refusing contradictions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hwaccept.importers.parts import JOINED_COMMANDS, Parts, join_text
from hwaccept.sources import Sources
from hwaccept.sources.commands import CommandResult, CommandStatus, ReplayRunner
from hwaccept.sources.file_tree import FileTree, TreeFiles
from hwaccept.sources.files import NOT_KNOWN_ERRNO
from hwaccept.sources.nvml import ReplayNvml


class Conflict(Exception):
    """Two inputs say different things about the same fact."""

    def __init__(self, what: str, here: Any, there: Any) -> None:
        super().__init__(what)
        self.what = what
        self.here = here
        self.there = there


def merge_value(ours: Any, theirs: Any, what: str) -> Any:
    """One answer from two: objects are united key by key; anything else must be equal."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        merged = dict(ours)
        for key, value in theirs.items():
            merged[key] = merge_value(ours[key], value, f"{what}.{key}") if key in ours \
                else value
        return merged
    if ours != theirs:
        raise Conflict(what, theirs, ours)
    return ours


def completes(whole: bytes, start: bytes) -> bool:
    """Whether `whole` is the text `start` begins, carried further (`400 Gb/sec (4X NDR)`)."""
    return whole.rstrip(b"\n").startswith(start.rstrip(b"\n") + b" ")


def _short(value: Any) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    text = " ".join(text.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


@dataclass
class Merged:
    """The union of every input's parts, and which input said each fact first."""

    parts: Parts = field(default_factory=Parts)
    said_by: dict[str, str] = field(default_factory=dict)

    def _take(self, store: dict[Any, Any], name: Any, value: Any, *, key: str, source: str,
              what: str) -> None:
        if name in store:
            try:
                store[name] = merge_value(store[name], value, what)
            except Conflict as exc:
                raise Conflict(f"{exc.what} is {_short(exc.here)} here but "
                               f"{_short(exc.there)} in {self.said_by[key]}",
                               exc.here, exc.there) from None
        else:
            store[name] = value
            self.said_by[key] = source

    def _completed(self, path: str, data: bytes, partial: set[str]) -> bool:
        """Settle a partial text against a whole one; True when nothing is left to merge."""
        ours = self.parts
        if path in ours.partial and completes(data, ours.files[path]):
            ours.files[path] = data
            ours.partial.discard(path)
            return True
        return path in partial and completes(ours.files[path], data)

    def add(self, parts: Parts, source: str) -> None:
        """Merge one input's parts; raises `Conflict` on the first contradiction."""
        ours = self.parts
        ours.notes.extend(parts.notes)
        ours.complete |= parts.complete
        for path, data in parts.files.items():
            if path in ours.files and self._completed(path, data, parts.partial):
                continue
            self._take(ours.files, path, data, key=f"file {path}", source=source, what=path)
            if path in parts.partial and self.said_by[f"file {path}"] == source:
                ours.partial.add(path)
        for path, why in parts.unknown.items():
            ours.unknown.setdefault(path, why)
        for path, target in parts.links.items():
            self._take(ours.links, path, target, key=f"link {path}", source=source,
                       what=f"link {path}")
        for key, value in parts.nvml_system.items():
            self._take(ours.nvml_system, key, value, key=f"nvml {key}", source=source,
                       what=f"NVML {key}")
        for index, calls in parts.nvml_gpus.items():
            gpu = ours.gpu(index)
            for key, value in calls.items():
                self._take(gpu, key, value, key=f"nvml {index} {key}", source=source,
                           what=f"GPU {index} {key}")
        for argv, stdout in parts.commands.items():
            if argv in JOINED_COMMANDS and argv in ours.commands:
                ours.commands[argv] = join_text(ours.commands[argv], stdout)
            else:
                self._take(ours.commands, argv, stdout, key=f"command {argv}", source=source,
                           what=f"output of `{' '.join(argv)}`")


MACHINE_FILES = ("/proc/meminfo", "/sys/devices/system/cpu/online")
"""Files every Linux machine has, which the inventory needs; an import whose inputs do not
give them records them as not known, so they replay as unknown rather than as missing."""


def file_tree(parts: Parts) -> FileTree:
    """The recorded files as a tree the files seam replays; a known value beats an unknown."""
    why = dict.fromkeys(MACHINE_FILES, "no input gave it") | parts.unknown
    unknown = {path: (NOT_KNOWN_ERRNO, f"not known: {reason}")
               for path, reason in why.items() if path not in parts.files}
    return FileTree(contents=dict(parts.files), links=dict(parts.links), errors=unknown)


def nvml_recording(parts: Parts) -> dict[str, Any]:
    """The NVML recording (nvml.json layout); NVML counts as present when anything was said."""
    if not (parts.nvml_system or parts.nvml_gpus):
        return {"status": {"available": False, "reason": "NVML is not in this snapshot"}}
    return {
        "status": {"available": True, "reason": None},
        "system": dict(sorted(parts.nvml_system.items())),
        "gpus": {str(i): dict(sorted(c.items())) for i, c in sorted(parts.nvml_gpus.items())},
    }


def complete_families(parts: Parts) -> list[str]:
    """The families the merged inputs list whole (see `Parts.complete`)."""
    found = set(parts.complete)
    if "nvmlDeviceGetCount" in parts.nvml_system:
        found.add("gpu")
    return sorted(found)


def command_results(commands: Mapping[tuple[str, ...], str]) -> dict[tuple[str, ...],
                                                                     CommandResult]:
    """Each recorded output as the result of a command that exited 0."""
    return {argv: CommandResult(argv, CommandStatus.EXITED, 0, stdout)
            for argv, stdout in commands.items()}


def replay_sources(parts: Parts, origin: str = "import") -> Sources:
    """Replay implementations of the seams answering from `parts`."""
    return Sources(TreeFiles(file_tree(parts)), ReplayNvml(nvml_recording(parts)),
                   ReplayRunner(command_results(parts.commands)), origin=origin,
                   complete=frozenset(complete_families(parts)))
