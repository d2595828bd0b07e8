"""GPU load and measurement with PyTorch, for machines without DCGM or nvbandwidth.

Each function loads one device for about `seconds` and returns what it measured:
dense matrix throughput (TFLOP/s), device memory copy bandwidth, host-to-device and
device-to-host copy bandwidth (from pinned host memory on a GPU), and a memory pattern
test that counts bytes read back wrong. Work is timed between device synchronisations,
after one warm-up round, and repeated until `seconds` have passed (at least once).

The same code runs on the CPU (`device="cpu"`) at tiny sizes, which is how the project's
tests run it; PyTorch is imported only when a function is called.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import torch

DTYPES = ("bf16", "fp16", "fp32")
PATTERNS = (0x00, 0xFF, 0xAA, 0x55)
"""Bytes written across the whole buffer and read back: all zeros, all ones, alternating
bits both ways."""
GIB = 1 << 30


def torch_missing() -> str | None:
    """Why PyTorch cannot be used here, or None."""
    if importlib.util.find_spec("torch") is None:
        return "PyTorch is not installed (pip install torch, a CUDA build)"
    return None


def cuda_missing() -> str | None:
    """Why PyTorch cannot load a GPU here, or None."""
    reason = torch_missing()
    if reason:
        return reason
    import torch

    if not torch.cuda.is_available():
        return f"PyTorch {torch.__version__} sees no CUDA GPU (a CPU build, or no driver)"
    return None


def cuda_device(uuid: str | None, pci_address: str | None) -> str | None:
    """The PyTorch device (`cuda:2`) of the GPU with this NVML UUID or PCI address.

    CUDA numbers GPUs in its own order (fastest first, unless CUDA_DEVICE_ORDER says
    otherwise), not NVML's, so the GPU is found by what both agree on.
    """
    import torch

    wanted = (uuid or "").lower().removeprefix("gpu-")
    for index in range(torch.cuda.device_count()):
        properties = torch.cuda.get_device_properties(index)
        found = str(getattr(properties, "uuid", "")).lower().removeprefix("gpu-")
        if wanted and found == wanted:
            return f"cuda:{index}"
        bus = (getattr(properties, "pci_domain_id", None), getattr(properties, "pci_bus_id", None),
               getattr(properties, "pci_device_id", None))
        if pci_address and None not in bus and pci_address.lower().startswith(
                f"{bus[0]:04x}:{bus[1]:02x}:{bus[2]:02x}"):
            return f"cuda:{index}"
    return None


def _sync(device: torch.device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(device: torch.device, step: Callable[[], object], seconds: float) -> tuple[int, float]:
    """Rounds of `step` run in about `seconds` after one warm-up round, and their time."""
    step()
    _sync(device)
    rounds, started = 0, time.perf_counter()
    while True:
        step()
        rounds += 1
        _sync(device)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return rounds, elapsed


def matmul_tflops(device: str, dtype: Literal["bf16", "fp16", "fp32"], size: int,
                  seconds: float) -> float:
    """Dense `size` x `size` matrix products: 2 * size**3 operations each, in TFLOP/s."""
    import torch

    kind = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype]
    where = torch.device(device)
    generator = torch.Generator(device=where).manual_seed(0)
    left = torch.randn(size, size, device=where, dtype=kind, generator=generator)
    right = torch.randn(size, size, device=where, dtype=kind, generator=generator)
    out = torch.empty(size, size, device=where, dtype=kind)
    rounds, elapsed = _timed(where, lambda: torch.matmul(left, right, out=out), seconds)
    return 2.0 * size**3 * rounds / elapsed / 1e12


def memory_bandwidth_gbps(device: str, nbytes: int, seconds: float) -> float:
    """Copies of an `nbytes` buffer within the device: read and write both count, in GB/s."""
    import torch

    where = torch.device(device)
    source = torch.empty(nbytes, dtype=torch.uint8, device=where).fill_(0x5A)
    target = torch.empty_like(source)
    rounds, elapsed = _timed(where, lambda: target.copy_(source), seconds)
    return 2.0 * nbytes * rounds / elapsed / 1e9


def host_device_gbps(device: str, direction: Literal["h2d", "d2h"], nbytes: int,
                     seconds: float) -> float:
    """Copies of `nbytes` between (pinned, on a GPU) host memory and the device, in GB/s."""
    import torch

    where = torch.device(device)
    host = torch.empty(nbytes, dtype=torch.uint8, pin_memory=where.type == "cuda").fill_(7)
    on_device = torch.empty(nbytes, dtype=torch.uint8, device=where)
    if direction == "h2d":
        rounds, elapsed = _timed(where, lambda: on_device.copy_(host, non_blocking=True),
                                 seconds)
    else:
        rounds, elapsed = _timed(where, lambda: host.copy_(on_device, non_blocking=True),
                                 seconds)
    return nbytes * rounds / elapsed / 1e9


def peer_copy_gbps(source: str, target: str, nbytes: int, seconds: float) -> float:
    """Copies of `nbytes` from one device to another (NVLink between GPUs), in GB/s."""
    import torch

    start, end = torch.device(source), torch.device(target)
    sent = torch.empty(nbytes, dtype=torch.uint8, device=start).fill_(3)
    received = torch.empty(nbytes, dtype=torch.uint8, device=end)

    def copy() -> object:
        received.copy_(sent, non_blocking=True)
        _sync(start)
        return received

    rounds, elapsed = _timed(end, copy, seconds)
    return nbytes * rounds / elapsed / 1e9


def memory_pattern_errors(device: str, nbytes: int, seconds: float) -> int:
    """Bytes read back other than written, over rounds of every pattern in `PATTERNS`.

    The buffer is filled with each pattern, then with its own byte offsets (mod 251, so
    neighbouring addresses differ), and compared on the device.
    """
    import torch

    where = torch.device(device)
    buffer = torch.empty(nbytes, dtype=torch.uint8, device=where)
    addresses = (torch.arange(nbytes, device=where, dtype=torch.int64) % 251).to(torch.uint8)
    wrong = 0
    deadline = time.perf_counter() + seconds
    while True:
        for pattern in PATTERNS:
            buffer.fill_(pattern)
            wrong += int((buffer != pattern).sum().item())
        buffer.copy_(addresses)
        wrong += int((buffer != addresses).sum().item())
        if time.perf_counter() >= deadline:
            return wrong
