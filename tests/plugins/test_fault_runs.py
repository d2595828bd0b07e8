"""`pytest -m acceptance` on each fault variant fails exactly its planted component's tests.

The variants and what each must fail are described in snapshots/faults.json; a variant
the shipped profile cannot judge (no rule for it) runs with that file's probe profile.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.plugins.test_acceptance_runs import REPO, run_suite

FAULTS = json.loads((REPO / "snapshots" / "faults.json").read_text())
VARIANTS: dict[str, Any] = FAULTS["variants"]


def failed_cases(xml: Path) -> list[dict[str, str]]:
    found = []
    for case in ET.parse(xml).iter("testcase"):
        if case.find("failure") is not None:
            properties = {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
            found.append({**properties, "test": case.get("name", "")})
    return sorted(found, key=lambda c: (c.get("check", ""), c.get("component_id", "")))


def names(case: dict[str, str]) -> set[str]:
    """What a failed case's component may be called: its id, address, serial, test id."""
    test_id = case["test"].partition("[")[2].rstrip("]")
    return {case.get("component_id", ""), case.get("bdf", ""), case.get("serial", ""),
            test_id, test_id.replace("-", "/")}


def probe_profile(directory: Path, name: str) -> list[str]:
    probe = VARIANTS[name].get("probe")
    if not probe:
        return []
    path = directory / f"probe-{name}.yaml"
    base = REPO / "profiles" / f"{FAULTS['profile']}.yaml"
    path.write_text(yaml.safe_dump({"sku": f"probe-{name}", "extends": str(base),
                                    **probe["profile"]}))
    return ["--hw-profile", str(path)]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_fails_only_its_planted_component(pytester: pytest.Pytester,
                                                       tmp_path: Path, name: str) -> None:
    xml = tmp_path / "junit.xml"
    snapshot = REPO / "snapshots" / "faults" / f"{name}.tar.gz"
    workers = ["-n", "2"] if name.startswith("gpu-") else []
    result = run_suite(pytester, "--hw-snapshot", str(snapshot), f"--junitxml={xml}",
                       *probe_profile(tmp_path, name), *workers)
    assert result.ret == 1, result.stdout.str()[-2000:]
    failed = failed_cases(xml)
    expected = sorted(VARIANTS[name]["expect"]["fail"])
    assert [(c["check"], c["failure_code"]) for c in failed] == [
        (check, code) for check, _, code in expected]
    for case, (_, component, _) in zip(failed, expected, strict=True):
        assert component in names(case) or component == "GPUs", (component, case)
        assert case["action"]
