"""Reading an input file: bounded in size, gzip undone, binary and empty files refused."""

from __future__ import annotations

import gzip
import os
import zlib

from hwaccept.importers.kind import fail

MAX_INPUT_BYTES = 256 << 20
"""Largest input read, after decompression; a full nvidia-bug-report log is a few MiB."""

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


def _size_text(size: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):.1f} {unit}"
    return f"{size} bytes"


def _too_big(path: str, size: str) -> Exception:
    return fail(path, f"{size} is over the {_size_text(MAX_INPUT_BYTES)} import limit; "
                      "cut out the part needed")


def _read_gzip(path: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > MAX_INPUT_BYTES:
                    raise _too_big(path, f"decompressed, more than {_size_text(total)}")
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise fail(path, f"cannot decompress: {exc}") from None
    return b"".join(chunks)


def read_input(path: str) -> str:
    """The text of one input file, or an `ImportInputError` saying why not."""
    try:
        size = os.stat(path).st_size
        if os.path.isdir(path):
            raise fail(path, "is a directory; give the files in it")
        if size > MAX_INPUT_BYTES:
            raise _too_big(path, _size_text(size))
        with open(path, "rb") as stream:
            data = stream.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise fail(path, exc.strerror or str(exc)) from None
    if data.startswith(GZIP_MAGIC):
        data = _read_gzip(path)
    if not data.strip():
        raise fail(path, "is empty")
    nul = data.find(b"\0")
    if nul >= 0:
        raise fail(path, f"is a binary file (NUL byte at offset {nul}), "
                         "not the text output of a command")
    return data.decode("utf-8", "replace")
