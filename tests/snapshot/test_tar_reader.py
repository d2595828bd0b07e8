"""The tar reader against archives made by Python's tarfile and by GNU tar."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from hwaccept.snapshot.tar_reader import MemberTooLarge, TarFormatError, members

LONG = "files/sys/devices/" + "/".join(f"0000:{n:02x}:00.0" for n in range(1, 30)) + "/vendor"


def tar_bytes(entries: dict[str, bytes], fmt: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT],
                         ids=["ustar", "gnu", "pax"])
def test_every_format_tarfile_writes_reads_back(fmt: int) -> None:
    entries = {"snapshot.json": b"{}\n", "files/sys/class/net/eth0/mtu": b"1500\n",
               "commands/index.json": b"[]\n"}
    if fmt != tarfile.USTAR_FORMAT:
        entries[LONG] = b"0x10de\n"
    found = {m.name: m.data for m in members(tar_bytes(entries, fmt), 1 << 20) if m.is_file}
    assert found == entries


def test_an_archive_packed_by_gnu_tar_reads(tmp_path: Path) -> None:
    root = tmp_path / "snap"
    deep = root / Path(LONG).parent
    deep.mkdir(parents=True)
    (deep / "vendor").write_bytes(b"0x10de\n")
    (root / "snapshot.json").write_bytes(b"{}\n")
    archive = tmp_path / "snap.tar"
    subprocess.run(["tar", "-cf", str(archive), "-C", str(root), "."], check=True)
    found = {m.name: m.data for m in members(archive.read_bytes(), 1 << 20) if m.is_file}
    assert found == {f"./{LONG}": b"0x10de\n", "./snapshot.json": b"{}\n"}


def test_damage_is_an_error_never_a_wrong_read() -> None:
    good = tar_bytes({"a": b"x" * 1000}, tarfile.USTAR_FORMAT)
    with pytest.raises(TarFormatError, match="bad header checksum"):
        list(members(good[:100] + b"Z" + good[101:], 1 << 20))
    with pytest.raises(TarFormatError, match="archive ends inside a member"):
        list(members(good[:700], 1 << 20))
    with pytest.raises(MemberTooLarge, match="member 'a' is 1000 bytes"):
        list(members(good, 999))
