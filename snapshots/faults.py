"""Build the fault variants of the bundled H100 snapshot that faults.json describes.

    .venv/bin/python snapshots/faults.py [--out-dir DIR] [--corpus DIR] [--base FILE]

Each variant is the healthy snapshot (`base` in faults.json) with one fault planted by
the edits listed for it, written to `faults/<name>.tar.gz`. An edit changes what one seam
recorded, as the machine with that fault would have answered:

- `nvml`: set NVML answers of one GPU (`"gpu": N`) or of every GPU (`"gpu": "all"`).
- `nvml_drop_gpu`: NVML does not enumerate the GPU; the later GPUs move up one index and
  `nvmlDeviceGetCount` drops by one (NVML numbers GPUs in PCI order).
- `nvlinks`: links 0 to `links` - 1 of one GPU or of every GPU active, recorded as the
  `nvidia-smi nvlink --status` importer records them (the link past the last one answers
  INVALID_ARGUMENT).
- `drop_pci_function`: the function's sysfs directory and every link to it are gone.
- `file`: write a sysfs file (the trailing newline sysfs prints is added); `not_known`:
  mark a file as existing with a value not given (errno ENODATA, as imports do); `link`:
  record a symlink; `present`: record that a directory exists. Paths and targets may go
  through recorded links (`/sys/bus/pci/devices/0000:cb:00.0/...`); they are stored at
  their real place.
- `kernel_log`: a corpus log without the lines matching `drop`, with `append` added,
  recorded by the kernel-log importer (plain `dmesg`, the `kernel` family listed whole).
- `import`: a corpus capture through its importer; only the paths in `take` when given,
  and with `rename` applied to paths, link targets, file contents and command lines.

Archives carry build.py's fixed SOURCE_DATE_EPOCH as their time, so a rebuild gives the
same bytes.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from hwaccept.importers import kernel_log, nvidia_smi_nvlink
from hwaccept.importers.parts import Parts
from hwaccept.importers.registry import detect
from hwaccept.snapshot.archive import read_members, write_tar
from hwaccept.snapshot.members import (
    META,
    NVML,
    SnapshotData,
    decode,
    dump_json,
    encode_commands,
    encode_files,
)
from hwaccept.sources.commands import CommandResult, CommandStatus
from hwaccept.sources.files import NOT_KNOWN_ERRNO

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
DESCRIPTION = HERE / "faults.json"
EPOCH = 1767225600  # 2026-01-01T00:00:00Z, as build.py
PCI_DEVICES = "/sys/bus/pci/devices"
COUNT_CALL = "nvmlDeviceGetCount"
MAX_LINK_HOPS = 40

Edit = dict[str, Any]


def real_path(links: Mapping[str, str], path: str) -> str:
    """`path` with every recorded link among its components followed."""
    current = ""
    for name in path.strip("/").split("/"):
        current = f"{current}/{name}"
        for _ in range(MAX_LINK_HOPS):
            if current not in links:
                break
            current = posixpath.normpath(posixpath.join(posixpath.dirname(current),
                                                        links[current]))
    return current


class Variant:
    """The healthy snapshot being turned into one fault variant."""

    def __init__(self, members: Mapping[str, bytes], corpus: Path) -> None:
        self.members = dict(members)
        self.data: SnapshotData = decode("base", members)
        self.corpus = corpus

    @property
    def gpus(self) -> dict[str, dict[str, Any]]:
        """NVML's calls by GPU index."""
        gpus: dict[str, dict[str, Any]] = self.data.nvml["gpus"]
        return gpus

    def chosen(self, which: int | str) -> list[dict[str, Any]]:
        """The calls of GPU `which`, or of every GPU for `all`."""
        if which == "all":
            return list(self.gpus.values())
        return [self.gpus[str(which)]]

    def put_file(self, path: str, data: bytes) -> None:
        """Record a file's bytes at its real place."""
        where = real_path(self.data.tree.links, path)
        self.data.tree.errors.pop(where, None)
        self.data.tree.contents[where] = data

    def put_link(self, path: str, target: str) -> None:
        """Record a symlink; both ends at their real place."""
        links = self.data.tree.links
        directory, name = posixpath.split(path)
        links[f"{real_path(links, directory)}/{name}"] = real_path(links, target)

    def overlay(self, parts: Parts, take: list[str] | None) -> None:
        """Record what an importer made of a capture (only `take`, when given)."""
        def wanted(path: str) -> bool:
            return take is None or path in take
        for path, data in parts.files.items():
            if wanted(path):
                self.put_file(path, data)
        for path, target in parts.links.items():
            if wanted(path):
                self.put_link(path, target)
        for path, why in parts.unknown.items():
            if wanted(path):
                self.data.tree.errors[path] = (NOT_KNOWN_ERRNO, f"not known: {why}")
        for argv, stdout in parts.commands.items():
            if take is None or " ".join(argv) in take:
                self.data.commands[argv] = CommandResult(argv, CommandStatus.EXITED, 0, stdout)
        if take is None:
            complete = set(self.data.meta.get("complete", [])) | parts.complete
            self.data.meta["complete"] = sorted(complete)

    def members_out(self) -> dict[str, bytes]:
        """Every member of the variant; members no seam holds (imported.json) are kept."""
        out = dict(self.members)
        for name in list(out):
            if name.startswith(("files/", "commands/")):
                del out[name]
        out[META] = dump_json(self.data.meta)
        out.update(encode_files(self.data.tree))
        out.update(encode_commands(self.data.commands))
        out[NVML] = dump_json(self.data.nvml)
        return out


def edit_nvml(variant: Variant, edit: Edit) -> None:
    """Set NVML answers of one GPU or of all."""
    for calls in variant.chosen(edit["gpu"]):
        calls.update(edit["set"])


def edit_nvml_drop_gpu(variant: Variant, edit: Edit) -> None:
    """NVML no longer enumerates the GPU; the later ones move up one index."""
    gone = int(edit["gpu"])
    ordered = [calls for index, calls in sorted(variant.gpus.items(), key=lambda i: int(i[0]))
               if int(index) != gone]
    variant.data.nvml["gpus"] = {str(index): calls for index, calls in enumerate(ordered)}
    variant.data.nvml["system"][COUNT_CALL] = len(ordered)


def edit_nvlinks(variant: Variant, edit: Edit) -> None:
    """Every link of the chosen GPUs active, recorded as the nvlink importer does."""
    for index, calls in variant.gpus.items():
        if edit["gpu"] not in ("all", int(index)):
            continue
        parts = Parts()
        links = dict.fromkeys(range(int(edit["links"])), True)
        nvidia_smi_nvlink.record_links(
            parts, nvidia_smi_nvlink.GpuLinks(int(index), "", "", links))
        calls.update(parts.gpu(int(index)))


def edit_drop_pci_function(variant: Variant, edit: Edit) -> None:
    """The function's directory, and every link to or into it, are gone."""
    tree = variant.data.tree
    place = real_path(tree.links, f"{PCI_DEVICES}/{edit['address']}")

    def inside(path: str) -> bool:
        return path == place or path.startswith(place + "/")
    tree.contents = {p: v for p, v in tree.contents.items() if not inside(p)}
    tree.errors = {p: v for p, v in tree.errors.items() if not inside(p)}
    tree.links = {p: t for p, t in tree.links.items() if not (inside(p) or inside(t))}
    tree.present = {p for p in tree.present if not inside(p)}
    tree.listings = {p: [n for n in names if not inside(f"{p}/{n}")]
                     for p, names in tree.listings.items() if not inside(p)}


def edit_file(variant: Variant, edit: Edit) -> None:
    """Write one file as sysfs prints it."""
    text = str(edit["text"])
    variant.put_file(edit["path"], (text if text.endswith("\n") else text + "\n").encode())


def edit_not_known(variant: Variant, edit: Edit) -> None:
    """A file that exists with a value not given."""
    where = real_path(variant.data.tree.links, edit["path"])
    variant.data.tree.errors[where] = (NOT_KNOWN_ERRNO, f"not known: {edit['why']}")


def edit_link(variant: Variant, edit: Edit) -> None:
    """Record one symlink."""
    variant.put_link(edit["path"], edit["target"])


def edit_present(variant: Variant, edit: Edit) -> None:
    """Record that a path exists (a directory no file of the snapshot lies in)."""
    variant.data.tree.present.add(real_path(variant.data.tree.links, edit["path"]))


def edit_kernel_log(variant: Variant, edit: Edit) -> None:
    """A corpus log, some lines dropped and some added, as the kernel-log importer records it."""
    source = variant.corpus / edit["from"]
    drop = re.compile(edit["drop"]) if edit.get("drop") else None
    lines = [line for line in source.read_text().splitlines()
             if drop is None or not drop.search(line)]
    text = "\n".join([*lines, *edit.get("append", [])]) + "\n"
    variant.overlay(kernel_log.parse(text, str(source)), None)


def renamed(text: str, rename: Mapping[str, str]) -> str:
    """`text` with each key of `rename` replaced by its value."""
    for old, new in rename.items():
        text = text.replace(old, new)
    return text


def edit_import(variant: Variant, edit: Edit) -> None:
    """What the capture's importer records, renamed, restricted to `take` when given."""
    source = variant.corpus / edit["capture"]
    text = source.read_text()
    kind = detect(text)
    if kind is None:
        raise SystemExit(f"{source}: no importer recognises it")
    parts = kind.parse(text, str(source))
    rename: dict[str, str] = edit.get("rename", {})
    if rename:
        moved = Parts(complete=parts.complete)
        moved.files = {renamed(p, rename): renamed(v.decode(), rename).encode()
                       for p, v in parts.files.items()}
        moved.links = {renamed(p, rename): renamed(t, rename) for p, t in parts.links.items()}
        moved.unknown = {renamed(p, rename): w for p, w in parts.unknown.items()}
        moved.commands = {tuple(renamed(a, rename) for a in argv): out
                          for argv, out in parts.commands.items()}
        parts = moved
    variant.overlay(parts, edit.get("take"))


EDITS: dict[str, Callable[[Variant, Edit], None]] = {
    "nvml": edit_nvml,
    "nvml_drop_gpu": edit_nvml_drop_gpu,
    "nvlinks": edit_nvlinks,
    "drop_pci_function": edit_drop_pci_function,
    "file": edit_file,
    "not_known": edit_not_known,
    "link": edit_link,
    "present": edit_present,
    "kernel_log": edit_kernel_log,
    "import": edit_import,
}


def build_variant(base: Mapping[str, bytes], edits: list[Edit], corpus: Path) -> dict[str, bytes]:
    """The members of the healthy snapshot with `edits` applied in order."""
    variant = Variant(base, corpus)
    for edit in edits:
        EDITS[edit["op"]](variant, edit)
    return variant.members_out()


def description() -> dict[str, Any]:
    """faults.json."""
    described: dict[str, Any] = json.loads(DESCRIPTION.read_text())
    return described


def build_all(base: Path, out_dir: Path, corpus: Path) -> list[Path]:
    """Write every variant under `out_dir/faults`; the paths written."""
    described = description()
    members = read_members(str(base))
    (out_dir / "faults").mkdir(parents=True, exist_ok=True)
    written = []
    for name, variant in described["variants"].items():
        out = out_dir / "faults" / f"{name}.tar.gz"
        write_tar(str(out), build_variant(members, variant["edits"], corpus), EPOCH)
        written.append(out)
    return written


def main() -> int:
    """Build every variant from the healthy snapshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=str(HERE), help="Where to write (default: here)")
    parser.add_argument("--corpus", default=str(CORPUS), help="The shared corpus")
    parser.add_argument("--base", help="The healthy snapshot (default: faults.json's base, "
                                       "in the output directory)")
    args = parser.parse_args()
    out_dir = Path(args.out_dir)
    base = Path(args.base) if args.base else out_dir / description()["base"]
    for path in build_all(base, out_dir, Path(args.corpus)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
