"""The failure code catalog: every code the checks give is in it, and it has no other."""

from __future__ import annotations

import functools

import pytest

from hwaccept.checks.catalog import (
    BURNIN_CODES,
    CODES,
    SITUATIONS,
    XID_PRIORITY,
    XIDS,
    Action,
    Severity,
    Situation,
    action_for,
    entry,
    key,
)
from hwaccept.checks.findings import Verdict
from hwaccept.checks.run import check_all, disagreements, unknowns
from tests.checks.faults import FAULTS, HEALTHY, SKU
from tests.checks.machines import TODAY

RESERVED: frozenset[str] = BURNIN_CODES
"""Catalog codes no acceptance check gives: burn-in's (tests/burnin give each of them)."""


@functools.cache
def given() -> frozenset[tuple[str, Action]]:
    """Every (failure code, action) the checks give on the faulted machines."""
    found = set()
    for inventory in FAULTS.values():
        for finding in check_all(SKU, inventory, TODAY):
            if finding.failure_code is not None:
                assert finding.action is not None, finding
                found.add((finding.failure_code, finding.action))
    return frozenset(found)


def test_the_healthy_machine_meets_the_profile_in_every_key() -> None:
    found = check_all(SKU, HEALTHY, TODAY)
    assert disagreements(found) == []
    assert unknowns(found) == []
    assert {f.check for f in found} >= {"kernel_xid", "nvswitch_sxid", "pcie_link", "disk_smart"}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_fault_gives_codes_and_only_where_the_machine_disagrees(fault: str) -> None:
    found = check_all(SKU, FAULTS[fault], TODAY)
    coded = [f for f in found if f.failure_code]
    assert coded, fault
    assert {f.verdict for f in coded} <= {Verdict.FAIL, Verdict.WARN, Verdict.MARGINAL}


def test_every_code_the_checks_give_is_in_the_catalog_with_its_action() -> None:
    for code, action in given():
        listed = entry(code)
        assert action in {listed.action, *listed.otherwise.values()}, code


def test_every_catalog_code_and_alternative_is_given_by_some_fault() -> None:
    wanted = {(code, action) for code, listed in CODES.items() if code not in RESERVED
              for action in (listed.action, *listed.otherwise.values())}
    assert wanted - {(key(code), action) for code, action in given()} == set()
    assert set(CODES) >= RESERVED


def test_catalog_actions_are_actions_and_situations_are_documented() -> None:
    used: set[Situation] = set()
    for code, listed in CODES.items():
        assert isinstance(listed.action, Action), code
        assert all(isinstance(a, Action) for a in listed.otherwise.values()), code
        assert listed.action not in listed.otherwise.values(), code
        assert listed.means, code
        assert "\n" not in listed.means, code
        used |= set(listed.otherwise)
    assert used == set(Situation) == set(SITUATIONS)


def test_the_xid_table_covers_the_xids_acceptance_relies_on() -> None:
    assert {13, 31, 43, 45, 48, 61, 62, 63, 64, 68, 69, 74, 79, 92, 94, 95, 119, 120, 121, 136,
            140, 143, 154, 158} <= set(XIDS)
    assert sorted(XID_PRIORITY) == sorted(XIDS)
    for number, row in XIDS.items():
        assert isinstance(row.action, Action)
        assert isinstance(row.default, Severity)
        assert entry(f"GPU_XID_{number}").action is row.action
        assert row.source.startswith(f"NVIDIA Xid catalog: {row.mnemonic}")
    assert (XIDS[48].default, XIDS[13].default, XIDS[43].default) == (
        Severity.FAIL, Severity.WARN, Severity.WARN)
    assert [XIDS[n].action for n in (48, 64, 74, 79, 94, 95, 119, 120)] == [
        Action.RESET_GPU, Action.RMA_GPU, Action.RESEAT, Action.RESEAT, Action.RESET_GPU,
        Action.RESET_GPU, Action.RESET_GPU, Action.RESET_GPU]


def test_numbered_codes_and_situations_resolve_through_the_catalog() -> None:
    assert key("GPU_XID_79") == "GPU_XID_79"
    assert key("GPU_XID_144") == "GPU_XID_<n>"
    assert key("NVSWITCH_SXID_12028") == "NVSWITCH_SXID_<n>"
    assert action_for("NVSWITCH_SXID_24007", Situation.FATAL) is Action.INSPECT
    assert action_for("PCIE_LINK_DOWNTRAINED") is Action.RESEAT
    assert action_for("PCIE_LINK_DOWNTRAINED", Situation.UPSTREAM_LIMITED) is Action.INSPECT
    with pytest.raises(KeyError, match="NO_SUCH_CODE"):
        action_for("NO_SUCH_CODE")
    with pytest.raises(KeyError, match="no action for situation"):
        action_for("GPU_LOST", Situation.FATAL)
