"""`nvidia-smi -q` text -> the NVML calls its fields were printed from.

The format is described field by field in nvidia-smi(1) (GPU ATTRIBUTES): a
"==============NVSMI LOG==============" banner, a header (Driver Version, CUDA Version,
"Attached GPUs : N"), then one block per GPU headed "GPU 00000000:19:00.0", in NVML
index order, whose sections nest by four-space indentation. `-d` filtered output
(`nvidia-smi -q -d PAGE_RETIREMENT`) prints only some sections and is read the same
way. Which fields become which calls, and how values convert, is in
hwaccept.importers.gpu_facts.

A dump that is not whole is refused rather than half imported: fewer GPU blocks than
the header promises (cut off, or GPUs picked with `-i`, whose NVML index the output
does not give), an unfiltered block (one with "Product Name") without the Processes
section every such block has near its end, a filtered last block with fewer sections
than the first, a section heading with nothing under it at the end, or a last line
without its line end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hwaccept.importers import gpu_facts
from hwaccept.importers.gpu_facts import GpuFacts, Printed, SystemFacts
from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts

BANNER = "==============NVSMI LOG=============="
_GPU = re.compile(r"GPU ([0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+\.[0-9A-Fa-f])")
_KEY_VALUE = re.compile(r"(\S.*?)\s+:(?:\s+(.*))?")
_ATTACHED = re.compile(r"^Attached GPUs\s+:", re.MULTILINE)
CLOSING = "Processes"
"""The section every GPU block of unfiltered output has near its end."""
AFTER_CLOSING = frozenset({"Processes", "Capabilities"})


@dataclass
class Node:
    """One line of the output and the lines indented under it."""

    key: str
    printed: str | None
    line: int
    indent: int
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    by_key: dict[str, Node] = field(default_factory=dict)

    def add(self, child: Node) -> None:
        """Append a child; the first of a name is the one looked up."""
        child.parent = self
        self.children.append(child)
        self.by_key.setdefault(child.key, child)

    def _walk(self, path: tuple[str, ...]) -> tuple[Node | None, Printed]:
        node = self
        for name in path:
            if node is not self and not node.children and node.printed is not None:
                return None, node.printed
            found = node.by_key.get(name)
            if found is None:
                return None, None
            node = found
        return node, node.printed

    def value(self, *path: str) -> Printed:
        """The value printed at `path` (gpu_facts.Section)."""
        return self._walk(path)[1]

    def has(self, *path: str) -> bool:
        """Whether something was printed at `path` (gpu_facts.Section)."""
        node, value = self._walk(path)
        return node is not None or value is not None

    def section(self, name: str) -> Node | None:
        """The child section called `name`."""
        return self.by_key.get(name)

    def path(self) -> list[str]:
        """Names from the GPU block down to this line."""
        names: list[str] = []
        node: Node | None = self
        while node is not None and node.parent is not None and node.key != "GPU":
            names.append(node.key)
            node = node.parent
        return names[::-1]


def sniff(head: str) -> bool:
    """Whether this is `nvidia-smi -q` text: the NVSMI LOG banner and "Attached GPUs"."""
    return BANNER in head and _ATTACHED.search(head) is not None


def read_tree(text: str) -> tuple[Node, int, Node | None]:
    """The output as a tree, how many banners it has, and its last line."""
    root = Node("", None, 0, -1)
    stack = [root]
    banners = 0
    last: Node | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        content = line.lstrip(" ")
        if not content:
            continue
        if content == BANNER:
            banners += 1
            continue
        indent = len(line) - len(content)
        heading = _GPU.fullmatch(content) if indent == 0 else None
        if heading is not None:
            node = Node("GPU", heading[1], number, indent)
        else:
            match = _KEY_VALUE.fullmatch(content)
            node = (Node(match[1], (match[2] or "").strip(), number, indent) if match
                    else Node(content, None, number, indent))
        while stack[-1].indent >= indent:
            stack.pop()
        stack[-1].add(node)
        stack.append(node)
        last = node
    return root, banners, last


def _gpu_of(node: Node) -> Node | None:
    current: Node | None = node
    while current is not None and current.key != "GPU":
        current = current.parent
    return current


def _where(last: Node) -> str:
    gpu = _gpu_of(last)
    inside = f" inside GPU {gpu.printed}" if gpu is not None else ""
    path = " > ".join(last.path())
    return f"the text ends at line {last.line}{inside}" + (f" ({path})" if path else "")


def _cut_reason(blocks: list[Node], last: Node, text: str) -> str | None:
    """Why the last GPU block is not whole, or None when it is."""
    final = blocks[-1]
    if "Product Name" in final.by_key:
        if CLOSING not in final.by_key:
            return f"the last GPU block stops before its {CLOSING} section; " + _where(last)
    else:
        outline = [c.key for c in blocks[0].children]
        keys = [c.key for c in final.children]
        if len(keys) < len(outline) and keys == outline[:len(keys)]:
            return f"the last GPU block is shorter than the first; {_where(last)}"
    if last.printed is None and not last.children and last.key != "GPU":
        return f"a section heading has nothing under it; {_where(last)}"
    closing = set(last.path()[:1]) & AFTER_CLOSING
    if not text.endswith(("\n", "\r")) and last.printed is not None and not closing:
        return f"the last line has no line end; {_where(last)}"
    return None


def _plural(count: int) -> str:
    return f"{count} GPU" + ("" if count == 1 else "s")


def check_whole(source: str, promised: int, blocks: list[Node], last: Node | None,
                text: str) -> None:
    """Refuse output that does not hold every GPU the header promises, each whole."""
    head = "incomplete nvidia-smi -q output: "
    if len(blocks) > promised:
        raise fail(source, f"the header says {_plural(promised)} are attached but "
                           f"{len(blocks)} GPU blocks follow")
    if not blocks or last is None:
        if promised:
            line = last.line if last is not None else 0
            raise fail(source, f"{head}the header promises {_plural(promised)}, 0 found; "
                               f"the text ends at line {line}")
        return
    cut = _cut_reason(blocks, last, text)
    if len(blocks) < promised:
        ending = _where(last) if cut else (
            f"the text ends after GPU {blocks[-1].printed} at line {last.line} (cut off, or "
            "GPUs picked with -i, whose NVML index the output does not give)")
        raise fail(source, f"{head}the header promises {_plural(promised)}, "
                           f"{len(blocks)} found; {ending}")
    if cut is not None:
        raise fail(source, head + cut)


def _reasons(block: Node) -> tuple[dict[int, Printed], bool]:
    for title, legacy in (("Clocks Event Reasons", False), ("Clocks Throttle Reasons", True)):
        section = block.section(title)
        if section is None:
            continue
        if not section.children:
            return {bit: section.printed for bit in gpu_facts.CLOCK_REASON_BITS.values()}, legacy
        found: dict[int, Printed] = {}
        pending = list(section.children)
        while pending:
            node = pending.pop(0)
            bit = gpu_facts.reason_bit(node.key)
            if bit is not None:
                found.setdefault(bit, node.printed)
            pending.extend(node.children)
        return found, legacy
    return {}, False


def gpu(block: Node) -> GpuFacts:
    """What one GPU block printed."""
    v = block.value
    link = ("PCI", "GPU Link Info")
    power = next((n for n in ("GPU Power Readings", "Power Readings") if block.has(n)), "")
    reasons, legacy = _reasons(block)
    retired = {cause: v("Retired Pages", name)
               for cause, name in ((0, "Single Bit ECC"), (1, "Double Bit ECC"))}
    return GpuFacts(
        heading_bus_id=block.value(),
        name=v("Product Name"),
        serial=v("Serial Number"),
        uuid=v("GPU UUID"),
        board_part_number=v("Board Part Number"),
        vbios_version=v("VBIOS Version"),
        inforom_image_version=v("Inforom Version", "Image Version"),
        persistence_mode=v("Persistence Mode"),
        mig_mode=(v("MIG Mode", "Current"), v("MIG Mode", "Pending")),
        pci_bus_id=v("PCI", "Bus Id"),
        pci_domain=v("PCI", "Domain"),
        pci_bus=v("PCI", "Bus"),
        pci_device=v("PCI", "Device"),
        pci_device_id=v("PCI", "Device Id"),
        pci_sub_system_id=v("PCI", "Sub System Id"),
        pcie_gen_current=v(*link, "PCIe Generation", "Current")
        or v(*link, "PCIe Generation", "Device Current"),
        pcie_gen_max=v(*link, "PCIe Generation", "Max"),
        pcie_width_current=v(*link, "Link Width", "Current"),
        pcie_width_max=v(*link, "Link Width", "Max"),
        fb_memory_total=v("FB Memory Usage", "Total"),
        ecc_mode=(v("ECC Mode", "Current"), v("ECC Mode", "Pending")),
        ecc_errors=gpu_facts.ecc_errors(block.section("ECC Errors")),
        retired_pages={c: p for c, p in retired.items() if p is not None},
        retired_pages_pending=v("Retired Pages", "Pending Page Blacklist")
        or v("Retired Pages", "Pending"),
        remapped_rows=(v("Remapped Rows", "Correctable Error"),
                       v("Remapped Rows", "Uncorrectable Error"),
                       v("Remapped Rows", "Pending"),
                       v("Remapped Rows", "Remapping Failure Occurred")),
        temperature=v("Temperature", "GPU Current Temp"),
        power_draw=v(power, "Power Draw") if power else None,
        power_draw_average=v(power, "Average Power Draw") if power else None,
        power_draw_instant=v(power, "Instantaneous Power Draw") if power else None,
        enforced_power_limit=(v(power, "Current Power Limit")
                              or v(power, "Enforced Power Limit")) if power else None,
        sm_clock=v("Clocks", "SM"),
        memory_clock=v("Clocks", "Memory"),
        max_sm_clock=v("Max Clocks", "SM"),
        max_memory_clock=v("Max Clocks", "Memory"),
        clock_reasons=reasons,
        clock_reasons_legacy=legacy,
        fabric_state=v("Fabric", "State"),
        fabric_status=v("Fabric", "Status"),
        fabric_clique_id=v("Fabric", "CliqueId"),
        fabric_cluster_uuid=v("Fabric", "ClusterUUID"),
    )


def parse(text: str, source: str) -> Parts:
    """Record the header and every GPU block, refusing incomplete output."""
    root, banners, last = read_tree(text)
    if banners > 1:
        raise fail(source, f"holds {banners} nvidia-smi -q logs; import each on its own")
    attached = root.value("Attached GPUs")
    if attached is None:
        raise fail(source, "no 'Attached GPUs' line: not nvidia-smi -q output")
    try:
        promised = int(attached)
    except ValueError:
        raise fail(source, f"'Attached GPUs' is {attached!r}, not a number") from None
    blocks = [node for node in root.children if node.key == "GPU"]
    check_whole(source, promised, blocks, last, text)
    parts = Parts()
    system = SystemFacts(driver_version=root.value("Driver Version"),
                         cuda_version=root.value("CUDA Version"), attached_gpus=attached)
    gpu_facts.record(parts, system, [gpu(block) for block in blocks])
    parts.summary = _plural(promised)
    return parts


KIND = Kind("nvidia-smi-q", "nvidia-smi -q", sniff, parse)
