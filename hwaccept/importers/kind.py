"""The shape every importer has: a name, a content sniffer and a parser."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hwaccept.errors import ImportInputError
from hwaccept.importers.parts import Parts

SNIFF_CHARS = 65536
"""How much of the start of a file sniffers see."""


@dataclass(frozen=True)
class Kind:
    """One kind of input file.

    Attributes:
        name: what `--as NAME` takes (`nvidia-smi-q`, `lspci`).
        description: the command that makes such a file, for messages and `--help`.
        sniff: True when the start of a file (up to SNIFF_CHARS) looks like this kind.
        parse: the whole text -> seam recordings; raises `ImportInputError` naming the
            source when the text is not usable (truncated, wrong schema).

    """

    name: str
    description: str
    sniff: Callable[[str], bool]
    parse: Callable[[str, str], Parts]


def fail(source: str, message: str) -> ImportInputError:
    """The error for an input that cannot be imported: `source: message`."""
    return ImportInputError(f"{source}: {message}")
