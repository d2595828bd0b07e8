"""InfiniBand and RoCE port checks (profile section `infiniband`).

The section is about the ports of the HCAs its `hca_type` names (all ports when it names
none): a machine's ConnectX-7 compute ports and its ConnectX-6 Dx storage ports differ in
rate. A port whose HCA type is not known stays in, and `ib_hca_type` says it is unknown.
A port is healthy only when its state is ACTIVE, not merely when the physical link is up
(DOMAIN.md); ACTIVE_DEFER counts as ACTIVE. DOWN is a cable or peer; INIT or ARMED is a
link up that no subnet manager has configured. A physical state of Polling (no peer) or
Disabled is a situation of the catalog with its own action.

`ib_errors` limits the port's error counters (IBTA PortCounters, read through the
port's `counters/` directory; Documentation/ABI/stable/sysfs-class-infiniband). Each key
names one counter, or two of one kind: `symbol_errors_max` symbol_error (minor errors on
the physical lanes), `link_recoveries_max` link_error_recovery (the link retrained),
`link_downed_max` link_downed (recovery failed and the link went down), `rcv_errors_max`
port_rcv_errors (packets received with an error), `integrity_errors_max`
local_link_integrity_errors and excessive_buffer_overrun_errors (runs of physical errors,
or of flow-control overruns, past the port's threshold). The counters are 16, 8, 8, 16, 4
and 4 bits wide (drivers/infiniband/core/sysfs.c, PORT_PMA_ATTR) and stop at their maximum,
so a saturated one says "at least": link_downed at 255 counts 255 downs or more.
"""

from __future__ import annotations

from collections.abc import Callable

from hwaccept.inventory.records import IbPort
from hwaccept.profiles.schema import Infiniband, Profile

from .catalog import Situation
from .counts import Tally, count_check, names
from .coverage import holds_whole, unlisted
from .findings import Outcome, failed, passed, unknown, warned
from .parts import ib_label, ib_part
from .registry import AnyCheck, Check, Context, Family, section_check
from .rules import judge_version, matches

ACTIVE = "ACTIVE"
IB_COUNTERS = (
    ("symbol_errors_max", "symbol_error", 16),
    ("link_recoveries_max", "link_error_recovery", 8),
    ("link_downed_max", "link_downed", 8),
    ("rcv_errors_max", "port_rcv_errors", 16),
    ("integrity_errors_max", "local_link_integrity_errors", 4),
    ("integrity_errors_max", "excessive_buffer_overrun_errors", 4),
)
"""(profile key, counter file, width in bits)."""
ERROR_KEYS = tuple(dict.fromkeys(key for key, _, _ in IB_COUNTERS))
STATE_ALIASES = {"ACTIVE_DEFER": ACTIVE}
PHYS_SITUATIONS = {"Polling": Situation.PORT_POLLING, "Disabled": Situation.PORT_DISABLED}


def ib_section(profile: Profile) -> Infiniband | None:
    """The profile's `infiniband` section."""
    return profile.infiniband


def in_scope(context: Context) -> list[IbPort]:
    """The ports the section is about, in inventory order."""
    spec = context.profile.infiniband
    pattern = spec.hca_type if spec else None
    return [p for p in context.inventory.ib_ports
            if pattern is None or p.hca_type is None or matches(p.hca_type, pattern)]


def ib_tally(context: Context) -> Tally:
    """The ports in scope, and the others for context."""
    inventory = context.inventory
    chosen = in_scope(context)
    others = [f"{ib_label(p)} ({p.hca_type})" for p in inventory.ib_ports if p not in chosen]
    return Tally([ib_label(p) for p in chosen], whole=holds_whole(inventory, "ib"),
                 note=f"not counted: {names(others)}" if others else "")


def _rate(spec: Infiniband, port: IbPort, _context: Context) -> Outcome:
    want = spec.rate_gbps or 0.0
    rate = port.rate_gbps
    if rate is None:
        return Outcome(unknown("rate not known"), None, want, "Gb/s")
    shown = port.rate or f"{rate:g} Gb/sec"
    if rate == want:
        return Outcome(passed(shown), rate, want, "Gb/s")
    if rate > want:
        return Outcome(warned(f"{shown}, faster than the {want:g} Gb/s the profile says",
                              "IB_RATE_MISMATCH"), rate, want, "Gb/s")
    return Outcome(failed(f"{shown}, expected {want:g} Gb/s", "IB_RATE_LOW"), rate, want,
                   "Gb/s")


def _state(spec: Infiniband, port: IbPort, _context: Context) -> Outcome:
    want = spec.state or ACTIVE
    if port.state is None:
        return Outcome(unknown("port state not known"), None, want)
    state = STATE_ALIASES.get(port.state, port.state)
    if state == want:
        return Outcome(passed(f"state {port.state}"), port.state, want)
    if state == "DOWN":
        return Outcome(failed(f"port DOWN (physical state {port.phys_state or 'not known'}), "
                              f"expected {want}", "IB_PORT_DOWN"),
                       port.state, want)
    return Outcome(failed(f"port {port.state}, expected {want}" + (
        " (no subnet manager has brought it up)" if want == ACTIVE else ""), "IB_PORT_STATE"),
        port.state, want)


def _phys_state(spec: Infiniband, port: IbPort, _context: Context) -> Outcome:
    want = spec.phys_state
    if port.phys_state is None:
        return Outcome(unknown("physical state not known"), None, want)
    if port.phys_state == want:
        return Outcome(passed(f"physical state {want}"), want, want)
    return Outcome(failed(f"physical state {port.phys_state}, expected {want}", "IB_PHYS_STATE",
                          PHYS_SITUATIONS.get(port.phys_state)),
                   port.phys_state, want)


def _link_layer(spec: Infiniband, port: IbPort, _context: Context) -> Outcome:
    want = spec.link_layer
    if port.link_layer is None:
        return Outcome(unknown("link layer not known"), None, want)
    if port.link_layer == want:
        return Outcome(passed(f"link layer {want}"), want, want)
    return Outcome(failed(f"link layer {port.link_layer}, expected {want}", "IB_LINK_LAYER"),
                   port.link_layer, want)


def _hca_type(spec: Infiniband, port: IbPort, _context: Context) -> Outcome:
    if port.hca_type is None:
        return Outcome(unknown(f"HCA type not known, so whether it is a {spec.hca_type} port is "
                               "unknown"), None, spec.hca_type)
    return Outcome(passed(f"HCA {port.hca_type}"), port.hca_type, spec.hca_type)


def _firmware(spec: Infiniband, port: IbPort, _context: Context) -> Outcome:
    rule = spec.firmware
    if rule is None:
        raise LookupError("ib_firmware judged without `firmware`")
    return judge_version(port.firmware_version, rule, "firmware", code="IB_FIRMWARE",
                         missing=unknown("firmware version not known"))


def counter_text(name: str, value: int, bits: int) -> str:
    """`link_downed 255 (the 8-bit counter is saturated: 255 or more)`."""
    full = (1 << bits) - 1
    return f"{name} {value}" + (
        f" (the {bits}-bit counter is saturated: {full} or more)" if value >= full else "")


def _errors(spec: Infiniband, port: IbPort, _context: Context) -> Outcome:
    asked = [(name, bits, most) for key, name, bits in IB_COUNTERS
             if (most := getattr(spec, key)) is not None]
    expected = ", ".join(f"{name}<={most}" for name, _, most in asked)
    if not port.counters:
        return Outcome(unknown("error counters not known"), None, expected)
    found = [(name, bits, most, port.counters.get(name)) for name, bits, most in asked]
    measured = ", ".join(f"{name}={value}" for name, _, _, value in found if value is not None)
    above = [f"{counter_text(name, value, bits)}, at most {most} allowed"
             for name, bits, most, value in found if value is not None and value > most]
    if above:
        return Outcome(failed("; ".join(above), "IB_ERRORS"), measured, expected)
    unread = [name for name, _, _, value in found if value is None]
    if unread:
        return Outcome(unknown(f"{', '.join(unread)} not known"), measured or None, expected)
    return Outcome(passed(f"error counters within limits ({measured})"), measured, expected)


def ib_check(name: str, summary: str, key: str | tuple[str, ...],
             judge: Callable[[Infiniband, IbPort, Context], Outcome]) -> Check[IbPort]:
    """A check with one finding per port in scope, asked for by `key` (or any of several)."""
    keys = (key,) if isinstance(key, str) else key
    return section_check(name, Family.IB, summary, section=ib_section, keys=keys,
                         components=in_scope, label=ib_label,
                         part=lambda _context, port: ib_part(port), judge=judge,
                         unread=unlisted("ib", "InfiniBand ports"))


CHECKS: tuple[AnyCheck, ...] = (
    count_check("ib_count", Family.IB, "InfiniBand ports", "IB_PORT",
                count=lambda p: p.infiniband.count if p.infiniband else None, tally=ib_tally),
    ib_check("ib_hca_type", "the HCA of each port in scope against `hca_type` (the section's "
             "scope: unknown types)", "hca_type", _hca_type),
    ib_check("ib_rate", "port rate against `rate_gbps`", "rate_gbps", _rate),
    ib_check("ib_state", "logical port state against `state`", "state", _state),
    ib_check("ib_phys_state", "physical port state against `phys_state`", "phys_state",
             _phys_state),
    ib_check("ib_link_layer", "link layer against `link_layer`", "link_layer", _link_layer),
    ib_check("ib_firmware", "HCA firmware against the `firmware` rule", "firmware", _firmware),
    ib_check("ib_errors", "port error counters against the `infiniband` error maxima",
             ERROR_KEYS, _errors),
)
