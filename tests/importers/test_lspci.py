from pathlib import Path

import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import lspci, pci_names
from hwaccept.inventory.records import Inventory, NvSwitch, PciDevice
from tests.corpus import CORPUS
from tests.importers.replay import inventory_of

XE9680 = CORPUS / "lspci" / "gpud_lspci-vvv_8xH100-SXM5_CX7.txt"
A100_NN = CORPUS / "lspci" / "gpud_lspci-nn_8xA100.txt"
GB200 = CORPUS / "lspci" / "gpud_lspci_GB200.txt"

MINI_PCI_IDS = """\
# A few lines of pci.ids, enough for the functions these tests look at.
1000  Broadcom / LSI
1028  Dell
10de  NVIDIA Corporation
\t20b2  GA100 [A100 SXM4 80GB]
15b3  Mellanox Technologies
\t1021  MT2910 Family [ConnectX-7]
\t\t15b3 0041  ConnectX-7 HHHL adapter card
8086  Intel Corporation

# List of known device classes, subclasses and programming interfaces
C 02  Network controller
\t00  Ethernet controller
C 03  Display controller
\t02  3D controller
C 06  Bridge
\t04  PCI bridge
\t\t00  Normal decode
\t80  Bridge
"""

H100_GPUS = ("0000:19:00.0", "0000:3b:00.0", "0000:4c:00.0", "0000:5d:00.0",
             "0000:9b:00.0", "0000:bb:00.0", "0000:cb:00.0", "0000:db:00.0")


@pytest.fixture
def mini_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "pci.ids"
    path.write_text(MINI_PCI_IDS)
    monkeypatch.setattr(pci_names, "PCI_IDS_PATHS", (str(path),))
    return path


@pytest.fixture
def no_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pci_names, "PCI_IDS_PATHS", (str(tmp_path / "missing.ids"),))


def devices(inventory: Inventory) -> dict[str, PciDevice]:
    return {d.address: d for d in inventory.pci_devices}


def xe9680() -> Inventory:
    return inventory_of(lspci.parse(XE9680.read_text(), str(XE9680)))


H100_AT_19 = PciDevice(
    address="0000:19:00.0", vendor_id="10de", device_id="2330", subsystem_vendor_id="10de",
    subsystem_device_id="16c1", class_code="030200", revision="a1", driver="nvidia",
    numa_node=0, current_link_gts=32.0, max_link_gts=32.0, current_link_gen=5, max_link_gen=5,
    current_link_width=16, max_link_width=16, parent="0000:17:01.0")


@pytest.mark.usefixtures("mini_ids")
def test_xe9680_h100s_are_gen5_x16_with_their_bridges() -> None:
    parts = lspci.parse(XE9680.read_text(), str(XE9680))
    assert parts.summary == "517 PCI functions"
    found = devices(inventory_of(parts))
    assert len(found) == 517
    assert found["0000:19:00.0"] == H100_AT_19
    gpus = [d for d in found.values() if d.pci_id == "10de:2330"]
    assert tuple(d.address for d in gpus) == H100_GPUS
    for gpu in gpus:
        assert (gpu.current_link_gen, gpu.current_link_width, gpu.max_link_gen,
                gpu.max_link_width) == (5, 16, 5, 16)
        assert (gpu.class_code, gpu.driver, gpu.errors) == ("030200", "nvidia", ())
    assert [g.numa_node for g in gpus] == [0, 0, 0, 0, 1, 1, 1, 1]
    chain = []
    address: str | None = "0000:19:00.0"
    while address is not None:
        chain.append(address)
        address = found[address].parent
    assert chain == ["0000:19:00.0", "0000:17:01.0", "0000:16:00.0", "0000:15:01.0"]
    assert found["0000:15:01.0"].driver == "pcieport"
    directory = ("/sys/devices/pci0000:15/0000:15:01.0/0000:16:00.0/0000:17:01.0/"
                 "0000:19:00.0")
    assert parts.links["/sys/bus/pci/devices/0000:19:00.0"] == directory
    assert parts.files[f"{directory}/uevent"] == (
        b"DRIVER=nvidia\nPCI_CLASS=30200\nPCI_ID=10DE:2330\nPCI_SUBSYS_ID=10DE:16C1\n"
        b"PCI_SLOT_NAME=0000:19:00.0\n"
        b"MODALIAS=pci:v000010DEd00002330sv000010DEsd000016C1bc03sc02i00\n")
    assert not any("aer_dev" in path for path in parts.files)


@pytest.mark.usefixtures("mini_ids")
def test_a_downgraded_switch_port_reads_gen4_of_gen5() -> None:
    port = devices(xe9680())["0000:17:00.0"]
    assert port == PciDevice(
        address="0000:17:00.0", vendor_id="1000", subsystem_vendor_id="1028",
        subsystem_device_id="224b", class_code="060400", revision="b0", driver="pcieport",
        numa_node=0, current_link_gts=16.0, max_link_gts=32.0, current_link_gen=4,
        max_link_gen=5, current_link_width=4, max_link_width=4, parent="0000:16:00.0")
    assert port.device_id is None


@pytest.mark.usefixtures("mini_ids")
def test_four_nvswitches() -> None:
    switches = xe9680().nvswitches
    assert switches == tuple(
        NvSwitch(pci_address=f"0000:{bus}:00.0", device_id="22a3",
                 model="NVSwitch (HGX H100/H200)", driver="nvidia-nvswitch")
        for bus in ("83", "84", "85", "86"))


def test_a100_nn_gives_ids_in_every_domain(no_ids: None) -> None:
    parts = lspci.parse(A100_NN.read_text(), str(A100_NN))
    found = devices(inventory_of(parts))
    assert parts.summary == "31 PCI functions"
    gpus = [d.address for d in found.values() if d.pci_id == "10de:20b2"]
    assert gpus == [f"{domain}:00:00.0" for domain in
                    ("0001", "0002", "0003", "0004", "000b", "000c", "000d", "000e")]
    assert found["0001:00:00.0"] == PciDevice(
        address="0001:00:00.0", vendor_id="10de", device_id="20b2", class_code="030200",
        revision="a1")
    assert found["0005:00:00.0"].class_code == "068000"
    assert found["c941:00:02.0"].pci_id == "15b3:1016"
    assert found["0101:00:00.0"].revision == "00"
    assert parts.links["/sys/bus/pci/devices/0001:00:00.0"] == \
        "/sys/devices/pci0001:00/0001:00:00.0"
    assert parts.notes == [
        "lspci without -v does not print the programming interface: class recorded with "
        "prog-if 00 for 0001:00:00.0, 0002:00:00.0, 0003:00:00.0 and 28 more"]


@pytest.mark.usefixtures("mini_ids")
def test_plain_lspci_has_no_bridge_ranges() -> None:
    parts = lspci.parse(GB200.read_text(), str(GB200))
    gpu = devices(inventory_of(parts))["0008:01:00.0"]
    assert (gpu.pci_id, gpu.class_code, gpu.revision, gpu.parent) == (
        "10de:2941", "030200", "a1", None)
    assert any("bus ranges" in note for note in parts.notes)


def test_text_that_is_not_lspci_is_refused() -> None:
    text = "Hello,\nthis is a note about the PCI devices: all fine.\n"
    assert not lspci.sniff(text)
    with pytest.raises(ImportInputError, match=r"^notes\.txt: not lspci output"):
        lspci.parse(text, "notes.txt")


def test_sniff_claims_only_lspci_captures() -> None:
    claimed = [path.relative_to(CORPUS).as_posix() for path in sorted(CORPUS.rglob("*"))
               if path.is_file() and path.name != "SOURCES.md"
               and lspci.sniff(path.read_bytes()[:65536].decode("utf-8", "replace"))]
    assert claimed == ["lspci/gpud_lspci-nn_8xA100.txt",
                       "lspci/gpud_lspci-vvv_8xH100-SXM5_CX7.txt", "lspci/gpud_lspci_GB200.txt"]
    bug_report = ("Start of NVIDIA bug report log file.\n\n"
                  "19:00.0 3D controller: NVIDIA Corporation Device 2330 (rev a1)\n")
    assert not lspci.sniff(bug_report)
    assert lspci.sniff("$ sudo lspci -D\n0000:19:00.0 3D controller: NVIDIA Corporation x\n")


@pytest.mark.usefixtures("mini_ids")
def test_names_missing_from_pci_ids_leave_ids_unrecorded() -> None:
    text = ("19:00.0 3D controller: NVIDIA Corporation GX999 [Imaginary]\n"
            "1a:00.0 Ethernet controller: Acme Widgets Frobnicator 9000\n"
            "1b:00.0 Quantum entangler: NVIDIA Corporation Device 2330\n")
    parts = lspci.parse(text, "lspci.txt")
    found = devices(inventory_of(parts))
    assert (found["0000:19:00.0"].vendor_id, found["0000:19:00.0"].device_id) == ("10de", None)
    assert (found["0000:1a:00.0"].vendor_id, found["0000:1a:00.0"].class_code) == (
        None, "020000")
    assert (found["0000:1b:00.0"].pci_id, found["0000:1b:00.0"].class_code) == (
        "10de:2330", None)
    ids = pci_names.PCI_IDS_PATHS[0]
    assert parts.notes[:4] == [
        f"names turned into ids with {ids} (version unknown)",
        f"device 'NVIDIA Corporation GX999 [Imaginary]' is no device name of vendor 10de in "
        f"{ids}: device id not recorded for 0000:19:00.0",
        f"device 'Acme Widgets Frobnicator 9000' names no vendor in {ids}: device ids not "
        "recorded for 0000:1a:00.0",
        f"class 'Quantum entangler' is not in {ids}: class not recorded for 0000:1b:00.0",
    ]


@pytest.mark.usefixtures("no_ids")
def test_no_pci_ids_is_a_note() -> None:
    parts = lspci.parse("19:00.0 3D controller: NVIDIA Corporation Device 2330 (rev a1)\n",
                        "lspci.txt")
    assert devices(inventory_of(parts))["0000:19:00.0"].revision == "a1"
    assert len(parts.notes) == 2
    assert parts.notes[0].startswith("no pci.ids found (")
    assert parts.notes[0].endswith("ids not recorded for 0000:19:00.0")


NNVVV = """\
0000:19:00.0 3D controller [0302]: NVIDIA Corporation GH100 [H100 SXM5 80GB] [10de:2330] (rev a1)
\tSubsystem: NVIDIA Corporation Device [10de:16c1]
\tControl: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B-
\tNUMA node: 0
\tCapabilities: [60] Express (v2) Endpoint, MSI 00
\t\tLnkCap:\tPort #0, Speed 16GT/s, Width x16, ASPM L1, Exit Latency L1 <4us
\t\tLnkSta:\tSpeed 8GT/s (downgraded), Width x8 (downgraded)
\t\tLnkCap2: Supported Link Speeds: 2.5-32GT/s, Crosslink- Retimer+ 2Retimers+ DRS-
\tKernel driver in use: nvidia

0000:1a:00.0 Non-Volatile memory controller [0108]: X Device [abcd:0001] (prog-if 02 [NVMe])
\tFlags: bus master, fast devsel, latency 0, IRQ 17, NUMA node 1, IOMMU group 34
\tCapabilities: [60] Express (v2) Endpoint, MSI 00
\t\tLnkSta:\tSpeed unknown, Width x4
"""


def test_nn_vvv_numbers_links_and_flags() -> None:
    parts = lspci.parse(NNVVV.replace("\n", "\r\n"), "nnvvv.txt")
    found = devices(inventory_of(parts))
    assert found["0000:19:00.0"] == PciDevice(
        address="0000:19:00.0", vendor_id="10de", device_id="2330", subsystem_vendor_id="10de",
        subsystem_device_id="16c1", class_code="030200", revision="a1", driver="nvidia",
        numa_node=0, current_link_gts=8.0, max_link_gts=32.0, current_link_gen=3,
        max_link_gen=5, current_link_width=8, max_link_width=16)
    assert found["0000:1a:00.0"] == PciDevice(
        address="0000:1a:00.0", vendor_id="abcd", device_id="0001", class_code="010802",
        revision="00", numa_node=1, current_link_width=4)
    assert parts.notes == []


def test_config_space_dumps_are_skipped() -> None:
    dump = "".join(f"{offset:03x}: " + " ".join(["00"] * 16) + "\n"
                   for offset in range(0, 4096, 16))
    text = ("0000:19:00.0 3D controller [0302]: NVIDIA Corporation Device [10de:2330] (rev a1)\n"
            "\tControl: I/O+\n" + dump + "\n"
            "0000:3b:00.0 3D controller [0302]: NVIDIA Corporation Device [10de:2330] (rev a1)\n"
            "\tControl: I/O+\n" + dump)
    found = devices(inventory_of(lspci.parse(text, "xxxx.txt")))
    assert [d.class_code for d in found.values()] == ["030200", "030200"]


def test_numeric_lspci_n_and_a_repeated_function() -> None:
    text = ("19:00.0 0302: 10de:2330 (rev a1)\n\tSubsystem: 10de:16c1\n"
            "\tKernel driver in use: nvidia\n19:00.0 0302: 10de:2330 (rev a1)\n")
    parts = lspci.parse(text, "n.txt")
    gpu = devices(inventory_of(parts))["0000:19:00.0"]
    assert (gpu.pci_id, gpu.subsystem_device_id, gpu.driver) == ("10de:2330", "16c1", "nvidia")
    assert "printed more than once, the first kept: 0000:19:00.0" in parts.notes


def test_a_function_whose_config_space_reads_all_ones() -> None:
    text = ("3b:00.0 3D controller [0302]: NVIDIA Corporation Device [10de:2330] (rev ff) "
            "(prog-if ff)\n\t!!! Unknown header type 7f\n\tKernel driver in use: nvidia\n")
    parts = lspci.parse(text, "gone.txt")
    gpu = devices(inventory_of(parts))["0000:3b:00.0"]
    assert (gpu.pci_id, gpu.revision, gpu.class_code, gpu.driver) == (
        "10de:2330", None, None, "nvidia")
    assert parts.notes[0].startswith("lspci read an unknown header type")


def test_bridges_nest_by_bus_range() -> None:
    text = """\
00:01.0 PCI bridge [0604]: V [1111:0001] (prog-if 00 [Normal decode])
\tControl: I/O+
\tBus: primary=00, secondary=01, subordinate=05, sec-latency=0
01:00.0 PCI bridge [0604]: V [1111:0002] (prog-if 00 [Normal decode])
\tControl: I/O+
\tBus: primary=01, secondary=02, subordinate=05, sec-latency=0
02:01.0 PCI bridge [0604]: V [1111:0003] (prog-if 00 [Normal decode])
\tControl: I/O+
\tBus: primary=02, secondary=04, subordinate=04, sec-latency=0
02:02.0 PCI bridge [0604]: V [1111:0003] (prog-if 00 [Normal decode])
\tControl: I/O+
\tBus: primary=02, secondary=05, subordinate=05, sec-latency=0
05:00.0 3D controller [0302]: V [1111:0004]
\tControl: I/O+
40:00.0 Host bridge [0600]: V [1111:0005]
\tControl: I/O+
"""
    parts = lspci.parse(text, "tree.txt")
    parents = {d.address: d.parent for d in inventory_of(parts).pci_devices}
    assert parents == {"0000:00:01.0": None, "0000:01:00.0": "0000:00:01.0",
                       "0000:02:01.0": "0000:01:00.0", "0000:02:02.0": "0000:01:00.0",
                       "0000:05:00.0": "0000:02:02.0", "0000:40:00.0": None}
    assert parts.links["/sys/bus/pci/devices/0000:40:00.0"] == \
        "/sys/devices/pci0000:40/0000:40:00.0"
    assert parts.notes == []


@pytest.mark.skipif(pci_names.database() is None, reason="no pci.ids on this machine")
def test_with_this_machines_pci_ids() -> None:
    found = devices(xe9680())
    assert found["0000:19:00.0"] == H100_AT_19
    nic = found["0000:1a:00.0"]
    assert (nic.pci_id, nic.subsystem_vendor_id, nic.subsystem_device_id, nic.class_code) == (
        "15b3:1021", "15b3", None, "020000")


def test_pci_names_reads_numbers_lspci_printed() -> None:
    assert pci_names.class_number("Generic system peripheral [0807]") == 0x0807
    assert pci_names.class_number("Class 0807") == 0x0807
    assert pci_names.class_number("Class [0807]") == 0x0807
    assert pci_names.class_number("0302") == 0x0302
    assert pci_names.class_number("3D controller") is None


def test_pci_names_subsystems(mini_ids: Path) -> None:
    ids = pci_names.load(str(mini_ids))
    assert ids is not None
    cx7 = (0x15B3, 0x1021)
    assert pci_names.subsystem_ids(ids, "Mellanox Technologies ConnectX-7 HHHL adapter card",
                                   cx7) == {(0x15B3, 0x0041)}
    assert pci_names.subsystem_ids(ids, "Mellanox Technologies MT2910 Family [ConnectX-7]",
                                   cx7) == {(0x15B3, None)}
    assert pci_names.subsystem_ids(ids, "Dell Device 0b73", cx7) == {(0x1028, 0x0B73)}
    assert pci_names.vendor_device_ids(ids, "Broadcom / LSI Device c030") == {(0x1000, 0xC030)}
    assert pci_names.class_ids(ids, "Bridge") == {0x0680}
