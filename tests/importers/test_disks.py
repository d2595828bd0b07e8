"""Disk health importers: smartctl JSON and text, nvme-cli's smart-log, and disk naming."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import nvme_smart_log, smartctl_json, smartctl_text
from hwaccept.importers.disk_tree import disk_names, rename_disk
from hwaccept.importers.parts import Parts
from hwaccept.importers.smartctl_ata_text import attribute_table
from hwaccept.inventory.command_lines import nvme_smart_log_argv, smartctl_argv
from hwaccept.inventory.records import Disk, SmartHealth, SmartSource
from hwaccept.record import replace
from tests.corpus import CORPUS
from tests.importers.replay import inventory_of

SMART = CORPUS / "smart"
LINUXHW = "linuxhw_smartctl-x_nvme_"
PM1725A = SMART / f"{LINUXHW}Samsung-PM1725a-MZPLL1T6HEHP_FAILED_cw0x09_spare4pct.txt"
DELL_PM1725 = SMART / f"{LINUXHW}Dell-PM1725-AIC_FAILED_cw0x04_media-errors-2137.txt"
OPTANE = SMART / f"{LINUXHW}Intel-Optane-SSDPED1D280GA_FAILED_cw0x08_used122pct.txt"
P4500 = SMART / f"{LINUXHW}Intel-P4500-SSDPEDKX040T7_PASSED_media-errors-50284.txt"
P4510 = SMART / f"{LINUXHW}Intel-P4510-SSDPE2KX040T8_media-errors-4294967296.txt"
PM9A3 = SMART / f"{LINUXHW}Samsung-PM9A3-MZQL23T8HCLS_healthy.txt"
MICRON = SMART / f"{LINUXHW}Micron-7400-MTFDKCB7T6TDZ_healthy.txt"
KIOXIA = SMART / f"{LINUXHW}Kioxia-CD6-KCD61LUL3T84_healthy.txt"
P5510 = SMART / f"{LINUXHW}Intel-D7-P5510-SSDPF2KX076T1_healthy.txt"
HITACHI = SMART / "scrutiny_smartctl-json_ata_Hitachi_FAILED_realloc-1975.json"
EVO860 = SMART / "scrutiny_smartctl-x-json_ata_Samsung860EVO_full.json"
EVO970 = SMART / "scrutiny_smartctl-x-json_nvme_Samsung970EVO_media-errors-7.json"
INTEL660P = SMART / "scrutiny_smartctl-json_nvme_Intel660p_healthy.json"
SAS = SMART / "scrutiny_smartctl-json_sas_Seagate-ST1200MM0088.json"
INFO = SMART / "scrutiny_smartctl-info-json_nvme_Kioxia-CD6-KCD61LUL3T84.json"
NVME_CLI = SMART / "netdata_nvme-cli_smart-log-json.json"
BANNER = ("smartctl 7.1 2019-12-30 r5022 [x86_64-linux-5.7.2-arch1-1] (local build)\n"
          "Copyright (C) 2002-19, Bruce Allen, Christian Franke, www.smartmontools.org\n\n")


def nvme_health(**values: Any) -> SmartHealth:
    return SmartHealth(SmartSource.SMARTCTL, supported=True, **values)


def only_disk(parts: Parts) -> Disk:
    (disk,) = inventory_of(parts).disks
    return disk


def text_disk(path: Path) -> Disk:
    text = path.read_text()
    assert smartctl_text.sniff(text)
    return only_disk(smartctl_text.parse(text, str(path)))


def json_disk(path: Path) -> Disk:
    text = path.read_text()
    assert smartctl_json.sniff(text)
    return only_disk(smartctl_json.parse(text, str(path)))


def test_failed_pm1725a_whole_record() -> None:
    assert text_disk(PM1725A) == Disk(
        name="nvme0n1", transport="nvme", model="SAMSUNG MZPLL1T6HEHP-00003",
        firmware="GPNA5B3Q", size_bytes=1600321314816, rotational=False,
        smart=nvme_health(passed=False, critical_warning=0x09, media_errors=4,
                          percentage_used=0, available_spare=4, available_spare_threshold=10,
                          temperature_c=52, power_on_hours=27454, unsafe_shutdowns=7,
                          error_log_entries=4))


@pytest.mark.parametrize(("path", "passed", "warnings", "media_errors"), [
    (PM1725A, False, ("spare_below_threshold", "read_only"), 4),
    (DELL_PM1725, False, ("reliability_degraded",), 2137),
    (OPTANE, False, ("read_only",), 4),
    (P4500, True, (), 50284),
    (P4510, True, (), 4294967296),
])
def test_failing_nvme_drives_keep_their_warning_bits_and_media_errors(
        path: Path, passed: bool, warnings: tuple[str, ...], media_errors: int) -> None:
    smart = text_disk(path).smart
    assert smart is not None
    assert (smart.passed, smart.critical_warnings, smart.media_errors) == (
        passed, warnings, media_errors)


def test_optane_wear_beyond_100_percent() -> None:
    smart = text_disk(OPTANE).smart
    assert smart is not None
    assert (smart.percentage_used, smart.available_spare_threshold) == (122, 0)


@pytest.mark.parametrize(("path", "model", "firmware", "size", "health"), [
    (PM9A3, "SAMSUNG MZQL23T8HCLS-00A07", "GDC5A02Q", 3840755982336,
     {"temperature_c": 21, "power_on_hours": 5605, "unsafe_shutdowns": 80,
      "available_spare": 100, "available_spare_threshold": 10, "error_log_entries": 0}),
    (MICRON, "Micron_7400_MTFDKCB7T6TDZ", "E1MU23S1", 7681501126656,
     {"temperature_c": 39, "power_on_hours": 7723, "unsafe_shutdowns": 57,
      "available_spare": 100, "available_spare_threshold": 10, "error_log_entries": 62}),
    (KIOXIA, "KCD61LUL3T84", "0105", 3840755982336,
     {"temperature_c": 36, "power_on_hours": 120, "unsafe_shutdowns": 23,
      "available_spare": 100, "available_spare_threshold": 44, "error_log_entries": 10}),
    (P5510, "INTEL SSDPF2KX076T1", "9CV10200", 3813930958848,
     {"temperature_c": 25, "power_on_hours": 11525, "unsafe_shutdowns": 170,
      "available_spare": 100, "available_spare_threshold": 10, "error_log_entries": 0}),
])
def test_healthy_nvme_drives_pass_with_their_identity(
        path: Path, model: str, firmware: str, size: int, health: dict[str, int]) -> None:
    assert text_disk(path) == Disk(
        name="nvme0n1", transport="nvme", model=model, firmware=firmware, size_bytes=size,
        rotational=False, smart=nvme_health(passed=True, critical_warning=0, media_errors=0,
                                            percentage_used=0, **health))


def test_masked_serial_is_not_recorded() -> None:
    parts = smartctl_text.parse(PM9A3.read_text(), str(PM9A3))
    assert not any(path.endswith("/serial") for path in parts.files)
    assert "serial_number" not in json.loads(parts.commands[tuple(smartctl_argv("nvme0n1"))])


def test_text_becomes_the_json_smartctl_prints() -> None:
    parts = smartctl_text.parse(P4510.read_text(), str(P4510))
    data = json.loads(parts.commands[tuple(smartctl_argv("nvme0n1"))])
    assert data["json_format_version"] == [1, 0]
    assert data["smartctl"] == {"version": [7, 1]}
    assert data["nvme_namespaces"] == [{
        "id": 1, "size": {"blocks": 7814037168, "bytes": 4000787030016},
        "capacity": {"blocks": 7814037168, "bytes": 4000787030016},
        "formatted_lba_size": 512}]
    assert data["smart_status"] == {"passed": True, "nvme": {"value": 0}}
    log = data["nvme_smart_health_information_log"]
    assert (log["media_errors"], log["host_writes"], log["data_units_read"]) == (
        4294967296, 28412333931, 633156632)
    assert (data["temperature"], data["power_on_time"], data["power_cycle_count"]) == (
        {"current": 32}, {"hours": 24607}, 25)


def test_counters_beyond_64_bits_survive_exactly() -> None:
    huge = 2**128 - 1
    text = P4510.read_text().replace("4,294,967,296", f"{huge:,}").replace(
        "Power On Hours:                     24,607",
        f"Power On Hours:                     {2**60:,}")
    parts = smartctl_text.parse(text, "big.txt")
    log = json.loads(parts.commands[tuple(smartctl_argv("nvme0n1"))])
    assert log["nvme_smart_health_information_log"]["media_errors"] == huge
    assert log["nvme_smart_health_information_log"]["media_errors_s"] == str(huge)
    assert log["nvme_smart_health_information_log"]["media_errors_le"] == [255] * 16
    assert log["nvme_smart_health_information_log"]["power_on_hours_s"] == str(2**60)
    assert "power_on_time" not in log
    smart = only_disk(parts).smart
    assert smart is not None
    assert smart.media_errors == huge
    assert smart.power_on_hours == 2**60


def test_nvme_json_names_the_controller_and_its_namespace() -> None:
    parts = smartctl_json.parse(EVO970.read_text(), str(EVO970))
    assert parts.commands == {tuple(smartctl_argv("nvme0n1")): EVO970.read_text()}
    assert parts.guessed_disks == []
    assert only_disk(parts) == Disk(
        name="nvme0n1", transport="nvme", model="Samsung SSD 970 EVO 500GB",
        serial="S466NX0M776250H", firmware="2B2QEXE7", size_bytes=500107862016,
        rotational=False,
        smart=nvme_health(passed=True, critical_warning=0, media_errors=7, percentage_used=3,
                          available_spare=99, available_spare_threshold=10, temperature_c=35,
                          power_on_hours=12798, unsafe_shutdowns=10, error_log_entries=62))


def test_hitachi_ata_failed_with_reallocated_sectors() -> None:
    parts = smartctl_json.parse(HITACHI.read_text(), str(HITACHI))
    assert parts.files["/run/udev/data/+block:sdc"] == b"E:ID_BUS=usb\n"
    assert only_disk(parts) == Disk(
        name="sdc", transport="usb",
        smart=nvme_health(passed=False, temperature_c=25, power_on_hours=65592,
                          reallocated_sectors=1975, pending_sectors=8))


def test_sata_drive_shows_what_libata_reports() -> None:
    parts = smartctl_json.parse(EVO860.read_text(), str(EVO860))
    assert parts.files["/sys/devices/unknown-parent/sda/model"] == b"Samsung SSD 860 \n"
    assert parts.files["/sys/devices/unknown-parent/sda/vendor"] == b"ATA     \n"
    assert parts.files["/run/udev/data/+block:sda"] == (
        b"E:ID_BUS=ata\nE:ID_MODEL=Samsung_SSD_860_EVO_500GB\nE:ID_REVISION=RVT02B6Q\n"
        b"E:ID_SERIAL_SHORT=S3YZNB0KB00864E\n")
    assert only_disk(parts) == Disk(
        name="sda", transport="sata", model="Samsung SSD 860", serial="S3YZNB0KB00864E",
        firmware="2B6Q", size_bytes=500107862016, rotational=False,
        smart=nvme_health(passed=True, temperature_c=36, power_on_hours=14551,
                          reallocated_sectors=0))


def test_sas_drive() -> None:
    parts = smartctl_json.parse(SAS.read_text(), str(SAS))
    assert any("SCSI serial number not recorded" in note for note in parts.notes)
    assert only_disk(parts) == Disk(
        name="sdb", transport="scsi", model="ST1200MM0088", firmware="N004",
        size_bytes=1200243695616, rotational=True,
        smart=nvme_health(passed=True, temperature_c=31, power_on_hours=5675,
                          grown_defects=0))


def test_identify_only_output_names_the_drive_without_health() -> None:
    parts = smartctl_json.parse(INFO.read_text(), str(INFO))
    assert only_disk(parts) == Disk(
        name="nvme4n1", transport="nvme", model="KCD61LUL3T84", serial="61Q0A05UT7B8",
        firmware="8002", rotational=False,
        smart=SmartHealth(SmartSource.SMARTCTL, supported=False,
                          reason="smartctl reported no SMART data"))


@pytest.mark.parametrize(("name", "message"), [
    ("scrutiny_smartctl-scan-json_nvme.json", "smartctl --scan output lists 1 device"),
    ("telegraf_smartctl-scan-json_megaraid.json", "smartctl --scan output lists 10 device"),
    ("scrutiny_smartctl-json_megaraid0_WD4000FYYX_healthy.json",
     r"/dev/sda is a drive behind a RAID controller \(-d sat\+megaraid,0\)"),
    ("telegraf_smartctl-json_megaraid.json", "/dev/bus/6 is a drive behind a RAID controller"),
])
def test_scan_and_raid_outputs_are_refused(name: str, message: str) -> None:
    with pytest.raises(ImportInputError, match=message):
        smartctl_json.parse((SMART / name).read_text(), name)


def test_other_json_is_not_smartctl_json() -> None:
    with pytest.raises(ImportInputError, match=r"^log\.json: not smartctl JSON \(no "):
        smartctl_json.parse(NVME_CLI.read_text(), "log.json")
    with pytest.raises(ImportInputError, match=r"^x\.json: not valid JSON"):
        smartctl_json.parse('{"json_format_version": [1, 0], ', "x.json")


def test_a_health_value_of_the_wrong_type_is_refused() -> None:
    data = json.loads(EVO970.read_text())
    data["nvme_smart_health_information_log"]["media_errors"] = "7"
    with pytest.raises(ImportInputError, match="media_errors: expected an integer"):
        smartctl_json.parse(json.dumps(data), "bad.json")


def test_nvme_cli_log_gives_health_with_kelvin_converted() -> None:
    text = NVME_CLI.read_text()
    assert nvme_smart_log.sniff(text)
    parts = nvme_smart_log.parse(text, str(NVME_CLI))
    assert parts.commands == {tuple(nvme_smart_log_argv("nvme0")): text}
    assert parts.guessed_disks == ["nvme0n1"]
    assert only_disk(parts) == Disk(
        name="nvme0n1", transport="nvme", rotational=False,
        smart=SmartHealth(SmartSource.NVME_CLI, supported=True, critical_warning=0,
                          temperature_c=310 - 273, available_spare=100,
                          available_spare_threshold=5, percentage_used=2,
                          power_on_hours=4974, unsafe_shutdowns=39, media_errors=0,
                          error_log_entries=110))


def test_nvme_cli_log_named_by_its_file() -> None:
    parts = nvme_smart_log.parse(NVME_CLI.read_text(), "/tmp/gpu7_nvme3.json")
    assert list(parts.commands) == [tuple(nvme_smart_log_argv("nvme3"))]
    assert (disk_names(parts), parts.guessed_disks) == (["nvme3n1"], [])


def test_nvme_cli_refuses_other_json() -> None:
    with pytest.raises(ImportInputError, match="not nvme-cli's JSON SMART log"):
        nvme_smart_log.parse('{"critical_warning": 0}', "x.json")


@pytest.mark.parametrize(("source", "name", "guessed"), [
    ("/tmp/host_nvme3.txt", "nvme3n1", []),
    ("node7-nvme2n1.smart", "nvme2n1", []),
    ("host_sdb.txt", "nvme0n1", ["nvme0n1"]),
    (str(PM9A3), "nvme0n1", ["nvme0n1"]),
])
def test_text_disk_named_by_file_name_or_guessed(source: str, name: str,
                                                 guessed: list[str]) -> None:
    parts = smartctl_text.parse(PM9A3.read_text(), source)
    assert (disk_names(parts), parts.guessed_disks) == ([name], guessed)
    assert list(parts.commands) == [tuple(smartctl_argv(name))]


def test_json_device_name_wins_over_the_file_name() -> None:
    parts = smartctl_json.parse(EVO860.read_text(), "/tmp/host_nvme3.json")
    assert (disk_names(parts), parts.guessed_disks) == (["sda"], [])


def test_json_device_that_is_no_disk_name_falls_back() -> None:
    parts = smartctl_json.parse(INTEL660P.read_text(), "node_nvme5.json")
    assert (disk_names(parts), parts.guessed_disks) == (["nvme5n1"], [])
    assert "device /dev/testfoobarpass is not a disk name" in parts.notes[0]


def test_several_outputs_in_one_file_are_several_disks() -> None:
    text = PM1725A.read_text() + "\n" + P4510.read_text()
    parts = smartctl_text.parse(text, "all_nvme0.txt")
    assert parts.guessed_disks == ["nvme0n1", "nvme1n1"]
    disks = inventory_of(parts).disks
    assert [(d.name, d.model) for d in disks] == [
        ("nvme0n1", "SAMSUNG MZPLL1T6HEHP-00003"), ("nvme1n1", "INTEL SSDPE2KX040T8")]
    two = smartctl_json.parse(EVO970.read_text() + EVO860.read_text(), "two.json")
    assert disk_names(two) == ["nvme0n1", "sda"]


def test_rename_nvme_takes_the_controller_along() -> None:
    parts = nvme_smart_log.parse(NVME_CLI.read_text(), "log.json")
    renamed = rename_disk(parts, "nvme0n1", "nvme2n1")
    assert (disk_names(renamed), renamed.guessed_disks) == (["nvme2n1"], ["nvme2n1"])
    assert list(renamed.commands) == [tuple(nvme_smart_log_argv("nvme2"))]
    assert renamed.notes == ["the input does not name its device; recorded as nvme2n1"]
    assert "/sys/class/nvme/nvme2" in renamed.links
    before, after = only_disk(parts), only_disk(renamed)
    assert after.name == "nvme2n1"
    assert after.smart == before.smart
    assert disk_names(parts) == ["nvme0n1"]


def test_rename_scsi_disk_keeps_its_udev_record() -> None:
    parts = smartctl_json.parse(EVO860.read_text(), "x.json")
    renamed = rename_disk(parts, "sda", "sdc")
    assert "/run/udev/data/+block:sdc" in renamed.files
    assert renamed.files["/sys/devices/unknown-parent/sdc/block/sdc/uevent"] == (
        b"DEVNAME=sdc\nDEVTYPE=disk\n")
    assert only_disk(renamed) == replace(only_disk(parts), name="sdc")


@pytest.mark.parametrize(("old", "new", "message"), [
    ("nvme1n1", "nvme2n1", "no disk 'nvme1n1'"),
    ("nvme0n1", "sdb", "cannot rename"),
    ("nvme0n1", "nvme0", "cannot rename"),
    ("nvme0n1", "nvme0n1", "already recorded"),
])
def test_rename_refuses(old: str, new: str, message: str) -> None:
    parts = nvme_smart_log.parse(NVME_CLI.read_text(), "log.json")
    with pytest.raises(ValueError, match=message):
        rename_disk(parts, old, new)


def ata_row(row: dict[str, Any], *, brief: bool) -> str:
    """One attribute line as smartctl's PrintSmartAttribWithThres prints it."""
    def norm(key: str) -> str:
        return f"{row[key]:03d}" if key in row else "---"
    start = f"{row['id']:3d} {row['name']:<24}"
    numbers = f"{norm('value'):<4}  {norm('worst'):<4}  {norm('thresh'):<4}"
    when = row.get("when_failed", "")
    if brief:
        fail = {"now": "NOW", "past": "Past"}.get(when, "-")
        return f"{start}{row['flags']['string']}  {numbers}   {fail:<5}{row['raw']['string']}"
    flags = row["flags"]
    kind = "Pre-fail" if flags["prefailure"] else "Old_age"
    updated = "Always" if flags["updated_online"] else "Offline"
    fail = {"now": "FAILING_NOW", "past": "In_the_past"}.get(when, "    -")
    return (f"{start}0x{flags['value']:04x}   {numbers}   {kind:<10}{updated:<9}{fail:<12}"
            f"{row['raw']['string']}")


def ata_text(data: dict[str, Any], *, brief: bool) -> str:
    """The ATA text smartctl prints for what a JSON output holds (ataprint.cpp formats)."""
    sizes = (f"Sector Size:      {data['logical_block_size']} bytes logical/physical"
             if data["logical_block_size"] == data["physical_block_size"] else
             f"Sector Sizes:     {data['logical_block_size']} bytes logical, "
             f"{data['physical_block_size']} bytes physical")
    header = ("ID# ATTRIBUTE_NAME          FLAGS    VALUE WORST THRESH FAIL RAW_VALUE" if brief
              else "ID# ATTRIBUTE_NAME          FLAG     VALUE WORST THRESH TYPE      UPDATED"
              "  WHEN_FAILED RAW_VALUE")
    lines = [
        "=== START OF INFORMATION SECTION ===",
        f"Device Model:     {data['model_name']}",
        f"Serial Number:    {data['serial_number']}",
        f"Firmware Version: {data['firmware_version']}",
        f"User Capacity:    {data['user_capacity']['bytes']:,} bytes [500 GB]", sizes,
        f"Rotation Rate:    {data['rotation_rate']} rpm" if data["rotation_rate"]
        else "Rotation Rate:    Solid State Device",
        "SMART support is: Available - device has SMART capability.",
        "SMART support is: Enabled", "",
        "=== START OF READ SMART DATA SECTION ===",
        "SMART overall-health self-assessment test result: "
        + ("PASSED" if data["smart_status"]["passed"] else "FAILED!"), "",
        f"SMART Attributes Data Structure revision number: "
        f"{data['ata_smart_attributes']['revision']}",
        "Vendor Specific SMART Attributes with Thresholds:", header,
        *(ata_row(row, brief=brief) for row in data["ata_smart_attributes"]["table"]), "",
    ]
    return BANNER + "\n".join(lines) + "\n"


@pytest.mark.parametrize("brief", [True, False])
@pytest.mark.parametrize("path", [EVO860, HITACHI])
def test_ata_text_gives_the_json_smartctl_prints(path: Path, *, brief: bool) -> None:
    data = json.loads(path.read_text())
    text = ata_text(data, brief=brief)
    assert smartctl_text.sniff(text)
    parts = smartctl_text.parse(text, "host_sda.txt")
    converted = json.loads(parts.commands[tuple(smartctl_argv("sda"))])
    expected = data["ata_smart_attributes"]["table"]
    for row in expected:
        if row["id"] not in (5, 197):
            del row["raw"]["value"]
    assert converted["ata_smart_attributes"] == {"revision": data["ata_smart_attributes"]
                                                 ["revision"], "table": expected}
    for key in ("model_name", "serial_number", "firmware_version", "user_capacity",
                "logical_block_size", "physical_block_size", "rotation_rate", "smart_status",
                "power_on_time"):
        assert converted[key] == data[key], key
    assert converted["temperature"] == {"current": data["temperature"]["current"]}
    assert converted["smart_support"] == {"available": True, "enabled": True}


def test_ata_text_disk_equals_the_json_disk() -> None:
    text = ata_text(json.loads(EVO860.read_text()), brief=True)
    assert only_disk(smartctl_text.parse(text, "host_sda.txt")) == json_disk(EVO860)


ATA_LATE_VALUES = BANNER + """=== START OF INFORMATION SECTION ===
Device Model:     WDC WD40EFRX-68N32N0
Firmware Version: 82.00A82

=== START OF READ SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED

Vendor Specific SMART Attributes with Thresholds:
ID# ATTRIBUTE_NAME          FLAGS    VALUE WORST THRESH FAIL RAW_VALUE
  5 Reallocated_Sector_Ct   PO--CK   200   200   140    -    3 (0 1)
  9 Power_On_Hours          -O--CK   045   045   000    -    40200h+07m
194 Temperature_Celsius     -O---K   119   103   000    -    31 (Min/Max 20/49)
197 Current_Pending_Sector  -O--CK+  200   200   000    Past 2
                            ||||||_ K auto-keep

SCT Status Version:                  3
Current Temperature:                    33 Celsius

Device Statistics (GP Log 0x04)
Page  Offset Size        Value Flags Description
0x01  =====  =               =  ===  == General Statistics (rev 1) ==
0x01  0x010  4           40201  ---  Power-on Hours
0x05  =====  =               =  ===  == Temperature Statistics (rev 1) ==
0x05  0x008  1              34  ---  Current Temperature
"""


def test_ata_values_printed_last_win_as_in_smartctl() -> None:
    parts = smartctl_text.parse(ATA_LATE_VALUES, "wd.txt")
    data = json.loads(parts.commands[tuple(smartctl_argv("sda"))])
    assert data["power_on_time"] == {"hours": 40201, "minutes": 7}
    assert data["temperature"] == {"current": 34}
    table = data["ata_smart_attributes"]["table"]
    assert table[0]["raw"] == {"value": 1 << 16 | 3, "string": "3 (0 1)"}
    assert table[3]["when_failed"] == "past"
    assert "flags" not in table[3]
    smart = only_disk(parts).smart
    assert smart is not None
    assert (smart.reallocated_sectors, smart.pending_sectors) == (65539, 2)
    earlier = ATA_LATE_VALUES.split("\nDevice Statistics")[0]
    assert json.loads(smartctl_text.parse(earlier, "wd.txt").commands[
        tuple(smartctl_argv("sda"))])["temperature"] == {"current": 33}


def test_failed_attribute_table_is_overwritten_by_the_full_one() -> None:
    header = "ID# ATTRIBUTE_NAME          FLAGS    VALUE WORST THRESH FAIL RAW_VALUE"
    failed = "  5 Reallocated_Sector_Ct   PO--CK   001   001   005    NOW  1975"
    rows = [failed.replace("NOW ", "-   "), "  9 Power_On_Hours          -O--CK   091   091"
            "   000    -    65592"]
    table = attribute_table(["Failed Attributes:", header, failed, "", header, *rows, ""])
    assert [row["id"] for row in table] == [5, 9]
    assert table[0]["when_failed"] == ""
    assert [row["when_failed"] for row in attribute_table([header, failed])] == ["now"]


SCSI_TEXT = BANNER + """=== START OF INFORMATION SECTION ===
Vendor:               SEAGATE
Product:              ST1200MM0088
Revision:             N004
Compliance:           SPC-4
User Capacity:        1,200,243,695,616 bytes [1.20 TB]
Logical block size:   512 bytes
Rotation Rate:        10500 rpm
Form Factor:          2.5 inches
Serial number:        Z4028VRY0000C810BZXB
Device type:          disk
Transport protocol:   SAS (SPL-3)
Local Time is:        Sun Dec 16 17:09:15 2018 CST
SMART support is:     Available - device has SMART capability.
SMART support is:     Enabled
Temperature Warning:  Enabled

=== START OF READ SMART DATA SECTION ===
SMART Health Status: OK

Current Drive Temperature:     31 C
Drive Trip Temperature:        60 C

Elements in grown defect list: 0

Accumulated power on time, hours:minutes 5675:39
"""


def test_scsi_text_disk_equals_the_json_disk() -> None:
    parts = smartctl_text.parse(SCSI_TEXT, "host_sdb.txt")
    data = json.loads(parts.commands[tuple(smartctl_argv("sdb"))])
    assert (data["vendor"], data["product"], data["model_name"], data["revision"]) == (
        "SEAGATE", "ST1200MM0088", "SEAGATE ST1200MM0088", "N004")
    assert data["power_on_time"] == {"hours": 5675, "minutes": 39}
    assert only_disk(parts) == json_disk(SAS)


def test_scsi_failure_and_newer_key_names() -> None:
    text = SCSI_TEXT.replace("smartctl 7.1", "smartctl 7.4").replace(
        "SMART Health Status: OK",
        "SMART Health Status: FIRMWARE IMPENDING FAILURE TOO MANY BLOCK REASSIGNS "
        "[asc=5d, ascq=64]")
    data = json.loads(smartctl_text.parse(text, "sdb.txt").commands[
        tuple(smartctl_argv("sdb"))])
    assert data["smart_status"] == {"passed": False, "scsi": {
        "asc": 0x5D, "ascq": 0x64,
        "ie_string": "FIRMWARE IMPENDING FAILURE TOO MANY BLOCK REASSIGNS"}}
    assert (data["scsi_vendor"], data["scsi_model_name"], data["scsi_revision"]) == (
        "SEAGATE", "SEAGATE ST1200MM0088", "N004")
    assert "model_name" not in data


def test_text_without_a_device_is_refused() -> None:
    text = BANNER + "/dev/vda: Unable to detect device type\n"
    with pytest.raises(ImportInputError, match=r"it says: /dev/vda: Unable to detect"):
        smartctl_text.parse(text, "vda.txt")


@pytest.mark.parametrize("path", sorted(SMART.glob("*.*[tn]")), ids=lambda p: p.name)
def test_sniffers_claim_only_their_own_files(path: Path) -> None:
    head = path.read_text()[:65536]
    claimed = {kind.KIND.name for kind in (smartctl_json, smartctl_text, nvme_smart_log)
               if kind.KIND.sniff(head)}
    expected = ("smartctl" if path.suffix == ".txt" else
                "nvme-smart-log" if "nvme-cli" in path.name else "smartctl-json")
    assert claimed == {expected}


def test_sniffers_leave_other_files_alone() -> None:
    others = [(CORPUS / "dmi" / "gpud_dmidecode_Dell-PowerEdge-XE9680.txt").read_text(),
              '{"devices": []}', "[]", "Smart Log for NVME device:nvme0 namespace-id:ffffffff",
              "a\nlog\nquoting\nsmartctl 7.1 2020-06-20 r5066\nCopyright (C) 2002-19\n"]
    for head in others:
        assert not any(kind.KIND.sniff(head)
                       for kind in (smartctl_json, smartctl_text, nvme_smart_log))


def test_the_shell_command_before_the_banner_names_the_device() -> None:
    text = ("root@gpu7:~# smartctl -x /dev/nvme4\n" + PM9A3.read_text()
            + "root@gpu7:~# smartctl -a -d nvme /dev/nvme5n1\n" + P4510.read_text())
    assert smartctl_text.sniff(text)
    parts = smartctl_text.parse(text, "smart_nvme0.txt")
    assert (disk_names(parts), parts.guessed_disks) == (["nvme4n1", "nvme5n1"], [])


def test_a_usb_bridge_in_the_command_line_is_recorded() -> None:
    text = "$ sudo smartctl -d usbjmicron -a /dev/sdc\n" + ata_text(
        json.loads(HITACHI.read_text()), brief=False)
    parts = smartctl_text.parse(text, "x.txt")
    assert parts.files["/run/udev/data/+block:sdc"] == b"E:ID_BUS=usb\n"
    assert only_disk(parts) == json_disk(HITACHI)


def test_a_raid_drive_in_the_command_line_is_refused() -> None:
    text = "# smartctl -x -d megaraid,3 /dev/sda\n" + PM9A3.read_text()
    with pytest.raises(ImportInputError, match=r"/dev/sda is a drive behind a RAID"):
        smartctl_text.parse(text, "raid.txt")


def test_nvme_cli_sniffer_on_a_cut_off_object() -> None:
    assert not nvme_smart_log.sniff('{"critical_warning": 0, "avail_spare": ')
