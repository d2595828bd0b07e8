"""nvme-cli smart-log JSON parsing: the corpus sample and the forms of each release."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hwaccept.errors import UnknownUnitError
from hwaccept.inventory.records import SmartHealth, SmartSource
from hwaccept.record import replace
from hwaccept.tools.nvme_cli import NO_DATA, parse_nvme_smart_log_json

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "smart"
NETDATA = "netdata_nvme-cli_smart-log-json.json"
NVME_CLI = SmartSource.NVME_CLI

NETDATA_HEALTH = SmartHealth(
    NVME_CLI, supported=True, critical_warning=0, media_errors=0, percentage_used=2,
    available_spare=100, available_spare_threshold=5, temperature_c=37, power_on_hours=4974,
    unsafe_shutdowns=39, error_log_entries=110,
)
"""The netdata sample: 310 K, 2% used, 110 error-log entries; nvme-cli has no pass bit."""

COUNTERS = ("data_units_read", "data_units_written", "host_read_commands",
            "host_write_commands", "controller_busy_time", "power_cycles", "power_on_hours",
            "unsafe_shutdowns", "media_errors", "num_err_log_entries")
"""The 128-bit counters of the log, whose JSON form changed between releases."""

Transform = Callable[[dict[str, Any]], dict[str, Any]]


def netdata_json() -> dict[str, Any]:
    path = CORPUS / NETDATA
    if not path.is_file():
        pytest.skip(f"corpus file missing: {path}")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def counters_as(form: Callable[[int], object]) -> Transform:
    return lambda data: {key: form(v) if key in COUNTERS else v for key, v in data.items()}


def warning_object(value_key: str) -> Transform:
    def transform(data: dict[str, Any]) -> dict[str, Any]:
        byte = data["critical_warning"]
        bits = {"available_spare": 0, "temp_threshold": 0, "reliability_degraded": 0,
                "ro": 0, "vmbu_failed": 0, "pmr_ro": 0}
        return {**data, "critical_warning": {value_key: byte, **bits}}
    return transform


def release_2_7(data: dict[str, Any]) -> dict[str, Any]:
    renamed = {("Temperature" if key == "temperature" else key): v for key, v in data.items()}
    return warning_object("Value")(renamed)


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda data: data, id="as-recorded"),
        pytest.param(counters_as(float), id="2.0-json-c-doubles"),
        pytest.param(counters_as(lambda n: f"{n:.6f}"), id="2.1-percent-Lf-strings"),
        pytest.param(counters_as(str), id="2.2-2.3-decimal-strings"),
        pytest.param(release_2_7, id="2.7-Temperature-and-Value"),
        pytest.param(warning_object("value"), id="verbose-or-2.11-warning-object"),
    ],
)
def test_every_release_form_gives_the_same_record(transform: Transform) -> None:
    text = json.dumps(transform(netdata_json()))
    assert parse_nvme_smart_log_json(text) == NETDATA_HEALTH


def test_warning_object_bits_are_not_read_as_spare() -> None:
    data = warning_object("value")(netdata_json())
    data["critical_warning"].update(value=1, available_spare=1)
    del data["avail_spare"]
    expected = replace(NETDATA_HEALTH, critical_warning=1, available_spare=None)
    assert parse_nvme_smart_log_json(json.dumps(data)) == expected


@pytest.mark.parametrize(
    "media_errors",
    [
        pytest.param(4_294_967_296, id="2**32-number"),
        pytest.param("4294967296", id="2**32-string"),
        pytest.param(2**128 - 1, id="2**128-1-number"),
        pytest.param(str(2**128 - 1), id="2**128-1-string"),
    ],
)
def test_huge_counter_survives_exactly(media_errors: int | str) -> None:
    data = {**netdata_json(), "media_errors": media_errors}
    expected = replace(NETDATA_HEALTH, media_errors=int(media_errors))
    assert parse_nvme_smart_log_json(json.dumps(data)) == expected


@pytest.mark.parametrize(
    ("temperature", "celsius"),
    [
        pytest.param(310, 37, id="kelvin-number"),
        pytest.param("310", 37, id="kelvin-bare-string"),
        pytest.param("310 K", 37, id="kelvin-string"),
        pytest.param("37 C", 37, id="celsius-C"),
        pytest.param("37 Celsius", 37, id="celsius-word"),
        pytest.param(273, 0, id="zero-celsius"),
    ],
)
def test_temperature_forms(temperature: int | str, celsius: int) -> None:
    data = {"temperature": temperature}
    expected = SmartHealth(NVME_CLI, supported=True, temperature_c=celsius)
    assert parse_nvme_smart_log_json(json.dumps(data)) == expected


def test_temperature_in_unknown_unit_raises() -> None:
    with pytest.raises(UnknownUnitError, match="unknown temperature unit 'F'"):
        parse_nvme_smart_log_json('{"temperature": "98 F"}')


def test_absent_keys_stay_none() -> None:
    dropped = ("media_errors", "temperature")
    data = {key: v for key, v in netdata_json().items() if key not in dropped}
    expected = replace(NETDATA_HEALTH, media_errors=None, temperature_c=None)
    assert parse_nvme_smart_log_json(json.dumps(data)) == expected


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param({}, NO_DATA, id="empty-object"),
        pytest.param({"result": "done"}, NO_DATA, id="unrelated-keys"),
        pytest.param({"error": "Invalid argument"}, "nvme-cli: Invalid argument",
                     id="json-error"),
    ],
)
def test_no_log_fields_is_unsupported(data: dict[str, str], reason: str) -> None:
    expected = SmartHealth(NVME_CLI, supported=False, reason=reason)
    assert parse_nvme_smart_log_json(json.dumps(data)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "empty output", id="empty"),
        pytest.param("Smart Log for NVME device:nvme0 namespace-id:ffffffff", "not JSON",
                     id="normal-output"),
        pytest.param("[]", "got an array", id="json-list"),
        pytest.param("310", "got a number", id="json-number"),
        pytest.param('{"media_errors": "1.5"}', "media_errors: expected a whole number",
                     id="fractional-counter"),
        pytest.param('{"media_errors": true}', "media_errors: expected a whole number",
                     id="boolean-counter"),
        pytest.param('{"temperature": "hot"}', "temperature: expected a temperature",
                     id="temperature-not-a-number"),
        pytest.param('{"critical_warning": {"ro": 1}}', "critical_warning: object without",
                     id="warning-object-without-value"),
    ],
)
def test_malformed_output_raises(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_nvme_smart_log_json(text)
