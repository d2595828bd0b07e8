"""Processor topology from /sys/devices/system/cpu.

See https://www.kernel.org/doc/Documentation/ABI/stable/sysfs-devices-system-cpu
and Documentation/admin-guide/cputopology.rst.
"""

from __future__ import annotations

from hwaccept.record import Record
from hwaccept.sources.files import NOT_KNOWN_ERRNO, Files, read_text
from hwaccept.sysfs.attrs import describe_os_error, integer

CPU_DIR = "/sys/devices/system/cpu"


def parse_cpu_list(value: str) -> list[int]:
    """`0-3,8,10-11` -> [0, 1, 2, 3, 8, 10, 11]."""
    cpus: list[int] = []
    for part in value.strip().split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        cpus.extend(range(integer(first), integer(last or first) + 1))
    return cpus


class CpuTopology(Record):
    """Counts of sockets, cores and threads among online CPUs."""

    sockets: int | None
    cores: int | None
    threads: int | None
    errors: tuple[str, ...]


def read_topology(files: Files) -> CpuTopology:
    """Count packages, distinct (package, core) pairs and online logical CPUs."""
    try:
        online = parse_cpu_list(read_text(files, f"{CPU_DIR}/online"))
    except (OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.errno == NOT_KNOWN_ERRNO:
            return CpuTopology(None, None, None, ())
        reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        return CpuTopology(None, None, None, (f"{CPU_DIR}/online: {reason}",))
    cores: set[tuple[int, int]] = set()
    problems: list[str] = []
    for cpu in online:
        base = f"{CPU_DIR}/cpu{cpu}/topology"
        try:
            package = integer(read_text(files, f"{base}/physical_package_id"))
            core = integer(read_text(files, f"{base}/core_id"))
        except (OSError, ValueError) as exc:
            reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
            problems.append(f"{base}: {reason}")
            continue
        cores.add((package, core))
    if problems:
        return CpuTopology(None, None, len(online), tuple(problems))
    return CpuTopology(len({p for p, _ in cores}), len(cores), len(online), ())
