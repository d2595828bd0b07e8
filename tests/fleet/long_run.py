"""A pytest plugin that makes a run of hwtests/ a long one, as a burn-in's would be.

A run against a snapshot is over in a second, too soon to take its host down while it is
going. Loaded on one host of a fleet test (`-p tests.fleet.long_run` in
hwaccept_pytest_args), it holds the run for `HOLD_SECONDS` once the first test has
finished, that is once the first result is in the run's event log. A run nobody stops
then goes on to its end.
"""

from __future__ import annotations

import time

import pytest

HOLD_SECONDS = 60.0


class Hold:
    """Holds the run once, after the first test's last report."""

    def __init__(self) -> None:
        self.held = False

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logfinish(self) -> None:
        """Wait here the first time: the test's result is logged by now."""
        if not self.held:
            self.held = True
            time.sleep(HOLD_SECONDS)


def pytest_configure(config: pytest.Config) -> None:
    """Hold this run (its first test's result is logged in this process: no xdist)."""
    config.pluginmanager.register(Hold(), "hwaccept-long-run")
