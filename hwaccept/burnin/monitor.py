"""GPUs sampled while they are loaded: temperature, power draw and clock event reasons.

A stress engine reports what the GPU achieved, not how it got there: a GPU that reached its
throughput while running hot, braking for power or dropping off the bus at the end tells
RMA more than its TFLOP/s. So while the load runs, `GpuLoadMonitor` reads each GPU's
temperature, power draw and clock event reasons through the NVML seam on a thread of its
own; hwaccept.burnin.load_verdicts judges the samples, hwaccept.burnin.samples_text carries
them on the test case, and hwaccept.burnin.gpu_errors compares the GPU before and after.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

from hwaccept.inventory.gpus import GpuReader, read_throttle
from hwaccept.sources.nvml import Nvml


@dataclass(frozen=True)
class Sample:
    """One reading of one GPU under load."""

    seconds: float  # since the monitor started
    temperature_c: float | None  # nvmlDeviceGetTemperature(GPU)
    power_w: float | None  # nvmlDeviceGetPowerUsage
    throttle: tuple[str, ...] | None  # clock event reasons; None when they could not be read


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
                None if milliwatts is None else milliwatts / 1000, reasons))


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
