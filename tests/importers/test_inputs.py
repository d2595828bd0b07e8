import gzip
from pathlib import Path

import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import inputs
from hwaccept.importers.inputs import read_input


def test_text_and_gzip_read_alike(tmp_path: Path) -> None:
    plain = tmp_path / "dmesg.log"
    plain.write_text("[    0.000000] Linux version 5.15.0\n")
    packed = tmp_path / "dmesg.log.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert read_input(str(plain)) == read_input(str(packed)) == plain.read_text()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"\n \n", "is empty"),
    (b"\x7fELF\x02\x01\x01\x00\x00", "is a binary file (NUL byte at offset 7)"),
])
def test_empty_and_binary_files_are_refused(tmp_path: Path, content: bytes,
                                            message: str) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    with pytest.raises(ImportInputError) as caught:
        read_input(str(path))
    assert caught.value.msg.startswith(f"{path}: {message}")


def test_a_1_gb_file_is_refused_by_its_size_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    with path.open("wb") as handle:
        handle.truncate(1 << 30)
    with pytest.raises(ImportInputError) as caught:
        read_input(str(path))
    assert caught.value.msg == (f"{path}: 1.0 GiB is over the 256.0 MiB import limit; "
                                "cut out the part needed")


def test_a_gzip_that_inflates_past_the_limit_is_refused(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_INPUT_BYTES", 4 << 20)
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress(b"a" * (5 << 20)))
    expected = r"bomb\.gz: decompressed, more than 5\.0 MiB is over the 4\.0 MiB import limit"
    with pytest.raises(ImportInputError, match=expected):
        read_input(str(path))


def test_a_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(b"line\n" * 1000)[:40])
    with pytest.raises(ImportInputError, match=r"cut\.gz: cannot decompress"):
        read_input(str(path))


def test_missing_files_and_directories(tmp_path: Path) -> None:
    with pytest.raises(ImportInputError, match=r"absent: No such file or directory$"):
        read_input(str(tmp_path / "absent"))
    with pytest.raises(ImportInputError, match=r"is a directory"):
        read_input(str(tmp_path))

