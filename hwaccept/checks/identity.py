"""Identity checks: every GPU and the chassis can be named in an RMA.

`gpu_identity` (asked for by any key of `gpus`): each GPU has a UUID and a serial of its
own. NVML gives the serial "for all products with an inforom" (nvml.h,
nvmlDeviceGetSerial), yet GeForce boards answer NOT_SUPPORTED (shared/corpus/nvml: the
8x RTX 4090 capture reads "Serial Number: N/A"), so a consumer board (GeForce, TITAN)
without one passes on its UUID; any other GPU without a serial fails. A serial of zeros
(the A10G and T4 captures of the corpus read `0000000000000`) names no board and counts as
none. Two GPUs reporting the same UUID or serial fail, each naming the other.

`system_identity` (asked for by `system` or `match`): the DMI vendor, product name and
serial are set (hwaccept/sysfs/dmi_id.py reads vendor placeholders such as "To Be Filled By
O.E.M." as unset). A machine without any DMI table (a microVM) fails only when the profile
recognises machines by DMI strings (`match.vendor`, `product` or `board`); otherwise the
identity is UNKNOWN there.

An imported snapshot holds only what its inputs said, so a value it lacks is UNKNOWN "not in
this snapshot", never a failure.
"""

from __future__ import annotations

from collections.abc import Sequence

from hwaccept.inventory.kernel_events import NOT_IN_SNAPSHOT
from hwaccept.inventory.records import Gpu, Inventory
from hwaccept.inventory.records import System as Machine
from hwaccept.profiles.schema import Gpus, Profile
from hwaccept.sysfs.dmi_id import ATTRS as DMI_ATTRS
from hwaccept.sysfs.dmi_id import DMI_DIR

from .coverage import read_everything
from .findings import Judgment, Outcome, failed, passed, unknown, worst
from .gpus import gpu_check, missing
from .parts import system_part
from .registry import AnyCheck, Context, Family, is_set, per_component
from .rules import matches

CONSUMER = ("*GeForce*", "*TITAN*")
"""GPU names of boards NVML gives no serial for."""

IDENTITY = "GPU_IDENTITY"
EXPECTED_GPU = "a UUID and a serial of its own"
DMI_FIELDS = (("vendor", "sys_vendor"), ("product", "product_name"),
              ("serial", "product_serial"))
EXPECTED_DMI = "DMI vendor, product name and serial set"


def no_serial(serial: str | None) -> bool:
    """No serial, or one of zeros only."""
    return not serial or not serial.strip("0")


def is_consumer(gpu: Gpu) -> bool:
    """A GeForce or TITAN board."""
    return gpu.name is not None and any(matches(gpu.name, p) for p in CONSUMER)


def shared_with(gpu: Gpu, others: Sequence[Gpu], what: str) -> list[str]:
    """`GPU 3` for every other GPU reporting the same `what` (uuid, serial)."""
    mine = getattr(gpu, what)
    return [f"GPU {g.index}" for g in others
            if g.index != gpu.index and mine and getattr(g, what) == mine]


def _absent(gpu: Gpu, what: str, context: Context) -> Judgment:
    if gpu.failed:
        return missing(gpu, f"the {what}")
    if not read_everything(context.inventory):
        return unknown(f"the {what} is {NOT_IN_SNAPSHOT}")
    return failed(f"no {what} (NVML gave none)", IDENTITY)


def judge_uuid(gpu: Gpu, context: Context) -> Judgment:
    """The UUID is known and no other GPU reports it."""
    if not gpu.uuid:
        return _absent(gpu, "UUID", context)
    shared = shared_with(gpu, context.inventory.gpus, "uuid")
    if shared:
        return failed(f"UUID {gpu.uuid} is also {', '.join(shared)}'s", IDENTITY)
    return passed(f"UUID {gpu.uuid}")


def judge_serial(gpu: Gpu, context: Context) -> Judgment:
    """The serial is known (consumer boards excepted) and no other GPU reports it."""
    if no_serial(gpu.serial):
        if gpu.serial:
            return failed(f"serial {gpu.serial} is zeros only: no board serial", IDENTITY)
        if is_consumer(gpu):
            return passed(f"no serial ({gpu.name} boards have none NVML can read)")
        if gpu.name is None and read_everything(context.inventory) and not gpu.failed:
            return unknown("no serial, and the model (a board that has none?) not known")
        return _absent(gpu, "serial", context)
    shared = shared_with(gpu, context.inventory.gpus, "serial")
    if shared:
        return failed(f"serial {gpu.serial} is also {', '.join(shared)}'s", IDENTITY)
    return passed(f"serial {gpu.serial}")


def _gpu_identity(_spec: Gpus, gpu: Gpu, context: Context) -> Outcome:
    measured = ", ".join(p for p in (gpu.uuid, f"SN {gpu.serial}" if gpu.serial else "") if p)
    judged = worst([judge_uuid(gpu, context), judge_serial(gpu, context)])
    return Outcome(judged, measured or None, EXPECTED_GPU)


def has_dmi(machine: Machine) -> bool:
    """Whether any DMI string was read (a machine without SMBIOS tables has none)."""
    return any(getattr(machine, attr.field) is not None for attr in DMI_ATTRS) or any(
        e.startswith(f"{DMI_DIR}/") for e in machine.errors)


def by_dmi(profile: Profile) -> bool:
    """Whether the profile recognises machines by their DMI strings."""
    match = profile.match
    return match is not None and any((match.vendor, match.product, match.board))


def judge_dmi_field(machine: Machine, field: str, file: str, inventory: Inventory) -> Judgment:
    """One DMI string: set, unreadable, not in the snapshot, or missing."""
    value = getattr(machine, field)
    if value is not None:
        return passed(f"{file} {value}")
    path = f"{DMI_DIR}/{file}"
    problem = next((e for e in machine.errors if e.startswith(f"{path}:")), None)
    if problem:
        return unknown(f"{file} could not be read ({problem.removeprefix(path + ': ')})")
    if not read_everything(inventory):
        return unknown(f"{file} is {NOT_IN_SNAPSHOT}")
    return failed(f"no {file} in DMI (empty, or a placeholder such as 'To Be Filled By "
                  "O.E.M.')", "SYSTEM_IDENTITY")


def judge_dmi(context: Context) -> Judgment:
    """The chassis's DMI vendor, product name and serial."""
    inventory = context.inventory
    machine = inventory.system
    if not has_dmi(machine):
        if not read_everything(inventory):
            return unknown(f"DMI is {NOT_IN_SNAPSHOT}")
        if by_dmi(context.profile):
            return failed(f"no DMI table ({DMI_DIR} holds none of its strings), yet the "
                          "profile recognises machines by DMI", "SYSTEM_IDENTITY")
        return unknown(f"the machine has no DMI table ({DMI_DIR} holds none of its strings, "
                       "as on a virtual machine without SMBIOS)")
    return worst([judge_dmi_field(machine, field, file, inventory)
                  for field, file in DMI_FIELDS])


def _system_identity(context: Context, _machine: Machine) -> Outcome:
    machine = context.inventory.system
    shown = " / ".join(str(getattr(machine, field) or "?") for field, _ in DMI_FIELDS)
    return Outcome(judge_dmi(context), shown if has_dmi(machine) else None, EXPECTED_DMI)


def _wants_identity(profile: Profile) -> bool:
    return is_set(profile.system) or profile.match is not None


CHECKS: tuple[AnyCheck, ...] = (
    gpu_check("gpu_identity", "every GPU has a UUID and a serial, shared with no other GPU",
              tuple(Gpus.model_fields), _gpu_identity),
    per_component("system_identity", Family.SYSTEM, "DMI vendor, product name and serial are "
                  "set (asked for by `system` or `match`)", wanted=_wants_identity,
                  components=lambda context: (context.inventory.system,),
                  label=lambda _machine: "system",
                  part=lambda context, _machine: system_part(context.inventory, "system",
                                                             "DMI identity"),
                  judge=_system_identity),
)
