"""What each GPU went through while it was loaded: sampled, judged, and compared before/after.

A stress engine reports what the GPU achieved, not how it got there: a GPU that reached its
throughput while running hot, braking for power or dropping off the bus at the end tells
RMA more than its TFLOP/s. So while the load runs, `GpuLoadMonitor` reads each GPU's
temperature, power draw and clock event reasons through the NVML seam on a thread of its
own, and `load_findings` judges the samples: the hottest one against the profile's
`burnin.gpu.temperature_max_c`, the highest draw against the enforced power limit, and any
hardware, thermal or power-brake slowdown. Software power capping (`sw_power_cap`) is how a
GPU at full load normally holds its power limit, so it is recorded, never judged.

Errors the load provoked are found by comparing two reads of the same GPU (`error_deltas`:
ECC counts, retired pages, remapped rows) and two reads of the kernel log (`new_xids`), with
the acceptance checks' failure codes and the kernel log parser the acceptance checks use.

The samples travel on the test case as one compact property (`samples_property`), thinned
to at most `MAX_SAMPLES` so a four-hour burn-in does not bloat the JUnit file; the HTML
report plots them (`parse_samples`).
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType

from hwaccept.checks.findings import (
    Finding,
    Judgment,
    Outcome,
    Part,
    failed,
    make_finding,
    passed,
    unknown,
    warned,
)
from hwaccept.checks.kernel_log import judge_xids, tally
from hwaccept.checks.parts import gpu_part
from hwaccept.inventory.gpus import GpuReader, read_throttle
from hwaccept.inventory.records import EventSource, Gpu, KernelEvent
from hwaccept.sources.nvml import Nvml
from hwaccept.tools.kernel_log import events

FAMILY = "gpu"
TEMPERATURE_CHECK = "gpu_temperature_under_load"
THROTTLE_CHECK = "gpu_throttle_under_load"
POWER_CHECK = "gpu_power_under_load"
LOST_CHECK = "gpu_lost_under_load"
ERRORS_CHECK = "gpu_errors_under_load"
XID_CHECK = "gpu_xid_under_load"

SLOWDOWNS = ("hw_slowdown", "sw_thermal_slowdown", "hw_thermal_slowdown",
             "hw_power_brake_slowdown")
"""Clock event reasons (as hwaccept.inventory.gpus names them) that fail a GPU under load.

The hardware slowdown, thermal slowdown (the driver's, at the GPU's slowdown temperature,
and the hardware's) and the external power brake: each means cooling or power delivery
could not keep up with the load. The other reasons are settings or normal operation.
"""
MAX_SAMPLES = 600
"""Samples a `samples` property holds at most: ten minutes at one a second."""


@dataclass(frozen=True)
class Sample:
    """One reading of one GPU under load."""

    seconds: float  # since the monitor started
    temperature_c: float | None  # nvmlDeviceGetTemperature(GPU)
    power_w: float | None  # nvmlDeviceGetPowerUsage
    throttle: tuple[str, ...]  # clock event reasons; () also when NVML gave none


class _Watched:
    """One GPU's reader (which stops calling a GPU that failed) and its samples so far."""

    def __init__(self, nvml: Nvml, index: int, lock: threading.Lock) -> None:
        self.reader = GpuReader(nvml, index)
        self.samples: list[Sample] = []
        self.lost: str | None = None
        self._lock = lock

    def sample(self, seconds: float) -> None:
        """Read once; a GPU found lost records no sample and is read no more.

        The calls are made outside the lock, so a slow GPU never blocks `samples()`. Other
        call errors leave their value None, and are not kept: a four-hour load would pile
        up one per call.
        """
        if self.lost is not None:
            return
        reader = self.reader
        temperature = reader.number("nvmlDeviceGetTemperature", 0)
        milliwatts = reader.number("nvmlDeviceGetPowerUsage")
        reasons = read_throttle(reader)
        reader.errors.clear()
        with self._lock:
            if reader.failed is not None:
                self.lost = f"{reader.failed}, {seconds:.1f} s into the load"
                return
            self.samples.append(Sample(
                seconds, None if temperature is None else float(temperature),
                None if milliwatts is None else milliwatts / 1000, reasons or ()))


class GpuLoadMonitor:
    """Samples GPUs every `interval` seconds between `__enter__` and `__exit__`.

    Each GPU is read once on entry and once on exit on the caller's thread, so even a load
    shorter than the interval has a sample from its start and its end; in between, a
    thread of the monitor's own reads them. Every NVML call of the live seam has a deadline,
    so a hung GPU delays a round by that deadline once and is then read no more.

    Args:
        nvml: the NVML seam.
        indexes: the GPUs to watch, by NVML index.
        interval: seconds between rounds.

    Raises:
        RuntimeError: on exit, when the sampling thread itself crashed (a bug, not a GPU
            fault: a GPU's errors are kept as `lost`).

    """

    def __init__(self, nvml: Nvml, indexes: Sequence[int], interval: float = 1.0) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._watched = {index: _Watched(nvml, index, self._lock) for index in indexes}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._crash: Exception | None = None

    def __enter__(self) -> GpuLoadMonitor:
        self._started = time.monotonic()
        self._round()
        self._thread = threading.Thread(target=self._run, daemon=True, name="gpu-load-monitor")
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._crash is None:
            self._round()
        elif error is None:
            raise RuntimeError(f"GPU load monitor stopped: {self._crash!r}") from self._crash

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self._round()
        except Exception as exc:
            self._crash = exc

    def _round(self) -> None:
        for watched in self._watched.values():
            watched.sample(time.monotonic() - self._started)

    def samples(self, index: int) -> tuple[Sample, ...]:
        """The GPU's samples so far, oldest first.

        Raises:
            KeyError: the monitor does not watch that GPU.

        """
        with self._lock:
            return tuple(self._watched[index].samples)

    def lost(self, index: int) -> str | None:
        """Why the GPU stopped answering during the load (`nvml...: GPU_IS_LOST, ...`), or None.

        Raises:
            KeyError: the monitor does not watch that GPU.

        """
        with self._lock:
            return self._watched[index].lost


def _peak(samples: Sequence[Sample], field: str) -> tuple[float, Sample] | None:
    """The highest value of `field` and the first sample that has it; None when none has it."""
    best: tuple[float, Sample] | None = None
    for sample in samples:
        value = getattr(sample, field)
        if value is not None and (best is None or value > best[0]):
            best = value, sample
    return best


def _above(samples: Sequence[Sample], field: str, limit: float) -> int:
    return sum(1 for s in samples if (v := getattr(s, field)) is not None and v > limit)


def _temperature(samples: Sequence[Sample], most: float | None) -> Outcome | None:
    peak = _peak(samples, "temperature_c")
    expected = None if most is None else f"<= {most:g}"
    if peak is None:
        judgment = unknown("no temperature was read during the load")
        return None if most is None else Outcome(judgment, None, expected, "C")
    value, at = peak
    text = f"hottest {value:g} C under load, at {at.seconds:.1f} s of {samples[-1].seconds:.1f} s"
    if most is None:
        judgment = passed(f"{text}; the profile sets no burnin.gpu.temperature_max_c")
    elif value > most:
        hot = _above(samples, "temperature_c", most)
        judgment = failed(f"{text}, above {most:g} C in {hot} of {len(samples)} samples",
                          "GPU_HOT_UNDER_LOAD")
    else:
        judgment = passed(f"{text}, at most {most:g} C allowed")
    return Outcome(judgment, value, expected, "C")


def _power(samples: Sequence[Sample], limit: float | None) -> Outcome | None:
    peak = _peak(samples, "power_w")
    expected = None if limit is None else f"<= {limit:g}"
    if peak is None:
        judgment = unknown("no power draw was read during the load")
        return None if limit is None else Outcome(judgment, None, expected, "W")
    value, at = peak
    text = f"highest draw {value:g} W under load, at {at.seconds:.1f} s"
    if limit is None:
        judgment = passed(f"{text}; the enforced power limit is not known")
    elif value > limit:
        over = _above(samples, "power_w", limit)
        judgment = warned(f"{text}, above the enforced limit {limit:g} W in {over} of "
                          f"{len(samples)} samples", "GPU_POWER_OVER_LIMIT")
    else:
        judgment = passed(f"{text}, enforced limit {limit:g} W")
    return Outcome(judgment, round(value, 3), expected, "W")


def _reason_counts(samples: Sequence[Sample]) -> Counter[str]:
    return Counter(reason for sample in samples for reason in dict.fromkeys(sample.throttle))


def _throttle(samples: Sequence[Sample]) -> Outcome:
    expected = "none of " + ", ".join(SLOWDOWNS)
    if not samples:
        return Outcome(unknown("no clock event reasons were read during the load"), None,
                       expected)
    counts = _reason_counts(samples)
    measured = ", ".join(f"{reason} x{n}" for reason, n in sorted(counts.items())) or "none"
    slowed = [reason for reason in SLOWDOWNS if counts[reason]]
    others = ", ".join(f"{r} in {n}" for r, n in sorted(counts.items()) if r not in SLOWDOWNS)
    recorded = f"; also {others} (recorded, not judged)" if others else ""
    if slowed:
        first = next(s for s in samples if set(s.throttle) & set(slowed))
        named = ", ".join(f"{r} in {counts[r]}" for r in slowed)
        return Outcome(failed(f"clocks slowed down under load: {named} of {len(samples)} "
                              f"samples, first at {first.seconds:.1f} s{recorded}",
                              "GPU_THROTTLED_UNDER_LOAD"), measured, expected)
    return Outcome(passed(f"no hardware, thermal or power-brake slowdown in {len(samples)} "
                          f"samples{recorded}"), measured, expected)


def load_findings(part: Part, samples: Sequence[Sample], temperature_max_c: float | None,
                  power_limit_w: float | None, lost: str | None) -> list[Finding]:
    """The samples of one GPU's load judged: temperature, slowdowns, power, and a lost GPU.

    A kind gives no finding when it has neither a value nor a limit (no temperature read
    and no `temperature_max_c`; no power read and no known enforced limit); with a limit
    but no value it is UNKNOWN. Without a limit, the peak is recorded as a PASS. Slowdowns
    are UNKNOWN without any sample. A GPU that stopped answering fails with GPU_LOST.

    Args:
        part: the GPU (hwaccept.checks.parts.gpu_part).
        samples: its samples (`GpuLoadMonitor.samples`).
        temperature_max_c: the profile's `burnin.gpu.temperature_max_c`.
        power_limit_w: the GPU's enforced power limit (`Gpu.power_limit_w`).
        lost: why it stopped answering (`GpuLoadMonitor.lost`).

    """
    outcomes = [(TEMPERATURE_CHECK, _temperature(samples, temperature_max_c)),
                (THROTTLE_CHECK, _throttle(samples)),
                (POWER_CHECK, _power(samples, power_limit_w))]
    if lost is not None:
        last = f"; last sample at {samples[-1].seconds:.1f} s" if samples else ""
        outcomes.append((LOST_CHECK, Outcome(failed(f"stopped answering NVML during the load "
                                                    f"({lost}){last}", "GPU_LOST"),
                                             "lost", "answers")))
    return [make_finding(check, FAMILY, part, outcome) for check, outcome in outcomes
            if outcome is not None]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".removesuffix(".0")


def _top(samples: Sequence[Sample], stretch: range, field: str) -> int:
    """The index in `stretch` of the highest `field` (the earliest of equals; unknowns last)."""
    def rank(i: int) -> tuple[bool, float, int]:
        value = getattr(samples[i], field)
        return value is not None, value or 0.0, -i
    return max(stretch, key=rank)


def thin(samples: Sequence[Sample], most: int = MAX_SAMPLES) -> list[Sample]:
    """At most `most` samples, in time order, keeping the hottest and the most power-hungry.

    The samples are cut into `most // 2` even stretches, and each keeps its hottest sample
    and its highest draw: thinned, a run's peaks (what the findings judged) still show.
    """
    if len(samples) <= most:
        return list(samples)
    stretches = max(1, most // 2)
    kept: set[int] = set()
    for n in range(stretches):
        stretch = range(n * len(samples) // stretches, (n + 1) * len(samples) // stretches)
        kept |= {_top(samples, stretch, "temperature_c"), _top(samples, stretch, "power_w")}
    return [samples[i] for i in sorted(kept)]


def samples_property(samples: Sequence[Sample]) -> tuple[str, str]:
    """`("samples", "0:41:120.5;1:58:410.2")`: seconds:temperature:power, thinned (`thin`).

    An unknown value is an empty field (`12.5::` neither temperature nor power). Clock event
    reasons are left out: the throttle finding names them with their counts.
    """
    return "samples", ";".join(f"{_number(s.seconds)}:{_number(s.temperature_c)}:"
                               f"{_number(s.power_w)}" for s in thin(samples))


def limit_property(temperature_max_c: float) -> tuple[str, str]:
    """`("temperature_max_c", "85")`: the limit the report draws across the samples' plot.

    A stress test's case carries its worst finding's `expected`, which is the temperature
    limit only when the temperature finding is the worst; this property always is.
    """
    return "temperature_max_c", f"{temperature_max_c:g}"


def _field(text: str) -> float | None:
    """A finite number, else None: a hand-edited or torn property may hold anything."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_samples(text: str) -> list[Sample]:
    """The samples of a `samples` property, without clock event reasons; bad entries dropped.

    An entry whose time is not a number is dropped; an unreadable value becomes None. Never
    raises.
    """
    found = []
    for entry in text.split(";"):
        fields = entry.split(":")
        seconds = _field(fields[0])
        if seconds is None:
            continue
        values = [_field(f) for f in [*fields, "", ""][1:3]]
        found.append(Sample(seconds, values[0], values[1], ()))
    return found


@dataclass(frozen=True)
class _Counter:
    """One error counter of a GPU record, and how a rise of it is judged."""

    name: str  # as `measured` names it
    label: str  # as the message names it
    code: str
    fail: bool  # a rise fails (else it warns)


_COUNTERS = (
    _Counter("volatile_dbe", "uncorrectable (DBE) ECC errors", "GPU_ECC_DBE", True),
    _Counter("volatile_sbe", "corrected (SBE) ECC errors", "GPU_ECC_SBE", False),
    _Counter("retired_pages_dbe", "pages retired for DBEs", "GPU_RETIRED_PAGES_DBE", True),
    _Counter("retired_pages_sbe", "pages retired for SBEs", "GPU_RETIRED_PAGES_SBE", False),
    _Counter("retired_pages_pending", "page retirement pending", "GPU_RETIRED_PAGES_PENDING",
             True),
    _Counter("remap_uncorrectable", "rows remapped for uncorrectable errors",
             "GPU_ROW_REMAP_UNCORRECTABLE", True),
    _Counter("remap_correctable", "rows remapped for correctable errors",
             "GPU_ROW_REMAP_CORRECTABLE", False),
    _Counter("remap_pending", "row remap pending (needs a GPU reset)", "GPU_ROW_REMAP_PENDING",
             True),
    _Counter("remap_failure", "row remap failed", "GPU_ROW_REMAP_FAILURE", True),
)


def error_counts(gpu: Gpu) -> dict[str, int | bool | None]:
    """The error counters `error_deltas` compares, by name; volatile ECC, else aggregate.

    Volatile counts start at zero with the driver; where a GPU gives none, the aggregate
    (lifetime) count rises with the same errors.
    """
    ecc, rows = gpu.ecc, gpu.remapped_rows
    dbe = ecc.volatile_dbe if ecc.volatile_dbe is not None else ecc.aggregate_dbe
    sbe = ecc.volatile_sbe if ecc.volatile_sbe is not None else ecc.aggregate_sbe
    return {
        "volatile_dbe": dbe, "volatile_sbe": sbe,
        "retired_pages_dbe": gpu.retired_pages_dbe, "retired_pages_sbe": gpu.retired_pages_sbe,
        "retired_pages_pending": gpu.retired_pages_pending,
        "remap_uncorrectable": rows.uncorrectable if rows else None,
        "remap_correctable": rows.correctable if rows else None,
        "remap_pending": rows.pending if rows else None,
        "remap_failure": rows.failure if rows else None,
    }


def _shown(value: int | bool | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "?" if value is None else str(value)


def _rise(counter: _Counter, before: int | bool, after: int | bool) -> Outcome:
    text = f"{counter.label} {_shown(before)} → {_shown(after)} during the load"
    judge = failed if counter.fail else warned
    if isinstance(after, bool):
        measured, expected = f"{counter.name}={_shown(after)}", f"{counter.name}=no"
    else:
        measured, expected = f"{counter.name}={after}", f"{counter.name}<={before}"
    return Outcome(judge(text, counter.code), measured, expected)


def _unchanged(compared: list[str], fell: list[str], unread: list[str]) -> Judgment:
    tail = f"; not known: {', '.join(unread)}" if unread else ""
    if fell:
        return unknown(f"counters fell during the load ({', '.join(fell)}): the GPU or its "
                       f"driver was reset, so new errors cannot be told{tail}")
    if not compared:
        return unknown(f"no error counter was read both before and after the load{tail}")
    return passed(f"no new errors: {', '.join(compared)}{tail}")


def error_deltas(part: Part, before: Gpu, after: Gpu) -> list[Finding]:
    """New memory errors between two reads of one GPU: a finding per counter that rose.

    A rise of uncorrectable errors, of pages retired for them, a pending retirement or row
    remap, or a failed remap fails; more corrected errors (and their retired pages or
    remapped rows) warn, as corrected errors are counted against the profile's maxima by
    the acceptance checks. When nothing rose, one PASS names every counter compared.
    """
    old, new = error_counts(before), error_counts(after)
    rises: list[Outcome] = []
    compared: list[str] = []
    fell: list[str] = []
    unread: list[str] = []
    for counter in _COUNTERS:
        was, now = old[counter.name], new[counter.name]
        if was is None or now is None:
            unread.append(counter.name)
        elif now > was:
            rises.append(_rise(counter, was, now))
        elif now < was:
            fell.append(f"{counter.name} {_shown(was)} → {_shown(now)}")
        else:
            compared.append(f"{counter.name} {_shown(now)}")
    if not rises:
        rises.append(Outcome(_unchanged(compared, fell, unread), "none", "no new errors"))
    return [make_finding(ERRORS_CHECK, FAMILY, part, outcome) for outcome in rises]


def _xid_events(log: str) -> list[KernelEvent]:
    return [e for e in events(log.splitlines()) if e.source is EventSource.XID]


def new_xid_events(before_log: str, after_log: str) -> list[KernelEvent]:
    """Xid events of `after_log` that `before_log` does not hold, in log order.

    Each event of the earlier read cancels one identical event (same line, same time) of
    the later one; the kernel's ring buffer may have dropped the oldest lines in between,
    which only means fewer events to cancel.
    """
    earlier = Counter(_xid_events(before_log))
    found = []
    for event in _xid_events(after_log):
        if earlier[event]:
            earlier[event] -= 1
        else:
            found.append(event)
    return found


def _xid_outcome(found: Sequence[KernelEvent], fail: set[int], warn: set[int]) -> Outcome:
    counts = tally(tuple(found))
    measured = ", ".join(f"Xid {x} x{n}" for x, n in sorted(counts.items())) or "none"
    if not counts:
        return Outcome(passed("no new Xid during the load"), measured, "no new Xid")
    judgment = judge_xids(counts, fail, warn)
    judgment = dataclasses.replace(judgment, message=f"new during the load: {judgment.message}")
    return Outcome(judgment, measured, "no new Xid")


def new_xids(before_log: str, after_log: str, gpus: Iterable[Gpu], *,
             fail: Collection[int] = (), warn: Collection[int] = (),
             strays: bool = False) -> list[Finding]:
    """A finding per GPU for the Xids logged between two reads of the kernel log.

    Xids are tied to a GPU by its PCI address and judged as the acceptance check
    `kernel_xid` judges them (the profile's `kernel_log.xid` lists, else NVIDIA's catalog),
    with that check's GPU_XID_<n> codes.

    Args:
        before_log: the kernel log read before the load (text of `dmesg` or the journal).
        after_log: the same log read after it.
        gpus: the GPUs to give findings for (each gets one, a PASS without new Xids).
        fail: Xids that fail (`kernel_log.xid.fail`).
        warn: Xids that warn (`kernel_log.xid.warn`).
        strays: also give a finding per PCI address with new Xids that no GPU of `gpus`
            has (a test watching every GPU; a test of one GPU leaves the others' Xids to
            their own tests).

    """
    found = new_xid_events(before_log, after_log)
    fails, warns = set(fail), set(warn)
    findings = []
    claimed: set[str] = set()
    for gpu in gpus:
        address = gpu.pci_address
        mine = [e for e in found if address is not None and e.device == address]
        claimed |= {address} if address else set()
        findings.append(make_finding(XID_CHECK, FAMILY, gpu_part(gpu),
                                     _xid_outcome(mine, fails, warns)))
    if strays:
        findings += [make_finding(XID_CHECK, FAMILY, _stray_part(device),
                                  _xid_outcome([e for e in found if _address(e) == device],
                                               fails, warns))
                     for device in dict.fromkeys(map(_address, found)) if device not in claimed]
    return findings


def _address(event: KernelEvent) -> str:
    return event.device or "an unknown address"


def _stray_part(device: str) -> Part:
    """A GPU known only by the address an Xid names, as the acceptance check names it."""
    return Part("gpu", device, f"GPU at {device}", bdf=device, who=device)
