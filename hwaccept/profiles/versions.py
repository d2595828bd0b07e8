"""Version strings compared as versions: `535.104.05 < 535.161.08`, `28.39.1002 < 28.41.1000`.

Driver, firmware and BIOS versions are dotted numbers with the odd letter (`96.00.74.00.0D`,
`2.10`, `U46 v1.52`), not PEP 440 versions, so they are compared piece by piece: runs of
digits as numbers, runs of letters as lowercase text, anything else a separator. A
number sorts before text at the same position, and a version that is a prefix of
another is the smaller one (`2.1 < 2.1.1`). NVIDIA VBIOS versions are dotted hex bytes
(`96.00.74.00.0D`): a version made only of two-digit hex pieces compares byte by byte,
so `96.00.74.00.0D` is above `96.00.74.00.01`.
"""

from __future__ import annotations

import re
from functools import total_ordering

_PIECE = re.compile(r"\d+|[A-Za-z]+")
_HEX_BYTES = re.compile(r"[0-9A-Fa-f]{2}(?:\.[0-9A-Fa-f]{2})+")


@total_ordering
class Version:
    """A version string with the ordering described in the module."""

    def __init__(self, text: str) -> None:
        if not _PIECE.search(text):
            raise ValueError(f"{text!r} has no digits or letters to compare")
        self.text = text
        if _HEX_BYTES.fullmatch(text.strip()):
            self.key = tuple((0, int(p, 16), "") for p in text.strip().split("."))
        else:
            self.key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower())
                             for p in _PIECE.findall(text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.key == other.key

    def __lt__(self, other: Version) -> bool:
        return self.key < other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Version({self.text!r})"

    def __str__(self) -> str:
        return self.text
