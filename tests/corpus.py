"""Paths to real captures (the shared corpus and the repository's fixtures), and a ttar reader.

ttar is the plain-text archive format prometheus/procfs uses for its fixtures:
`Path:` / `Lines: N` / N lines / `Mode:` per file, `Directory:` per directory,
`SymlinkTo:` per link; `NULLBYTE` stands for a NUL byte and a trailing `EOF`
marks a last line without a newline.
"""

from __future__ import annotations

from pathlib import Path

from hwaccept.sources.file_tree import FileTree

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus(relative: str) -> Path:
    """A file of the shared corpus."""
    return CORPUS / relative


def fixture(relative: str) -> Path:
    """A file of `tests/fixtures`, the real captures kept in the repository."""
    return FIXTURES / relative


def _content(lines: list[str]) -> bytes:
    text = "\n".join(lines)
    if text.endswith("EOF"):
        text = text[: -len("EOF")]
    elif lines:
        text += "\n"
    return text.replace("NULLBYTE", "\0").encode()


def read_ttar(path: Path, prefix: str = "") -> FileTree:
    """Load a ttar archive as a `FileTree`, mapping `prefix` + `sys/...` to `/sys/...`."""
    tree = FileTree()
    lines = path.read_text(encoding="utf-8").splitlines()
    position = 0

    def mapped(name: str) -> str:
        return "/" + name.removeprefix(prefix).lstrip("/")

    current: str | None = None
    while position < len(lines):
        line = lines[position]
        position += 1
        key, _, value = line.partition(": ")
        if key == "Path":
            current = mapped(value)
        elif key == "Directory":
            tree.listings.setdefault(mapped(value), [])
        elif key == "Lines" and current is not None:
            count = int(value)
            tree.contents[current] = _content(lines[position:position + count])
            position += count
        elif key == "SymlinkTo" and current is not None:
            tree.links[current] = value
    _fill_listings(tree)
    return tree


def _fill_listings(tree: FileTree) -> None:
    """Directory listings of the archive: every entry under each `Directory:`."""
    for path in [*tree.contents, *tree.links, *tree.listings]:
        parent, _, name = path.rpartition("/")
        if parent in tree.listings and name not in tree.listings[parent]:
            tree.listings[parent].append(name)


def read_directory_tree(path: Path, mount: str) -> FileTree:
    """A directory of real captured files as a `FileTree` mounted at `mount`."""
    tree = FileTree()
    for file in sorted(path.rglob("*")):
        target = f"{mount}/{file.relative_to(path).as_posix()}"
        if file.is_symlink():
            tree.links[target] = str(file.readlink())
        elif file.is_file():
            tree.contents[target] = file.read_bytes()
        else:
            tree.listings[target] = sorted(p.name for p in file.iterdir())
    tree.listings[mount] = sorted(p.name for p in path.iterdir())
    return tree
