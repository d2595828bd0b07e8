"""A recorded tree of files and its replay through the files seam (see docs/snapshot.md)."""

from __future__ import annotations

import errno
import posixpath
from dataclasses import dataclass, field

from hwaccept.sources.files import UdevDevice


@dataclass
class FileTree:
    """A recorded tree: what a run read, kept as data (see docs/snapshot.md).

    Attributes:
        contents: file path -> bytes read.
        links: path -> symlink target (absolute, or relative to the link's directory).
        listings: directory path -> entry names as listed.
        errors: path -> (errno, message) of a read that failed other than ENOENT.
        udev: subsystem -> devices as udev enumerated them.
        present: paths known to exist that are not links (a `realpath` answer).

    """

    contents: dict[str, bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    listings: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, tuple[int, str]] = field(default_factory=dict)
    udev: dict[str, tuple[UdevDevice, ...]] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)


class TreeFiles:
    """Replay of a `FileTree`: the same answers the recorded machine gave."""

    MAX_LINK_HOPS = 40

    def __init__(self, tree: FileTree) -> None:
        self.tree = tree
        self._children: dict[str, set[str]] | None = None
        self._resolved: dict[str, str] = {}

    def _index(self) -> dict[str, set[str]]:
        if self._children is None:
            children: dict[str, set[str]] = {}
            tree = self.tree
            known = [*tree.contents, *tree.links, *tree.listings, *tree.errors, *tree.present]
            for path in known:
                current = path
                while current != "/":
                    parent, name = posixpath.split(current)
                    siblings = children.setdefault(parent, set())
                    if name in siblings:
                        break
                    siblings.add(name)
                    current = parent
            for directory, names in self.tree.listings.items():
                children.setdefault(directory, set()).update(names)
            self._children = children
        return self._children

    def _resolve(self, path: str) -> str:
        """Follow recorded links in every component of `path` (non-strict), remembered."""
        found = self._resolved.get(path)
        if found is None:
            found = self._resolve_at(posixpath.normpath(path), path, 0)
            self._resolved[path] = found
        return found

    def _resolve_at(self, path: str, asked: str, depth: int) -> str:
        if path in ("/", "") or path == "//":
            return "/"
        parent, _, name = path.rpartition("/")
        parent = parent or "/"
        base = self._resolved.get(parent)
        if base is None:
            if depth > self.MAX_LINK_HOPS * 8:
                raise OSError(errno.ELOOP, "too many levels of symbolic links", asked)
            base = self._resolve_at(parent, asked, depth + 1)
            self._resolved[parent] = base
        current = f"{base.rstrip('/')}/{name}"
        hops = 0
        while current in self.tree.links:
            hops += 1
            if hops > self.MAX_LINK_HOPS:
                raise OSError(errno.ELOOP, "too many levels of symbolic links", asked)
            target = self.tree.links[current]
            current = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
        return current

    def _exists(self, path: str) -> bool:
        tree = self.tree
        return (
            path in tree.contents
            or path in tree.errors
            or path in tree.listings
            or path in tree.present
            or path in self._index()
        )

    def read_bytes(self, path: str) -> bytes:  # noqa: D102
        tree = self.tree
        data = tree.contents.get(path)
        if data is not None:
            return data
        resolved = self._resolve(path)
        for candidate in (path, resolved) if resolved != path else (path,):
            if candidate in tree.errors:
                code, message = tree.errors[candidate]
                raise OSError(code, message, path)
            if candidate in tree.contents:
                return tree.contents[candidate]
        if self._exists(path) or (resolved != path and self._exists(resolved)):
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        raise FileNotFoundError(errno.ENOENT, "no such file in snapshot", path)

    def listdir(self, path: str) -> list[str]:  # noqa: D102
        if path in self.tree.listings:
            return sorted(self.tree.listings[path])
        resolved = self._resolve(path)
        if resolved in self.tree.listings:
            return sorted(self.tree.listings[resolved])
        index = self._index()
        names = index.get(path, set()) | index.get(resolved, set())
        if not names and not (self._exists(path) or self._exists(resolved)):
            raise FileNotFoundError(errno.ENOENT, "no such directory in snapshot", path)
        if resolved in self.tree.contents:
            raise NotADirectoryError(errno.ENOTDIR, "not a directory", path)
        return sorted(names)

    def realpath(self, path: str) -> str:
        """Resolve links; a recorded link counts as present even when its target is not.

        An imported tree records the `driver` link of a device but not the driver's own
        directory; the link itself says where it points, as on the machine.
        """
        resolved = self._resolve(path)
        parent, name = posixpath.split(posixpath.normpath(path))
        last_is_link = f"{self._resolve(parent).rstrip('/')}/{name}" in self.tree.links
        if not (self._exists(resolved) or path in self.tree.links or last_is_link):
            raise FileNotFoundError(errno.ENOENT, "no such path in snapshot", path)
        return resolved

    def devices(self, subsystem: str) -> tuple[UdevDevice, ...]:  # noqa: D102
        if subsystem in self.tree.udev:
            return self.tree.udev[subsystem]
        from hwaccept.sources.udev import tree_devices

        return tree_devices(self, subsystem)
