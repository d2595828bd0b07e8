"""The commands seam: every external tool runs through one `Runner`.

Commands are argv lists, never a shell string. Each run has a timeout; a binary that
is not installed is a recorded fact (`NOT_INSTALLED`), not an exception.
"""

from __future__ import annotations

import contextlib
import enum
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

from hwaccept.record import Record
from hwaccept.static_types import Protocol

MAX_OUTPUT_BYTES = 32 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
SYSTEM_DIRS = ("/usr/sbin", "/sbin")
"""smartctl, nvme and ethtool live here, often outside a non-root user's PATH."""


class CommandStatus(enum.Enum):
    """How a command run ended."""

    EXITED = "exited"
    NOT_INSTALLED = "not_installed"
    TIMEOUT = "timeout"
    FAILED_TO_START = "failed_to_start"
    NOT_RECORDED = "not_recorded"


class CommandResult(Record):
    """One run of a command: what it printed and how it ended."""

    argv: tuple[str, ...]
    status: CommandStatus
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        """The command ran and exited 0."""
        return self.status is CommandStatus.EXITED and self.returncode == 0

    def problem(self) -> str | None:
        """`describe()`, or None when a snapshot simply does not hold this command.

        What a snapshot lacks is unknown, not a fault of the device.
        """
        return None if self.status is CommandStatus.NOT_RECORDED else self.describe()

    def describe(self) -> str:
        """One line saying why the output is unusable, naming the command."""
        name = self.argv[0] if self.argv else "?"
        if self.status is CommandStatus.NOT_INSTALLED:
            return f"{name}: not installed"
        if self.status is CommandStatus.TIMEOUT:
            return f"{name}: timed out after {self.duration:.0f}s"
        if self.status is CommandStatus.NOT_RECORDED:
            return f"{name}: not in this snapshot"
        if self.status is CommandStatus.FAILED_TO_START:
            return f"{name}: could not start: {self.stderr.strip()}"
        first = (self.stderr.strip() or self.stdout.strip()).splitlines()
        reason = first[0] if first else "no output"
        return f"{name}: exit status {self.returncode}: {reason}"


class Runner(Protocol):
    """Runs a command and returns its result; never raises for the command's sake."""

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> CommandResult:
        """Run `argv` with a timeout in seconds."""
        ...


def _decode(data: bytes) -> str:
    if len(data) > MAX_OUTPUT_BYTES:
        data = data[:MAX_OUTPUT_BYTES]
    return data.decode("utf-8", "replace")


def _log_run(result: CommandResult, seconds: float) -> None:
    """Log the argv, outcome and duration at debug level, where logging is in use.

    A process that never imported `logging` has nothing configured to receive the record
    (pytest imports and configures it); `hwaccept inventory` starts 3 ms sooner without.
    """
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger(__name__).debug("ran %s: %s rc=%s in %.3fs", result.argv,
                                          result.status.value, result.returncode, seconds)


class LiveRunner:
    """Runs commands on this machine with LC_ALL=C, in their own process group."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        base = dict(os.environ if env is None else env)
        base["LC_ALL"] = "C"
        path = base.get("PATH", "/usr/local/bin:/usr/bin:/bin").split(":")
        base["PATH"] = ":".join(path + [d for d in SYSTEM_DIRS if d not in path])
        self.env = base

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> CommandResult:  # noqa: D102
        args = tuple(argv)
        start = time.monotonic()
        try:
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env,
                start_new_session=True,
            )
        except FileNotFoundError:
            result = CommandResult(args, CommandStatus.NOT_INSTALLED)
        except OSError as exc:
            result = CommandResult(args, CommandStatus.FAILED_TO_START, stderr=str(exc))
        else:
            result = self._wait(process, args, timeout, start)
        _log_run(result, time.monotonic() - start)
        return result

    @staticmethod
    def _wait(
        process: subprocess.Popen[bytes], args: tuple[str, ...], timeout: float, start: float
    ) -> CommandResult:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            return CommandResult(args, CommandStatus.TIMEOUT, None, _decode(stdout),
                                 _decode(stderr), round(time.monotonic() - start, 3))
        return CommandResult(args, CommandStatus.EXITED, process.returncode, _decode(stdout),
                             _decode(stderr), round(time.monotonic() - start, 3))


class ReplayRunner:
    """Answers with recorded results; a command never recorded is `NOT_RECORDED`."""

    def __init__(self, recordings: Mapping[tuple[str, ...], CommandResult]) -> None:
        self.recordings = dict(recordings)
        self.calls: list[tuple[str, ...]] = []

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> CommandResult:  # noqa: D102
        args = tuple(argv)
        self.calls.append(args)
        return self.recordings.get(args, CommandResult(args, CommandStatus.NOT_RECORDED))
