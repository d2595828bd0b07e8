"""The three seams through which, and only which, hwaccept touches a machine."""

from __future__ import annotations

from hwaccept.record import Record
from hwaccept.sources.commands import LiveRunner, Runner
from hwaccept.sources.files import Files, LiveFiles
from hwaccept.sources.nvml import DEFAULT_TIMEOUT, LiveNvml, Nvml
from hwaccept.static_types import TYPE_CHECKING

if TYPE_CHECKING:
    from hwaccept.sources.recording import Tape


class Sources(Record):
    """One implementation of each seam, and where their answers come from."""

    files: Files
    nvml: Nvml
    runner: Runner
    origin: str = "live"
    complete: frozenset[str] | None = None
    """Component families the source holds whole; None: all of them (a live machine or a
    capture). An imported snapshot lists only what its files enumerate (see
    docs/snapshots.md), so a part missing from another family is unknown, not absent."""


def live_sources(root: str = "/", nvml_timeout: float = DEFAULT_TIMEOUT) -> Sources:
    """The seams of this machine (files under `root`)."""
    return Sources(LiveFiles(root), LiveNvml(timeout=nvml_timeout), LiveRunner(), "live")


def open_sources(snapshot: str | None = None, root: str = "/",
                 nvml_timeout: float = DEFAULT_TIMEOUT) -> Sources:
    """Replay seams for a snapshot when one is given, else this machine's under `root`.

    Raises:
        HwacceptError: the snapshot cannot be read, or the root does not exist.

    """
    if snapshot:
        from hwaccept.snapshot import load_snapshot, snapshot_sources

        return snapshot_sources(load_snapshot(snapshot))
    return live_sources(root=root, nvml_timeout=nvml_timeout)


def recorded(sources: Sources) -> tuple[Sources, Tape]:
    """Wrap `sources` so that everything read through them lands on a `Tape`."""
    from hwaccept.sources.recording import RecordingFiles, RecordingNvml, RecordingRunner, Tape

    tape = Tape()
    wrapped = Sources(
        RecordingFiles(sources.files, tape),
        RecordingNvml(sources.nvml, tape),
        RecordingRunner(sources.runner, tape),
        sources.origin,
    )
    return wrapped, tape
