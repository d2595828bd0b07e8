from pathlib import Path

import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import nvidia_smi_topo
from hwaccept.inventory.records import TopologyRow
from hwaccept.tools.nvidia_smi_topo import nvlink_bond, parse_topology
from tests.importers.replay import inventory_of

FIXTURES = Path(__file__).parents[1] / "fixtures" / "imports"
H100 = FIXTURES / "nvidia-smi-topo-m_8xH100.txt"
H200 = FIXTURES / "nvidia-smi-topo-m_8xH200.txt"


def test_h100_matrix_replays_with_its_bonds_paths_and_affinity() -> None:
    text = H100.read_text()
    assert nvidia_smi_topo.sniff(text)
    inventory = inventory_of(nvidia_smi_topo.parse(text, str(H100)))
    assert [gpu.index for gpu in inventory.gpus] == list(range(8))
    topology = inventory.gpu_topology
    assert topology is not None
    assert topology.gpus == tuple(f"GPU{n}" for n in range(8))
    assert len(topology.devices) == 20
    assert topology.nic_names["NIC11"] == "mlx5_11"
    gpu4 = topology.rows["GPU4"]
    assert gpu4 == TopologyRow(
        "GPU4",
        {**{f"GPU{n}": "NV18" for n in (0, 1, 2, 3, 5, 6, 7)},
         **dict.fromkeys(("NIC0", "NIC1", "NIC2", "NIC3", "NIC4", "NIC5"), "SYS"),
         "NIC6": "PIX", "NIC7": "PXB", "NIC8": "NODE", "NIC9": "NODE", "NIC10": "NODE",
         "NIC11": "NODE"},
        cpu_affinity="56-111,168-223", numa_affinity="1")
    assert {nvlink_bond(cell) for row in topology.rows.values()
            for name, cell in row.links.items() if name.startswith("GPU")
            and row.name.startswith("GPU")} == {18}


def test_nic_rows_have_no_affinity() -> None:
    topology = parse_topology(H200.read_text())
    assert topology is not None
    assert topology.rows["NIC0"].cpu_affinity is None
    assert topology.rows["GPU3"].links["NIC0"] == "PIX"


def test_space_separated_copies_parse_alike() -> None:
    tabs = parse_topology(H100.read_text())
    spaces = parse_topology(H100.read_text().replace("\t", "   "))
    assert tabs is not None
    assert spaces is not None
    assert spaces.rows["GPU0"] == tabs.rows["GPU0"]


def test_a_matrix_missing_rows_is_incomplete() -> None:
    cut = "\n".join(H100.read_text().splitlines()[:5])
    with pytest.raises(ImportInputError, match=r"^t: incomplete topology matrix: no row for GPU4"):
        nvidia_smi_topo.parse(cut, "t")


def test_text_without_a_matrix_is_refused() -> None:
    assert not nvidia_smi_topo.sniff("GPU 0: NVIDIA A100 (UUID: GPU-1)\n")
    with pytest.raises(ImportInputError, match=r"no `nvidia-smi topo -m` matrix"):
        nvidia_smi_topo.parse("hello\n", "x")
