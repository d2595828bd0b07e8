"""Snapshot archives from untrusted hands: each bad one is one clear error line."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from hwaccept.errors import SnapshotError
from hwaccept.snapshot import archive, load_snapshot
from hwaccept.snapshot.archive import read_members, write_tar

META = json.dumps({"format": "hwaccept-snapshot", "version": 1}).encode()


def make_tar(path: Path, members: list[tarfile.TarInfo], data: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info in members:
            payload = data.get(info.name)
            if payload is not None:
                info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload) if payload is not None else None)
    return path


def regular(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def special(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.tar.gz"
    write_tar(str(path), {"snapshot.json": META, "files/proc/cmdline": b"quiet\n"}, 0)
    return path


def test_a_good_archive_loads(good: Path) -> None:
    data = load_snapshot(str(good))
    assert data.tree.contents == {"/proc/cmdline": b"quiet\n"}
    assert data.nvml["status"] == {"available": False,
                                   "reason": "NVML is not in this snapshot"}


def test_truncated_archive(good: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(SnapshotError, match=r"cut\.tar\.gz: truncated or corrupt archive"):
        read_members(str(cut))


def test_corrupt_archive(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(SnapshotError, match=r"junk\.tar\.gz: truncated or corrupt archive"):
        read_members(str(junk))


def test_corrupt_gzip_stream(good: Path, tmp_path: Path) -> None:
    raw = bytearray(good.read_bytes())
    raw[40:60] = b"\xff" * 20
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(bytes(raw))
    with pytest.raises(SnapshotError, match="truncated or corrupt archive"):
        read_members(str(bad))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match=r"absent\.tar\.gz: no such file"):
        read_members(str(tmp_path / "absent.tar.gz"))


@pytest.mark.parametrize(("info", "message"), [
    (regular("/etc/passwd"), "has an absolute path"),
    (regular("files/../../escape"), "climbs out with '..'"),
    (special("files/sys/link", tarfile.SYMTYPE, "/etc/shadow"), "is a link"),
    (special("files/sys/hard", tarfile.LNKTYPE, "snapshot.json"), "is a link"),
    (special("files/dev/sda", tarfile.BLKTYPE), "is a device or special file"),
    (special("files/dev/tty", tarfile.CHRTYPE), "is a device or special file"),
    (special("files/fifo", tarfile.FIFOTYPE), "is a device or special file"),
], ids=["absolute", "dotdot", "symlink", "hardlink", "block-device", "char-device", "fifo"])
def test_hostile_members_are_refused(tmp_path: Path, info: tarfile.TarInfo, message: str) -> None:
    data = {"snapshot.json": META, info.name: b"x"} if info.isreg() else {"snapshot.json": META}
    path = make_tar(tmp_path / "hostile.tar.gz", [regular("snapshot.json"), info], data)
    with pytest.raises(SnapshotError, match=message) as caught:
        read_members(str(path))
    assert str(path) in caught.value.msg
    assert "\n" not in caught.value.msg


def test_huge_member_is_refused_before_reading(tmp_path: Path) -> None:
    """A header claiming 1 GiB is refused without reading (or having) the data."""
    info = tarfile.TarInfo("files/huge")
    info.size = 2**30
    path = tmp_path / "huge.tar.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(info.tobuf(format=tarfile.PAX_FORMAT))
        handle.write(b"\0" * 4096)
    with pytest.raises(SnapshotError, match=r"'files/huge' is 1073741824 bytes, over the"):
        read_members(str(path))


def test_too_much_in_all_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 10)
    path = tmp_path / "big.tar.gz"
    write_tar(str(path), {"a": b"123456", "b": b"123456"}, 0)
    with pytest.raises(SnapshotError, match="more than 10 bytes in all"):
        read_members(str(path))


def test_directory_snapshot_refuses_links(tmp_path: Path) -> None:
    (tmp_path / "snap/files").mkdir(parents=True)
    (tmp_path / "snap/snapshot.json").write_bytes(META)
    os.symlink("/etc/passwd", tmp_path / "snap/files/passwd")
    with pytest.raises(SnapshotError, match="'files/passwd' is a link"):
        read_members(str(tmp_path / "snap"))


@pytest.mark.parametrize(("members", "message"), [
    ({"files/proc/cmdline": b"x"}, "not a hwaccept snapshot (no snapshot.json member)"),
    ({"snapshot.json": b"{nope"}, "member 'snapshot.json' is not valid JSON"),
    ({"snapshot.json": b"[]"}, "member 'snapshot.json' must hold a JSON dict"),
    ({"snapshot.json": json.dumps({"format": "hwaccept-snapshot", "version": 7}).encode()},
     "snapshot format version 7 is not supported (this hwaccept reads version 1)"),
    ({"snapshot.json": json.dumps({"format": "other", "version": 1}).encode()},
     "says format 'other'"),
    ({"snapshot.json": META, "nvml.json": b'{"gpus": []}'}, "'gpus' must be a JSON object"),
    ({"snapshot.json": META, "commands/index.json": b'[{"argv": ["x"], "stdout": "gone"}]'},
     "member 'gone' named in commands/index.json is missing"),
    ({"snapshot.json": META, "commands/index.json": b'[{"status": "exited"}]'},
     "commands/index.json is malformed"),
    ({"snapshot.json": META, "files.json": b'{"errors": {"/sys/x": {}}}'},
     "files.json or udev.json is malformed"),
], ids=["no-meta", "bad-json", "meta-not-object", "unknown-version", "other-format",
        "nvml-shape", "missing-stdout", "index-shape", "files-shape"])
def test_malformed_snapshots(tmp_path: Path, members: dict[str, bytes], message: str) -> None:
    path = tmp_path / "snap.tar.gz"
    write_tar(str(path), members, 0)
    with pytest.raises(SnapshotError) as caught:
        load_snapshot(str(path))
    assert message in caught.value.msg
    assert caught.value.msg.startswith(str(path))


def test_write_is_atomic_and_reports_unwritable_targets(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot write"):
        write_tar(str(tmp_path / "absent-dir/x.tar.gz"), {"a": b""}, 0)
    assert list(tmp_path.iterdir()) == []
