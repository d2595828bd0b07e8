"""Every kind of bad profile input is one message with file, line, column and key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwaccept.profiles.catalog import ProfileError, resolve, resolve_all


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def problems(directory: Path, name: str, text: str | bytes) -> list[str]:
    path = write(directory, name, text)
    return [str(p) for p in resolve_all([str(path)], directory)]


@pytest.mark.parametrize(("text", "expected"), [
    ("sku: a\ngpus:\n  count: 8\n   model: x\n",
     ":4:9: YAML syntax error: mapping values are not allowed here"),
    ("sku: a\ngpus: [8\n", ":3:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"),
    ("sku: a\ngpus:\n  count: 8\n  count: 4\n",
     ":4:3: gpus.count: duplicate key (first given at line 3); YAML would keep only the last"),
    ("sku: a\ngpu:\n  count: 8\n", ":2:1: gpu: unknown key 'gpu'; did you mean 'gpus'?"),
    ("sku: a\ngpus:\n  cout: 8\n", ":3:3: gpus.cout: unknown key 'cout'; did you mean 'count'?"),
    ("sku: a\ngpus:\n  count: eight\n", ":3:10: gpus.count: expected a whole number, got 'eight'"),
    ("sku: a\ngpus:\n  count: -1\n", ":3:10: gpus.count: must be 0 or more, got -1"),
    ("sku: a\ngpus:\n  count: 7.5\n", ":3:10: gpus.count: expected a whole number, got 7.5"),
    ("sku: a\ngpus:\n  persistence_mode: maybe\n",
     ":3:21: gpus.persistence_mode: Input should be a valid boolean, unable to interpret input"),
    ("sku: a\ngpus:\n  power_limit_w: {min: 700, max: 500}\n",
     ":3:18: gpus.power_limit_w: min (700) is above max (500)"),
    ("sku: a\ngpus: !!python/object:os.system {}\n",
     ":2:7: gpus: tag 'tag:yaml.org,2002:python/object:os.system' is not allowed in a profile "
     "(plain YAML values only)"),
    ("sku: a\nwaivers:\n  - check: test_gpu_ecc\n    component: '1650124031592'\n"
     "    reason: known\n", ":3:5: waivers[0].expires: required key missing"),
    ("sku: a\nwaivers:\n  - check: test_gpu_ecc\n    component: '1'\n    expires: 2027-01-31\n",
     ":3:5: waivers[0].reason: required key missing"),
    ("sku: a\nkernel_log:\n  forbidden_patterns: ['(unclosed']\n",
     ":3:24: kernel_log.forbidden_patterns[0]: not a regular expression: missing ), "
     "unterminated subpattern at position 0"),
    ("- sku: a\n",
     ":1:1: a profile is a mapping of sections (sku, gpus, ...); this file is a list"),
    ("", ":1:1: a profile is a mapping of sections (sku, gpus, ...); this file is empty"),
    ("gpus: {count: 8}\n", ":1:1: sku: required key missing"),
])
def test_each_problem_names_its_place(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, "p.yaml", text)
    assert found == [f"{tmp_path / 'p.yaml'}{expected}"]


def test_every_error_in_every_file_at_once(tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", "sku: one\ngpu: {}\nnics: {cout: 2}\n")
    two = write(tmp_path, "two.yaml", "sku: two\ndisks: {count: -2}\n")
    good = write(tmp_path, "good.yaml", "sku: good\n")
    found = [str(p) for p in resolve_all([str(one), str(good), str(two)], tmp_path)]
    assert found == [
        f"{one}:2:1: gpu: unknown key 'gpu'; did you mean 'gpus'?",
        f"{one}:3:8: nics.cout: unknown key 'cout'; did you mean 'count'?",
        f"{two}:2:16: disks.count: must be 0 or more, got -2",
    ]


def test_non_utf8_bytes_are_placed(tmp_path: Path) -> None:
    found = problems(tmp_path, "latin1.yaml", "sku: a\ndescription: Ger\xe4t\n".encode("latin-1"))
    assert found == [f"{tmp_path / 'latin1.yaml'}:2:17: not UTF-8 (byte 0xe4); save the file as "
                     "UTF-8"]


def test_alias_bombs_are_refused(tmp_path: Path) -> None:
    lines = ["sku: a", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
              f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
              f"*{chr(97 + i)}, *{chr(97 + i)}]" for i in range(6)]
    [found] = problems(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert "aliases expand to more than 100000 values; refusing (an alias bomb?)" in found
    assert found.startswith(f"{tmp_path / 'bomb.yaml'}:")


def test_an_alias_that_contains_itself_is_refused(tmp_path: Path) -> None:
    [found] = problems(tmp_path, "loop.yaml", "sku: a\nx: &x [1, *x]\n")
    assert found == f"{tmp_path / 'loop.yaml'}:2:4: x[1]: an alias refers to a value that " \
                    "contains it"


def test_files_over_1_mib_are_refused(tmp_path: Path) -> None:
    [found] = problems(tmp_path, "big.yaml", "sku: a\n" + "# padding\n" * 110_000)
    assert found == f"{tmp_path / 'big.yaml'}:1:1: 1.0 MiB is over the 1 MiB a profile may be"


def test_extends_cycle_names_the_chain(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "sku: a\nextends: b\n")
    write(tmp_path, "b.yaml", "sku: b\nextends: [c]\n")
    write(tmp_path, "c.yaml", "sku: c\nextends: a\n")
    with pytest.raises(ProfileError) as caught:
        resolve("a", tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'c.yaml'}:2:10: extends: extends cycle: a -> b -> c -> a"]


def test_a_missing_parent_lists_the_known_ones(tmp_path: Path) -> None:
    write(tmp_path, "child.yaml", "sku: child\nextends:\n  - base\n  - hgx-h99\n")
    write(tmp_path, "base.yaml", "sku: base\n")
    with pytest.raises(ProfileError) as caught:
        resolve("child", tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'child.yaml'}:4:5: extends: no profile 'hgx-h99' (known: base, child; or "
        "give a path to a .yaml file)"]


def test_a_problem_only_the_merge_reveals_names_the_parents(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "sku: base\ngpus:\n  power_limit_w: {min: 600}\n")
    write(tmp_path, "child.yaml", "sku: child\nextends: base\ngpus:\n  power_limit_w: {max: 500}\n")
    with pytest.raises(ProfileError) as caught:
        resolve("child", tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'child.yaml'}:4:18: gpus.power_limit_w: min (600) is above max (500) "
        "(after merging base)"]
