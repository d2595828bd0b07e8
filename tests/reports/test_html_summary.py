"""The technician's summary and the rebuilt page, made from run records."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from hwaccept.reports.components import as_test_id, components
from hwaccept.reports.html_page import page_html
from hwaccept.reports.html_summary import summary_html
from hwaccept.reports.html_text import clean
from hwaccept.reports.measurements import (
    Limit,
    Measurement,
    measurements,
    parse_limit,
    parse_number,
)
from hwaccept.reports.model import CaseResult, RunReport
from hwaccept.reports.parts import PartToAct, parts_to_act

IDENTITY = {"system_serial": "HSR8X04", "product": "PowerEdge XE9680", "vendor": "Dell Inc.",
            "sku": "dell-xe9680-h100", "profile_path": "profiles/dell-xe9680-h100.yaml",
            "profile_sha256": "ed5ef831c5450d3391f83b97f25aa42b2277cb597aadbcc432a25f864ddc3a00",
            "hostname": "station-7", "suite_version": "0.1.0", "started": "2026-01-20T14:00:00Z",
            "finished": "2026-01-20T14:03:10Z"}
H100 = "NVIDIA H100 80GB HBM3"
SERIALS = {0: "1654922001001", 1: "1654922001002", 3: "1654922004712"}
ALLOWED_TAGS = {"section", "style", "div", "span", "p", "h1", "h2", "h3", "ul", "li", "table",
                "thead", "tbody", "tr", "th", "td", "code", "html", "head", "body", "meta",
                "title"}


class Page(HTMLParser):
    """A parsed page: its tags, its text, the texts of chosen elements, and SVG ids."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.chunks: list[str] = []
        self.items: list[str] = []
        self._item: list[str] | None = None
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.ids += [value or "" for name, value in attrs if name == "id"]
        if tag == "li":
            self._item = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._item is not None:
            self.items.append("".join(self._item))
            self._item = None

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        if self._item is not None:
            self._item.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def html_tags(self) -> set[str]:
        """The tags outside inline SVG plots."""
        svg_tags = {"svg", "g", "defs", "path", "clippath", "use", "text", "rect", "style"}
        return set(self.tags) - svg_tags


def case(nodeid: str, outcome: str = "passed", message: str = "",
         **properties: str) -> CaseResult:
    return CaseResult(nodeid, outcome, 0.25, message, tuple(properties.items()))


def gpu(index: int, check: str, outcome: str = "passed", verdict: str = "PASS",
        **extra: str) -> CaseResult:
    serial = SERIALS[index]
    properties = {"component": "gpu", "component_id": serial, "serial": serial,
                  "slot": str(index), "model": H100, "check": check, "verdict": verdict,
                  **extra}
    return case(f"hwtests/test_gpu.py::test_{check}[gpu{index}-{serial}]", outcome,
                **properties)


def system(check: str, kind: str, **extra: str) -> CaseResult:
    properties = {"component": kind, "component_id": "HSR8X04", "serial": "HSR8X04",
                  "model": "PowerEdge XE9680", "check": check, "verdict": "PASS", **extra}
    return case(f"hwtests/test_{kind}.py::test_{check}[x-HSR8X04]", **properties)


ECC_DBE = gpu(3, "gpu_ecc", "failed", "FAIL", measured="volatile_dbe=1",
              expected="volatile_dbe<=0", failure_code="GPU_ECC_DBE", action="RMA_GPU",
              message="volatile uncorrectable (DBE) 1, at most 0 allowed")


def run_of(*cases: CaseResult, complete: bool = True, notes: tuple[str, ...] = (),
           identity: dict[str, str] | None = None) -> RunReport:
    return RunReport("test", IDENTITY if identity is None else identity, cases, complete, notes)


def verdict_words(source: str) -> list[str]:
    return re.findall(r'class="hw-word hw-\w+">(\w+)<', source)


def test_a_run_without_failures_is_accepted() -> None:
    run = run_of(gpu(0, "gpu_ecc"), gpu(1, "gpu_ecc"), system("gpu_count", "gpu"))
    source = summary_html(run)
    assert verdict_words(source) == ["ACCEPT"]
    assert parts_to_act(run) == []
    assert "None: no test failed." in Page(source).text


def test_a_failed_case_rejects_and_its_part_is_listed() -> None:
    run = run_of(gpu(0, "gpu_ecc"), ECC_DBE, gpu(3, "gpu_model"))
    parts = parts_to_act(run)
    assert parts == [PartToAct("gpu3", "slot 3", "1654922004712", H100,
                               (("GPU_ECC_DBE", "RMA_GPU"),),
                               ("volatile uncorrectable (DBE) 1, at most 0 allowed",))]
    line = "gpu3 · slot 3 · SN 1654922004712 · NVIDIA H100 80GB HBM3 — GPU_ECC_DBE → RMA_GPU"
    assert parts[0].line() == line
    page = Page(summary_html(run))
    assert verdict_words(summary_html(run)) == ["REJECT"]
    assert page.items == [line + "volatile uncorrectable (DBE) 1, at most 0 allowed"]


def test_an_errored_test_naming_no_component_rejects_by_its_node_id() -> None:
    crashed = case("hwtests/test_inventory_read.py::test_system_readable", "error",
                   "OSError: [Errno 5] Input/output error")
    run = run_of(gpu(0, "gpu_ecc"), crashed)
    assert parts_to_act(run) == [PartToAct(crashed.nodeid, "", "", "", (("ERROR", ""),),
                                           ("OSError: [Errno 5] Input/output error",))]
    assert verdict_words(summary_html(run)) == ["REJECT"]


def test_waived_and_warned_cases_accept_and_colour_their_component() -> None:
    waived = gpu(1, "gpu_ecc", "xfailed", "WAIVED", failure_code="GPU_ECC_DBE")
    warned = gpu(0, "gpu_nvlink_errors", verdict="WARN", failure_code="NVLINK_REPLAY")
    run = run_of(gpu(0, "gpu_ecc"), warned, waived)
    assert verdict_words(summary_html(run)) == ["ACCEPT"]
    assert [(c.name, c.verdict) for c in components(run)] == [("gpu0", "WARN"),
                                                              ("gpu1", "WAIVED")]
    assert 'class="hw-v hw-v-WARN">WARN<' in summary_html(run)


def test_codes_are_grouped_by_their_action() -> None:
    ib = {"component": "ib", "component_id": "mlx5_2/1", "model": "MT4125", "verdict": "FAIL"}
    run = run_of(
        case("hwtests/test_ib.py::test_ib_state[mlx5_2-1]", "failed", check="ib_state",
             failure_code="IB_PORT_DOWN", action="REPLACE_CABLE", **ib),
        case("hwtests/test_ib.py::test_ib_phys_state[mlx5_2-1]", "failed",
             check="ib_phys_state", failure_code="IB_PHYS_STATE", action="CONFIGURE", **ib),
        case("hwtests/test_ib.py::test_ib_link[mlx5_2-1]", "failed", check="ib_link",
             failure_code="IB_LINK_WIDTH", action="REPLACE_CABLE", **ib))
    [part] = parts_to_act(run)
    assert part.line() == ("mlx5_2/1 · MT4125 — IB_PORT_DOWN, IB_LINK_WIDTH → REPLACE_CABLE; "
                           "IB_PHYS_STATE → CONFIGURE")


def test_an_incomplete_run_says_so_beside_its_verdict() -> None:
    note = "events.jsonl:41: last line cut off (the run was killed while writing it); dropped"
    run = run_of(gpu(0, "gpu_ecc"), complete=False, notes=(note,))
    source = summary_html(run)
    assert verdict_words(source) == ["ACCEPT", "INCOMPLETE"]
    assert "The run did not finish" in source
    assert note in Page(source).text
    assert verdict_words(summary_html(run_of(ECC_DBE, complete=False))) == ["REJECT",
                                                                             "INCOMPLETE"]


def test_components_have_one_row_each_with_the_worst_verdict() -> None:
    switch = {"component_id": "0000:83:00.0", "bdf": "0000:83:00.0",
              "model": "NVSwitch (HGX H100/H200)", "verdict": "PASS"}
    run = run_of(
        system("gpu_count", "gpu", measured="8", expected="8"),
        system("system_identity", "system"),
        gpu(3, "gpu_vbios", measured="96.00.74.00.01", expected="one of 96.00.74.*"),
        ECC_DBE,
        gpu(0, "gpu_retired_pages", verdict="UNKNOWN"),
        case("hwtests/test_pcie.py::test_pcie_link[0000:83:00.0-NVSwitch]",
             component="pcie", check="pcie_link", **switch),
        case("hwtests/test_nvswitch.py::test_nvswitch_pci_id[0000:83:00.0]",
             component="nvswitch", check="nvswitch_pci_id", **switch),
        case("hwtests/test_inventory_read.py::test_system_readable"))
    rows = [(c.component_id, c.kind, c.name, c.location, c.serial, c.model, c.firmware,
             c.verdict, len(c.cases)) for c in components(run)]
    assert rows == [
        ("HSR8X04", "system", "system", "", "HSR8X04", "PowerEdge XE9680", "", "PASS", 2),
        ("1654922001001", "gpu", "gpu0", "slot 0", "1654922001001", H100, "", "UNKNOWN", 1),
        ("1654922004712", "gpu", "gpu3", "slot 3", "1654922004712", H100, "96.00.74.00.01",
         "FAIL", 2),
        ("0000:83:00.0", "nvswitch", "0000:83:00.0", "0000:83:00.0", "",
         "NVSwitch (HGX H100/H200)", "", "PASS", 2),
    ]


def test_a_system_shows_each_of_its_firmware_versions() -> None:
    run = run_of(system("system_bios", "system", measured="1.6.3"),
                 system("system_bmc", "system", measured="7.10.30.00"))
    assert [c.firmware for c in components(run)] == ["BIOS 1.6.3 · BMC 7.10.30.00"]


def test_the_identity_names_the_profile_by_path_and_hash_prefix() -> None:
    text = Page(summary_html(run_of(gpu(0, "gpu_ecc")))).text
    assert "profiles/dell-xe9680-h100.yaml (sha256 ed5ef831c5450d33)" in text
    assert "ed5ef831c5450d339" not in text
    for value in ("HSR8X04", "Dell Inc.", "PowerEdge XE9680", "station-7", "dell-xe9680-h100",
                  "0.1.0", "2026-01-20T14:00:00Z", "2026-01-20T14:03:10Z"):
        assert value in text


SCRIPT = "<script>alert(1)</script>"


def test_markup_from_hardware_is_shown_as_text() -> None:
    alias = f"eth0 {SCRIPT}"
    nic = {"component": "nic", "component_id": alias, "model": SCRIPT, "check": "nic_speed",
           "unit": "Mb/s", "expected": ">= 400000"}
    run = run_of(
        case(f"hwtests/test_nic.py::test_nic_speed[{as_test_id(alias)}]", "failed",
             "<img src=x onerror=alert(2)>", verdict="FAIL", measured="100000",
             failure_code="NIC_SPEED_LOW", action=f"RESEAT{SCRIPT}", **nic),
        case("hwtests/test_nic.py::test_nic_speed[eth1]", verdict="PASS", measured="400000",
             **{**nic, "component_id": "eth1"}),
        identity={**IDENTITY, "product": f'"><b>{SCRIPT}'})
    for source in (summary_html(run), page_html(run)):
        page = Page(source)
        assert page.html_tags() <= ALLOWED_TAGS, page.html_tags() - ALLOWED_TAGS
        assert "<script" not in source.lower()
        assert "<img" not in source
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
        assert f"{alias}nic{SCRIPT}" in page.text
        assert f"{alias} · {SCRIPT} — NIC_SPEED_LOW → RESEAT{SCRIPT}" in page.text
        assert f'"><b>{SCRIPT}' in page.text
    [part] = parts_to_act(run)
    assert part.who == f"{alias} · {SCRIPT}"


NASTY = "SN\x07\x00\x1b[31m\r\ufffd\udcff\ud800end"


def test_control_characters_are_made_visible() -> None:
    assert clean(NASTY) == "SN\\x07\\x00\\x1b[31m\\x0d\ufffd\\xff\ufffdend"
    assert clean("tab\tand\nnewline") == "tab\tand\nnewline"
    broken = gpu(0, "gpu_ecc", "failed", "FAIL", failure_code="GPU_ECC_DBE",
                 action="RMA_GPU", model=NASTY, message=f"read {NASTY}")
    run = run_of(broken, gpu(1, "gpu_temperature", measured="41", expected="<= 85",
                             unit="C", model=NASTY),
                 gpu(0, "gpu_temperature", measured="44", expected="<= 85", unit="C"),
                 identity={**IDENTITY, "system_serial": NASTY})
    for source in (summary_html(run), page_html(run)):
        source.encode("utf-8")
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]", source)
        assert "SN\\x07\\x00\\x1b[31m\\x0d\ufffd\\xffend"[:10] in Page(source).text
        assert verdict_words(source) == ["REJECT"]


@pytest.mark.parametrize(("expected", "limit"), [
    (">= 74.5", Limit(74.5, None)),
    ("<= 85", Limit(None, 85.0)),
    ("300 .. 700", Limit(300.0, 700.0)),
    ("300 .. 700 (marginal below 315, marginal above 665)", Limit(300.0, 700.0, 315.0, 665.0)),
    (">= 350 (marginal below 367.5)", Limit(350.0, None, 367.5, None)),
    ("8", Limit(8.0, 8.0)),
    ("volatile_dbe<=0", None),
    ("Gen5 x16", None),
    ("one of 96.00.74.*", None),
    ("", None),
])
def test_limits_are_read_from_their_description(expected: str, limit: Limit | None) -> None:
    assert parse_limit(expected) == limit


@pytest.mark.parametrize(("measured", "value"), [
    ("79.65", 79.65), ("700", 700.0), ("-3", -3.0), ("1e3", 1000.0), ("nan", None),
    ("inf", None), ("550.90.07", None), ("Gen5 x16", None), ("1_000", None), ("", None),
])
def test_a_measurement_is_one_plain_number(measured: str, value: float | None) -> None:
    assert parse_number(measured) == value


def test_measurements_are_numeric_checks_against_a_limit() -> None:
    run = run_of(
        gpu(1, "gpu_temperature", measured="41", expected="<= 85", unit="C"),
        gpu(0, "gpu_temperature", "failed", "FAIL", measured="91", expected="<= 85", unit="C"),
        system("gpu_count", "gpu", measured="8", expected="8"),
        gpu(0, "gpu_driver", measured="535.104", expected=">= 535.1"),
        gpu(0, "gpu_pcie_link", measured="Gen5 x16", expected="Gen5 x16"),
        gpu(0, "gpu_ecc", measured="volatile_dbe=0", expected="volatile_dbe<=0"))
    assert measurements(run) == [
        Measurement("gpu_count", "HSR8X04", "x", 8.0, Limit(8.0, 8.0), "8", "", "PASS"),
        Measurement("gpu_temperature", "1654922001001", "gpu0", 91.0, Limit(None, 85.0),
                    "<= 85", "C", "FAIL"),
        Measurement("gpu_temperature", "1654922001002", "gpu1", 41.0, Limit(None, 85.0),
                    "<= 85", "C", "PASS"),
    ]


def test_counts_of_several_models_on_one_system_are_each_kept_and_not_plotted() -> None:
    pcie = {"component": "pcie", "component_id": "HSR8X04", "check": "pcie_device_count",
            "verdict": "PASS"}
    run = run_of(
        case("hwtests/test_pcie.py::test_pcie_device_count[NVSwitch_10de:22a3-HSR8X04]",
             measured="4", expected="4", **pcie),
        case("hwtests/test_pcie.py::test_pcie_device_count[BCM5720_14e4:165f-HSR8X04]",
             measured="2", expected="2", **pcie))
    assert [(m.name, m.value) for m in measurements(run)] == [("BCM5720_14e4:165f", 2.0),
                                                              ("NVSwitch_10de:22a3", 4.0)]
    assert "<svg" not in summary_html(run)


def test_a_part_named_by_its_address_is_not_located_twice() -> None:
    run = run_of(case("hwtests/test_pcie.py::test_pcie_aer[0000:9b:00.0-H100]", "failed",
                      component="pcie", component_id="0000:9b:00.0", bdf="0000:9b:00.0",
                      model="H100 SXM5 80GB HBM3", check="pcie_aer", verdict="FAIL",
                      failure_code="PCIE_AER_FATAL", action="RESEAT"))
    assert [p.line() for p in parts_to_act(run)] == [
        "0000:9b:00.0 · H100 SXM5 80GB HBM3 — PCIE_AER_FATAL → RESEAT"]


def test_an_operating_quantity_on_two_components_or_more_is_plotted() -> None:
    run = run_of(
        gpu(0, "gpu_temperature", measured="44", expected="<= 85", unit="C"),
        gpu(1, "gpu_temperature", measured="41", expected="<= 85", unit="C"),
        gpu(0, "gpu_power_limit", measured="700", expected="300 .. 700", unit="W"),
        gpu(1, "gpu_power_limit", measured="690", expected="300 .. 700", unit="W"),
        system("gpu_count", "gpu", measured="8", expected="8"))
    source = summary_html(run)
    plots = re.findall(r"<svg class=\"hw-plot\".*?</svg>", source, flags=re.DOTALL)
    assert len(plots) == 1
    assert ">gpu_temperature<" in plots[0]
    assert ">max 85 C<" in plots[0]
    assert "gpu_power_limit" in Page(source).text
    assert "<?xml" not in source
    assert "<!DOCTYPE svg" not in source
    page = Page(source)
    assert len(page.ids) == len(set(page.ids)) > 10
    references = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', source))
    assert references
    assert references <= set(page.ids)


def test_plot_labels_keep_markup_and_dollars_as_text() -> None:
    run = run_of(
        gpu(0, "gpu_temperature", measured="44", expected="<= 85", unit="C"),
        case("hwtests/test_gpu.py::test_gpu_temperature", component="gpu",
             component_id=f"$x$ {SCRIPT}", check="gpu_temperature", measured="40",
             expected="<= 85", unit="C", verdict="PASS"))
    source = summary_html(run)
    assert f">$x$ {SCRIPT.replace('<', '&lt;').replace('>', '&gt;')}<" in source
    assert "<script" not in source


def test_the_html_modules_leave_matplotlib_unloaded_until_a_plot_is_drawn() -> None:
    program = ("import sys\n"
               "from hwaccept.reports.html_page import page_html\n"
               "from hwaccept.reports.model import CaseResult, RunReport\n"
               "page_html(RunReport('x', {}, (CaseResult('t::a', 'passed'),)))\n"
               "print('matplotlib' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "False"


def test_the_page_is_one_self_contained_document() -> None:
    run = run_of(gpu(0, "gpu_temperature", measured="44", expected="<= 85", unit="C"),
                 gpu(1, "gpu_temperature", measured="41", expected="<= 85", unit="C"),
                 ECC_DBE, case("hwtests/test_cpu.py::test_cpu_model[not-asked]", "skipped",
                               "profile does not ask for cpu_model"))
    source = page_html(run)
    assert source.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert source.rstrip().endswith("</html>")
    assert "<title>hwaccept report: HSR8X04 (PowerEdge XE9680)</title>" in source
    assert not re.search(r"<script|<link|<img|<iframe|src=|@import", source)
    assert not re.search(r"url\((?!#)", source)
    assert source.count("<svg") == 1
    rows = re.findall(r"<tr(?: class=\"hw-failing\")?><td class=\"hw-nodeid\">(.*?)</td>"
                      r"<td class=\"hw-o hw-o-(\w+)\">", source)
    assert rows == [(c.nodeid, c.outcome) for c in run.cases]
    assert source.count('<tr class="hw-failing">') == 1
    assert source.count('<td class="hw-v hw-v-none"></td>') == 1
    assert verdict_words(source) == ["REJECT"]


def test_a_burnin_cases_own_parameters_do_not_rename_its_part() -> None:
    serial = SERIALS[3]
    burnin = case(f"hwtests/test_burnin_gpu.py::test_gpu_matmul_throughput[gpu3-{serial}-bf16]",
                  component="gpu", component_id=serial, serial=serial, model=H100,
                  check="gpu_bf16_tflops", verdict="PASS")
    found = components(run_of(gpu(3, "gpu_ecc"), burnin))
    assert [(c.name, len(c.cases)) for c in found] == [("gpu3", 2)]
    assert [c.name for c in components(run_of(burnin))] == ["gpu3"]
