"""Ethernet interface checks (profile section `nics`).

The section is about the Ethernet interfaces its `driver` drives (all of them when it
names none): a server's on-board management ports (tg3, igb) are not the data NICs the
profile describes. IPoIB interfaces are not Ethernet and are left out (their hardware
address is 20 bytes, INFINIBAND_ALEN). An interface whose driver is not known stays in,
and `nic_driver` says it is unknown. Speeds below the profile's point at the cable or
transceiver, or at the NIC when it cannot support the speed at all. A link down on an
interface the kernel gives no carrier state for was never brought up: a setting, not the
cable (the catalog's NOT_BROUGHT_UP situation).

`nic_errors` limits each `*_errors` statistics counter the inventory keeps (rx_errors,
tx_errors, rx_crc_errors, rx_frame_errors, rx_missed_errors, rx_fifo_errors,
tx_carrier_errors) to `errors_max`. The `*_dropped` counters and `collisions` are shown but
not limited: rx_dropped counts packets the stack did not want, such as unsupported
protocols and frames L2 filtering discarded (include/uapi/linux/if_link.h, struct
rtnl_link_stats64), which says nothing about the link.
"""

from __future__ import annotations

from collections.abc import Callable

from hwaccept.inventory.records import Nic
from hwaccept.profiles.schema import Nics, Profile

from .catalog import Situation
from .counts import Tally, count_check, names
from .coverage import holds_whole, read_everything, unlisted
from .findings import Outcome, failed, passed, unknown, warned
from .parts import nic_part
from .registry import AnyCheck, Check, Context, Family, section_check
from .rules import judge_version

IPOIB_ADDRESS_SEPARATORS = 19  # 20 octets
UP = "up"
ERRORS = "_errors"


def nics_section(profile: Profile) -> Nics | None:
    """The profile's `nics` section."""
    return profile.nics


def is_ethernet(nic: Nic) -> bool:
    """Not an IPoIB interface."""
    return nic.mac is None or nic.mac.count(":") != IPOIB_ADDRESS_SEPARATORS


def in_scope(context: Context) -> list[Nic]:
    """The Ethernet interfaces the section is about, in inventory order."""
    spec = context.profile.nics
    driver = spec.driver if spec else None
    return [n for n in context.inventory.nics
            if is_ethernet(n) and (driver is None or n.driver in (None, driver))]


def nic_tally(context: Context) -> Tally:
    """The interfaces in scope, and the others for context."""
    inventory = context.inventory
    chosen = in_scope(context)
    others = [f"{n.name} ({n.driver or 'no driver'})" for n in inventory.nics if n not in chosen]
    return Tally([n.name for n in chosen], whole=holds_whole(inventory, "nic"),
                 note=f"not counted: {names(others)}" if others else "")


def _speed(spec: Nics, nic: Nic, _context: Context) -> Outcome:
    want = spec.speed_mbps or 0
    speed = nic.speed_mbps
    if speed is None:
        why = " (the link is down)" if nic.operstate not in (None, UP) else ""
        return Outcome(unknown(f"link speed not known{why}"), None, want, "Mb/s")
    if speed == want:
        return Outcome(passed(f"{speed} Mb/s"), speed, want, "Mb/s")
    if speed > want:
        return Outcome(warned(f"{speed} Mb/s, faster than the {want} Mb/s the profile says",
                              "NIC_SPEED_MISMATCH"), speed, want, "Mb/s")
    top = nic.supported_speed_mbps
    if top is not None and top < want:
        return Outcome(failed(f"{speed} Mb/s: the interface supports at most {top} Mb/s, "
                              f"expected {want}", "NIC_SPEED_CAPABILITY"),
                       speed, want, "Mb/s")
    return Outcome(failed(f"{speed} Mb/s, expected {want} Mb/s", "NIC_SPEED_LOW"), speed,
                   want, "Mb/s")


def _mtu(spec: Nics, nic: Nic, _context: Context) -> Outcome:
    if nic.mtu is None:
        return Outcome(unknown("MTU not known"), None, spec.mtu)
    if nic.mtu == spec.mtu:
        return Outcome(passed(f"MTU {nic.mtu}"), nic.mtu, spec.mtu)
    return Outcome(failed(f"MTU {nic.mtu}, expected {spec.mtu}", "NIC_MTU"), nic.mtu,
                   spec.mtu)


def _state(spec: Nics, nic: Nic, context: Context) -> Outcome:
    want = spec.state or UP
    state = nic.operstate
    if state == want or (state in (None, "unknown") and nic.carrier):
        text = "link up" if state == want else f"carrier up (operstate {state or 'not known'})"
        return Outcome(passed(text), state, want)
    if state is None or (state == "unknown" and nic.carrier is None):
        return Outcome(unknown("link state not known"), state, want)
    if nic.carrier is None and read_everything(context.inventory):
        return Outcome(failed(f"link {state}: the interface is not brought up",
                              "NIC_LINK_DOWN", Situation.NOT_BROUGHT_UP), state, want)
    return Outcome(failed(f"link {state}" + (", no carrier" if nic.carrier is False else ""),
                          "NIC_LINK_DOWN"), state, want)


def _firmware(spec: Nics, nic: Nic, _context: Context) -> Outcome:
    rule = spec.firmware
    if rule is None:
        raise LookupError("nic_firmware judged without `firmware`")
    return judge_version(nic.firmware_version, rule, "firmware", code="NIC_FIRMWARE",
                         missing=unknown("firmware version not known"))


def _driver(spec: Nics, nic: Nic, _context: Context) -> Outcome:
    if nic.driver is None:
        return Outcome(unknown(f"driver not known, so whether {spec.driver} drives it is "
                               "unknown"), None, spec.driver)
    return Outcome(passed(f"driver {nic.driver}"), nic.driver, spec.driver)


def _errors(spec: Nics, nic: Nic, _context: Context) -> Outcome:
    most = spec.errors_max or 0
    expected = f"each *{ERRORS} <= {most}"
    limited = {name: count for name, count in nic.counters.items() if name.endswith(ERRORS)}
    if not limited:
        return Outcome(unknown("error counters not known"), None, expected)
    measured = ", ".join(f"{name}={count}" for name, count in nic.counters.items() if count)
    above = [f"{name} {count}" for name, count in limited.items() if count > most]
    if above:
        return Outcome(failed(f"{', '.join(above)}, at most {most} allowed", "NIC_ERRORS"),
                       measured, expected)
    return Outcome(passed(f"{len(limited)} error counters at most {most}" + (
        f" ({measured})" if measured else "")), measured or "all 0", expected)


def nic_check(name: str, summary: str, key: str,
              judge: Callable[[Nics, Nic, Context], Outcome]) -> Check[Nic]:
    """A check with one finding per interface in scope, asked for by `key`."""
    return section_check(name, Family.NIC, summary, section=nics_section, keys=(key,),
                         components=in_scope, label=lambda nic: nic.pci_address or nic.name,
                         part=lambda context, nic: nic_part(context.inventory, nic),
                         judge=judge, unread=unlisted("nic", "network interfaces"))


CHECKS: tuple[AnyCheck, ...] = (
    count_check("nic_count", Family.NIC, "Ethernet interfaces", "NIC",
                count=lambda p: p.nics.count if p.nics else None, tally=nic_tally),
    nic_check("nic_driver", "the driver of each interface in scope against `driver` (the "
              "section's scope: unknown drivers)", "driver", _driver),
    nic_check("nic_speed", "link speed against `speed_mbps`", "speed_mbps", _speed),
    nic_check("nic_mtu", "MTU against `mtu`", "mtu", _mtu),
    nic_check("nic_state", "operational state against `state`", "state", _state),
    nic_check("nic_firmware", "firmware version against the `firmware` rule", "firmware",
              _firmware),
    nic_check("nic_errors", "statistics error counters against `errors_max`", "errors_max",
              _errors),
)
