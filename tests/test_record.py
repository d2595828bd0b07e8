"""`Record` behaves as a frozen dataclass would."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any, ClassVar

import pytest

from hwaccept.record import FrozenRecordError, Record, field, fields, replace


class Port(Record):
    name: str
    speed: int | None = None
    counters: dict[str, int] = field(default_factory=dict)
    KIND: ClassVar[str] = "port"


class Twin(Record):
    name: str
    speed: int | None = None
    counters: dict[str, int] = field(default_factory=dict)


class Wider(Port):
    lanes: int = 4


@dataclasses.dataclass(frozen=True)
class PortDataclass:
    name: str
    speed: int | None = None
    counters: dict[str, int] = dataclasses.field(default_factory=dict)


def test_positional_keyword_and_default_arguments_fill_the_fields() -> None:
    port = Port("eth0", speed=100)
    assert (port.name, port.speed, port.counters) == ("eth0", 100, {})
    assert fields(port) == fields(Port) == ("name", "speed", "counters")
    assert port.__dict__ == {"name": "eth0", "speed": 100, "counters": {}}


def test_a_default_factory_makes_a_new_value_for_every_record() -> None:
    first, second = Port("a"), Port("b")
    assert first.counters == second.counters == {}
    assert first.counters is not second.counters


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((), {}, "Port() missing required argument: 'name'"),
    (("a", 1, {}, 2), {}, "Port() takes 3 positional arguments but 4 were given"),
    (("a",), {"name": "b"}, "Port() got multiple values for argument 'name'"),
    (("a",), {"sped": 1}, "Port() got an unexpected keyword argument 'sped'"),
])
def test_wrong_arguments_raise_as_a_dataclass_would(
        args: tuple[Any, ...], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError) as raised:
        Port(*args, **kwargs)
    assert str(raised.value) == message


def test_fields_cannot_be_assigned_or_deleted() -> None:
    port = Port("eth0")
    with pytest.raises(FrozenRecordError, match="'speed'"):
        port.speed = 1  # type: ignore[misc]
    with pytest.raises(FrozenRecordError, match="'name'"):
        del port.name
    assert isinstance(FrozenRecordError(), AttributeError)
    assert port == Port("eth0")


def test_equality_and_hash_follow_the_values_and_the_class() -> None:
    assert Port("a", 1) == Port("a", 1)
    assert Port("a", 1) != Port("a", 2)
    assert Port("a", 1) != Twin("a", 1)
    assert Port("a", 1) != ("a", 1, {})
    frozen = Port("a", 1, counters=None)  # type: ignore[arg-type]
    assert hash(frozen) == hash(Port("a", 1, counters=None))  # type: ignore[arg-type]
    assert len({frozen, Port("a", 1, counters=None)}) == 1  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unhashable"):
        hash(Port("a"))


def test_repr_reads_as_the_dataclass_one() -> None:
    record = Port("eth0", 100, {"rx_errors": 2})
    twin = PortDataclass("eth0", 100, {"rx_errors": 2})
    assert repr(record) == repr(twin).replace("PortDataclass", "Port")


def test_replace_copies_with_changes_and_rejects_unknown_fields() -> None:
    port = Port("eth0", 100)
    assert replace(port, speed=25) == Port("eth0", 25)
    assert port.speed == 100
    with pytest.raises(TypeError, match="'sped'"):
        replace(port, sped=1)


def test_a_subclass_appends_its_fields_after_its_base() -> None:
    wide = Wider("ib0", 200, {}, 8)
    assert fields(wide) == ("name", "speed", "counters", "lanes")
    assert (wide.lanes, Wider("ib1").lanes) == (8, 4)


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="field 'b' without a default follows fields with one"):
        type("Bad", (Record,), {"__annotations__": {"a": "int", "b": "int"}, "a": 1})


def test_pickle_and_deepcopy_give_equal_records() -> None:
    port = Wider("ib0", 200, {"symbol_errors": 1})
    assert pickle.loads(pickle.dumps(port)) == port
    copied = copy.deepcopy(port)
    assert copied == port
    assert copied.counters is not port.counters
