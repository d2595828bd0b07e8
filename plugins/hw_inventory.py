"""The inventory of the machine under test, gathered once per process.

It is built when first needed (at collection, to parametrize tests per component)
from the live machine or from `--hw-snapshot`. A snapshot that cannot be read stops
the run with a usage error naming the file, before any test runs.
"""

from __future__ import annotations

import pytest

from hwaccept.errors import HwacceptError
from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import Inventory
from hwaccept.sources import Sources, open_sources
from plugins.hw_options import settings

INVENTORY_KEY = pytest.StashKey[Inventory]()
SOURCES_KEY = pytest.StashKey[Sources]()


def pytest_configure(config: pytest.Config) -> None:
    """Open the snapshot or the live seams now, so bad input stops the run at once."""
    try:
        hw = settings(config)
        config.stash[SOURCES_KEY] = open_sources(hw.snapshot, hw.root, hw.nvml_timeout)
    except HwacceptError as exc:
        raise pytest.UsageError(exc.msg) from None


def inventory_of(config: pytest.Config) -> Inventory:
    """Build the inventory on first use, then reuse it."""
    if INVENTORY_KEY not in config.stash:
        config.stash[INVENTORY_KEY] = build_inventory(config.stash[SOURCES_KEY])
    return config.stash[INVENTORY_KEY]


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which machine the run reads."""
    hw = settings(config)
    return [f"hwaccept: reading {'snapshot ' + hw.snapshot if hw.snapshot else 'this machine'}"]


@pytest.fixture(scope="session")
def hw_inventory(request: pytest.FixtureRequest) -> Inventory:
    """The whole inventory of the machine under test."""
    return inventory_of(request.config)
