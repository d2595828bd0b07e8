"""Profile files read as plain data, with the line and column of every key and value.

PyYAML composes the document into nodes; this module turns them into Python data
itself, so that nothing but YAML's core types can appear (`!!python/object` and every
other tag is refused), a key given twice is an error instead of PyYAML's silent "last
one wins", and aliases cannot expand a small file into a huge one. Files over 1 MiB and
bytes that are not UTF-8 are refused before parsing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 1 << 20
MAX_NODES = 100_000
"""Nodes after aliases are expanded; a real profile has a few hundred."""

CORE_TAGS = frozenset({
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
})

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Location:
    """A 1-based line and column in a file."""

    line: int
    column: int


@dataclass
class Problem:
    """One error in one file, at a place and a key path."""

    file: str
    location: Location | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.location is None else \
            f"{self.file}:{self.location.line}:{self.location.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else \
            f"{where}: {self.message}"


class ProfileSyntaxError(Exception):
    """A file that cannot be read as profile data at all."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Document:
    """A profile file's data and where each key and value is written."""

    file: str
    data: Any
    keys: dict[Path_, Location] = field(default_factory=dict)
    values: dict[Path_, Location] = field(default_factory=dict)

    def where(self, path: Path_, *, key: bool = False) -> Location:
        """The place of `path` (its key, or its value), else of its nearest parent."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            found = table.get(path[:end]) or self.values.get(path[:end])
            if found is not None:
                return found
        return Location(1, 1)


def _at(node: Node) -> Location:
    return Location(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Nodes to data, recording places, refusing what a profile must not contain."""

    def __init__(self, file: str) -> None:
        self.document = Document(file, None)
        self.constructor = SafeConstructor()
        self.nodes = 0
        self.open: set[int] = set()

    def fail(self, node: Node, path: Path_, message: str) -> ProfileSyntaxError:
        return ProfileSyntaxError(Problem(self.document.file, _at(node), dotted(path),
                                          message))

    def build(self, node: Node, path: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, path, f"aliases expand to more than {MAX_NODES} values; "
                                        "refusing (an alias bomb?)")
        self.document.values.setdefault(path, _at(node))
        if node.tag not in CORE_TAGS:
            raise self.fail(node, path, f"tag {node.tag!r} is not allowed in a profile "
                                        "(plain YAML values only)")
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.open:
            raise self.fail(node, path, "an alias refers to a value that contains it")
        self.open.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self.mapping(node, path)
        finally:
            self.open.discard(id(node))
        raise self.fail(node, path, "unexpected YAML node")

    def scalar(self, node: ScalarNode, path: Path_) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            raise self.fail(node, path, f"cannot read this value: {exc}") from None
        if isinstance(value, datetime.datetime):
            raise self.fail(node, path, "a date and time where a date (YYYY-MM-DD) or text "
                                        "was expected")
        return value

    def mapping(self, node: MappingNode, path: Path_) -> dict[str, Any]:
        try:
            self.constructor.flatten_mapping(node)
        except yaml.YAMLError as exc:
            raise self.fail(node, path, f"bad merge key: {exc}") from None
        found: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, (*path, "<key>"))
            if not isinstance(key, str):
                raise self.fail(key_node, path, f"key {key!r} must be text")
            if key in found:
                first = self.document.keys[(*path, key)]
                raise self.fail(key_node, (*path, key),
                                f"duplicate key (first given at line {first.line}); "
                                "YAML would keep only the last")
            self.document.keys[(*path, key)] = _at(key_node)
            found[key] = self.build(value_node, (*path, key))
        return found


def dotted(path: Path_) -> str:
    """`("gpus", "ecc", "volatile_dbe_max")` -> `gpus.ecc.volatile_dbe_max`; items `[0]`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _utf8(file: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ProfileSyntaxError(Problem(
            file, Location(line, column), "",
            f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")) from None


FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it; a file it refuses is parsed again by the pure
Python one, whose messages the error reports use."""


def _compose(text: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_text(file: str, text: str) -> Document:
    """One YAML document as data with places; raises ProfileSyntaxError."""
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(mark.line + 1, mark.column + 1) if mark else Location(1, 1)
        message = " ".join(str(exc.problem or exc).split())
        raise ProfileSyntaxError(Problem(file, where, "", f"YAML syntax error: {message}")) \
            from None
    except yaml.YAMLError as exc:
        raise ProfileSyntaxError(Problem(file, Location(1, 1), "",
                                         f"YAML error: {exc}")) from None
    builder = _Builder(file)
    builder.document.data = builder.build(node, ()) if node is not None else None
    return builder.document


def read_document(file: str) -> Document:
    """Read and parse a profile file; size, encoding and syntax errors name the place."""
    path = Path(file)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ProfileSyntaxError(Problem(file, Location(1, 1), "", "is a directory"))
        if size > MAX_BYTES:
            raise ProfileSyntaxError(Problem(
                file, Location(1, 1), "",
                f"{size / (1 << 20):.1f} MiB is over the 1 MiB a profile may be"))
        data = path.read_bytes()
    except OSError as exc:
        raise ProfileSyntaxError(Problem(file, Location(1, 1), "",
                                         exc.strerror or str(exc))) from None
    return parse_text(file, _utf8(file, data))
