"""The inventory of the machine under test, gathered once per process.

It is built when first needed (at collection, to parametrize tests per component)
from the live machine or from `--hw-snapshot`. A snapshot that cannot be read stops
the run with a usage error naming the file, before any test runs.

Under xdist the live machine is read once, by the controller, which records what it
read as a snapshot in a temporary directory; every worker replays that recording. So
the machine is gathered once per run, and every worker collects the same tests from
the same inventory (two live reads could differ: a link that flaps between them).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import pytest

from hwaccept.errors import HwacceptError
from hwaccept.inventory.build import build_inventory
from hwaccept.inventory.records import Inventory
from hwaccept.record import replace
from hwaccept.snapshot import capture
from hwaccept.sources import Sources, open_sources
from plugins.hw_options import settings

INVENTORY_KEY = pytest.StashKey[Inventory]()
SOURCES_KEY = pytest.StashKey[Sources]()
SHARED_KEY = pytest.StashKey[str]()
SHARED_INPUT = "hwaccept_live_recording"
LIVE = "live"


def pytest_configure(config: pytest.Config) -> None:
    """Open the snapshot or the live seams now, so bad input stops the run at once."""
    open_run_sources(config)


def open_run_sources(config: pytest.Config) -> Sources:
    """The run's seams, opened on first call; a bad snapshot is a usage error."""
    if SOURCES_KEY in config.stash:
        return config.stash[SOURCES_KEY]
    shared = getattr(config, "workerinput", {}).get(SHARED_INPUT)
    try:
        if shared:
            replayed = open_sources(shared, "/", 0.0)
            config.stash[SOURCES_KEY] = replace(replayed, origin=LIVE)
        else:
            hw = settings(config)
            config.stash[SOURCES_KEY] = open_sources(hw.snapshot, hw.root, hw.nvml_timeout)
    except HwacceptError as exc:
        raise pytest.UsageError(exc.msg) from None
    return config.stash[SOURCES_KEY]


def shared_recording(config: pytest.Config) -> str:
    """Read the live machine once and record it for the workers; the path of the recording."""
    if SHARED_KEY not in config.stash:
        directory = tempfile.mkdtemp(prefix="hwaccept-run-")
        path = os.path.join(directory, "live.tar.gz")
        config.stash[INVENTORY_KEY] = capture(path, config.stash[SOURCES_KEY])
        config.stash[SHARED_KEY] = path
    return config.stash[SHARED_KEY]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist, on the controller, for each worker: hand it the recording of this machine."""
    config = node.config
    if settings(config).snapshot is None and SOURCES_KEY in config.stash:
        node.workerinput[SHARED_INPUT] = shared_recording(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the controller's recording."""
    if SHARED_KEY in config.stash:
        shutil.rmtree(os.path.dirname(config.stash[SHARED_KEY]), ignore_errors=True)


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
