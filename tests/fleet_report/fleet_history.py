"""A generated fleet history: servers of three SKUs tested, failing, retested, over months.

Every run is a report as the suite writes it (a system check, then a health check and
where there is one a firmware check per part: 8 GPUs, 4 NVSwitches, 8 IB ports, 2 NICs,
4 NVMe disks), stored through `hwaccept.history.ingest`. Faults are planted so a report
has something to find: parts fail now and then at `base_rate`; one GPU slot of one SKU
fails often in every chassis (a bad riser); one NIC firmware version fails more than the
other; a few GPUs that failed are later fitted to other servers and fail again there; a
rejected server is tested again after its failed parts were replaced.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from hwaccept.reports.model import CaseResult, RunReport

SKUS = {
    "hgx-h100-8gpu": ("HGX H100 8-GPU", "NVIDIA H100 80GB HBM3"),
    "hgx-a100-8gpu": ("HGX A100 8-GPU", "NVIDIA A100-SXM4-80GB"),
    "dell-xe9680-h100": ("PowerEdge XE9680", "NVIDIA H100 80GB HBM3"),
}
BAD_SLOT = ("hgx-h100-8gpu", "gpu", "0000:9a:00.0")
"""The riser behind this GPU slot of this SKU fails its link in many chassis."""
BAD_NIC_FIRMWARE = "28.38.1000"
GOOD_NIC_FIRMWARE = "28.39.1002"
NIC_MODEL = "ConnectX-7"
GPU_SLOTS = tuple(f"0000:{bus:02x}:00.0" for bus in (0x18, 0x2a, 0x3a, 0x5d, 0x9a, 0xab,
                                                    0xba, 0xdb))
KIND_CODES = {
    "gpu": (("gpu_ecc", "GPU_ECC_DBE", "RMA_GPU"), ("gpu_xid", "GPU_XID_79", "RESEAT")),
    "nvswitch": (("nvswitch_fabric", "NVSWITCH_FABRIC_STATE", "INSPECT"),),
    "ib": (("ib_state", "IB_PORT_DOWN", "REPLACE_CABLE"),),
    "nic": (("nic_link", "NIC_LINK_DOWN", "REPLACE_CABLE"),),
    "disk": (("disk_smart", "NVME_CRITICAL_WARNING", "RMA_DISK"),),
}
FIRMWARE_CHECKS = {"gpu": "gpu_vbios", "ib": "ib_firmware", "nic": "nic_firmware",
                   "disk": "disk_firmware"}
MODELS = {"nvswitch": "NVSwitch", "ib": "ConnectX-7 HCA", "nic": NIC_MODEL,
          "disk": "SAMSUNG MZWLR3T8HCLS"}


@dataclass
class Part:
    """One part fitted in a server."""

    kind: str
    serial: str
    position: str
    model: str
    firmware: str
    doomed: bool = False
    """A part that failed before and was fitted elsewhere: it fails again."""


@dataclass
class Server:
    """A chassis and the parts in it."""

    serial: str
    sku: str
    parts: list[Part] = field(default_factory=list)


@dataclass
class FleetHistory:
    """Makes the runs; `rng` decides everything, so a seed gives the same history."""

    rng: random.Random
    base_rate: float = 0.0015
    bad_slot_rate: float = 0.05
    bad_firmware_factor: float = 6.0
    reuse_share: float = 0.2
    """Share of failed GPUs refitted to a later server (repeat offenders)."""
    serials: Iterator[int] = field(init=False, default_factory=lambda: iter(
        range(1_650_000_000_000, 10**13)))
    pulled: list[Part] = field(init=False, default_factory=list)

    def _serial(self, prefix: str = "") -> str:
        return f"{prefix}{next(self.serials)}"

    def _part(self, kind: str, index: int, sku: str, *, refit: bool = False) -> Part:
        if kind == "gpu":
            if refit and self.pulled and self.rng.random() < 0.05:
                part = self.pulled.pop(0)
                part.position = GPU_SLOTS[index]
                part.doomed = True
                return part
            firmware = "96.00.89.00.01" if self.rng.random() < 0.8 else "96.00.74.00.0B"
            return Part(kind, self._serial(), GPU_SLOTS[index], SKUS[sku][1], firmware)
        position = {"nvswitch": f"0000:{0x05 + index:02x}:00.0", "ib": f"mlx5_{index}",
                    "nic": f"0000:{0x31 + index:02x}:00.0", "disk": f"nvme{index}"}[kind]
        firmware = {"nvswitch": "", "ib": "28.39.1002", "disk": "GDC7302Q",
                    "nic": BAD_NIC_FIRMWARE if self.rng.random() < 0.25 else GOOD_NIC_FIRMWARE,
                    }[kind]
        prefix = {"nvswitch": "NVS", "ib": "MT", "nic": "MT", "disk": "S6E"}[kind]
        return Part(kind, self._serial(prefix), position, MODELS[kind], firmware)

    def server(self, number: int) -> Server:
        """A new chassis with new parts (and now and then a refitted GPU)."""
        sku = list(SKUS)[number % len(SKUS)]
        server = Server(f"{sku.split('-')[0].upper()}{number:07d}", sku)
        for kind, count in (("gpu", 8), ("nvswitch", 4), ("ib", 8), ("nic", 2), ("disk", 4)):
            server.parts += [self._part(kind, index, sku, refit=True) for index in range(count)]
        return server

    def _fails(self, server: Server, part: Part) -> bool:
        if part.doomed:
            return self.rng.random() < 0.7
        rate = self.base_rate
        if (server.sku, part.kind, part.position) == BAD_SLOT:
            rate = self.bad_slot_rate
        if part.kind == "nic" and part.firmware == BAD_NIC_FIRMWARE:
            rate *= self.bad_firmware_factor
        return self.rng.random() < rate

    def run(self, server: Server, started: datetime.datetime) -> tuple[RunReport, list[Part]]:
        """One run of the suite on `server`, and the parts that failed in it."""
        product = SKUS[server.sku][0]
        cases = [CaseResult("hwtests/test_system.py::test_system_identity[system]", "passed",
                            0.001, "", (("component", "system"), ("component_id", server.serial),
                                        ("serial", server.serial), ("model", product),
                                        ("check", "system_identity"), ("verdict", "PASS")))]
        failed = []
        for part in server.parts:
            fails = self._fails(server, part)
            slotted = part.kind == "gpu" and (server.sku, part.kind, part.position) == BAD_SLOT
            check, code, action = (("gpu_pcie_link", "PCIE_LINK_DOWNTRAINED", "RESEAT")
                                   if slotted and fails and not part.doomed
                                   else self.rng.choice(KIND_CODES[part.kind]))
            cases.append(_case(part, check, code if fails else None, action))
            if part.firmware and part.kind in FIRMWARE_CHECKS:
                cases.append(_case(part, FIRMWARE_CHECKS[part.kind], None, "",
                                   measured=part.firmware))
            if fails:
                failed.append(part)
        stamp = started.strftime("%Y-%m-%dT%H:%M:%SZ")
        identity = {"system_serial": server.serial, "product": product, "sku": server.sku,
                    "hostname": f"node-{server.serial.lower()}", "suite_version": "0.1.0",
                    "started": stamp, "run_id": f"{server.serial}-{stamp}"}
        return RunReport(f"reports/{server.serial}/{stamp}/junit.xml", identity,
                         tuple(cases), True), failed

    def repair(self, server: Server, failed: list[Part]) -> None:
        """Replace the failed parts; some failed GPUs go back to stock and are refitted."""
        for part in failed:
            index = server.parts.index(part)
            if part.kind == "gpu" and not part.doomed and self.rng.random() < self.reuse_share:
                self.pulled.append(part)
            replacement = self._part(part.kind, index % 8 if part.kind == "gpu" else 0,
                                     server.sku)
            replacement.position = part.position
            server.parts[index] = replacement


def fleet_runs(count: int, seed: int = 7, *, days: int = 180,
               start: datetime.datetime = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
               **faults: float) -> Iterator[RunReport]:
    """`count` runs spread over `days`: new servers, and retests of rejected ones.

    A rejected server is tested again a day or two later, or, one time in twenty-five,
    weeks later (its parts were on back order): those near the end still await action.
    `faults` set FleetHistory's rates (`base_rate`, `bad_slot_rate`, ...).
    """
    history = FleetHistory(random.Random(seed), **faults)
    step = datetime.timedelta(days=days) / max(count, 1)
    per_day = max(1, round(count / days))
    waiting: list[tuple[int, Server]] = []
    servers = 0
    for number in range(count):
        started = start + step * number
        if waiting and waiting[0][0] <= number:
            server = waiting.pop(0)[1]
        else:
            server = history.server(servers)
            servers += 1
        report, failed = history.run(server, started)
        if failed:
            history.repair(server, failed)
            delay = per_day * (1 + history.rng.random()) * (25 if history.rng.random() < 0.04
                                                            else 1)
            waiting.append((number + int(delay), server))
            waiting.sort(key=lambda item: item[0])
        yield report


def _case(part: Part, check: str, failure: str | None, action: str, *,
          measured: str = "") -> CaseResult:
    props = [("component", part.kind), ("component_id", part.serial), ("serial", part.serial),
             ("bdf" if part.position.startswith("0000:") else "slot", part.position),
             ("model", part.model), ("check", check)]
    if measured:
        props.append(("measured", measured))
    props.append(("verdict", "FAIL" if failure else "PASS"))
    if failure:
        props += [("failure_code", failure), ("action", action),
                  ("message", f"{part.position}: {failure}")]
    nodeid = f"hwtests/test_{part.kind}.py::test_{check}[{part.position}-{part.serial}]"
    return CaseResult(nodeid, "failed" if failure else "passed", 0.001,
                      f"{part.position}: {failure}" if failure else "", tuple(props))
