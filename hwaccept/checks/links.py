"""Judging a PCIe link against the generation and width a profile expects.

The expected generation and width are floors for the link's capability and for the link
as trained: a capability below them is `PCIE_LINK_CAPABILITY` (the wrong part, a slot or
riser that cannot carry it, or a BIOS limit), a trained link below a capability that
reaches them is `PCIE_LINK_DOWNTRAINED`, as DOMAIN.md defines downtrained. When the
upstream port itself cannot reach the expected link, that is said, and a downtrained link
is judged in the catalog's UPSTREAM_LIMITED situation (reseating will not help).

NVIDIA GPUs lower their link speed when idle (NVML reports Gen1 on an idle H100 whose
maximum is Gen5) but keep their width. For a GPU, a current speed below the expected one
passes when its capability reaches it: the speed under load is measured in burn-in. A
current width below the expected one fails for GPUs too.
"""

from __future__ import annotations

from dataclasses import dataclass

from hwaccept.inventory.records import Inventory, PciDevice

from .catalog import Situation
from .findings import Judgment, failed, passed, unknown, worst
from .parts import find_pci

CAPABILITY = "PCIE_LINK_CAPABILITY"
DOWNTRAINED = "PCIE_LINK_DOWNTRAINED"


@dataclass(frozen=True)
class Link:
    """A link's capability (maximum) and its current state; None where not known."""

    max_gen: int | None
    max_width: int | None
    gen: int | None
    width: int | None

    def describe(self) -> str:
        """`Gen5 x16 (max Gen5 x16)`."""
        return (f"Gen{_q(self.gen)} x{_q(self.width)} "
                f"(max Gen{_q(self.max_gen)} x{_q(self.max_width)})")


def _q(value: int | None) -> str:
    return "?" if value is None else str(value)


def expected_link(gen: int | None, width: int | None) -> str:
    """`Gen5 x16`, `Gen5`, `x16`."""
    return " ".join(p for p in (f"Gen{gen}" if gen else "", f"x{width}" if width else "") if p)


def device_link(device: PciDevice) -> Link:
    """A PCI function's link as sysfs gives it."""
    return Link(device.max_link_gen, device.max_link_width, device.current_link_gen,
                device.current_link_width)


def upstream_limit(inventory: Inventory, device: PciDevice | None, gen: int | None,
                   width: int | None) -> str:
    """Why the slot cannot carry the expected link, or "" when it can (or is not known)."""
    port = find_pci(inventory, device.parent if device else None)
    if port is None:
        return ""
    low = [f"Gen{port.max_link_gen}" if gen and port.max_link_gen and port.max_link_gen < gen
           else "", f"x{port.max_link_width}" if width and port.max_link_width
           and port.max_link_width < width else ""]
    shown = " ".join(p for p in low if p)
    return f"the upstream port {port.address} is capable of only {shown}" if shown else ""


def _judge_part(what: str, prefix: str, want: int, *, maximum: int | None,
                current: int | None, idle_speed: bool) -> Judgment | None:
    """The judgment on one side of the link; None when it simply reaches `want`."""
    if maximum is not None and maximum < want:
        return failed(f"PCIe link capable of only {prefix}{maximum}, expected {prefix}{want}",
                      CAPABILITY)
    if current is None:
        return unknown(f"current link {what} not known")
    if current >= want:
        return None
    if idle_speed and maximum is None:
        return unknown(f"link at {prefix}{current} (GPUs lower the speed when idle) and its "
                       "capability not known")
    if idle_speed:
        return passed(f"PCIe link at {prefix}{current} while idle, capable of {prefix}{maximum} "
                      "(GPUs lower the link speed when idle; the speed under load is measured "
                      "in burn-in)")
    return failed(f"PCIe link {prefix}{current}, expected {prefix}{want}", DOWNTRAINED)


def judge_link(gen: int | None, width: int | None, link: Link, *, idle_speed: bool = False,
               upstream: str = "") -> Judgment:
    """The worst of the speed and width judgments, with what limits the slot."""
    if not gen and not width:
        raise ValueError("a link check needs a generation or a width")
    parts = [
        _judge_part("speed", "Gen", gen, maximum=link.max_gen, current=link.gen,
                    idle_speed=idle_speed) if gen else None,
        _judge_part("width", "x", width, maximum=link.max_width, current=link.width,
                    idle_speed=False) if width else None,
    ]
    judged = [j for j in parts if j is not None]
    if not judged:
        return passed(f"PCIe link {link.describe()}")
    verdict = worst(judged)
    code = verdict.failure_code
    if upstream and code is not None:
        limited = Situation.UPSTREAM_LIMITED if code == DOWNTRAINED else None
        return failed(f"{verdict.message}; {upstream}", code, limited)
    return verdict
