"""`nvidia-smi -q -x` XML -> the NVML calls its fields were printed from.

The XML carries the same fields as `nvidia-smi -q` (nvidia-smi(1), GPU ATTRIBUTES) as
elements: `<nvidia_smi_log>` with `driver_version`, `cuda_version`, `attached_gpus` and
one `<gpu id="00000000:19:00.0">` per GPU in NVML index order. Its DOCTYPE names the
schema, `nvsmi_device_vNN.dtd`; the generations read here, as captures show them
(driver in parentheses):

- v11 (515): `clocks_throttle_reasons` / `clocks_throttle_reason_*`, `power_readings`
  with `power_draw` and `enforced_power_limit` (`power_limit` is the software limit).
- v12 (535): `clocks_event_reasons` / `clocks_event_reason_*`, `gpu_power_readings`
  with `current_power_limit` and `requested_power_limit`, `fabric` state and status.
- v13 (595): `average_power_draw` / `instant_power_draw`, fabric `cliqueId` /
  `clusterUuid`, SRAM uncorrectable counts split into `_parity` and `_secded`.

Elements are looked up by name, so each generation's set is read where present; which
field becomes which call, and how, is in hwaccept.importers.gpu_facts. Another schema
version is refused, since its elements may mean something else; a file without the
DOCTYPE is read by element names, which is noted. The XML is parsed with
defusedxml (no entity expansion, no external references); XML that is not well formed
(a cut-off file) is refused with the parser's line and column. A well-formed file
cannot be cut off, so fewer `<gpu>` elements than `attached_gpus` is a selection
(`nvidia-smi -q -x -i N`): the GPUs given are recorded in order from index 0, which is
noted, and the count stays the attached count.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from hwaccept.importers import gpu_facts
from hwaccept.importers.gpu_facts import GpuFacts, Printed, SystemFacts
from hwaccept.importers.kind import Kind, fail
from hwaccept.importers.parts import Parts

ROOT = "nvidia_smi_log"
KNOWN_SCHEMAS = range(11, 14)
_DOCTYPE = re.compile(r"<!DOCTYPE\s+nvidia_smi_log\s+SYSTEM\s+[\"']([^\"']*)[\"']")
_SCHEMA = re.compile(r"nvsmi_device_v(\d+)\.dtd")


def _name(name: str) -> str:
    """An element name, or a text-output name (`SRAM Uncorrectable SEC-DED`) as one."""
    if name[:1].islower():
        return name
    return name.lower().replace(" ", "_").replace("-", "")


class Node:
    """An element read as a gpu_facts.Section; paths may use either format's names."""

    def __init__(self, element: Element) -> None:
        self.element = element

    def _walk(self, path: tuple[str, ...]) -> tuple[Element | None, Printed]:
        node = self.element
        for name in path:
            if node is not self.element and len(node) == 0 and (node.text or "").strip():
                return None, (node.text or "").strip()
            found = node.find(_name(name))
            if found is None:
                return None, None
            node = found
        return node, None if len(node) else (node.text or "").strip()

    def value(self, *path: str) -> Printed:
        """The text at `path`; None for a missing element or one holding elements."""
        return self._walk(path)[1]

    def has(self, *path: str) -> bool:
        """Whether an element (or a section printed as one value) is at `path`."""
        node, value = self._walk(path)
        return node is not None or value is not None

    def section(self, *path: str) -> Node | None:
        """The element at `path`."""
        node, _ = self._walk(path)
        return Node(node) if node is not None else None


def sniff(head: str) -> bool:
    """Whether this is nvidia-smi XML: an `<nvidia_smi_log>` element."""
    return f"<{ROOT}" in head


def check_schema(text: str, source: str, notes: list[str]) -> None:
    """Refuse a DOCTYPE naming a schema version this importer does not read."""
    doctype = _DOCTYPE.search(text, 0, 4096)
    if doctype is None:
        notes.append("no nvsmi_device DOCTYPE: the schema version is not stated; "
                     "elements read by name")
        return
    schema = _SCHEMA.fullmatch(doctype[1])
    if schema is None or int(schema[1]) not in KNOWN_SCHEMAS:
        raise fail(source, f"nvidia-smi XML schema {doctype[1]} is not supported: this "
                           f"importer reads v{KNOWN_SCHEMAS[0]} to v{KNOWN_SCHEMAS[-1]}")


def read_xml(text: str, source: str) -> Element:
    """The root element, parsed without entity expansion or external references."""
    try:
        root: Element = SafeElementTree.fromstring(text)
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).rsplit(": line ", 1)[0]
        raise fail(source, f"not well-formed XML at line {line}, column {column}: "
                           f"{reason} (cut off or damaged)") from None
    except DefusedXmlException as exc:
        raise fail(source, f"XML with entity or DTD declarations is refused: {exc}") from None
    if root.tag != ROOT:
        raise fail(source, f"root element is <{root.tag}>, not <{ROOT}>")
    return root


def _reasons(gpu: Node) -> tuple[dict[int, Printed], bool]:
    for title, legacy in (("clocks_event_reasons", False), ("clocks_throttle_reasons", True)):
        section = gpu.element.find(title)
        if section is None:
            continue
        if len(section) == 0:
            printed = (section.text or "").strip()
            return {bit: printed for bit in gpu_facts.CLOCK_REASON_BITS.values()}, legacy
        prefix = title.removesuffix("s") + "_"
        found: dict[int, Printed] = {}
        for child in section:
            bit = gpu_facts.CLOCK_REASON_BITS.get(child.tag.removeprefix(prefix))
            if bit is not None:
                found.setdefault(bit, (child.text or "").strip())
        return found, legacy
    return {}, False


def _first(node: Node, *paths: tuple[str, ...]) -> Printed:
    """The value at the first of `paths` that is present."""
    for path in paths:
        value = node.value(*path)
        if value is not None:
            return value
    return None


def gpu(element: Element) -> GpuFacts:
    """What one `<gpu>` element printed."""
    node = Node(element)
    v = node.value
    link = ("pci", "pci_gpu_link_info")
    power = next((n for n in ("gpu_power_readings", "power_readings") if node.has(n)), "")
    reasons, legacy = _reasons(node)
    retired = {cause: v("retired_pages", name, "retired_count")
               for cause, name in ((0, "multiple_single_bit_retirement"),
                                   (1, "double_bit_retirement"))}
    rows = ("remapped_rows",)
    return GpuFacts(
        heading_bus_id=element.get("id"),
        name=v("product_name"),
        serial=v("serial"),
        uuid=v("uuid"),
        board_part_number=v("board_part_number"),
        vbios_version=v("vbios_version"),
        inforom_image_version=v("inforom_version", "img_version"),
        persistence_mode=v("persistence_mode"),
        mig_mode=(v("mig_mode", "current_mig"), v("mig_mode", "pending_mig")),
        pci_bus_id=v("pci", "pci_bus_id"),
        pci_domain=v("pci", "pci_domain"),
        pci_bus=v("pci", "pci_bus"),
        pci_device=v("pci", "pci_device"),
        pci_device_id=v("pci", "pci_device_id"),
        pci_sub_system_id=v("pci", "pci_sub_system_id"),
        pcie_gen_current=_first(node, (*link, "pcie_gen", "current_link_gen"),
                                (*link, "pcie_gen", "device_current_link_gen")),
        pcie_gen_max=v(*link, "pcie_gen", "max_link_gen"),
        pcie_width_current=v(*link, "link_widths", "current_link_width"),
        pcie_width_max=v(*link, "link_widths", "max_link_width"),
        fb_memory_total=v("fb_memory_usage", "total"),
        ecc_mode=(v("ecc_mode", "current_ecc"), v("ecc_mode", "pending_ecc")),
        ecc_errors=gpu_facts.ecc_errors(node.section("ecc_errors")),
        retired_pages={c: p for c, p in retired.items() if p is not None},
        retired_pages_pending=_first(node, ("retired_pages", "pending_blacklist"),
                                     ("retired_pages", "pending_retirement")),
        remapped_rows=(v(*rows, "remapped_row_corr"), v(*rows, "remapped_row_unc"),
                       v(*rows, "remapped_row_pending"), v(*rows, "remapped_row_failure")),
        temperature=v("temperature", "gpu_temp"),
        power_draw=v(power, "power_draw") if power else None,
        power_draw_average=v(power, "average_power_draw") if power else None,
        power_draw_instant=v(power, "instant_power_draw") if power else None,
        enforced_power_limit=_first(node, (power, "current_power_limit"),
                                    (power, "enforced_power_limit")) if power else None,
        sm_clock=v("clocks", "sm_clock"),
        memory_clock=v("clocks", "mem_clock"),
        max_sm_clock=v("max_clocks", "sm_clock"),
        max_memory_clock=v("max_clocks", "mem_clock"),
        clock_reasons=reasons,
        clock_reasons_legacy=legacy,
        fabric_state=v("fabric", "state"),
        fabric_status=v("fabric", "status"),
        fabric_clique_id=v("fabric", "cliqueId"),
        fabric_cluster_uuid=v("fabric", "clusterUuid"),
    )


def _count(root: Element, source: str) -> tuple[str, int]:
    attached = root.findtext("attached_gpus")
    if attached is None:
        raise fail(source, "no <attached_gpus>: not nvidia-smi -q -x output")
    try:
        return attached, int(attached)
    except ValueError:
        raise fail(source, f"<attached_gpus> is {attached.strip()!r}, not a number") from None


def parse(text: str, source: str) -> Parts:
    """Record the header and every `<gpu>` of a known schema version."""
    parts = Parts()
    check_schema(text, source, parts.notes)
    root = read_xml(text, source)
    attached, promised = _count(root, source)
    elements = root.findall("gpu")
    if len(elements) > promised:
        raise fail(source, f"<attached_gpus> says {promised} but {len(elements)} <gpu> "
                           "elements follow")
    system = SystemFacts(driver_version=root.findtext("driver_version"),
                         cuda_version=root.findtext("cuda_version"), attached_gpus=attached)
    gpu_facts.record(parts, system, [gpu(element) for element in elements])
    parts.summary = f"{promised} GPU" + ("" if promised == 1 else "s")
    if len(elements) < promised:
        parts.summary = f"{len(elements)} of {promised} GPUs"
        first = "GPU 0" if len(elements) == 1 else f"GPUs 0 to {len(elements) - 1}"
        recorded = (f"recorded as {first} in the order listed, which need not be their "
                    "NVML index; " if elements else "")
        parts.notes.append(f"{promised} GPUs are attached but {len(elements)} listed "
                           f"(nvidia-smi -i): {recorded}the others replay as unknown")
    return parts


KIND = Kind("nvidia-smi-xml", "nvidia-smi -q -x", sniff, parse)
