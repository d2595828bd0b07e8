"""Split kernel log lines into their fields and pick out the hardware events among them.

Line shapes, as the tools print them:

* util-linux dmesg(1), https://man7.org/linux/man-pages/man1/dmesg.1.html: `--decode`
  prefixes `kern  :info  : `; `--time-format iso` prints `2025-01-17T15:36:15,345059+00:00`,
  the default `[  123.456789]` (seconds since boot), `-T` `[Sun Feb 23 16:24:18 2025]`,
  `-H` `[Feb18 23:56]` and `[  +0.000001]`, `-r` and pstore dumps `<6>[  123.456789]`;
  with CONFIG_PRINTK_CALLER a `[  T3919]` caller id follows the time.
* /dev/kmsg records, Documentation/ABI/testing/dev-kmsg: `prio,seq,usec,flags;message`.
* journalctl(1) `-o short` / `-o short-iso` and syslog files:
  `Nov 15 05:39:15 host ident[pid]: message`, `2024-11-15T05:39:15+0000 host kernel: message`.

Event shapes, as the code that prints them has them:

* NVIDIA open-gpu-kernel-modules, src/nvidia/src/kernel/gpu/rc/kernel_rc.c:
  `NVRM: Xid (PCI:%04x:%02x:%02x[ GPU-I:%02u[ GPU-CI:%02u]]): %d, pid=%s, name=%s, %s`;
  older drivers print `NVRM: Xid (PCI:0000:02:00): 79, <text>` and
  `NVRM: Xid (0000:03:00): 13, ...`.
* open-gpu-kernel-modules nvswitch, NVSWITCH_PRINT_SXID:
  `nvidia-%s: SXid (PCI:%04x:%02x:%02x.%x): %05d, <text>`; one SXid prints several such lines.
* Linux drivers/pci/pcie/aer.c: `AER: [Multiple ]<severity> error received: <bdf>` (older
  kernels `... received: id=%04x`, newer `... error message received from <bdf>`) and
  `PCIe Bus Error: severity=<severity>, type=<layer>, (<agent>)`, severities
  `Corrected`, `Uncorrected (Non-Fatal)`, `Uncorrected (Fatal)` (newer: `Correctable`,
  `Uncorrectable (...)`).
* Linux arch/x86/kernel/cpu/mce/core.c (`mce: [Hardware Error]: CPU %d: Machine Check%s: ...`,
  `Machine check events logged`) and therm_throt.c (`CPU%d: Core temperature above threshold`).
* Linux drivers/edac/edac_mc.c: `EDAC MC%d: %d CE|UE <message> on <label> (...)`.
* Linux drivers/nvme/host/pci.c (timeouts, `controller is down; will reset`, `Removing after
  probe failure`) and core.c (`nvme0n1: Read(0x2) @ LBA ..., I/O Error (sct ... / sc ...)`).
* mlx5 drivers/net/ethernet/mellanox/mlx5/core/events.c (`Port module event: module %u, %s`),
  netdev `Link up` / `Link down` / `NIC Link is Up`, drivers/infiniband/core/cache.c
  (`Port: %d Link %s`), and systemd-networkd (`ib6: lost carrier`, `ib6: Gained carrier`).

Timestamps are normalised to extended ISO 8601: a `.` before the fraction and a `+hh:mm`
offset. `dmesg -T` gives local time without an offset. Syslog stamps carry no year and keep
the ISO 8601:2000 truncated form `--MM-DDThh:mm:ss`; prefix a year to complete them.

Each hardware-relevant line becomes one event, so an error the kernel reports over several
lines (an AER header and its source, an MCE record, an SXid's data and text) gives several.
Devices are PCI addresses (`0000:9b:00.0`, NVRM's `0000:9b:00` completed with function 0),
`nvme0` / `nvme0n1`, `cpu0`, `mc0` or an interface name. Codes by source:

* XID, SXID: the number, in decimal without zero padding (`119`, `12028`).
* AER: `corrected`, `nonfatal`, `fatal`; the device is the error's source when the root
  port names it, else the device that printed the line.
* MCE: `exception` (raised as a machine-check exception), `logged` (recorded without one),
  `thermal` (clock throttled above the temperature threshold); None on a record's detail lines.
* EDAC: `ce`, `ue`.
* NVME: `timeout`, `controller_down`, `removed`, `not_ready`, `abort`, `pci_error`, `io_error`.
* LINK: `down`, `up` (an InfiniBand port going ACTIVE counts as up), `cable_unplugged`,
  `module_error`.

Left out on purpose: libata's `SATA link down` on empty ports, `Cable plugged`, IPv6
`link becomes ready`, nvidia-peermem context messages and user-space segfaults. Not yet
classified: firmware-first reports (`{1}[Hardware Error]:` CPER records) and DPC containment.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from hwaccept.inventory.records import EventSource, KernelEvent
from hwaccept.record import Record
from hwaccept.static_types import TYPE_CHECKING

LEVELS = ("emerg", "alert", "crit", "err", "warn", "notice", "info", "debug")
FACILITIES = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
    "authpriv", "ftp", "res0", "res1", "res2", "res3",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.cache
def _compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Patterns compile on first use: a healthy machine's log needs almost none of them."""
    return re.compile(pattern, flags)


class LogLine(Record):
    """One kernel log line: the fields its prefixes give, and the message after them."""

    level: str | None = None  # emerg ... debug, as `dmesg --decode` names them
    facility: str | None = None  # kern, user, daemon ... (priority >> 3)
    timestamp: str | None = None  # wall clock, ISO 8601 (see the module docstring)
    uptime_s: float | None = None  # seconds since boot
    message: str = ""


if TYPE_CHECKING:
    from typing import TypedDict

    class _Fields(TypedDict, total=False):
        level: str
        facility: str | None
        timestamp: str
        uptime_s: float

    _Reader = Callable[[re.Match[str]], _Fields]
    _Prefix = tuple[str, _Reader]

_MONTH = "|".join(MONTHS)
_CLOCK = r"[0-9]{2}:[0-9]{2}:[0-9]{2}"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_OFFSET = r"(?:Z|[+-][0-9]{2}:?[0-9]{2})"
_IDENT = r"(?:[^\s:\[\]]{1,255} +)?[^\s:\[\]]{1,128}(?:\[[0-9]{1,10}\])?: ?"

_KMSG = r"(?P<priority>[0-9]{1,4}),[0-9]{1,20},(?P<usec>[0-9]{1,20}),[^;]{0,64};"
_PRIORITY = r"<(?P<priority>[0-9]{1,4})>"
_DECODE = (
    rf"(?P<facility>{'|'.join(FACILITIES)}) *:(?P<level>{'|'.join(LEVELS)}) *: ?"
)
_SYSLOG = (
    rf"(?P<month>{_MONTH}) +(?P<day>[0-9]{{1,2}}) (?P<time>{_CLOCK}(?:\.[0-9]{{1,9}})?) +{_IDENT}"
)
_SYSLOG_ISO = (rf"(?P<iso>{_DATE}T{_CLOCK}(?:\.[0-9]{{1,9}})?{_OFFSET}) +{_IDENT}")
_DMESG_ISO = (rf"(?P<iso>{_DATE}T{_CLOCK},[0-9]{{1,9}}{_OFFSET}?) ?")
_UPTIME = r"\[ *(?P<uptime>[0-9]{1,10}\.[0-9]{1,9})\] ?"
_CTIME = (
    rf"\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<month>{_MONTH}) +(?P<day>[0-9]{{1,2}}) "
    rf"(?P<time>{_CLOCK}) (?P<year>[0-9]{{4}})\] ?"
)
_RELATIVE = r"\[(?: *[+-][0-9]{1,10}\.[0-9]{1,9}|[A-Z][a-z]{2}[0-9]{1,2} [0-9:]{5})\] ?"
_CALLER = r"\[ *[TC][0-9]{1,10}\] ?"
_NUMERIC_OFFSET = r"([+-][0-9]{2})([0-9]{2})$"


def _month(name: str) -> int:
    return MONTHS.index(name) + 1


def _iso(text: str) -> str:
    """`2025-01-17T15:36:15,345059+0000` -> `2025-01-17T15:36:15.345059+00:00`."""
    return _compiled(_NUMERIC_OFFSET).sub(r"\1:\2", text.replace(",", "."))


def _read_priority(match: re.Match[str]) -> _Fields:
    priority = int(match["priority"])
    facility = FACILITIES[priority >> 3] if priority >> 3 < len(FACILITIES) else None
    return {"level": LEVELS[priority & 7], "facility": facility}


def _read_kmsg(match: re.Match[str]) -> _Fields:
    return {**_read_priority(match), "uptime_s": int(match["usec"]) / 1_000_000}


def _read_decode(match: re.Match[str]) -> _Fields:
    return {"facility": match["facility"], "level": match["level"]}


def _read_syslog(match: re.Match[str]) -> _Fields:
    day = f"--{_month(match['month']):02d}-{int(match['day']):02d}"
    return {"timestamp": f"{day}T{match['time']}"}


def _read_iso(match: re.Match[str]) -> _Fields:
    return {"timestamp": _iso(match["iso"])}


def _read_uptime(match: re.Match[str]) -> _Fields:
    return {"uptime_s": float(match["uptime"])}


def _read_ctime(match: re.Match[str]) -> _Fields:
    day = f"{match['year']}-{_month(match['month']):02d}-{int(match['day']):02d}"
    return {"timestamp": f"{day}T{match['time']}"}


def _skip(_match: re.Match[str]) -> _Fields:
    return {}


_RECORD_PREFIXES: tuple[_Prefix, ...] = (
    (_KMSG, _read_kmsg),
    (_PRIORITY, _read_priority),
    (_DECODE, _read_decode),
    (_SYSLOG, _read_syslog),
    (_SYSLOG_ISO, _read_iso),
)
_TIME_PREFIXES: tuple[_Prefix, ...] = (
    (_DMESG_ISO, _read_iso),
    (_UPTIME, _read_uptime),
    (_CTIME, _read_ctime),
    (_RELATIVE, _skip),
)
_STAGES = (_RECORD_PREFIXES, _TIME_PREFIXES, ((_CALLER, _skip),))


def _strip_prefix(prefixes: tuple[_Prefix, ...], text: str, fields: _Fields) -> str:
    """Read the first prefix that starts `text` into `fields`; return what follows it."""
    for pattern, read in prefixes:
        match = _compiled(pattern).match(text)
        if match:
            fields.update(read(match))
            return text[match.end():]
    return text


def parse_line(line: str) -> LogLine:
    """Split one line of any supported kernel log form; never raises.

    The record prefix (kmsg, `<prio>`, `--decode`, syslog header) comes first, then a
    time prefix, then a caller id. What no prefix claims stays in `message`, with trailing
    whitespace removed and the message's own indentation kept.
    """
    fields: _Fields = {}
    message = line.rstrip()
    for prefixes in _STAGES:
        message = _strip_prefix(prefixes, message, fields)
    return LogLine(message=message, **fields)


_HEX = "[0-9a-fA-F]"
_PCI = rf"(?:{_HEX}{{4,8}}:)?{_HEX}{{2}}:{_HEX}{{2}}(?:\.[0-7])?"
_BDF = rf"{_HEX}{{4,8}}:{_HEX}{{2}}:{_HEX}{{2}}\.[0-7]"
_PCI_PARTS = (
    r"(?:(?P<domain>[0-9a-f]{4,8}):)?(?P<bus>[0-9a-f]{2}):(?P<slot>[0-9a-f]{2})(?:\.(?P<fn>[0-7]))?"
)
_DEVICE_PREFIX = (
    rf"(?:[\w.-]{{1,64}} (?P<pci>{_BDF})(?: [^:]{{1,64}})?|(?P<name>[\w.@:-]{{1,64}})): "
)
_AER_SEVERITY = {
    "Corrected": "corrected",
    "Correctable": "corrected",
    "Uncorrected (Non-Fatal)": "nonfatal",
    "Uncorrectable (Non-Fatal)": "nonfatal",
    "Uncorrected (Fatal)": "fatal",
    "Uncorrectable (Fatal)": "fatal",
}
_SEVERITY = "|".join(re.escape(name) for name in _AER_SEVERITY)
_LINK_STATE = {
    "up": "up", "down": "down", "active": "up", "lost carrier": "down", "gained carrier": "up",
}


def pci_address(text: str) -> str | None:
    """`0000:9B:00` or `00000000:9b:00.0` -> `0000:9b:00.0`; None when not an address."""
    match = _compiled(_PCI_PARTS).fullmatch(text.lower())
    if match is None:
        return None
    domain = int(match["domain"] or "0", 16)
    return f"{domain:04x}:{match['bus']}:{match['slot']}.{match['fn'] or '0'}"


_Field = Callable[[re.Match[str]], str | None]


def _nothing(_match: re.Match[str]) -> str | None:
    return None


def _always(value: str) -> _Field:
    def field(_match: re.Match[str]) -> str | None:
        return value

    return field


def _number(match: re.Match[str]) -> str | None:
    return str(int(match["code"]))


def _pci_device(match: re.Match[str]) -> str | None:
    return pci_address(match["device"])


def _aer_severity(match: re.Match[str]) -> str | None:
    return _AER_SEVERITY[match["severity"]]


def _requester(port: str, requester_id: int) -> str:
    """Bus/device/function of a PCIe requester id, in the domain of the reporting port."""
    domain = port.partition(":")[0]
    return f"{domain}:{requester_id >> 8:02x}:{(requester_id >> 3) & 0x1F:02x}.{requester_id & 7}"


def _aer_source(match: re.Match[str]) -> str | None:
    if match["source"]:
        return pci_address(match["source"])
    port = pci_address(match["port"])
    if port and match["id"]:
        return _requester(port, int(match["id"], 16))
    return port


def _cpu(match: re.Match[str]) -> str | None:
    return f"cpu{int(match['cpu'])}"


def _machine_check(match: re.Match[str]) -> str | None:
    return "exception" if match["exception"] else "logged"


def _memory_controller(match: re.Match[str]) -> str | None:
    return f"mc{int(match['mc'])}"


def _lowercase_code(match: re.Match[str]) -> str | None:
    return match["code"].lower()


def _nvme_device(match: re.Match[str]) -> str | None:
    return pci_address(match["device"]) or match["device"]


def _prefix_device(match: re.Match[str]) -> str | None:
    """Return the PCI address, else the interface name, that starts the message."""
    prefix = _compiled(_DEVICE_PREFIX, re.ASCII).match(match.string)
    if prefix is None:
        return None
    return pci_address(prefix["pci"]) if prefix["pci"] else prefix["name"]


def _link_state(match: re.Match[str]) -> str | None:
    return _LINK_STATE[match["state"].lower()]


class _Rule(Record):
    """A kind of hardware line: a cheap substring test, the pattern, and its fields."""

    source: EventSource
    needle: str
    pattern: str
    code: _Field
    device: _Field

    def search(self, message: str) -> re.Match[str] | None:
        """Match the pattern, compiled on first use: most logs never need most rules."""
        return _compiled(self.pattern, re.ASCII).search(message)


def _rule(source: EventSource, needle: str, pattern: str, code: _Field, device: _Field) -> _Rule:
    return _Rule(source, needle, pattern, code, device)


_NVME_CONTROLLER = rf"^nvme (?P<device>nvme[0-9]{{1,4}}|{_BDF}): "
_NVME_ERRORS = (
    (r"I/O (?:tag )?[0-9]{1,10} .{0,120}?QID [0-9]{1,5} timeout", "timeout"),
    (r"controller is down; will reset", "controller_down"),
    (r"(?:Removing after probe failure|Disabling device after reset failure)", "removed"),
    (r"Device not ready; aborting", "not_ready"),
    (r"Abort status: ", "abort"),
    (r"(?:frozen|failure) state error detected", "pci_error"),
)

_RULES: tuple[_Rule, ...] = (
    _rule(EventSource.XID, "Xid",
          rf"NVRM: Xid \((?:PCI:)?(?P<device>{_PCI})[^)]{{0,40}}\): (?P<code>[0-9]{{1,6}})\b",
          _number, _pci_device),
    _rule(EventSource.SXID, "SXid",
          rf"SXid \((?:PCI:)?(?P<device>{_PCI})\): (?P<code>[0-9]{{1,6}})\b",
          _number, _pci_device),
    _rule(EventSource.AER, "AER",
          rf"(?P<port>{_BDF}): AER: (?:Multiple )?(?P<severity>{_SEVERITY}) errors? "
          rf"(?:message )?received(?: from)?:? ?(?:(?P<source>{_BDF})|id=(?P<id>{_HEX}{{4}}))?",
          _aer_severity, _aer_source),
    _rule(EventSource.AER, "PCIe Bus Error",
          rf"(?P<device>{_BDF}): (?:AER: )?PCIe Bus Error: severity=(?P<severity>{_SEVERITY})",
          _aer_severity, _pci_device),
    _rule(EventSource.MCE, "Machine Check",
          r"CPU ?(?P<cpu>[0-9]{1,5}): Machine Check(?P<exception> Exception)?:",
          _machine_check, _cpu),
    _rule(EventSource.MCE, "Machine check events logged",
          r"^(?:mce: )?\[Hardware Error\]: Machine check events logged",
          _always("logged"), _nothing),
    _rule(EventSource.MCE, "temperature",
          r"CPU ?(?P<cpu>[0-9]{1,5}): (?:Core|Package) temperature (?:is )?above threshold",
          _always("thermal"), _cpu),
    _rule(EventSource.MCE, "[Hardware Error]", r"^(?:mce: )?\[Hardware Error\]: ",
          _nothing, _nothing),
    _rule(EventSource.EDAC, "EDAC",
          r"^EDAC (?:[\w-]{1,32} )?MC(?P<mc>[0-9]{1,4}): (?:[0-9]{1,10} )?(?P<code>CE|UE)\b",
          _lowercase_code, _memory_controller),
    *(
        _rule(EventSource.NVME, "nvme", _NVME_CONTROLLER + shape, _always(code), _nvme_device)
        for shape, code in _NVME_ERRORS
    ),
    _rule(EventSource.NVME, "nvme",
          r"^(?P<device>nvme[0-9]{1,4}n[0-9]{1,4}): [^@]{1,80}@ LBA [0-9]{1,20}, "
          r"[0-9]{1,10} blocks, ",
          _always("io_error"), _nvme_device),
    _rule(EventSource.LINK, "Port module event",
          r"Port module event: module [0-9]{1,3}, Cable unplugged",
          _always("cable_unplugged"), _prefix_device),
    _rule(EventSource.LINK, "Port module event",
          r"Port module event\[error\]: module [0-9]{1,3}, ",
          _always("module_error"), _prefix_device),
    _rule(EventSource.LINK, "Link",
          r"\bLink (?:is )?(?P<state>[Uu]p|UP|[Dd]own|DOWN|ACTIVE)\b",
          _link_state, _prefix_device),
    _rule(EventSource.LINK, "carrier",
          r"^[\w.@:-]{1,64}: (?P<state>[Ll]ost carrier|[Gg]ained carrier)\b",
          _link_state, _prefix_device),
)
_NEEDLES = tuple(sorted({rule.needle for rule in _RULES}))


def classify(record: LogLine) -> KernelEvent | None:
    """Return the hardware event a parsed line reports, or None for any other line."""
    for rule in _RULES:
        match = rule.search(record.message) if rule.needle in record.message else None
        if match:
            return KernelEvent(
                source=rule.source,
                message=record.message,
                timestamp=record.timestamp,
                uptime_s=record.uptime_s,
                device=rule.device(match),
                code=rule.code(match),
            )
    return None


def _may_report_hardware(line: str) -> bool:
    """Cheap test that skips parsing the lines no rule could match."""
    return any(needle in line for needle in _NEEDLES)


def events(lines: Iterable[str]) -> list[KernelEvent]:
    """Pick the hardware events out of kernel log lines, in log order.

    `gpu_index` and `gpu_uuid` stay None: tying an Xid to its GPU needs the inventory.
    """
    found = []
    for line in lines:
        event = classify(parse_line(line)) if _may_report_hardware(line) else None
        if event is not None:
            found.append(event)
    return found
