"""`Record`: the frozen, typed record class of the inventory and the seams.

A `Record` subclass behaves as `@dataclass(frozen=True)` would make it: fields from its
annotations in order, keyword or positional construction with defaults and
`field(default_factory=...)`, equality and hashing by field values, a dataclass-style
repr, and no assignment after construction. Type checkers see it as a frozen dataclass
(PEP 681).

Why not the dataclass decorator: it compiles six methods for every class when the
module is imported. The 34 classes `hwaccept inventory` loads spent about 20 ms there,
plus 5 ms importing `inspect`, a third of the time Debian's `lshw` takes for the whole
job (`bench/inventory_vs_lshw.py`). Here every class shares the same few methods, and a
class costs what a plain class costs. Other modules keep using dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable

from hwaccept.static_types import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, TypeVar, dataclass_transform

    T = TypeVar("T")
    R = TypeVar("R", bound="Record")
else:

    def dataclass_transform(**_: object) -> Callable[[type], type]:
        """At run time the marker does nothing; type checkers read the real one."""
        return lambda cls: cls


_MISSING = object()


class FrozenRecordError(AttributeError):
    """A field of a record was assigned or deleted."""


class _Factory:
    """Marks a field whose default is made anew for every record."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default `default_factory()` makes anew for every record."""
    return _Factory(default_factory)  # type: ignore[return-value]


def _is_class_var(hint: object) -> bool:
    return str(hint).startswith(("ClassVar", "typing.ClassVar"))


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Record:
    """Base class of frozen records; subclasses declare annotated fields only."""

    __record_fields__: tuple[str, ...] = ()
    __record_defaults__: dict[str, object] = {}  # noqa: RUF012
    __record_factories__: dict[str, Callable[[], object]] = {}  # noqa: RUF012

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Collect the fields, after those of a base record, as dataclasses do."""
        super().__init_subclass__(**kwargs)
        names = list(cls.__record_fields__)
        defaults = dict(cls.__record_defaults__)
        factories = dict(cls.__record_factories__)
        own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 (not importing inspect)
        for name, hint in own.items():
            if _is_class_var(hint):
                continue
            if name not in names:
                names.append(name)
            value = cls.__dict__.get(name, _MISSING)
            if isinstance(value, _Factory):
                factories[name] = value.make
                delattr(cls, name)
            elif value is not _MISSING:
                defaults[name] = value
            elif defaults or factories:
                raise TypeError(f"{cls.__name__}: field {name!r} without a default "
                                "follows fields with one")
        cls.__record_fields__ = tuple(names)
        cls.__record_defaults__ = defaults
        cls.__record_factories__ = factories

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        names = cls.__record_fields__
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} positional arguments "
                            f"but {len(args)} were given")
        for name, value in zip(names, args, strict=False):
            if name in kwargs:
                raise TypeError(f"{cls.__name__}() got multiple values for argument {name!r}")
            kwargs[name] = value
        values = {}
        for name in names:
            if name in kwargs:
                values[name] = kwargs.pop(name)
            elif name in cls.__record_defaults__:
                values[name] = cls.__record_defaults__[name]
            elif name in cls.__record_factories__:
                values[name] = cls.__record_factories__[name]()
            else:
                raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")
        if kwargs:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument "
                            f"{next(iter(kwargs))!r}")
        object.__setattr__(self, "__dict__", values)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenRecordError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record) and other.__class__ is self.__class__:
            return _values(self) == _values(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(_values(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(
            self.__record_fields__, _values(self), strict=True))
        return f"{type(self).__qualname__}({shown})"


def _values(record: Record) -> tuple[object, ...]:
    state = record.__dict__
    return tuple(state[name] for name in record.__record_fields__)


def fields(record: Record | type[Record]) -> tuple[str, ...]:
    """The names of a record's fields, in order."""
    return record.__record_fields__


def replace(record: R, /, **changes: Any) -> R:
    """A copy of `record` with some fields changed (`dataclasses.replace` for records)."""
    return type(record)(**{**record.__dict__, **changes})
