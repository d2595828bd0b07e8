"""How long `hwaccept fleet report` takes over a history of 100,000 runs, and its page to open.

Targets (issue 8): the report renders in under 15 s; its page opens in the browser in under
2 s. The history is generated (tests/fleet_report/fleet_history.py: three SKUs, 27 parts a
run, a bad GPU slot, a bad NIC firmware, repeat offenders, retests) and stored through
`hwaccept.history.ingest` into a SQLite file that is kept for later rounds (generating it
takes minutes). Each round runs the command in a new process, as a person would. The page
is then opened in headless Chromium (Debian's chromium and chromedriver, via Selenium):
the time from navigation start to the end of the load event, by the page's own
Navigation Timing, and the wall time of the whole `get`.

    .venv/bin/python bench/fleet_report.py [--runs 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hwaccept.history.database import open_database  # noqa: E402
from hwaccept.history.ingest import ingest  # noqa: E402
from tests.fleet_report.fleet_history import fleet_runs  # noqa: E402
from tests.reports.browser import ARGUMENTS, CHROMEDRIVER, CHROMIUM, missing  # noqa: E402

GENERATOR_VERSION = 3
"""Bump when fleet_history or the schema changes, so an older kept database is not reused."""


def history(path: Path, runs: int) -> None:
    """Generate the history into `path` unless it is there already."""
    if path.exists():
        print(f"history: {path} (kept from an earlier round)")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.monotonic()
    with open_database(partial) as db:
        summary = ingest(db, fleet_runs(runs, days=365), batch=200)
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)
    print(f"history: {summary.added:,} runs generated and ingested in "
          f"{time.monotonic() - started:.0f} s into {path} "
          f"({path.stat().st_size / 2**20:.0f} MiB)")


def render(database: Path, page: Path, rounds: int) -> list[float]:
    """Wall seconds of each `hwaccept fleet report` process."""
    command = [str(REPO / ".venv" / "bin" / "hwaccept"), "fleet", "report", "--db",
               str(database), "-o", str(page)]
    times = []
    for _ in range(rounds):
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.monotonic() - started)
        if done.returncode != 0:
            raise SystemExit(f"fleet report failed: {done.stderr.strip()}")
        print(f"  render {times[-1]:.2f} s: {done.stdout.strip()}")
    return times


def open_page(page: Path, rounds: int) -> list[tuple[float, float]]:
    """(load event ms by Navigation Timing, wall ms of `get`) per round, each in a new browser."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    times = []
    for _ in range(rounds):
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in ARGUMENTS:
            options.add_argument(argument)
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        try:
            started = time.monotonic()
            driver.get(page.resolve().as_uri())
            wall = 1000 * (time.monotonic() - started)
            load = float(driver.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "return n.loadEventEnd - n.startTime;"))
        finally:
            driver.quit()
        times.append((load, wall))
        print(f"  open: load event at {load:.0f} ms, get returned after {wall:.0f} ms")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/hwaccept-bench"))
    args = parser.parse_args()
    database = args.folder / f"fleet-{args.runs}-v{GENERATOR_VERSION}.db"
    history(database, args.runs)
    page = args.folder / f"fleet-{args.runs}.html"
    renders = render(database, page, args.rounds)
    print(f"render: median {statistics.median(renders):.2f} s, worst {max(renders):.2f} s "
          f"(target < 15 s); page {page.stat().st_size / 2**10:.0f} KiB")
    reason = missing()
    if reason:
        print(f"open: not measured, {reason}")
        return 0
    opens = open_page(page, args.rounds)
    print(f"open: load event median {statistics.median(t[0] for t in opens):.0f} ms, "
          f"worst {max(t[0] for t in opens):.0f} ms; get median "
          f"{statistics.median(t[1] for t in opens):.0f} ms (target < 2000 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
