"""`hwaccept snapshot import`: many inputs -> one snapshot, or every reason why not."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hwaccept import __version__
from hwaccept.errors import ImportInputError
from hwaccept.importers.assemble import (
    Conflict,
    Merged,
    command_results,
    complete_families,
    file_tree,
)
from hwaccept.importers.consistency import problems, warnings
from hwaccept.importers.disk_tree import disk_names, rename_disk
from hwaccept.importers.inputs import read_input
from hwaccept.importers.kind import fail
from hwaccept.importers.parts import Parts
from hwaccept.importers.registry import detect, kind_named, kind_names
from hwaccept.snapshot.archive import write_tar
from hwaccept.snapshot.members import dump_json, encode
from hwaccept.sources.nvml import NvmlStatus
from hwaccept.sources.recording import Tape

IMPORTED = "imported.json"
"""Member listing each input: file, kind, SHA-256, what it gave."""


@dataclass(frozen=True)
class Input:
    """One file to import, with the kind `--as` forced on it, if any."""

    path: str
    kind: str | None = None


@dataclass
class Imported:
    """What one input gave."""

    path: str
    kind: str
    sha256: str
    summary: str
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    """The merged recordings, what each input gave, and every problem found."""

    merged: Merged = field(default_factory=Merged)
    imported: list[Imported] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_DISK = re.compile(r"^(?P<stem>nvme|sd)(?P<number>\d+|[a-z]+)(?P<rest>n\d+)?$")


def _next_name(name: str, taken: set[str]) -> str:
    """`nvme0n1` -> `nvme1n1`, `sda` -> `sdb`: the first free name of the same shape."""
    match = _DISK.match(name)
    if match is None:
        raise ValueError(name)
    stem, rest = match["stem"], match["rest"] or ""
    candidate = name
    index = 0
    while candidate in taken:
        index += 1
        if stem == "nvme":
            candidate = f"nvme{index}{rest}"
        else:
            letters, number = "", index
            while True:
                number, digit = divmod(number, 26)
                letters = chr(ord("a") + digit) + letters
                if number == 0:
                    break
                number -= 1
            candidate = f"sd{letters}"
    return candidate


def renumber_disks(parts: Parts, merged: Merged) -> Parts:
    """Give disks the importer had to name a name no earlier input uses."""
    taken = set(disk_names(merged.parts))
    for name in list(parts.guessed_disks):
        if name in taken:
            new = _next_name(name, taken | set(disk_names(parts)))
            parts = rename_disk(parts, name, new)
        taken.add(name)
    return parts


def import_one(item: Input, result: ImportResult) -> None:
    """Read, recognise, parse and merge one input; a problem is kept, not raised."""
    text = read_input(item.path)
    kind = kind_named(item.kind) if item.kind else detect(text)
    if kind is None:
        raise fail(item.path, "not a kind of file hwaccept can import (known kinds: "
                              f"{', '.join(kind_names())}); to force one, give --as KIND "
                              f"{item.path}")
    parts = kind.parse(text, item.path)
    if parts.empty:
        raise fail(item.path, f"holds no data hwaccept can use ({kind.description})")
    parts = renumber_disks(parts, result.merged)
    try:
        result.merged.add(parts, item.path)
    except Conflict as exc:
        raise fail(item.path, f"contradicts an earlier input: {exc.what}") from None
    digest = hashlib.sha256(text.encode()).hexdigest()
    result.imported.append(Imported(item.path, kind.name, digest, parts.summary, parts.notes))


def import_files(inputs: Sequence[Input]) -> ImportResult:
    """Import every input; problems with one do not stop the others."""
    result = ImportResult()
    for item in inputs:
        try:
            import_one(item, result)
        except ImportInputError as exc:
            result.errors.append(exc.msg)
    if not result.errors:
        merged = result.merged
        result.errors.extend(problems(merged.parts, merged.said_by))
        result.warnings.extend(warnings(merged.parts, merged.said_by))
    return result


def created_time() -> float:
    """Now, or SOURCE_DATE_EPOCH for a reproducible archive."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return float(epoch) if epoch.isdigit() else time.time()


def write_snapshot(out: str, result: ImportResult) -> None:
    """Write the merged recordings as a snapshot, with `imported.json` naming the inputs."""
    parts = result.merged.parts
    tape = Tape(files=file_tree(parts), commands=command_results(parts.commands))
    has_nvml = bool(parts.nvml_system or parts.nvml_gpus)
    tape.nvml_status = NvmlStatus(has_nvml, None if has_nvml else "NVML is not in this snapshot")
    tape.nvml_system = dict(parts.nvml_system)
    tape.nvml_gpus = {str(index): dict(calls) for index, calls in parts.nvml_gpus.items()}
    started = created_time()
    meta = {
        "created": datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "hostname": None,
        "suite_version": __version__,
        "made_by": "hwaccept snapshot import",
        "complete": complete_families(parts),
    }
    members = encode(tape, meta)
    members[IMPORTED] = dump_json([
        {"file": os.path.basename(item.path), "kind": item.kind, "sha256": item.sha256,
         "summary": item.summary, "notes": item.notes}
        for item in result.imported
    ])
    write_tar(out, members, started)
