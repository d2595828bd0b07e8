"""InfiniBand ports from real /sys/class/infiniband captures, as whole records."""

from __future__ import annotations

import pytest

from hwaccept.errors import UnknownUnitError
from hwaccept.inventory.records import IbPort
from hwaccept.sources.file_tree import TreeFiles
from hwaccept.sysfs.class_infiniband import ib_ports, parse_rate, parse_state
from tests.corpus import corpus, read_directory_tree, read_ttar

H100_COUNTERS = {
    "VL15_dropped": 0, "excessive_buffer_overrun_errors": 15, "link_downed": 0,
    "link_error_recovery": 0, "local_link_integrity_errors": 0, "multicast_rcv_packets": 0,
    "multicast_xmit_packets": 0, "port_rcv_constraint_errors": 0,
    "port_rcv_data": 230539874932483, "port_rcv_errors": 14, "port_rcv_packets": 317548853677,
    "port_rcv_remote_physical_errors": 0, "port_rcv_switch_relay_errors": 1,
    "port_xmit_constraint_errors": 0, "port_xmit_data": 230442669431839,
    "port_xmit_discards": 0, "port_xmit_packets": 315487941081, "port_xmit_wait": 2489603687,
    "symbol_error": 0, "unicast_rcv_packets": 317548853677,
    "unicast_xmit_packets": 315487941081,
}


@pytest.fixture(scope="module")
def h100_ports() -> tuple[IbPort, ...]:
    tree = read_directory_tree(corpus("ib/gpud_sys-class-infiniband-h100.0"),
                               "/sys/class/infiniband")
    return ib_ports(TreeFiles(tree))


def test_h100_node_has_nine_ports(h100_ports: tuple[IbPort, ...]) -> None:
    assert [(p.device, p.port) for p in h100_ports] == [
        ("mlx5_0", 1), ("mlx5_1", 1), ("mlx5_4", 1), ("mlx5_5", 1), ("mlx5_6", 1),
        ("mlx5_7", 1), ("mlx5_8", 1), ("mlx5_9", 1), ("mlx5_bond_0", 1)]


def test_h100_cx7_port_whole_record(h100_ports: tuple[IbPort, ...]) -> None:
    assert h100_ports[0] == IbPort(
        device="mlx5_0", port=1, state="ACTIVE", phys_state="LinkUp", rate_gbps=400.0,
        rate="400 Gb/sec (4X NDR)", link_layer="InfiniBand", firmware_version="28.41.1000",
        board_id="MT_0000000838", hca_type="MT4129", node_guid=None, pci_address=None,
        counters=H100_COUNTERS, errors=())


def test_saturated_link_downed_counter_is_kept(h100_ports: tuple[IbPort, ...]) -> None:
    assert h100_ports[1].device == "mlx5_1"
    assert h100_ports[1].counters["link_downed"] == 255


def test_bluefield_bond_is_ethernet_at_200g(h100_ports: tuple[IbPort, ...]) -> None:
    bond = h100_ports[-1]
    assert (bond.hca_type, bond.firmware_version, bond.link_layer, bond.rate_gbps) == \
        ("MT41692", "32.38.3056", "Ethernet", 200.0)


def test_ports_without_a_performance_agent_have_no_counters() -> None:
    """node_exporter's i40iw0 answers `N/A (no PMA)` for every counter."""
    ports = ib_ports(TreeFiles(read_ttar(corpus("sysfs/node_exporter_sys.ttar"))))
    i40iw = next(p for p in ports if p.device == "i40iw0")
    assert i40iw == IbPort(
        device="i40iw0", port=1, state="ACTIVE", phys_state="LinkUp", rate_gbps=10.0,
        rate="10 Gb/sec (4X)", link_layer="InfiniBand", firmware_version="0.2",
        board_id="I40IW Board ID", hca_type="I40IW", counters={}, errors=())


@pytest.mark.parametrize(("text", "gbps"), [
    ("400 Gb/sec (4X NDR)", 400.0), ("200 Gb/sec (2X NDR)", 200.0), ("10 Gb/sec (4X)", 10.0),
    ("2.5 Gb/sec (1X SDR)", 2.5), ("Unknown", None)])
def test_rates(text: str, gbps: float | None) -> None:
    assert parse_rate(text) == gbps


def test_unknown_rate_units_raise() -> None:
    with pytest.raises(UnknownUnitError):
        parse_rate("400 Tb/sec (4X NDR)")


def test_states() -> None:
    assert parse_state("4: ACTIVE\n") == "ACTIVE"
    assert parse_state("5: LinkUp") == "LinkUp"
    with pytest.raises(ValueError, match="expected"):
        parse_state("4: ")
