"""The System record from real trees (procfs's /proc, node_exporter's /sys) and live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hwaccept.errors import UnknownUnitError
from hwaccept.inventory.records import EdacController, System
from hwaccept.inventory.system import read_system
from hwaccept.procfs.cpuinfo import cpu_model
from hwaccept.procfs.kernel import cmdline_options
from hwaccept.procfs.meminfo import memory_total, parse_meminfo
from hwaccept.sources.file_tree import FileTree, TreeFiles
from hwaccept.sources.files import LiveFiles
from hwaccept.sysfs.dmi_id import dmi_string
from hwaccept.sysfs.system_cpu import parse_cpu_list
from tests.corpus import corpus, read_ttar


def corpus_machine() -> TreeFiles:
    """/sys from node_exporter's fixture, /proc from procfs's (both real captures)."""
    sys_tree = read_ttar(corpus("sysfs/node_exporter_sys.ttar"))
    proc_tree = read_ttar(corpus("sysfs/procfs_fixtures.ttar"), prefix="fixtures/")
    merged = FileTree(
        contents={**sys_tree.contents,
                  **{k: v for k, v in proc_tree.contents.items() if k.startswith("/proc/")}},
        links={**sys_tree.links,
               **{k: v for k, v in proc_tree.links.items() if k.startswith("/proc/")}},
        listings=sys_tree.listings,
    )
    return TreeFiles(merged)


def test_corpus_system_whole_record() -> None:
    assert read_system(corpus_machine()) == System(
        hostname=None, vendor="Dell Inc.", product="PowerEdge R6515", serial="7N62AI2",
        board_vendor="Dell Inc.", board_name="07PXPY", board_serial=".7N62AI2.GRTCL6944100GP.",
        chassis_serial="7N62AI2", bios_vendor="Dell Inc.", bios_version="2.2.4",
        bios_date="04/12/2021", cpu_model="Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz",
        sockets=2, cores=4, threads=4, memory_total_bytes=15666184 * 1024, numa_nodes=3,
        edac=(EdacController(name="mc0", correctable=1, uncorrectable=5, dimms=0),),
        kernel_cmdline="BOOT_IMAGE=/vmlinuz-5.11.0-22-generic "
                       "root=UUID=456a0345-450d-4f7b-b7c9-43e3241d99ad ro quiet splash "
                       "vt.handoff=7",
    )


def test_live_system_matches_the_kernel() -> None:
    system = read_system(LiveFiles("/"))
    assert system.errors == ()
    assert system.threads == os.cpu_count()
    meminfo = Path("/proc/meminfo").read_text()
    assert system.memory_total_bytes == memory_total(meminfo)
    assert system.kernel_version == os.uname().release
    assert system.hostname == os.uname().nodename
    if not Path("/sys/class/dmi/id").exists():
        assert (system.vendor, system.product, system.serial) == (None, None, None)


def test_unreadable_dmi_serial_is_reported() -> None:
    tree = FileTree(contents={"/sys/class/dmi/id/sys_vendor": b"Dell Inc.\n",
                              "/proc/meminfo": b"MemTotal: 1 kB\n"},
                    errors={"/sys/class/dmi/id/product_serial": (13, "Permission denied")})
    system = read_system(TreeFiles(tree))
    assert system.vendor == "Dell Inc."
    assert "/sys/class/dmi/id/product_serial: Permission denied" in system.errors


@pytest.mark.parametrize("placeholder", ["To Be Filled By O.E.M.", "Default string", " ", ""])
def test_dmi_placeholders_are_unknown(placeholder: str) -> None:
    assert dmi_string(placeholder) is None


def test_meminfo_units() -> None:
    assert parse_meminfo("MemTotal:  24684084 kB\nHugePages_Total: 0\n") == {
        "MemTotal": 24684084 * 1024, "HugePages_Total": 0}
    with pytest.raises(UnknownUnitError):
        parse_meminfo("MemTotal: 3 MB\n")


def test_cpu_lists_and_models() -> None:
    assert parse_cpu_list("0-3,8,10-11\n") == [0, 1, 2, 3, 8, 10, 11]
    assert cpu_model("processor\t: 0\nmodel name\t: AMD  EPYC 9654 96-Core\n\n") == \
        "AMD EPYC 9654 96-Core"
    assert cpu_model("processor : 0\nBogoMIPS : 50.00\n") is None


def test_cmdline_options() -> None:
    assert cmdline_options("ro iommu=pt pci=realloc=off quiet") == {
        "ro": None, "iommu": "pt", "pci": "realloc=off", "quiet": None}
