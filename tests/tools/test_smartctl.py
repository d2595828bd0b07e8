"""smartctl JSON parsing, checked against real smartctl outputs in the shared corpus."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from hwaccept.inventory.records import SmartHealth, SmartSource
from hwaccept.record import replace
from hwaccept.sources.commands import LiveRunner
from hwaccept.tools.smartctl import (
    NO_CAPABILITY,
    NO_DATA,
    parse_smartctl_json,
    smartctl_exit_bits,
)

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "smart"
SMARTCTL = SmartSource.SMARTCTL
VDA = "/dev/vda"

VDA_OUTPUT = (
    '{"json_format_version":[1,0],"smartctl":{"version":[7,3],"svn_revision":"5338",'
    '"platform_info":"x86_64-linux-6.18.44-fc-v669","build_info":"(local build)",'
    '"argv":["smartctl","-j","-x","/dev/vda"],"messages":[{"string":'
    '"/dev/vda: Unable to detect device type","severity":"error"}],"exit_status":1},'
    '"local_time":{"time_t":1795311736,"asctime":"Sun Nov 22 01:42:16 2026 UTC"}}'
)
"""`smartctl -j -x /dev/vda` (smartctl 7.3) on a virtio disk, exit status 1."""

SAMSUNG_970 = "scrutiny_smartctl-x-json_nvme_Samsung970EVO_media-errors-7.json"
SAMSUNG_970_HEALTH = SmartHealth(
    SMARTCTL, supported=True, passed=True, critical_warning=0, media_errors=7,
    percentage_used=3, available_spare=99, available_spare_threshold=10, temperature_c=35,
    power_on_hours=12798, unsafe_shutdowns=10, error_log_entries=62,
)

CORPUS_CASES = [
    pytest.param(SAMSUNG_970, SAMSUNG_970_HEALTH, id="nvme-samsung-970evo-media-errors-7"),
    pytest.param(
        "scrutiny_smartctl-json_nvme_Intel660p_healthy.json",
        SmartHealth(
            SMARTCTL, supported=True, passed=True, critical_warning=0, media_errors=0,
            percentage_used=0, available_spare=100, available_spare_threshold=10,
            temperature_c=36, power_on_hours=2401, unsafe_shutdowns=43, error_log_entries=0,
        ),
        id="nvme-intel-660p-healthy",
    ),
    pytest.param(
        "scrutiny_smartctl-json_nvme_ForceMP510_err-log-8382.json",
        SmartHealth(
            SMARTCTL, supported=True, passed=True, critical_warning=0, media_errors=0,
            percentage_used=1, available_spare=100, available_spare_threshold=5,
            temperature_c=38, power_on_hours=6487, unsafe_shutdowns=4, error_log_entries=8382,
        ),
        id="nvme-force-mp510-error-log-8382",
    ),
    pytest.param(
        "telegraf_smartctl-a-json_nvme_Sabrent-Rocket4.json",
        SmartHealth(
            SMARTCTL, supported=True, passed=True, critical_warning=0, media_errors=0,
            percentage_used=4, available_spare=100, available_spare_threshold=5,
            temperature_c=48, power_on_hours=8733, unsafe_shutdowns=39, error_log_entries=4871,
        ),
        id="nvme-sabrent-rocket4",
    ),
    pytest.param(
        "scrutiny_smartctl-json_ata_Hitachi_FAILED_realloc-1975.json",
        SmartHealth(
            SMARTCTL, supported=True, passed=False, temperature_c=25, power_on_hours=65592,
            reallocated_sectors=1975, pending_sectors=8,
        ),
        id="ata-hitachi-failed-realloc-1975-pending-8",
    ),
    pytest.param(
        "scrutiny_smartctl-x-json_ata_Samsung860EVO_full.json",
        SmartHealth(
            SMARTCTL, supported=True, passed=True, temperature_c=36, power_on_hours=14551,
            reallocated_sectors=0,
        ),
        id="ata-samsung-860evo-no-attribute-197",
    ),
    pytest.param(
        "scrutiny_smartctl-json_megaraid0_WD4000FYYX_healthy.json",
        SmartHealth(
            SMARTCTL, supported=True, passed=True, temperature_c=36, power_on_hours=37787,
            reallocated_sectors=0, pending_sectors=0,
        ),
        id="megaraid-0-wd4000fyyx",
    ),
    pytest.param(
        "telegraf_smartctl-json_megaraid.json",
        SmartHealth(
            SMARTCTL, supported=True, passed=True, temperature_c=25, power_on_hours=44316,
            reallocated_sectors=0, pending_sectors=0,
        ),
        id="megaraid-14-seagate-st6000nm0115",
    ),
    pytest.param(
        "scrutiny_smartctl-json_sas_Seagate-ST1200MM0088.json",
        SmartHealth(
            SMARTCTL, supported=True, passed=True, temperature_c=31, power_on_hours=5675,
            grown_defects=0,
        ),
        id="sas-seagate-st1200mm0088",
    ),
    pytest.param(
        "telegraf_smartctl-json_scsi_extended.json",
        SmartHealth(
            SMARTCTL, supported=True, passed=True, temperature_c=24, power_on_hours=34222,
            grown_defects=0,
        ),
        id="sas-seagate-extended",
    ),
    pytest.param(
        "scrutiny_smartctl-info-json_nvme_Kioxia-CD6-KCD61LUL3T84.json",
        SmartHealth(SMARTCTL, supported=False, reason=NO_DATA),
        id="nvme-kioxia-cd6-info-only",
    ),
    pytest.param(
        "scrutiny_smartctl-scan-json_nvme.json",
        SmartHealth(SMARTCTL, supported=False, reason=NO_DATA),
        id="scan-nvme",
    ),
    pytest.param(
        "telegraf_smartctl-scan-json_megaraid.json",
        SmartHealth(SMARTCTL, supported=False, reason=NO_DATA),
        id="scan-megaraid",
    ),
]


def corpus_text(name: str) -> str:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file missing: {path}")
    return path.read_text()


def corpus_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(corpus_text(name))
    return data


@pytest.mark.parametrize(("name", "expected"), CORPUS_CASES)
def test_corpus_output_parses_to_whole_record(name: str, expected: SmartHealth) -> None:
    assert parse_smartctl_json(corpus_text(name)) == expected


def test_every_smartctl_json_in_corpus_has_a_case() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus missing: {CORPUS}")
    on_disk = {path.name for path in CORPUS.glob("*smartctl*.json")}
    assert on_disk == {case.values[0] for case in CORPUS_CASES}


def test_virtio_disk_is_unsupported_with_smartctl_message() -> None:
    assert parse_smartctl_json(VDA_OUTPUT) == SmartHealth(
        SMARTCTL, supported=False, reason="/dev/vda: Unable to detect device type"
    )


def test_live_smartctl_on_virtio_disk() -> None:
    if shutil.which("smartctl") is None:
        pytest.skip("smartctl not installed (not on PATH)")
    if not Path(VDA).exists():
        pytest.skip(f"{VDA} does not exist on this machine")
    if not os.access(VDA, os.R_OK):
        pytest.skip(f"no read access to {VDA}")
    result = LiveRunner().run(["smartctl", "-j", "-x", VDA])
    assert parse_smartctl_json(result.stdout) == SmartHealth(
        SMARTCTL, supported=False, reason="/dev/vda: Unable to detect device type"
    )


@pytest.mark.parametrize(
    "count",
    [pytest.param(4_294_967_296, id="2**32"), pytest.param(2**128 - 1, id="2**128-1")],
)
def test_huge_nvme_counter_survives_exactly(count: int) -> None:
    data = corpus_json(SAMSUNG_970)
    data["nvme_smart_health_information_log"]["media_errors"] = count
    expected = replace(SAMSUNG_970_HEALTH, media_errors=count)
    assert parse_smartctl_json(json.dumps(data)) == expected


def test_absent_keys_stay_none() -> None:
    data = corpus_json(SAMSUNG_970)
    del data["temperature"], data["nvme_smart_health_information_log"]["media_errors"]
    del data["nvme_smart_health_information_log"]["temperature"]
    expected = replace(SAMSUNG_970_HEALTH, media_errors=None, temperature_c=None)
    assert parse_smartctl_json(json.dumps(data)) == expected


def test_device_without_smart_capability_is_unsupported() -> None:
    data = {
        "smartctl": {"exit_status": 0},
        "device": {"name": "/dev/sda", "type": "scsi", "protocol": "SCSI"},
        "smart_support": {"available": False},
        "temperature": {"current": 0, "drive_trip": 0},
    }
    assert parse_smartctl_json(json.dumps(data)) == SmartHealth(
        SMARTCTL, supported=False, reason=NO_CAPABILITY
    )


def test_warnings_alone_do_not_give_a_reason() -> None:
    data = json.loads(VDA_OUTPUT)
    data["smartctl"]["messages"] = [{"string": "Warning: something", "severity": "warning"}]
    assert parse_smartctl_json(json.dumps(data)) == SmartHealth(
        SMARTCTL, supported=False, reason=NO_DATA
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "empty output", id="empty"),
        pytest.param("  \n", "empty output", id="blank"),
        pytest.param("Smartctl open device: /dev/sdz failed", "not JSON", id="text-output"),
        pytest.param('{"smartctl": ', "not JSON", id="truncated"),
        pytest.param("[]", "got an array", id="json-list"),
        pytest.param('"text"', "got a string", id="json-string"),
        pytest.param("null", "got null", id="json-null"),
    ],
)
def test_malformed_output_raises(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_smartctl_json(text)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        pytest.param(
            ("nvme_smart_health_information_log", "media_errors"), "7",
            r"nvme_smart_health_information_log\.media_errors: expected an integer, got '7'",
            id="string-counter",
        ),
        pytest.param(
            ("nvme_smart_health_information_log", "media_errors"), 7.5,
            "expected an integer, got 7.5", id="float-counter",
        ),
        pytest.param(
            ("smart_status", "passed"), "yes",
            r"smart_status\.passed: expected true or false, got 'yes'", id="string-passed",
        ),
    ],
)
def test_wrong_value_type_raises_naming_the_key(
    path: tuple[str, str], value: object, message: str
) -> None:
    data = corpus_json(SAMSUNG_970)
    data[path[0]][path[1]] = value
    with pytest.raises(ValueError, match=message):
        parse_smartctl_json(json.dumps(data))


def test_ata_raw_value_of_wrong_type_raises() -> None:
    data = corpus_json("scrutiny_smartctl-json_ata_Hitachi_FAILED_realloc-1975.json")
    row = next(r for r in data["ata_smart_attributes"]["table"] if r["id"] == 5)
    row["raw"]["value"] = "1975"
    message = r"ata_smart_attributes id 5 raw\.value: expected an integer, got '1975'"
    with pytest.raises(ValueError, match=message):
        parse_smartctl_json(json.dumps(data))


@pytest.mark.parametrize(
    ("status", "bits"),
    [
        pytest.param(0, (), id="0-all-well"),
        pytest.param(1, ("command_line_error",), id="1-virtio-disk"),
        pytest.param(2, ("device_open_failed",), id="2-open-failed"),
        pytest.param(4, ("smart_command_failed",), id="4-megaraid"),
        pytest.param(
            216,
            ("smart_status_failing", "prefail_attribute_failing", "error_log_has_errors",
             "self_test_log_has_errors"),
            id="216-hitachi-failing",
        ),
        pytest.param(
            255,
            ("command_line_error", "device_open_failed", "smart_command_failed",
             "smart_status_failing", "prefail_attribute_failing", "attribute_failed_in_past",
             "error_log_has_errors", "self_test_log_has_errors"),
            id="255-every-bit",
        ),
    ],
)
def test_exit_bits(status: int, bits: tuple[str, ...]) -> None:
    assert smartctl_exit_bits(status) == bits


def test_corpus_exit_status_matches_its_health() -> None:
    data = corpus_json("scrutiny_smartctl-json_ata_Hitachi_FAILED_realloc-1975.json")
    assert "smart_status_failing" in smartctl_exit_bits(data["smartctl"]["exit_status"])


@pytest.mark.parametrize("status", [pytest.param(-9, id="signal"), pytest.param(256, id="256")])
def test_exit_status_outside_a_byte_raises(status: int) -> None:
    with pytest.raises(ValueError, match=r"must be 0\.\.255"):
        smartctl_exit_bits(status)
