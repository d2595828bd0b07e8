"""Reports taken straight apart for RMA decisions say what the whole reader says."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwaccept.errors import ReportError
from hwaccept.reports.junit_read import read_junit
from hwaccept.reports.junit_write import junit_xml
from hwaccept.reports.model import CaseResult, RunReport
from hwaccept.rma.junit_sightings import RunSightings, read_sightings
from hwaccept.rma.observations import Failure, RunRef, Sighting, sightings
from tests.reports.test_junit import BOMB, EXTERNAL, RUN, write

GPU = (("component", "gpu"), ("component_id", "1654922004712"), ("serial", "1654922004712"))

ODD = """<?xml version="1.0"?>
<testsuites>
  <testsuite name="outer" hostname="station" timestamp="2026-11-20T10:00:00">
    <properties><property name="system_serial" value="S1"/></properties>
    <testcase classname="a:" name=":b::c[gpu0]">
      <properties>
        <property name="component" value="gpu"/><property name="serial">SN-1</property>
        <property name="slot" value=""/><property name="bdf" value="0000:19:00.0"/>
        <property name="model" value="first"/><property name="model" value="second"/>
        <property value="nameless"/><property name="verdict" value="FAIL"/>
      </properties>
    </testcase>
    <testcase name="noclass"><error>boom
second line</error><failure message="wins"/></testcase>
    <testcase classname="k" name=":v"><failure message="odd"/></testcase>
    <testsuite name="inner">
      <properties><property name="system_serial" value="S2"/></properties>
      <testcase classname="x" name="y"><properties/><skipped type="pytest.xfail"/></testcase>
    </testsuite>
    <testcase classname="x" name="after"><properties>
      <property name="component_id" value="SN-1"/><property name="component" value="gpu"/>
    </properties><failure>  first line
more</failure></testcase>
  </testsuite>
</testsuites>"""


def whole_reader(path: str) -> RunSightings:
    report = read_junit(path)
    return RunSightings(sightings(report), report.notes)


@pytest.mark.parametrize("text", [
    junit_xml(RUN),
    junit_xml(RunReport("x", {"system_serial": "S9", "started": "2026-11-01"}, (
        CaseResult("hwtests/test_gpu.py::test_gpu_ecc[gpu3]", "failed", 0.1, "DBE",
                   (*GPU, ("check", "gpu_ecc"), ("failure_code", "GPU_ECC_DBE"),
                    ("action", "RMA_GPU"))),
        CaseResult("hwtests/test_gpu.py::test_gpu_pcie[gpu3]", "passed", 0.1, "",
                   (*GPU, ("slot", "3"), ("check", "gpu_pcie"))),
    ))),
    ODD,
    """<testsuites><testsuite name="dcgm" hostname="gpu-node-3">
       <testcase classname="diag.memory" name="GPU1"><failure message="DBE"/></testcase>
       </testsuite></testsuites>""",
    b'<testsuite name="p"><testcase classname="c" name="t\xff\xfe"/></testsuite>',
])
def test_the_sightings_and_notes_are_those_of_the_whole_report(tmp_path: Path,
                                                               text: str | bytes) -> None:
    path = write(tmp_path, text)
    assert read_sightings(path) == whole_reader(path)


def test_odd_reports_are_taken_apart_as_pytest_and_other_tools_write_them(
        tmp_path: Path) -> None:
    path = write(tmp_path, ODD)
    ref = RunRef(path, "", "S1", True)
    assert read_sightings(path) == RunSightings([
        Sighting(ref, "gpu", "SN-1", "SN-1", "0000:19:00.0", "second", [
            Failure("after", "", "", "first line")], 1),
        Sighting(ref, "unknown", "noclass", failures=[Failure("noclass", "", "", "wins")]),
        Sighting(ref, "unknown", ":v", failures=[Failure(":v", "", "", "odd")]),
        Sighting(ref, "unknown", "y", passed=1),
    ], (f"{path}: suite 2 gives system_serial='S2', an earlier suite 'S1'; keeping the first",
        f"{path}: a::::b::c[gpu0] passed but its verdict says FAIL"))


@pytest.mark.parametrize("content", [
    BOMB, EXTERNAL, "<testsuite><testcase", "", "<html><body/></html>",
    '<!DOCTYPE x [<!ENTITY a "aaaa">]><testsuite name="&a;"/>',
])
def test_what_the_whole_reader_refuses_is_refused_in_the_same_words(tmp_path: Path,
                                                                    content: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ReportError) as whole:
        read_junit(path)
    with pytest.raises(ReportError) as lean:
        read_sightings(path)
    assert lean.value.msg == whole.value.msg


def test_a_report_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.truncate(2 * 2**30)
    with pytest.raises(ReportError, match="over the 256 MiB limit"):
        read_sightings(str(path))
