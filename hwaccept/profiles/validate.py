"""Profile data checked against the schema, every error placed at its line and key path."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from hwaccept.profiles.schema import Profile
from hwaccept.profiles.yaml_source import Document, Path_, Problem, dotted


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The section model inside an annotation (`Gpus | None`, `list[Waiver] | None`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for argument in typing.get_args(annotation):
            found = _model_of(argument)
            if found is not None:
                return found
    return None


def model_at(path: Path_) -> type[BaseModel] | None:
    """The section model whose keys are valid at `path` (list indexes skipped)."""
    model: type[BaseModel] | None = Profile
    for part in path:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        model = _model_of(model.model_fields[part].annotation)
    return model


def unknown_key(path: Path_) -> str:
    """`unknown key 'cout'; did you mean 'count'?` with the keys valid there."""
    key = str(path[-1])
    model = model_at(path[:-1])
    known = sorted(model.model_fields) if model else []
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?"
    return f"unknown key {key!r}; known keys here: {', '.join(known)}" if known else \
        f"unknown key {key!r}"


def _message(error: Any) -> str:
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error["type"] == "missing":
        return "required key missing"
    if error["type"] in ("int_type", "int_from_float", "int_parsing") and \
            isinstance(error.get("input"), float | str):
        return f"expected a whole number, got {error['input']!r}"
    if error["type"] == "greater_than_equal" and error["ctx"].get("ge") == 0:
        return f"must be 0 or more, got {error['input']!r}"
    return message


def problems_of(document: Document, exc: ValidationError, suffix: str = "") -> list[Problem]:
    """One problem per pydantic error, placed in `document`."""
    found = []
    for error in exc.errors():
        path: Path_ = tuple(p for p in error["loc"] if isinstance(p, str | int))
        path = tuple(p for p in path if not (isinstance(p, str) and p.startswith("function-")))
        if error["type"] == "extra_forbidden":
            message, where = unknown_key(path), document.where(path, key=True)
        else:
            message, where = _message(error), document.where(path)
        found.append(Problem(document.file, where, dotted(path), message + suffix))
    return sorted(found, key=lambda p: (p.location.line, p.location.column, p.path)
                  if p.location else (0, 0, p.path))


def validate(document: Document, data: Any | None = None,
             suffix: str = "") -> tuple[Profile | None, list[Problem]]:
    """The profile in `document` (or `data` placed by it), or every problem with it."""
    value = document.data if data is None else data
    if not isinstance(value, dict):
        kind = "empty" if value is None else f"a {type(value).__name__}"
        return None, [Problem(document.file, document.where(()), "",
                              f"a profile is a mapping of sections (sku, gpus, ...); this "
                              f"file is {kind}")]
    try:
        return Profile.model_validate(value), []
    except ValidationError as exc:
        return None, problems_of(document, exc, suffix)
