"""A healthy two-GPU machine, a profile it meets in every key, and that machine faulted.

Each fault changes one thing, so the findings of `check_all(SKU, fault)` that carry a
failure code are the codes that fault gives. Together the faults give every code of the
catalog, in every situation it names.
"""

from __future__ import annotations

from typing import Any

from hwaccept.checks.catalog import XIDS
from hwaccept.inventory.records import (
    AerCounters,
    Disk,
    EdacController,
    EventSource,
    FabricInfo,
    Gpu,
    IbPort,
    Inventory,
    KernelEvent,
    KernelLog,
    Nic,
    NvidiaDriver,
    NvLink,
    NvSwitch,
    PciDevice,
    RemappedRows,
    SmartHealth,
    SmartSource,
    System,
)
from hwaccept.record import replace
from hwaccept.tools.fabricmanager_log import events as fabric_events
from tests.checks.machines import gpu, pci, profile, with_fabric_log, with_log_lines, xid_line

SKU = profile(
    system={"cpu_model": "*xeon*", "sockets": 2, "cores_min": 96, "memory_gib_min": 1900,
            "numa_nodes": 2, "bios": {"min": "2.1"}, "kernel_cmdline": ["iommu=pt"],
            "edac_correctable_max": 20},
    gpus={"count": 2, "model": "NVIDIA H100*", "pci_id": "10de:2330", "memory_gib_min": 79,
          "pcie_gen": 5, "pcie_width": 16, "vbios": {"min": "96.00.74.00.0D"},
          "driver_version_min": "535.161.08", "persistence_mode": True, "ecc_mode": True,
          "mig_mode": False, "ecc": {"volatile_sbe_max": 0, "volatile_dbe_max": 0},
          "retired_pages": {"dbe_max": 0, "sbe_max": 0, "pending_allowed": False},
          "row_remap": {"pending_allowed": False, "failure_allowed": False,
                        "uncorrectable_max": 0, "correctable_max": 0},
          "nvlinks": {"count": 18, "state": "active", "crc_errors_max": 0,
                      "replay_errors_max": 0, "recovery_errors_max": 0},
          "idle_temperature_max_c": 50,
          "power_limit_w": {"min": 690, "max": 700, "marginal": 0.001},
          "idle_throttle_reasons_allowed": ["gpu_idle"]},
    nvswitches={"count": 2, "pci_id": "10de:22a3", "fabric_state": "completed"},
    pcie_devices=[{"name": "ConnectX-7", "pci_id": "15b3:1021", "count": 2, "gen": 5,
                   "width": 16, "driver": "mlx5_core"}],
    pcie_aer={"fatal_max": 0, "nonfatal_max": 0, "correctable_max": 0},
    nics={"driver": "mlx5_core", "count": 2, "speed_mbps": 100000, "mtu": 9000, "state": "up",
          "firmware": {"min": "22.39.1002"}, "errors_max": 0},
    infiniband={"count": 2, "rate_gbps": 400, "state": "ACTIVE", "phys_state": "LinkUp",
                "link_layer": "InfiniBand", "firmware": {"min": "28.39.1002"},
                "symbol_errors_max": 0, "link_recoveries_max": 0, "link_downed_max": 0,
                "rcv_errors_max": 0, "integrity_errors_max": 0},
    disks={"transport": "nvme", "count": 2, "size_gb_min": 3800, "model": "*MZQL23T8*",
           "firmware": {"allowed": ["GDC5*"]},
           "smart": {"critical_warning_allowed": False, "media_errors_max": 0,
                     "percentage_used_max": 80, "available_spare_min": 20,
                     "temperature_max_c": 70}},
    kernel_log={"xid": {"fail": [], "warn": []}, "forbidden_patterns": ["Machine Check"]},
)
UPSTREAM = "0000:29:00.0"
SWITCHES = ("0000:83:00.0", "0000:84:00.0")


def _gpu(index: int) -> Gpu:
    return gpu(index, power_limit_w=695.0, nvlinks=tuple(
        NvLink(n, active=True, replay_errors=0, recovery_errors=0, crc_flit_errors=0,
               crc_data_errors=0) for n in range(18)),
               fabric=FabricInfo("completed", "SUCCESS"), retired_pages_sbe=0,
               retired_pages_dbe=0, retired_pages_pending=False)


NIC_COUNTERS = {"rx_errors": 0, "tx_errors": 0, "rx_dropped": 3, "tx_dropped": 0,
                "rx_crc_errors": 0, "rx_frame_errors": 0, "rx_missed_errors": 0,
                "rx_fifo_errors": 0, "tx_carrier_errors": 0, "collisions": 0}
IB_COUNTERS = {"symbol_error": 0, "link_error_recovery": 0, "link_downed": 0,
               "port_rcv_errors": 0, "local_link_integrity_errors": 0,
               "excessive_buffer_overrun_errors": 0, "port_xmit_discards": 0}


def _nic(name: str, address: str) -> Nic:
    return Nic(name, driver="mlx5_core", firmware_version="22.39.1002", pci_address=address,
               mac="e8:eb:d3:33:07:da", operstate="up", carrier=True, speed_mbps=100000,
               supported_speed_mbps=100000, mtu=9000, counters=NIC_COUNTERS)


def _port(device: str) -> IbPort:
    return IbPort(device, 1, state="ACTIVE", phys_state="LinkUp", rate_gbps=400.0,
                  rate="400 Gb/sec (4X NDR)", link_layer="InfiniBand",
                  firmware_version="28.39.1002", hca_type="MT4129", counters=IB_COUNTERS)


HEALTH = SmartHealth(SmartSource.SMARTCTL, supported=True, passed=True, critical_warning=0,
                     media_errors=0, percentage_used=1, available_spare=100, temperature_c=35)


def _disk(name: str) -> Disk:
    return Disk(name, transport="nvme", model="SAMSUNG MZQL23T8HCLS-00A07",
                serial=f"S64H{name}", firmware="GDC5302Q", size_bytes=3_840_755_982_336,
                smart=HEALTH)


def _functions() -> tuple[PciDevice, ...]:
    clean = AerCounters(0, 0, 0)
    return (
        pci("0000:19:00.0", "10de:2330", class_code="030200", driver="nvidia", aer=clean),
        pci("0000:1a:00.0", "10de:2330", class_code="030200", driver="nvidia", aer=clean),
        pci(UPSTREAM, "8086:352a", class_code="060400", driver="pcieport", aer=clean),
        pci("0000:2a:00.0", "15b3:1021", parent=UPSTREAM, aer=clean),
        pci("0000:2b:00.0", "15b3:1021", aer=clean),
    )


HEALTHY = with_fabric_log(Inventory(
    origin="live",
    system=System(serial="SYS1", vendor="Test Vendor", product="Test Server",
                  cpu_model="Intel(R) Xeon(R) Platinum 8480+", sockets=2, cores=112,
                  memory_total_bytes=2_113_464_000 * 1024, numa_nodes=2, bios_version="2.1.7",
                  kernel_cmdline="ro iommu=pt", edac=(EdacController("mc0", "I10NM", 0, 0, 16),)),
    nvidia=NvidiaDriver(True, driver_version="535.161.08"),
    pci_devices=_functions(),
    gpus=(_gpu(0), _gpu(1)),
    nvswitches=tuple(NvSwitch(a, device_id="22a3", model="NVSwitch") for a in SWITCHES),
    nics=(_nic("ens1", "0000:2a:00.0"), _nic("ens2", "0000:2b:00.0")),
    ib_ports=(_port("mlx5_0"), _port("mlx5_1")),
    disks=(_disk("nvme0n1"), _disk("nvme1n1")),
    kernel_log=KernelLog(source="dmesg", lines=1000),
), ["[Feb 27 2025 15:10:00] [INFO] [tid 1] fabric manager started"])
"""Meets SKU in every key."""


def changed(**fields: Any) -> Inventory:
    """The healthy machine with some of its fields replaced."""
    return replace(HEALTHY, **fields)


def gpu0(**changes: Any) -> Inventory:
    """GPU 0 changed."""
    return changed(gpus=(replace(HEALTHY.gpus[0], **changes), HEALTHY.gpus[1]))


def function(address: str, **changes: Any) -> Inventory:
    """One PCI function changed."""
    return changed(pci_devices=tuple(replace(d, **changes) if d.address == address
                                     else d for d in HEALTHY.pci_devices))


def nic0(**changes: Any) -> Inventory:
    """The first network interface changed."""
    return changed(nics=(replace(HEALTHY.nics[0], **changes), HEALTHY.nics[1]))


def port0(**changes: Any) -> Inventory:
    """The first InfiniBand port changed."""
    return changed(ib_ports=(replace(HEALTHY.ib_ports[0], **changes),
                             HEALTHY.ib_ports[1]))


def disk0(**changes: Any) -> Inventory:
    """The first disk changed."""
    return changed(disks=(replace(HEALTHY.disks[0], **changes), HEALTHY.disks[1]))


def smart0(**changes: Any) -> Inventory:
    """The first disk's SMART health changed."""
    return disk0(smart=replace(HEALTH, **changes))


def machine0(**changes: Any) -> Inventory:
    """The chassis changed."""
    return changed(system=replace(HEALTHY.system, **changes))


def switch0(**changes: Any) -> Inventory:
    """The first NVSwitch changed."""
    return changed(nvswitches=(replace(HEALTHY.nvswitches[0], **changes),
                               HEALTHY.nvswitches[1]))


def fabric(state: str, status: str | None = None) -> Inventory:
    """GPU 0's NVSwitch fabric registration changed."""
    return gpu0(fabric=FabricInfo(state, status))


def links(count: int, down: int | None = None) -> Inventory:
    """GPU 0 with `count` NVLinks, link `down` inactive."""
    return gpu0(nvlinks=tuple(NvLink(n, active=n != down) for n in range(count)))


def rows(**changes: Any) -> Inventory:
    """GPU 0's row remapper changed."""
    return gpu0(remapped_rows=replace(RemappedRows(0, 0, pending=False,
                                                               failure=False), **changes))


def behind_a_gen4_port() -> Inventory:
    """The first ConnectX-7 trained at Gen4, its upstream port capable of only Gen4."""
    def slower(device: PciDevice) -> PciDevice:
        if device.address == UPSTREAM:
            return replace(device, max_link_gen=4)
        if device.address == "0000:2a:00.0":
            return replace(device, current_link_gen=4)
        return device
    return changed(pci_devices=tuple(map(slower, HEALTHY.pci_devices)))


def kernel_faults() -> Inventory:
    """Every Xid of the catalog (and one it does not know) at its own address, and an MCE."""
    lines = [xid_line(f"0000:{0x40 + n:02x}:00.0", xid) for n, xid in enumerate([*XIDS, 144])]
    return with_log_lines(HEALTHY, [*lines, "mce: [Hardware Error]: CPU 0: Machine Check "
                                             "Exception: 5 Bank 6: b200000000070005"])


def nvswitch_faults() -> Inventory:
    """A non-fatal error on one NVSwitch and a fatal one on the other."""
    line = ("[Feb 27 2025 15:10:02] [ERROR] [tid 12727] detected NVSwitch {} error {} on fid 0 "
            "on NVSwitch pci bus id 0000{} physical id 3 port 61")
    logged = [line.format("non-fatal", 12028, SWITCHES[0]), line.format("fatal", 24007,
                                                                          SWITCHES[1])]
    return replace(HEALTHY, fabric_manager_events=tuple(fabric_events(logged)))


EVENT_LINES: dict[str, tuple[str, ...]] = {
    "KERNEL_AER_FATAL": ("[   10.000001] pcieport 0000:50:01.0: AER: Uncorrected (Fatal) error "
                         "received: 0000:51:00.0",),
    "KERNEL_AER_NONFATAL": ("[   10.000002] pcieport 0000:50:02.0: AER: Uncorrected "
                            "(Non-Fatal) error received: 0000:52:00.0",),
    "KERNEL_AER_CORRECTED": ("[   10.000003] pcieport 0000:50:03.0: AER: Corrected error "
                             "received: 0000:53:00.0",),
    "KERNEL_MCE_EXCEPTION": ("[   10.000004] mce: [Hardware Error]: CPU 0: Machine Check "
                             "Exception: 5 Bank 6: b200000000070005",),
    "KERNEL_MCE_LOGGED": ("[   10.000005] mce: [Hardware Error]: CPU 1: Machine Check: 0 Bank "
                          "7: 8c00004000010090",),
    "KERNEL_MCE_THERMAL": ("[   10.000006] CPU2: Core temperature above threshold, cpu clock "
                           "throttled",),
    "KERNEL_EDAC_UE": ("[   10.000007] EDAC MC0: 1 UE memory read error on "
                       "CPU_SrcID#0_MC#0_Chan#0_DIMM#0",),
    "KERNEL_EDAC_CE": ("[   10.000008] EDAC MC1: 1 CE memory read error on "
                       "CPU_SrcID#1_MC#1_Chan#0_DIMM#0",),
    "KERNEL_NVME_TIMEOUT": ("[   10.000009] nvme nvme0: I/O 123 QID 4 timeout, reset "
                            "controller",),
    "KERNEL_NVME_CONTROLLER_DOWN": ("[   10.000010] nvme nvme1: controller is down; will "
                                    "reset: CSTS=0xffffffff",),
    "KERNEL_NVME_REMOVED": ("[   10.000011] nvme nvme2: Removing after probe failure status: "
                            "-19",),
    "KERNEL_NVME_NOT_READY": ("[   10.000012] nvme nvme3: Device not ready; aborting reset, "
                              "CSTS=0x1",),
    "KERNEL_NVME_ABORT": ("[   10.000013] nvme nvme4: Abort status: 0x371",),
    "KERNEL_NVME_PCI_ERROR": ("[   10.000014] nvme 0000:60:00.0: frozen state error detected, "
                              "reset controller",),
    "KERNEL_NVME_IO_ERROR": ("[   10.000015] nvme5n1: Read(0x2) @ LBA 1234, 8 blocks, "
                             "Unrecovered Read Error (sct 0x2 / sc 0x81) DNR",),
    "LINK_FLAP": ("[   10.000016] mlx5_core 0000:2a:00.0 ens1: Link up",
                  "[   10.000017] mlx5_core 0000:2a:00.0 ens1: Link down"),
    "LINK_MODULE_ERROR": ("[   10.000018] mlx5_core 0000:70:00.0: Port module event[error]: "
                          "module 0, Cable error, High Temperature",),
    "NVSWITCH_SXID_12028": ("[   10.000019] nvidia-nvswitch0: SXid (PCI:0000:83:00.0): 12028, "
                            "Non-fatal, Link 32",),
}
"""Log lines of every kind of hardware event the catalog judges, each on its own device."""


def event_faults() -> Inventory:
    """Every kernel log event of the catalog, and one of a kind it does not describe."""
    logged = with_log_lines(HEALTHY, [line for lines in EVENT_LINES.values()
                                      for line in lines])
    odd = KernelEvent(EventSource.NVME, "nvme nvme9: a new kind of message", device="nvme9",
                      code="new_kind")
    return replace(logged, kernel_events=(*logged.kernel_events, odd))


def nvlink_errors() -> Inventory:
    """Link 3 of GPU 0 replayed packets twice."""
    links = HEALTHY.gpus[0].nvlinks or ()
    return gpu0(nvlinks=tuple(replace(link, replay_errors=2) if link.link == 3
                              else link for link in links))


FAULTS: dict[str, Inventory] = {
    "no NVIDIA driver": changed(gpus=(), nvidia=NvidiaDriver(False, "no NVIDIA driver")),
    "NVML cannot count": changed(gpus=(), nvidia=NvidiaDriver(
        True, driver_version="535.161.08", errors=("nvmlDeviceGetCount: UNKNOWN",))),
    "a GPU missing": changed(gpus=HEALTHY.gpus[:1]),
    "a GPU too many": changed(gpus=(*HEALTHY.gpus, _gpu(2))),
    "a GPU lost": gpu0(failed="nvmlDeviceGetTemperature: GPU_IS_LOST"),
    "another GPU model": gpu0(name="NVIDIA A100-SXM4-80GB"),
    "another GPU PCI id": function("0000:19:00.0", device_id="20b2"),
    "less GPU memory": gpu0(memory_total_bytes=40 * 2**30),
    "an old VBIOS": gpu0(vbios_version="96.00.61.00.01"),
    "an old driver": changed(nvidia=NvidiaDriver(True, driver_version="535.104.05")),
    "no persistence": gpu0(persistence_mode=False),
    "ECC off": gpu0(ecc_mode_current=False, ecc_mode_pending=False),
    "ECC on at the next reset": gpu0(ecc_mode_current=False, ecc_mode_pending=True),
    "MIG on": gpu0(mig_mode_current=True, mig_mode_pending=True),
    "MIG on at the next reset": gpu0(mig_mode_current=True, mig_mode_pending=False),
    "a GPU at x8": gpu0(pcie_width_current=8),
    "a GPU capable of Gen4": gpu0(pcie_gen_max=4, pcie_gen_current=4),
    "a NIC at Gen4 behind a Gen4 port": behind_a_gen4_port(),
    "17 NVLinks": links(17),
    "19 NVLinks": links(19),
    "an NVLink down": links(18, down=5),
    "a DBE": gpu0(ecc=replace(HEALTHY.gpus[0].ecc, volatile_dbe=1)),
    "an SBE": gpu0(ecc=replace(HEALTHY.gpus[0].ecc, volatile_sbe=1)),
    "pages retired for a DBE": gpu0(retired_pages_dbe=1),
    "pages retired for an SBE": gpu0(retired_pages_sbe=1),
    "a page retirement pending": gpu0(retired_pages_pending=True),
    "a row remap failure": rows(failure=True),
    "a row remapped for an uncorrectable error": rows(uncorrectable=1),
    "a row remapped for a correctable error": rows(correctable=1),
    "a row remap pending": rows(pending=True),
    "a hot GPU": gpu0(temperature_c=80),
    "a low power limit": gpu0(power_limit_w=500.0),
    "a power limit near its bound": gpu0(power_limit_w=699.5),
    "a throttled GPU": gpu0(throttle_reasons=("hw_slowdown",)),
    "an NVSwitch missing": changed(nvswitches=HEALTHY.nvswitches[:1]),
    "an NVSwitch too many": changed(nvswitches=(*HEALTHY.nvswitches,
                                                NvSwitch("0000:85:00.0", device_id="22a3"))),
    "another NVSwitch": switch0(device_id="1af1"),
    "fabric not started": fabric("not_started"),
    "fabric in progress": fabric("in_progress"),
    "fabric not supported": fabric("not_supported"),
    "fabric failed": fabric("completed", "NVML_ERROR_UNKNOWN"),
    "NVSwitch errors": nvswitch_faults(),
    "a ConnectX-7 missing": changed(pci_devices=_functions()[:-1]),
    "a ConnectX-7 too many": changed(pci_devices=(*_functions(),
                                                  pci("0000:2c:00.0", "15b3:1021"))),
    "no driver bound": function("0000:2b:00.0", driver=None),
    "a fatal AER error": function("0000:2b:00.0", aer=AerCounters(0, 0, 1)),
    "a non-fatal AER error": function("0000:2b:00.0", aer=AerCounters(0, 1, 0)),
    "a corrected AER error": function("0000:2b:00.0", aer=AerCounters(1, 0, 0)),
    "a NIC missing": changed(nics=HEALTHY.nics[:1]),
    "a NIC too many": changed(nics=(*HEALTHY.nics, _nic("ens3", "0000:2c:00.0"))),
    "a slow NIC link": nic0(speed_mbps=25000),
    "a NIC that cannot": nic0(speed_mbps=25000, supported_speed_mbps=25000),
    "a fast NIC link": nic0(speed_mbps=200000),
    "another MTU": nic0(mtu=1500),
    "a NIC without carrier": nic0(operstate="down", carrier=False, speed_mbps=None),
    "a NIC never brought up": nic0(operstate="down", carrier=None, speed_mbps=None),
    "old NIC firmware": nic0(firmware_version="22.36.1010"),
    "a port missing": changed(ib_ports=HEALTHY.ib_ports[:1]),
    "a port too many": changed(ib_ports=(*HEALTHY.ib_ports, _port("mlx5_2"))),
    "a slow port": port0(rate_gbps=200.0, rate="200 Gb/sec (4X HDR)"),
    "a fast port": port0(rate_gbps=800.0, rate="800 Gb/sec (4X XDR)"),
    "a port down": port0(state="DOWN", phys_state="Polling"),
    "a port without a subnet manager": port0(state="INIT"),
    "a port recovering": port0(phys_state="LinkErrorRecovery"),
    "a port disabled": port0(phys_state="Disabled"),
    "a RoCE port": port0(link_layer="Ethernet"),
    "old HCA firmware": port0(firmware_version="28.36.1010"),
    "a disk missing": changed(disks=HEALTHY.disks[:1]),
    "a disk too many": changed(disks=(*HEALTHY.disks, _disk("nvme2n1"))),
    "a small disk": disk0(size_bytes=960_197_124_096),
    "another disk model": disk0(model="INTEL SSDPF2KX076T1"),
    "other disk firmware": disk0(firmware="GDC4102Q"),
    "SMART failed": smart0(passed=False),
    "a reliability warning": smart0(critical_warning=0x4),
    "a temperature warning": smart0(critical_warning=0x2),
    "media errors": smart0(media_errors=3),
    "a worn drive": smart0(percentage_used=90),
    "little spare": smart0(available_spare=10),
    "another CPU": machine0(cpu_model="AMD EPYC 9654"),
    "one socket": machine0(sockets=1),
    "few cores": machine0(cores=64),
    "little memory": machine0(memory_total_bytes=1_000_000_000 * 1024),
    "other NUMA nodes": machine0(numa_nodes=8),
    "an old BIOS": machine0(bios_version="1.9.2"),
    "a command line lacking an option": machine0(kernel_cmdline="ro quiet"),
    "uncorrected memory errors": machine0(edac=(EdacController("mc0", uncorrectable=1,
                                                               correctable=0),)),
    "corrected memory errors": machine0(edac=(EdacController("mc0", uncorrectable=0,
                                                             correctable=30),)),
    "Xids and a machine check": kernel_faults(),
    "GPUs sharing a serial": gpu0(serial=HEALTHY.gpus[1].serial),
    "NVLink replay errors": nvlink_errors(),
    "NIC CRC errors": nic0(counters={**NIC_COUNTERS, "rx_crc_errors": 12, "rx_errors": 12}),
    "a port that went down 255 times": port0(counters={**IB_COUNTERS, "link_downed": 255}),
    "a hot drive": smart0(temperature_c=80),
    "no chassis serial": machine0(serial=None),
    "hardware events in the kernel log": event_faults(),
}
"""The healthy machine faulted, one fault each."""
