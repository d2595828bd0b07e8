"""The snapshot format, version 1: how a `Tape` becomes members and back.

Layout (documented for people in docs/snapshot.md):

    snapshot.json        format, version, when and where it was made
    files/<path>         bytes of each file read (files/sys/class/net/eth0/mtu)
    files.json           symlinks, directory listings and read errors
    udev.json            devices per subsystem as udev enumerated them
    nvml.json            NVML status and every call's answer
    commands/index.json  every command: argv, status, exit code, stderr
    commands/NNN-*.out   the stdout of each command
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hwaccept.errors import SnapshotError
from hwaccept.sources.commands import CommandResult, CommandStatus
from hwaccept.sources.file_tree import FileTree
from hwaccept.sources.files import UdevDevice
from hwaccept.sources.recording import Tape

FORMAT = "hwaccept-snapshot"
VERSION = 1
META = "snapshot.json"
FILES_PREFIX = "files/"
FILES_META = "files.json"
UDEV = "udev.json"
NVML = "nvml.json"
COMMANDS_INDEX = "commands/index.json"

_SLUG = re.compile(r"[^A-Za-z0-9.]+")


@dataclass
class SnapshotData:
    """A decoded snapshot: its metadata and what each seam answered."""

    source: str
    meta: dict[str, Any]
    tree: FileTree
    nvml: dict[str, Any]
    commands: dict[tuple[str, ...], CommandResult] = field(default_factory=dict)


def dump_json(value: Any) -> bytes:
    """A member's JSON: indented one space per level, UTF-8, ending in a newline."""
    return (json.dumps(value, indent=1, sort_keys=False, ensure_ascii=False) + "\n").encode()


def _slug(index: int, argv: tuple[str, ...]) -> str:
    words = _SLUG.sub("-", " ".join(argv)).strip("-")[:60]
    return f"commands/{index:03d}-{words}.out"


def encode_files(tree: FileTree) -> dict[str, bytes]:
    """File contents as members, plus files.json and udev.json."""
    members = {FILES_PREFIX + path.lstrip("/"): data for path, data in tree.contents.items()}
    members[FILES_META] = dump_json({
        "links": dict(sorted(tree.links.items())),
        "listings": dict(sorted(tree.listings.items())),
        "errors": {p: {"errno": e, "message": m} for p, (e, m) in sorted(tree.errors.items())},
        "present": sorted(tree.present),
    })
    members[UDEV] = dump_json({
        subsystem: [
            {"sys_path": d.sys_path, "devtype": d.devtype, "driver": d.driver,
             "properties": dict(d.properties)}
            for d in devices
        ]
        for subsystem, devices in sorted(tree.udev.items())
    })
    return members


def encode_commands(commands: Mapping[tuple[str, ...], CommandResult]) -> dict[str, bytes]:
    """Each command's stdout as a member, and the index describing them."""
    members: dict[str, bytes] = {}
    index = []
    for number, (argv, result) in enumerate(sorted(commands.items()), start=1):
        out = _slug(number, argv)
        members[out] = result.stdout.encode()
        index.append({
            "argv": list(argv), "status": result.status.value, "returncode": result.returncode,
            "duration": result.duration, "stdout": out, "stderr": result.stderr,
        })
    members[COMMANDS_INDEX] = dump_json(index)
    return members


def encode(tape: Tape, meta: Mapping[str, Any]) -> dict[str, bytes]:
    """Every member of a snapshot holding `tape`."""
    members = {META: dump_json({"format": FORMAT, "version": VERSION, **meta})}
    members.update(encode_files(tape.files))
    members.update(encode_commands(tape.commands))
    members[NVML] = dump_json(tape.nvml_recording())
    return members


def _load_json(source: str, members: Mapping[str, bytes], name: str, default: Any) -> Any:
    if name not in members:
        return default
    try:
        return json.loads(members[name].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{source}: member {name!r} is not valid JSON ({exc})") from None


def _require(source: str, name: str, value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise SnapshotError(f"{source}: member {name!r} must hold a JSON {kind.__name__}")
    return value


def decode_meta(source: str, members: Mapping[str, bytes]) -> dict[str, Any]:
    """snapshot.json, checked for format and version."""
    if META not in members:
        raise SnapshotError(f"{source}: not a hwaccept snapshot (no {META} member)")
    meta: dict[str, Any] = _require(source, META, _load_json(source, members, META, {}), dict)
    if meta.get("format") != FORMAT:
        raise SnapshotError(f"{source}: {META} says format {meta.get('format')!r}, "
                            f"expected {FORMAT!r}")
    if meta.get("version") != VERSION:
        raise SnapshotError(f"{source}: snapshot format version {meta.get('version')!r} is "
                            f"not supported (this hwaccept reads version {VERSION})")
    return meta


def decode_files(source: str, members: Mapping[str, bytes]) -> FileTree:
    """The recorded file tree."""
    tree = FileTree()
    for name, data in members.items():
        if name.startswith(FILES_PREFIX):
            tree.contents["/" + name[len(FILES_PREFIX):]] = data
    extra = _require(source, FILES_META, _load_json(source, members, FILES_META, {}), dict)
    try:
        tree.links = {str(k): str(v) for k, v in extra.get("links", {}).items()}
        tree.listings = {str(k): [str(n) for n in v] for k, v in extra.get("listings", {}).items()}
        tree.errors = {str(k): (int(v["errno"]), str(v.get("message", "")))
                       for k, v in extra.get("errors", {}).items()}
        tree.present = {str(p) for p in extra.get("present", [])}
        udev = _require(source, UDEV, _load_json(source, members, UDEV, {}), dict)
        tree.udev = {
            str(subsystem): tuple(
                UdevDevice(str(d["sys_path"]), str(subsystem), d.get("devtype"), d.get("driver"),
                           {str(k): str(v) for k, v in d.get("properties", {}).items()})
                for d in devices)
            for subsystem, devices in udev.items()
        }
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(f"{source}: {FILES_META} or {UDEV} is malformed ({exc!r})") from None
    return tree


def decode_commands(source: str, members: Mapping[str, bytes]) -> dict[tuple[str, ...],
                                                                     CommandResult]:
    """The recorded command results, by argv."""
    index = _require(source, COMMANDS_INDEX,
                     _load_json(source, members, COMMANDS_INDEX, []), list)
    commands = {}
    try:
        for entry in index:
            argv = tuple(str(a) for a in entry["argv"])
            out = entry.get("stdout")
            if out is not None and out not in members:
                raise SnapshotError(f"{source}: member {out!r} named in {COMMANDS_INDEX} "
                                    "is missing")
            stdout = members[out].decode("utf-8", "replace") if out else ""
            commands[argv] = CommandResult(
                argv, CommandStatus(entry.get("status", "exited")), entry.get("returncode"),
                stdout, str(entry.get("stderr", "")), float(entry.get("duration", 0.0)))
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(f"{source}: {COMMANDS_INDEX} is malformed ({exc!r})") from None
    return commands


def check_nvml(source: str, nvml: Mapping[str, Any]) -> None:
    """nvml.json must map sections to objects, and each GPU to an object of calls."""
    for section in ("status", "system", "gpus"):
        if not isinstance(nvml.get(section, {}), dict):
            raise SnapshotError(f"{source}: {NVML}: {section!r} must be a JSON object")
    for index, calls in nvml.get("gpus", {}).items():
        if not str(index).isdigit() or not isinstance(calls, dict):
            raise SnapshotError(f"{source}: {NVML}: gpus.{index} must be a GPU index "
                                "holding a JSON object")


def decode(source: str, members: Mapping[str, bytes]) -> SnapshotData:
    """A whole snapshot from its members."""
    meta = decode_meta(source, members)
    default_nvml = {"status": {"available": False, "reason": "NVML is not in this snapshot"}}
    nvml = _require(source, NVML, _load_json(source, members, NVML, default_nvml), dict)
    check_nvml(source, nvml)
    return SnapshotData(source, meta, decode_files(source, members), nvml,
                        decode_commands(source, members))
