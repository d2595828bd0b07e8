from pathlib import Path

import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import ibstat, ibstatus
from hwaccept.importers.assemble import Merged, replay_sources
from hwaccept.importers.kind import SNIFF_CHARS
from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import IbPort
from hwaccept.record import replace
from hwaccept.sources import Sources
from hwaccept.sources.commands import ReplayRunner
from hwaccept.sources.file_tree import TreeFiles
from hwaccept.sources.nvml import ReplayNvml
from hwaccept.sysfs.class_infiniband import CLASS_DIR
from tests.corpus import CORPUS, read_directory_tree
from tests.importers.replay import inventory_of

IB = CORPUS / "ib"
H100_BF3 = IB / "gpud_ibstat_8xH100-CX7-NDR_plus_BF3-bond_all-active.txt"
H100_SOME_DOWN = IB / "gpud_ibstat_H100_some-down-0.txt"
A100_IBPANIC = IB / "gpud_ibstat_A100_ibpanic-exit255.txt"
A100_IBSTATUS = IB / "gpud_ibstatus_A100_all-active.txt"
H100_SYSFS = IB / "gpud_sys-class-infiniband-h100.0"
IBSTAT_FILES = sorted(IB.glob("gpud_ibstat_*.txt"))
IBSTATUS_FILES = [A100_IBSTATUS]

CX7_GUIDS = {
    "mlx5_0": "58a2:e103:00a7:820e", "mlx5_1": "a088:c203:00da:6342",
    "mlx5_4": "a088:c203:00da:656a", "mlx5_5": "a088:c203:00da:62aa",
    "mlx5_6": "58a2:e103:00a7:8796", "mlx5_7": "58a2:e103:00a7:8756",
    "mlx5_8": "58a2:e103:00a7:8b5e", "mlx5_9": "a088:c203:00da:62c2",
}


def ibstat_ports(path: Path) -> dict[str, IbPort]:
    parts = ibstat.parse(path.read_text(), str(path))
    return {port.device: port for port in inventory_of(parts).ib_ports}


def corpus_heads(excluded: list[Path]) -> list[tuple[str, str]]:
    heads = []
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path not in excluded:
            head = path.read_bytes()[:SNIFF_CHARS].decode("utf-8", "replace")
            heads.append((str(path.relative_to(CORPUS)), head))
    return heads


def test_h100_cx7_ports_replay_active_at_400() -> None:
    text = H100_BF3.read_text()
    assert ibstat.sniff(text)
    assert not ibstatus.sniff(text)
    parts = ibstat.parse(text, str(H100_BF3))
    assert parts.summary == "9 ports of 9 devices"
    assert parts.notes == []
    ports = {port.device: port for port in inventory_of(parts).ib_ports}
    assert sorted(ports) == sorted([*CX7_GUIDS, "mlx5_bond_0"])
    for device, guid in CX7_GUIDS.items():
        assert ports[device] == IbPort(
            device, 1, state="ACTIVE", phys_state="LinkUp", rate_gbps=400.0,
            rate="400 Gb/sec", link_layer="InfiniBand", firmware_version="28.41.1000",
            hca_type="MT4129", node_guid=guid)
    assert ports["mlx5_bond_0"] == IbPort(
        "mlx5_bond_0", 1, state="ACTIVE", phys_state="LinkUp", rate_gbps=200.0,
        rate="200 Gb/sec", link_layer="Ethernet", firmware_version="32.38.3056",
        hca_type="MT41692", node_guid="58a2:e103:0076:0398")


def test_recorded_files_read_as_the_kernel_prints_them_on_the_same_host_family() -> None:
    parts = ibstat.parse(H100_BF3.read_text(), str(H100_BF3))
    tree = read_directory_tree(H100_SYSFS, CLASS_DIR)
    for device in [*CX7_GUIDS, "mlx5_bond_0"]:
        for name in ("fw_ver", "hca_type", "ports/1/state", "ports/1/phys_state",
                     "ports/1/link_layer"):
            path = f"{CLASS_DIR}/{device}/{name}"
            assert parts.files[path].rstrip(b"\n") == tree.contents[path].rstrip(b"\n"), path
        recorded = parts.files[f"{CLASS_DIR}/{device}/ports/1/rate"].decode().rstrip("\n")
        kernel = tree.contents[f"{CLASS_DIR}/{device}/ports/1/rate"].decode().rstrip("\n")
        assert kernel.startswith(recorded + " (")


def test_ports_match_what_the_real_sysfs_tree_replays_to_except_what_ibstat_omits() -> None:
    sources = Sources(TreeFiles(read_directory_tree(H100_SYSFS, CLASS_DIR)),
                      ReplayNvml({"status": {"available": False}}), ReplayRunner({}),
                      origin="sysfs")
    real = {port.device: port for port in build_inventory(sources).ib_ports}
    imported = ibstat_ports(H100_BF3)
    assert sorted(real) == sorted(imported)
    for device, port in real.items():
        assert port.rate is not None
        assert replace(port, rate=None, board_id=None, node_guid=None,
                                   counters={}) == \
            replace(imported[device], rate=None, node_guid=None)


def test_down_ports_replay_down_and_disabled() -> None:
    parts = ibstat.parse(H100_SOME_DOWN.read_text(), str(H100_SOME_DOWN))
    assert parts.files[f"{CLASS_DIR}/mlx5_2/ports/1/state"] == b"1: DOWN\n"
    assert parts.files[f"{CLASS_DIR}/mlx5_2/ports/1/phys_state"] == b"3: Disabled\n"
    ports = inventory_of(parts).ib_ports
    down = {port.device: port for port in ports if port.state != "ACTIVE"}
    assert sorted(down) == ["mlx5_2", "mlx5_7", "mlx5_8"]
    assert down["mlx5_2"] == IbPort(
        "mlx5_2", 1, state="DOWN", phys_state="Disabled", rate_gbps=40.0, rate="40 Gb/sec",
        link_layer="Ethernet", firmware_version="22.38.1002", hca_type="MT4125",
        node_guid="946d:ae03:00c2:b691")
    assert len(ports) == 12
    assert all(port.errors == () for port in ports)


def test_ibpanic_keeps_the_devices_printed_before_it() -> None:
    text = A100_IBPANIC.read_text()
    assert ibstat.sniff(text)
    parts = ibstat.parse(text, str(A100_IBPANIC))
    ports = inventory_of(parts).ib_ports
    assert [port.device for port in ports] == [f"mlx5_{n}" for n in range(8)]
    assert ports[0] == IbPort(
        "mlx5_0", 1, state="ACTIVE", phys_state="LinkUp", rate_gbps=200.0, rate="200 Gb/sec",
        link_layer="InfiniBand", firmware_version="20.41.1000", hca_type="MT4124",
        node_guid="0015:5dff:fe34:11eb")
    assert len(parts.notes) == 1
    assert "stopped at device mlx5_8" in parts.notes[0]
    assert "No such file or directory" in parts.notes[0]


def test_every_corpus_ibstat_file_imports_without_errors_on_its_ports() -> None:
    for path in IBSTAT_FILES:
        ports = inventory_of(ibstat.parse(path.read_text(), str(path))).ib_ports
        assert ports, path
        assert all(port.errors == () and port.state is not None for port in ports), path


SAMPLE = """\
CA 'mlx4_0'
\tCA type: MT4099
\tNumber of ports: 2
\tFirmware version: 2.42.5000
\tHardware version: 1
\tNode GUID: 0xE41D2D0300FA4B10
\tSystem image GUID: 0xe41d2d0300fa4b13
\tPort 1:
\t\tState: Initializing
\t\tPhysical state: PhyTest
\t\tRate: 40 (FDR10)
\t\tBase lid: 0
\t\tLink layer: InfiniBand
\tPort 2:
\t\tState: ???
\t\tPhysical state: ???
\t\tRate: 2.5
\t\tLink layer: IB
"""


def test_names_guid_and_rates_convert_to_the_kernel_form() -> None:
    parts = ibstat.parse(SAMPLE, "sample.txt")
    base = f"{CLASS_DIR}/mlx4_0"
    assert parts.files[f"{base}/node_guid"] == b"e41d:2d03:00fa:4b10\n"
    assert parts.files[f"{base}/ports/1/state"] == b"2: INIT\n"
    assert parts.files[f"{base}/ports/1/phys_state"] == b"7: Phy Test\n"
    assert parts.files[f"{base}/ports/1/rate"] == b"40 Gb/sec (4X FDR10)\n"
    assert parts.files[f"{base}/ports/2/rate"] == b"2.5 Gb/sec\n"
    for name in ("state", "phys_state", "link_layer"):
        assert f"{base}/ports/2/{name}" not in parts.files
    assert len(parts.notes) == 3
    port1, port2 = inventory_of(parts).ib_ports
    assert (port1.state, port1.phys_state, port1.rate_gbps) == ("INIT", "Phy Test", 40.0)
    assert port2.state is None
    assert port2.errors == (f"{base}/ports/2/state: missing",)


def test_single_port_form() -> None:
    text = ("CA: 'mlx5_3'\nPort 1:\nState: Armed\nPhysical state: LinkUp\nRate: 100\n"
            "Base lid: 7\nLink layer: InfiniBand\n")
    assert ibstat.sniff(text)
    (port,) = inventory_of(ibstat.parse(text, "one.txt")).ib_ports
    assert port == IbPort("mlx5_3", 1, state="ARMED", phys_state="LinkUp", rate_gbps=100.0,
                          rate="100 Gb/sec", link_layer="InfiniBand")


@pytest.mark.parametrize(("text", "message"), [
    ("ibstat: command not found\n", r"^x\.txt: no `CA '<name>'` device blocks"),
    ("CA 'mlx5_0'\n\tCA type: MT4129\n\tNumber of ports: 1\n", r"names devices but no ports"),
    ("CA 'mlx5_0'\n\tPort 1:\n\t\tState: Active\nCA 'mlx5_0'\n\tPort 1:\n",
     r"mlx5_0 is listed twice"),
    ("CA '../x'\n\tPort 1:\n\t\tState: Active\n", r"cannot be a directory"),
])
def test_unusable_ibstat_output_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ImportInputError, match=message):
        ibstat.parse(text, "x.txt")


def test_ibstatus_records_the_kernel_strings_it_printed() -> None:
    text = A100_IBSTATUS.read_text()
    assert ibstatus.sniff(text)
    assert not ibstat.sniff(text)
    parts = ibstatus.parse(text, str(A100_IBSTATUS))
    assert parts.summary == "9 ports of 9 devices"
    assert parts.notes == []
    ports = inventory_of(parts).ib_ports
    hdr = IbPort("", 1, state="ACTIVE", phys_state="LinkUp", rate_gbps=200.0,
                 rate="200 Gb/sec (4X HDR)", link_layer="InfiniBand")
    assert ports == (
        *(replace(hdr, device=f"mlx5_{n}") for n in range(8)),
        IbPort("mlx5_8", 1, state="ACTIVE", phys_state="LinkUp", rate_gbps=40.0,
               rate="40 Gb/sec (4X QDR)", link_layer="Ethernet"),
    )
    assert parts.files[f"{CLASS_DIR}/mlx5_0/ports/1/state"] == b"4: ACTIVE\n"


def test_ibstatus_placeholders_for_unreadable_files_are_not_recorded() -> None:
    text = ("Infiniband device 'mlx5_0' port 1 status:\n\tdefault gid:\t unknown\n"
            "\tstate:\t\t 1: DOWN\n\tphys state:\t 7: Phy Test\n\trate:\t\t unknown\n"
            "\tlink_layer:\t IB\n\n"
            "Fatal error:  device 'mlx5_9': sys files not found "
            "(/sys/class/infiniband/mlx5_9/ports)\n")
    parts = ibstatus.parse(text, "s.txt")
    (port,) = inventory_of(parts).ib_ports
    assert port == IbPort("mlx5_0", 1, state="DOWN", phys_state="Phy Test")
    assert parts.notes == ["mlx5_0 port 1: ibstatus could not read rate",
                           "mlx5_0 port 1: ibstatus could not read link_layer",
                           "ibstatus said: Fatal error:  device 'mlx5_9': sys files not "
                           "found (/sys/class/infiniband/mlx5_9/ports)"]


def test_ibstatus_without_port_blocks_is_an_error() -> None:
    with pytest.raises(ImportInputError, match=r"^i\.txt: no `Infiniband device"):
        ibstatus.parse("Fatal error:  No devices\n", "i.txt")


def test_ibstat_and_ibstatus_of_one_host_import_together() -> None:
    merged = Merged()
    merged.add(ibstat.parse(A100_IBPANIC.read_text(), str(A100_IBPANIC)), str(A100_IBPANIC))
    merged.add(ibstatus.parse(A100_IBSTATUS.read_text(), str(A100_IBSTATUS)),
               str(A100_IBSTATUS))
    ports = build_inventory(replay_sources(merged.parts)).ib_ports
    assert ports[0].rate == "200 Gb/sec (4X HDR)"
    reverse = Merged()
    reverse.add(ibstatus.parse(A100_IBSTATUS.read_text(), "s"), "s")
    reverse.add(ibstat.parse(A100_IBPANIC.read_text(), "t"), "t")
    assert reverse.parts.files == merged.parts.files


def test_ibstat_sniffer_claims_no_other_corpus_file() -> None:
    claimed = [name for name, head in corpus_heads(IBSTAT_FILES) if ibstat.sniff(head)]
    assert claimed == []


def test_ibstatus_sniffer_claims_no_other_corpus_file() -> None:
    claimed = [name for name, head in corpus_heads(IBSTATUS_FILES) if ibstatus.sniff(head)]
    assert claimed == []
