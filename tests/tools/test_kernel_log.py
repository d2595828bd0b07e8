"""Kernel log parsing, checked against real captures in the shared corpus and public reports."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from hwaccept.inventory.records import EventSource, KernelEvent
from hwaccept.tools.kernel_log import LogLine, classify, events, parse_line, pci_address

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "kmsg"
BOOT = "gpud_dmesg_boot_full-decode-iso.log"
XID119 = "gpud_dmesg_H100-XE9680_xid119-gsp-timeout.log"
XID48 = "gpud_dmesg_xid48-dbe_xid63-row-remap_xid94.log"
NVSWITCH_KMSG = "gpud_kmsg_dgx-nvswitch-open.log"
PEERMEM_KMSG = "gpud_kmsg_nvidia-peermem-errors.log"
NCCL_SEGFAULT = "gpud_dmesg_nccl-segfault.log"
IB6_FLAPS = "azhc_syslog_ib6-carrier-flaps.log"
PSTORE = "gpud_pstore_dmesg_kernel-panic.txt"

XID, SXID, AER, MCE, EDAC, NVME, LINK = (
    EventSource.XID, EventSource.SXID, EventSource.AER, EventSource.MCE,
    EventSource.EDAC, EventSource.NVME, EventSource.LINK,
)

GARBAGE = bytes(range(256)).decode("latin-1") + "\ufffd\udcff"
"""Every byte value as Latin-1, a replacement character and a lone surrogate."""

XID48_MESSAGE = (
    "NVRM: Xid (PCI:0000:19:00): 48, pid='<unknown>', name=<unknown>, An uncorrectable double "
    "bit error (DBE) has been detected on GPU in the framebuffer at physAddr 0x12bac1c3e0 "
    "partition 2, subpartition 1."
)
XID119_MESSAGE = (
    "NVRM: Xid (PCI:0000:9b:00): 119, pid=2024380, name=nvidia-smi, Timeout after 6s of waiting "
    "for RPC response from GPU4 GSP! Expected function 103 (GSP_RM_ALLOC) (0x2081 0x4)."
)


def corpus_lines(name: str) -> list[str]:
    return (CORPUS / name).read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "kern  :debug : 2025-01-17T15:36:15,345059+00:00 pci_bus 0000:d7: on NUMA node 5",
            LogLine("debug", "kern", "2025-01-17T15:36:15.345059+00:00", None,
                    "pci_bus 0000:d7: on NUMA node 5"),
            id="dmesg-decode-iso",  # corpus boot log, line 1
        ),
        pytest.param(
            f"2024-11-15T12:02:03,470068+00:00 {XID48_MESSAGE}",
            LogLine(timestamp="2024-11-15T12:02:03.470068+00:00", message=XID48_MESSAGE),
            id="dmesg-iso",  # corpus xid48 capture
        ),
        pytest.param(
            "[11457.533097] nvme nvme2: I/O 0 QID 0 timeout, reset controller",
            LogLine(uptime_s=11457.533097,
                    message="nvme nvme2: I/O 0 QID 0 timeout, reset controller"),
            id="dmesg",  # linux-nvme/nvme-cli#151
        ),
        pytest.param(
            f"[Sun Feb 23 16:24:18 2025] {XID119_MESSAGE}",
            LogLine(timestamp="2025-02-23T16:24:18", message=XID119_MESSAGE),
            id="dmesg-ctime",  # corpus xid119 capture
        ),
        pytest.param(
            "6,3964,206764307,-;nvidia-nvswitch2: open (major=510)",
            LogLine("info", "kern", None, 206.764307, "nvidia-nvswitch2: open (major=510)"),
            id="kmsg",  # corpus nvswitch kmsg capture
        ),
        pytest.param(
            # The xid48 record as `journalctl -k -o short-iso` renders it; the host is a
            # placeholder, since no public capture of this form was found.
            f"2024-11-15T12:02:03+0000 gpu-node kernel: {XID48_MESSAGE}",
            LogLine(timestamp="2024-11-15T12:02:03+00:00", message=XID48_MESSAGE),
            id="journalctl-short-iso",
        ),
        pytest.param(
            "Aug 17 06:18:01 jplc7eb7-vm-0 systemd-networkd[5398]: ib6: lost carrier",
            LogLine(timestamp="--08-17T06:18:01", message="ib6: lost carrier"),
            id="syslog",  # corpus Azure syslog
        ),
        pytest.param(
            "Sep 19 16:18:02 bubz kernel: [68183.615790] pcieport 0000:00:03.1: AER: Correctable "
            "error message received from 0000:00:00.0",
            LogLine(timestamp="--09-19T16:18:02", uptime_s=68183.61579,
                    message="pcieport 0000:00:03.1: AER: Correctable error message received "
                    "from 0000:00:00.0"),
            id="syslog-kernel-uptime",  # pop-os/pop#3363
        ),
        pytest.param(
            "kern  :info  : [    9.717837] igc 0000:01:00.0: 4.000 Gb/s available PCIe "
            "bandwidth (5.0 GT/s PCIe x1 link)",
            LogLine("info", "kern", None, 9.717837,
                    "igc 0000:01:00.0: 4.000 Gb/s available PCIe bandwidth "
                    "(5.0 GT/s PCIe x1 link)"),
            id="dmesg-decode",  # a kernel test robot (LKP) report, `dmesg -x`
        ),
        pytest.param(
            "syslog:err   : 2025-05-27T04:18:56,089671+00:00 NVRM: Xid (PCI:0000:04:00): 79, GPU "
            "has fallen off the bus",
            LogLine("err", "syslog", "2025-05-27T04:18:56.089671+00:00", None,
                    "NVRM: Xid (PCI:0000:04:00): 79, GPU has fallen off the bus"),
            id="dmesg-decode-iso-syslog-facility",  # leptonai/gpud#870
        ),
        pytest.param(
            "<30>[   12.976992] systemd[1]: Inserted module 'autofs4'",
            LogLine("info", "daemon", None, 12.976992, "systemd[1]: Inserted module 'autofs4'"),
            id="pstore-priority",  # corpus pstore dump
        ),
        pytest.param(
            "[  +0.000001] pcieport 0000:00:03.0: AER: Multiple Uncorrected (Fatal) error "
            "received: 0000:00:03.0",
            LogLine(message="pcieport 0000:00:03.0: AER: Multiple Uncorrected (Fatal) error "
                    "received: 0000:00:03.0"),
            id="dmesg-human-delta",  # rwth-i6/returnn#1500
        ),
        pytest.param(
            "[  520.897104] [   T3919] usb 3-3: Product: USB 2.0 Hub",
            LogLine(uptime_s=520.897104, message="usb 3-3: Product: USB 2.0 Hub"),
            id="dmesg-caller-id",  # CONFIG_PRINTK_CALLER, util-linux dmesg discussion
        ),
        pytest.param(
            "[Sun Feb 23 16:24:18 2025]  show_stack+0x52/0x5c",
            LogLine(timestamp="2025-02-23T16:24:18", message=" show_stack+0x52/0x5c"),
            id="indented-message",  # corpus xid119 capture: the stack keeps its indent
        ),
    ],
)
def test_parse_line_splits_each_form(line: str, expected: LogLine) -> None:
    assert parse_line(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("", LogLine(), id="empty"),
        pytest.param("\n", LogLine(), id="newline"),
        pytest.param("kern  :info  : ", LogLine("info", "kern"), id="decode-prefix-only"),
        pytest.param("[  123.456789]", LogLine(uptime_s=123.456789), id="uptime-only"),
        pytest.param("6,3964,206764307,-;", LogLine("info", "kern", None, 206.764307),
                     id="kmsg-prefix-only"),
        pytest.param("<3>[ 1126.627862] ", LogLine("err", "kern", None, 1126.627862),
                     id="pstore-empty-message"),  # corpus pstore dump, line 339
        pytest.param("<999>x", LogLine("debug", None, None, None, "x"),
                     id="priority-beyond-local7"),
        pytest.param(GARBAGE, LogLine(message=GARBAGE), id="binary-garbage"),
        pytest.param("Link " * 200_000, LogLine(message=("Link " * 200_000).rstrip()),
                     id="very-long"),
        pytest.param("Nov 15 05:39:15 " + "a" * 100_000,
                     LogLine(message="Nov 15 05:39:15 " + "a" * 100_000),
                     id="syslog-date-without-ident"),
    ],
)
def test_parse_line_odd_input(line: str, expected: LogLine) -> None:
    assert parse_line(line) == expected


def test_parse_line_and_events_never_raise_on_noise() -> None:
    rng = random.Random(20250117)
    pieces = ["kern  :info  : ", "[", "]", "<6>", "6,1,2,-;", "Nov 15 ", "2025-01-17T15:36:15",
              ",345059+00:00 ", "NVRM: Xid (PCI:", "0000:9b:00", "): ", "AER: ", "EDAC MC0: ",
              "nvme nvme0: ", "Link ", "carrier", "\x00", "\ufffd", " ", ":", "1", "x"]
    noise = ["".join(rng.choices(pieces, k=rng.randint(0, 30))) for _ in range(2000)]
    assert all(isinstance(parse_line(line), LogLine) for line in noise)
    assert isinstance(events(noise), list)


def test_xid119_capture_is_five_gsp_timeouts_on_gpu_9b() -> None:
    found = events(corpus_lines(XID119))
    assert found[0] == KernelEvent(XID, XID119_MESSAGE, timestamp="2025-02-23T16:24:18",
                                   device="0000:9b:00.0", code="119")
    assert [(e.source, e.device, e.code) for e in found] == [(XID, "0000:9b:00.0", "119")] * 5
    assert [e.timestamp for e in found] == [
        "2025-02-23T16:24:18", "2025-02-23T16:24:24", "2025-02-23T16:24:30",
        "2025-02-23T16:27:12", "2025-02-23T16:30:13",
    ]


def test_xid48_capture_codes_in_order_and_no_peermem_events() -> None:
    found = events(corpus_lines(XID48))
    assert found[0] == KernelEvent(XID, XID48_MESSAGE,
                                   timestamp="2024-11-15T12:02:03.470068+00:00",
                                   device="0000:19:00.0", code="48")
    assert [e.code for e in found] == ["48", "63"] + ["94"] * 9
    assert {(e.source, e.device) for e in found} == {(XID, "0000:19:00.0")}


def boot_event(stamp: str, message: str, device: str, code: str) -> KernelEvent:
    return KernelEvent(LINK, message, timestamp=f"2025-01-17T{stamp}+00:00", device=device,
                       code=code)


def test_boot_log_events_are_the_nic_link_changes() -> None:
    lines = corpus_lines(BOOT)
    assert len([line for line in lines if line]) == 2362
    assert events(lines) == [
        boot_event("15:36:28.356580", "mlx5_core 0000:1b:00.1: Port module event: module 1, "
                   "Cable unplugged", "0000:1b:00.1", "cable_unplugged"),
        boot_event("15:36:56.368337", "mlx5_core 0000:9d:00.1: Port module event: module 1, "
                   "Cable unplugged", "0000:9d:00.1", "cable_unplugged"),
        boot_event("15:37:28.650514", "mlx5_core 0000:9d:00.1 enp157s0f1np1: Link down",
                   "0000:9d:00.1", "down"),
        boot_event("15:37:29.237495", "mlx5_core 0000:9d:00.0 enp157s0f0np0: Link down",
                   "0000:9d:00.0", "down"),
        boot_event("15:37:29.801989", "mlx5_core 0000:1b:00.1 enp27s0f1np1: Link down",
                   "0000:1b:00.1", "down"),
        boot_event("15:37:30.565853", "mlx5_core 0000:1b:00.0 bootnet: Link up",
                   "0000:1b:00.0", "up"),
        boot_event("15:37:34.315504", "tg3 0000:02:00.0 eno8303: Link is up at 1000 Mbps, "
                   "full duplex", "0000:02:00.0", "up"),
    ]


def test_boot_log_parses_every_line_with_its_decode_prefix() -> None:
    parsed = [parse_line(line) for line in corpus_lines(BOOT) if line]
    assert all(p.facility and p.level and p.timestamp for p in parsed)
    assert sum(p.facility == "daemon" for p in parsed) == 45


def test_nvswitch_kmsg_has_no_events_but_every_record_parses() -> None:
    lines = corpus_lines(NVSWITCH_KMSG)
    assert events(lines) == []
    parsed = [parse_line(line) for line in lines]
    assert all(p.uptime_s is not None and p.message and p.level == "info" for p in parsed)
    assert parsed[-1] == LogLine(
        "info", "kern", None, 57631.398464,
        "IPv6: ADDRCONF(NETDEV_CHANGE): calic24dd7712a6: link becomes ready",
    )


@pytest.mark.parametrize("name", [PEERMEM_KMSG, NCCL_SEGFAULT])
def test_software_faults_are_not_hardware_events(name: str) -> None:
    assert events(corpus_lines(name)) == []


def test_ib6_flaps_are_six_downs_then_six_ups() -> None:
    down = KernelEvent(LINK, "ib6: lost carrier", timestamp="--08-17T06:18:06", device="ib6",
                       code="down")
    up = KernelEvent(LINK, "ib6: Gained carrier", timestamp="--08-17T06:18:06", device="ib6",
                     code="up")
    first = KernelEvent(LINK, "ib6: lost carrier", timestamp="--08-17T06:18:01", device="ib6",
                        code="down")
    assert events(corpus_lines(IB6_FLAPS)) == [first] + [down] * 5 + [up] * 6


def test_pstore_dump_reports_the_unplugged_cable_and_the_link_up() -> None:
    assert events(corpus_lines(PSTORE)) == [
        KernelEvent(LINK, "mlx5_core 0000:41:00.1: Port module event: module 1, Cable unplugged",
                    uptime_s=2.962781, device="0000:41:00.1", code="cable_unplugged"),
        KernelEvent(LINK, "mlx5_core 0000:41:00.0 enp65s0f0np0: Link up",
                    uptime_s=14.952018, device="0000:41:00.0", code="up"),
    ]


def test_events_accepts_any_iterable() -> None:
    assert events(line for line in corpus_lines(PSTORE)) == events(corpus_lines(PSTORE))


@pytest.mark.parametrize(
    ("message", "source", "device", "code"),
    [
        # Xid: NVIDIA/open-gpu-kernel-modules kernel_rc.c shapes.
        pytest.param("NVRM: Xid (PCI:0000:02:00): 79, GPU has fallen off the bus.",
                     XID, "0000:02:00.0", "79", id="xid-without-pid"),  # wilicc/gpu-burn#1
        pytest.param("NVRM: Xid (0000:03:00): 13, 0003 00000000 00008297 00001098 00000000 "
                     "00000044", XID, "0000:03:00.0", "13",
                     id="xid-without-pci-prefix"),  # Ubuntu Forums syslog, 2012
        pytest.param("NVRM: Xid (PCI:0000:01:00 GPU-I:05): 94, pid=7194, Contained: CE User "
                     "Channel (0x9). RST: No, D-RST: No", XID, "0000:01:00.0", "94",
                     id="xid-mig"),  # NVIDIA A100 GPU memory error management guide
        # SXid: one error prints data, text and severity lines.
        pytest.param("nvidia-nvswitch3: SXid (PCI:0000:04:00.0): 22013, Non-fatal, Link 44 "
                     "Minion Link DLREQ interrupt", SXID, "0000:04:00.0", "22013",
                     id="sxid-nonfatal"),  # NVIDIA/nvtrust#124
        pytest.param("nvidia-nvswitch1: SXid (PCI:0000:84:00.0): 12028, Data {0x000001c0, "
                     "0x00bd5c8a, 0x00000500, 0x00000064, 0x00000000, 0x40008000, 0x5a001100, "
                     "0x00000000, 0x00000000}", SXID, "0000:84:00.0", "12028",
                     id="sxid-data"),  # leptonai/gpud#338
        # AER: drivers/pci/pcie/aer.c, old and new wording.
        pytest.param("pcieport 0000:00:01.0: AER: Multiple Corrected error received: "
                     "0000:01:00.0", AER, "0000:01:00.0", "corrected",
                     id="aer-received"),  # public write-up of a GPU power-cable fault
        pytest.param("pcieport 0000:00:01.0: PCIe Bus Error: severity=Corrected, type=Physical "
                     "Layer, (Receiver ID)", AER, "0000:00:01.0", "corrected",
                     id="aer-bus-error"),  # same write-up
        pytest.param("pcieport 0000:00:03.1: AER: Correctable error message received from "
                     "0000:00:00.0", AER, "0000:00:00.0", "corrected",
                     id="aer-received-new-wording"),  # pop-os/pop#3363
        pytest.param("pcieport 0000:00:03.1: PCIe Bus Error: severity=Correctable, type=Data "
                     "Link Layer, (Transmitter ID)", AER, "0000:00:03.1", "corrected",
                     id="aer-correctable"),  # pop-os/pop#3363
        pytest.param("pcieport 0000:00:03.0: AER: Multiple Uncorrected (Fatal) error received: "
                     "0000:00:03.0", AER, "0000:00:03.0", "fatal",
                     id="aer-fatal"),  # rwth-i6/returnn#1500
        pytest.param("pcieport 0000:00:02.0: AER: Uncorrected (Fatal) error received: id=0010",
                     AER, "0000:00:02.0", "fatal", id="aer-requester-id"),  # wilicc/gpu-burn#1
        pytest.param("pcieport 0000:00:1c.5: AER: Corrected error received: id=00e5",
                     AER, "0000:00:1c.5", "corrected",
                     id="aer-requester-id-function"),  # hirschmann/nbfc#181
        pytest.param("pcieport 0000:00:01.1: AER: PCIe Bus Error: severity=Corrected, type=Data "
                     "Link Layer, (Receiver ID)", AER, "0000:00:01.1", "corrected",
                     id="aer-bus-error-aer-prefix"),  # NVIDIA/nvidia-docker#1553
        pytest.param("pcieport 0000:00:1c.5: AER: Uncorrected (Non-Fatal) error received: "
                     "0000:09:00.0", AER, "0000:09:00.0", "nonfatal",
                     id="aer-nonfatal-received"),  # igb AER report on the netdev list
        pytest.param("igb 0000:09:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), "
                     "type=Transaction Layer, (Requester ID)", AER, "0000:09:00.0", "nonfatal",
                     id="aer-nonfatal-endpoint"),  # same report
        # MCE: arch/x86/kernel/cpu/mce.
        pytest.param("mce: [Hardware Error]: Machine check events logged", MCE, None, "logged",
                     id="mce-logged"),  # andikleen/mcelog#70
        pytest.param("mce: [Hardware Error]: CPU 0: Machine Check: 0 Bank 4: a600000000020408",
                     MCE, "cpu0", "logged", id="mce-record"),  # andikleen/mcelog#70
        pytest.param("mce: [Hardware Error]: TSC 0 ADDR fef4c9e0", MCE, None, None,
                     id="mce-detail"),  # andikleen/mcelog#70
        pytest.param("mce: [Hardware Error]: CPU 18: Machine Check Exception: 5 Bank 7: "
                     "be00000001010091", MCE, "cpu18", "exception",
                     id="mce-exception"),  # kdump MCE report on the kernel mailing list
        pytest.param("mce: [Hardware Error]: RIP !INEXACT! 10:<ffffffffac58472a>", MCE, None,
                     None, id="mce-rip"),  # same report
        pytest.param("mce: CPU2: Core temperature above threshold, cpu clock throttled (total "
                     "events = 2675)", MCE, "cpu2", "thermal",
                     id="mce-thermal"),  # erpalma/throttled#186
        # EDAC: drivers/edac/edac_mc.c.
        pytest.param("EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0_Chan#2_DIMM#0 "
                     "(channel:2 slot:0 page:0x849923 offset:0x380 grain:32 syndrome:0x0 -  "
                     "area:DRAM err_code:0001:0092 socket:0 ha:0 channel_mask:4 rank:0)",
                     EDAC, "mc0", "ce", id="edac-ce"),  # grondo/edac-utils#10
        pytest.param("EDAC MC1: 1 CE memory scrubbing error on CPU_SrcID#1_Ha#0_Chan#0_DIMM#0 "
                     "(channel:0 slot:0 page:0xee30a0 offset:0x0 grain:32 syndrome:0x0 -  "
                     "area:DRAM err_code:0008:00c2 socket:1 ha:0 channel_mask:1 rank:0)",
                     EDAC, "mc1", "ce", id="edac-scrub"),  # radiasoft/devops#134
        pytest.param("EDAC MC0: 1 UE memory read error on CPU_SrcID#0_MC#0_Chan#0_DIMM#0 "
                     "(channel:0 slot:0 page:0xe16677 offset:0x0 grain:32 -  err_code:0000:009f "
                     "socket:0 imc:0 rank:0 bg:0 ba:3 row:dad3 col:3c0)",
                     EDAC, "mc0", "ue", id="edac-ue"),  # andikleen/mcelog#74
        # NVMe: drivers/nvme/host/pci.c and core.c.
        pytest.param("nvme nvme2: I/O 0 QID 0 timeout, reset controller", NVME, "nvme2",
                     "timeout", id="nvme-timeout"),  # linux-nvme/nvme-cli#151
        pytest.param("nvme nvme2: Device not ready; aborting reset", NVME, "nvme2", "not_ready",
                     id="nvme-not-ready"),  # linux-nvme/nvme-cli#151
        pytest.param("nvme nvme2: Removing after probe failure status: -19", NVME, "nvme2",
                     "removed", id="nvme-removed"),  # linux-nvme/nvme-cli#151
        pytest.param("nvme nvme0: controller is down; will reset: CSTS=0xffffffff, "
                     "PCI_STATUS=0x10", NVME, "nvme0", "controller_down",
                     id="nvme-down"),  # raspberrypi/linux#6661
        pytest.param("nvme0n1: I/O Cmd(0x2) @ LBA 32545872, 8 blocks, I/O Error (sct 0x3 / "
                     "sc 0x71)", NVME, "nvme0n1", "io_error",
                     id="nvme-io-error"),  # raspberrypi/linux#6661
        # Links: netdev, mlx5, ib_core, pciehp, systemd-networkd.
        pytest.param("mlx5_core 0000:ab:00.0 mlx5_5: Port: 1 Link ACTIVE", LINK, "0000:ab:00.0",
                     "up", id="ib-port-active"),  # leptonai/gpud#1209
        pytest.param("igc 0000:05:00.0 eth5: NIC Link is Down", LINK, "0000:05:00.0", "down",
                     id="nic-link-down"),  # coolsnowwolf/lede#11302
        pytest.param("pcieport 0000:97:02.0: pciehp: Slot(4): Link Down", LINK, "0000:97:02.0",
                     "down", id="pcie-slot-link-down"),  # linux-pci list, DPC report
        pytest.param("ib6: lost carrier", LINK, "ib6", "down", id="carrier-lost"),  # corpus
    ],
)
def test_classify_real_event_lines(
    message: str, source: EventSource, device: str | None, code: str | None
) -> None:
    assert classify(LogLine(message=message)) == KernelEvent(source, message, device=device,
                                                             code=code)


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("EDAC MC: Ver: 3.0.0", id="edac-version"),  # corpus boot log
        pytest.param("EDAC i10nm: No hbm memory", id="edac-i10nm"),  # corpus boot log
        pytest.param("EDAC MC0: Giving out device to module i10nm_edac controller Intel_10nm "
                     "Socket#0 IMC#0: DEV 0000:7e:0c.0 (INTERRUPT)", id="edac-probe"),  # boot log
        pytest.param("EDAC sbridge MC0: CPU 0: Machine Check Event: 0 Bank 5: 8c00004000010092",
                     id="edac-decoder-context"),  # grondo/edac-utils#10
        pytest.param("MCE: In-kernel MCE decoding enabled.", id="mce-init"),  # corpus pstore
        pytest.param("mce: CPU6: Core temperature/speed normal", id="thermal-normal"),
        pytest.param("nvme nvme0: pci function 0000:01:00.0", id="nvme-probe"),  # boot log
        pytest.param("nvme nvme0: 3/0/0 default/read/poll queues", id="nvme-queues"),  # boot log
        pytest.param("nvme nvme1: Shutdown timeout set to 11 seconds", id="nvme-shutdown-timeout"),
        pytest.param("nvme nvme0: Does your device have a faulty power saving mode enabled?",
                     id="nvme-advice"),  # raspberrypi/linux#6661
        pytest.param("nvme2n1: detected capacity change from 800166076416 to 0",
                     id="nvme-capacity"),  # linux-nvme/nvme-cli#151
        pytest.param("ata6: SATA link down (SStatus 4 SControl 300)", id="sata-empty-port"),
        pytest.param("mlx5_core 0000:1a:00.0: Port module event: module 0, Cable plugged",
                     id="cable-plugged"),  # corpus boot log
        pytest.param("mlx5_core 0000:ab:00.0 mlx5_5: Port: 1 Link INIT", id="ib-port-init"),
        pytest.param("IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready", id="ipv6-ready"),
        pytest.param("tg3 0000:02:00.0 eth0: RXcsums[1] LinkChgREG[0] MIirq[0] ASF[1] TSOcap[1]",
                     id="tg3-capabilities"),  # corpus boot log
        pytest.param("acpi PNP0A08:29: _OSC: platform does not support [SHPCHotplug AER DPC]",
                     id="osc-aer"),  # corpus boot log
        pytest.param("pcieport 0000:00:01.0:   device [8086:460d] error status/mask="
                     "00002001/00002000", id="aer-detail"),
        pytest.param("NVRM: GPU at PCI:0000:9b:00: GPU-509665ad-b600-ac93-3616-d754b23d636d",
                     id="nvrm-gpu-uuid"),  # corpus xid119 capture
        pytest.param("Hardware name: Dell Inc. PowerEdge XE9680/0KK0RG, BIOS 2.3.5 09/10/2024",
                     id="hardware-name"),  # corpus xid119 capture
        pytest.param("nvidia-peermem nv_get_p2p_free_callback:127 ERROR detected invalid "
                     "context, skipping further processing", id="peermem"),  # corpus
        pytest.param("pt_main_thread[2536443]: segfault at 7f797fe00000 ip 00007f7c7ac69996 sp "
                     "00007f7c12fd7c30 error 4 in libnccl.so.2[7f7c7ac00000+d3d3000]",
                     id="nccl-segfault"),  # corpus
    ],
)
def test_classify_ignores_chatter_and_software_faults(message: str) -> None:
    assert classify(LogLine(message=message)) is None


def test_event_carries_the_line_fields() -> None:
    line = "[1086487.613065] pcieport 0000:00:01.1: AER: Corrected error received: 0000:00:00.0"
    assert events([line]) == [  # NVIDIA/nvidia-docker#1553
        KernelEvent(AER, "pcieport 0000:00:01.1: AER: Corrected error received: 0000:00:00.0",
                    uptime_s=1086487.613065, device="0000:00:00.0", code="corrected"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0000:9b:00", "0000:9b:00.0"),
        ("0000:9B:00.0", "0000:9b:00.0"),
        ("00000000:86:00.0", "0000:86:00.0"),
        ("0019:01:00", "0019:01:00.0"),
        ("9b:00.1", "0000:9b:00.1"),
        ("nvme0", None),
        ("0000:9b:00.8", None),
        ("", None),
    ],
)
def test_pci_address(text: str, expected: str | None) -> None:
    assert pci_address(text) == expected
