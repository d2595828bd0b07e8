"""Every real capture is recognised as its kind by content alone, and only as that kind."""

from pathlib import Path

import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers.inputs import read_input
from hwaccept.importers.registry import KIND_MODULES, detect, kind_named, kind_names
from tests.corpus import CORPUS, fixture

EXPECTED = {
    "burnin/": None,
    "dmi/gpud_dmidecode": "dmidecode",
    "ib/gpud_ibstat_": "ibstat",
    "ib/gpud_ibstatus_": "ibstatus",
    "kmsg/": "kernel-log",
    "lspci/": "lspci",
    "nvml/azhc_nvidia-smi-nvlink-status": "nvidia-smi-nvlink",
    "nvml/gpud_nvidia-smi-nvlink-status": "nvidia-smi-nvlink",
    "nvml/azhc_nvidia-smi-q-d-PAGE_RETIREMENT": "nvidia-smi-q",
    "nvml/gpud_nvidia-smi-q_": "nvidia-smi-q",
    "nvml/gpud_nvidia-smi_": None,
    "nvml/telegraf_nvidia-smi-q-x": "nvidia-smi-xml",
    "other/gpud_fabricmanager": "fabricmanager-log",
    "other/": None,
    "smart/linuxhw_smartctl-x": "smartctl",
    "smart/netdata_nvme-cli_smart-log-json": "nvme-smart-log",
    "smart/": "smartctl-json",
    "sysfs/": None,
}
FIXTURES = Path(__file__).parents[1] / "fixtures" / "imports"


def expected_kind(relative: str) -> str | None:
    return next(kind for prefix, kind in EXPECTED.items() if relative.startswith(prefix))


CAPTURES = sorted(p for p in CORPUS.glob("*/*") if p.is_file())
BURNIN = sorted(p for p in fixture("burnin").iterdir() if p.name != "SOURCES.md")


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_each_capture_is_recognised_as_its_kind(path: Path) -> None:
    kind = detect(read_input(str(path)))
    assert (kind.name if kind else None) == expected_kind(str(path.relative_to(CORPUS)))


@pytest.mark.parametrize("path", BURNIN, ids=lambda p: p.name)
def test_burnin_outputs_are_no_import_kind(path: Path) -> None:
    assert detect(read_input(str(path))) is None


@pytest.mark.parametrize(("name", "kind"), [
    ("nvidia-bug-report_quadro-k2200_excerpt.log", "nvidia-bug-report"),
    ("nvidia-smi-topo-m_8xH100.txt", "nvidia-smi-topo"),
    ("nvidia-smi-topo-m_8xH200.txt", "nvidia-smi-topo"),
])
def test_fixtures_are_recognised(name: str, kind: str) -> None:
    found = detect(read_input(str(FIXTURES / name)))
    assert found is not None
    assert found.name == kind


def test_every_kind_is_named_and_reachable_by_as() -> None:
    assert len(kind_names()) == len(KIND_MODULES) == len(set(kind_names()))
    assert all(kind_named(name).name == name for name in kind_names())
    with pytest.raises(ImportInputError) as caught:
        kind_named("nvidia-smi")
    assert caught.value.msg.startswith("--as nvidia-smi: unknown kind; known kinds: "
                                       "nvidia-bug-report, nvidia-smi-xml, ")
