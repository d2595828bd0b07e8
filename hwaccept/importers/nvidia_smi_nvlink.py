"""`nvidia-smi nvlink --status` -> NVML's name, UUID and NVLink states of each GPU listed.

nvidia-smi prints NVML's answers: per GPU a line `GPU 0: NVIDIA A100-SXM4-80GB (UUID:
GPU-5269...)`, then one line per NVLink the GPU has, `Link 0: 25 GB/s` for an active link
and `Link 3: <inactive>` for an inactive one; a GPU whose links are all inactive gets
`NVML: Unable to retrieve NVLink information as all links are inactive` (`inActive` on
newer drivers) instead of link lines. Recorded per GPU index (nvml.json keys, see
docs/snapshot.md):

- `nvmlDeviceGetName` and `nvmlDeviceGetUUID`, from the GPU line.
- `nvmlDeviceGetNvLinkState(L)`: 1 for a link with a speed, 0 for `<inactive>`.
- `nvmlDeviceGetNvLinkState(n)`, n the number of links listed, as
  `{"error": "INVALID_ARGUMENT"}`: what NVML answers for a link index past the GPU's own
  links (nvml.h: INVALID_ARGUMENT when the link is invalid; on an 18-link GB200 NVML
  rejects indices 18-35 so, see NVIDIA/TensorRT-LLM pull request 17060). nvidia-smi lists
  every link the GPU has, so the inventory, which reads links from 0 up to the first
  error, sees exactly the links listed. Not recorded when the listed links are not
  numbered 0..n-1.
- `nvmlDeviceGetCount`, when two or more GPUs are listed and they are GPUs 0..n-1:
  nvidia-smi lists every GPU unless `-i` picks one. A single GPU listed (`-i 7`, or
  the only GPU of a machine) says nothing about how many there are.

Not recorded: link speeds. `25 GB/s` is not an NVML answer the inventory reads, and it
does not name the NVLink version (nvmlDeviceGetNvLinkVersion) by itself, so no version is
derived from it. A GPU whose links are all inactive keeps its name and UUID, but since
nvidia-smi does not say how many links it has, none of its links is recorded: its links
replay as unknown, and a note says they are all inactive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts
from hwaccept.inventory.gpus import MAX_NVLINKS

STATE_CALL = "nvmlDeviceGetNvLinkState"
PAST_LAST_LINK = {"error": "INVALID_ARGUMENT"}
"""NVML's answer to nvmlDeviceGetNvLinkState for a link index the GPU does not have."""

_GPU = re.compile(r"^GPU (?P<index>\d+): (?P<name>.*?) \(UUID: (?P<uuid>[^)]+)\)$")
_LINK = re.compile(r"^Link (?P<link>\d+): (?P<value>.*)$")
_SPEED = re.compile(r"^\d+(?:\.\d+)? GB/s$")
_INACTIVE = "<inactive>"
_ALL_INACTIVE = re.compile(
    r"^NVML: Unable to retrieve NVLink information as all links are inactive", re.IGNORECASE)
_SNIFF = re.compile(
    r"^GPU \d+: [^\n]*\(UUID: [^)\n]+\)\n[ \t]*(?:Link \d+: (?:\d+(?:\.\d+)? GB/s|<inactive>)"
    r"[ \t]*$|NVML: Unable to retrieve NVLink information as all links are "
    r"(?i:inactive))", re.MULTILINE)


@dataclass
class GpuLinks:
    """One GPU as listed: identity, each link's state (True: active), or all inactive."""

    index: int
    name: str
    uuid: str
    links: dict[int, bool] = field(default_factory=dict)
    all_inactive: bool = False


def sniff(head: str) -> bool:
    """Whether this is the status report: a GPU line followed by a link status line."""
    return bool(_SNIFF.search(head))


def read_gpus(text: str, source: str) -> tuple[list[GpuLinks], list[str]]:
    """The GPUs listed, in order, and the lines not understood."""
    gpus: list[GpuLinks] = []
    unread: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if match := _GPU.match(stripped):
            gpus.append(GpuLinks(int(match["index"]), match["name"], match["uuid"]))
        elif gpus and (match := _LINK.match(stripped)):
            value, link = match["value"].strip(), int(match["link"])
            if value != _INACTIVE and not _SPEED.match(value):
                raise fail(source, f"GPU {gpus[-1].index}: {stripped!r} is not a link status "
                                   "(this is another `nvidia-smi nvlink` report than --status)")
            if link in gpus[-1].links:
                raise fail(source, f"GPU {gpus[-1].index}: link {link} is listed twice")
            gpus[-1].links[link] = value != _INACTIVE
        elif gpus and _ALL_INACTIVE.match(stripped):
            gpus[-1].all_inactive = True
        else:
            unread.append(stripped)
    return gpus, unread


def record_links(parts: Parts, gpu: GpuLinks) -> None:
    """Record each listed link's state, and the answer past the last one."""
    calls = parts.gpu(gpu.index)
    for link, active in sorted(gpu.links.items()):
        calls[f"{STATE_CALL}({link})"] = 1 if active else 0
    count = len(gpu.links)
    if sorted(gpu.links) != list(range(count)):
        parts.notes.append(f"GPU {gpu.index}: links {', '.join(map(str, sorted(gpu.links)))} "
                           "are not numbered from 0 without gaps; the inventory reads them "
                           "up to the first gap")
    elif count < MAX_NVLINKS:
        calls[f"{STATE_CALL}({count})"] = dict(PAST_LAST_LINK)


def record_gpu(parts: Parts, gpu: GpuLinks) -> None:
    """Record one GPU's name, UUID and links."""
    calls = parts.gpu(gpu.index)
    calls["nvmlDeviceGetName"] = gpu.name
    calls["nvmlDeviceGetUUID"] = gpu.uuid
    if gpu.all_inactive:
        parts.notes.append(f"GPU {gpu.index}: all NVLinks are inactive; nvidia-smi does not "
                           "say how many it has, so its links are not recorded (unknown)")
    elif gpu.links:
        record_links(parts, gpu)
    else:
        parts.notes.append(f"GPU {gpu.index}: no NVLink status listed; its links are not "
                           "recorded (unknown)")


def record_count(parts: Parts, gpus: list[GpuLinks]) -> None:
    """Record the GPU count when the listing is evidently of every GPU."""
    indices = [gpu.index for gpu in gpus]
    if len(indices) >= 2 and indices == list(range(len(indices))):
        parts.nvml_system["nvmlDeviceGetCount"] = len(indices)
    elif len(indices) == 1:
        parts.notes.append(f"only GPU {indices[0]} is listed (`-i {indices[0]}`?): the number "
                           "of GPUs is not recorded")
    else:
        parts.notes.append(f"GPUs {', '.join(map(str, indices))} are listed, not 0..n-1 in "
                           "order: the number of GPUs is not recorded")


def summary(gpus: list[GpuLinks]) -> str:
    """`8 GPUs, 96 of 96 NVLinks active`; GPUs with all links inactive are counted apart."""
    links = [active for gpu in gpus for active in gpu.links.values()]
    dark = sum(gpu.all_inactive for gpu in gpus)
    said = [f"{len(gpus)} GPU{'s' if len(gpus) != 1 else ''}"]
    if links:
        said.append(f"{sum(links)} of {len(links)} NVLinks active")
    if dark:
        said.append(f"{dark} with all NVLinks inactive")
    return ", ".join(said)


def parse(text: str, source: str) -> Parts:
    """Record each GPU's name, UUID and link states, and the count when all are listed."""
    gpus, unread = read_gpus(text, source)
    if not gpus:
        raise fail(source, "no `GPU N: <name> (UUID: GPU-...)` lines: not "
                           "`nvidia-smi nvlink --status` output")
    if not any(gpu.links or gpu.all_inactive for gpu in gpus):
        raise fail(source, "GPU lines without any `Link N:` status: not "
                           "`nvidia-smi nvlink --status` output (`nvidia-smi -L`?)")
    seen: set[int] = set()
    for gpu in gpus:
        if gpu.index in seen:
            raise fail(source, f"GPU {gpu.index} is listed twice: one nvidia-smi run lists "
                               "each GPU once")
        seen.add(gpu.index)
    parts = Parts()
    for gpu in gpus:
        record_gpu(parts, gpu)
    record_count(parts, gpus)
    if unread:
        parts.notes.append(f"{len(unread)} line(s) not understood, the first: {unread[0]!r}")
    parts.summary = summary(gpus)
    return parts


KIND = Kind("nvidia-smi-nvlink", "nvidia-smi nvlink --status", sniff, parse)
