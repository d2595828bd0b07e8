"""The commands seam: real processes, timeouts, missing binaries, replay."""

from __future__ import annotations

import logging
import re
import shutil
import time
from pathlib import Path

import pytest

from hwaccept.sources.commands import CommandResult, CommandStatus, LiveRunner, ReplayRunner
from hwaccept.tools.ethtool import parse_driver_info


def test_exit_status_and_output_are_kept() -> None:
    result = LiveRunner().run(["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (result.status, result.returncode, result.stdout, result.stderr) == \
        (CommandStatus.EXITED, 3, "out\n", "err\n")
    assert not result.ok
    assert result.describe() == "sh: exit status 3: err"


def test_every_run_is_logged_with_its_argv_outcome_and_duration(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="hwaccept.sources.commands"):
        LiveRunner().run(["sh", "-c", "exit 4"])
        LiveRunner().run(["hwaccept-no-such-tool"])
    lines = [r.getMessage() for r in caplog.records]
    assert re.fullmatch(r"ran \('sh', '-c', 'exit 4'\): exited rc=4 in \d+\.\d{3}s", lines[0])
    assert re.fullmatch(r"ran \('hwaccept-no-such-tool',\): not_installed rc=None in "
                        r"\d+\.\d{3}s", lines[1])


def test_argv_is_never_a_shell_string() -> None:
    result = LiveRunner().run(["echo", "a; touch /tmp/hwaccept-injected $(id)"])
    assert result.stdout == "a; touch /tmp/hwaccept-injected $(id)\n"
    assert not Path("/tmp/hwaccept-injected").exists()


def test_commands_run_in_the_c_locale() -> None:
    assert LiveRunner({"LANG": "de_DE.UTF-8"}).run(["sh", "-c", "echo $LC_ALL"]).stdout == "C\n"


def test_missing_binary_is_a_recorded_fact() -> None:
    result = LiveRunner().run(["hwaccept-no-such-tool", "-j"])
    assert result.status is CommandStatus.NOT_INSTALLED
    assert result.describe() == "hwaccept-no-such-tool: not installed"


def test_a_hung_command_is_killed_with_its_children() -> None:
    start = time.monotonic()
    result = LiveRunner().run(["sh", "-c", "sleep 30 & sleep 30; echo never"], timeout=0.3)
    assert time.monotonic() - start < 5
    assert result.status is CommandStatus.TIMEOUT
    assert result.describe().startswith("sh: timed out after")


def test_replay_answers_recorded_commands_only() -> None:
    recorded = CommandResult(("smartctl", "-j", "-x", "/dev/vda"), CommandStatus.EXITED, 1, "{}")
    runner = ReplayRunner({recorded.argv: recorded})
    assert runner.run(["smartctl", "-j", "-x", "/dev/vda"]) == recorded
    missing = runner.run(["ethtool", "-i", "eth0"])
    assert missing.status is CommandStatus.NOT_RECORDED
    assert missing.describe() == "ethtool: not in this snapshot"
    assert runner.calls == [recorded.argv, ("ethtool", "-i", "eth0")]


def test_real_ethtool_names_the_nic_behind_eth0() -> None:
    if shutil.which("ethtool") is None and not Path("/usr/sbin/ethtool").exists():
        pytest.skip("ethtool is not installed")
    if not Path("/sys/class/net/eth0/device").exists():
        pytest.skip("no eth0 backed by a device on this machine")
    result = LiveRunner().run(["ethtool", "-i", "eth0"])
    assert result.ok, result.describe()
    info = parse_driver_info(result.stdout)
    device = Path("/sys/class/net/eth0/device").resolve()
    assert info.driver == Path("/sys/class/net/eth0/device/driver").resolve().name
    assert info.bus_info == device.parent.name


def test_system_directories_are_searched_for_tools() -> None:
    runner = LiveRunner({"PATH": "/usr/bin:/bin"})
    assert runner.env["PATH"] == "/usr/bin:/bin:/usr/sbin:/sbin"
    assert runner.run(["sh", "-c", "echo $PATH"]).stdout == "/usr/bin:/bin:/usr/sbin:/sbin\n"
