"""Ingest into the history database against parsing alone, and `history` look-up times.

Usage: `.venv/bin/python bench/ingest.py [--files N] [--chunk N] [--runs N]`

Writes N JUnit files (default 10,000) of 8-GPU servers in pytest's xunit2 form to a
scratch folder: 80 to 120 cases each with the contract's properties, a few systems run
more than once, and a few failing GPUs whose serials recur in other chassis (pulled and
put in another server). Then, chunk by chunk so that machine noise lands on both alike:
(a) parses the chunk with defusedxml's ElementTree in this process, as the JUnit reader
does (and, for reference, as `hwaccept rma` parses: ElementTree's C parser behind the
DTD check of hwaccept.reports.untrusted_xml); (b) parses it again, builds the RunReports
straight from the trees (`report_from`, the least any reader does) and ingests them into
a fresh SQLite database, for reference. (c) runs `hwaccept ingest` on the whole folder
into another database, as an operator would (it reads on every core while it inserts).
Target: (c) takes at most twice (a). Last, times `history_of` for a recurring GPU serial
and a system serial in process, the `hwaccept history SERIAL` command (target < 50 ms)
with the bare interpreter's start beside it, and `hwaccept rma` over every run, from the
database and from the files (target < 10 s), each with the processor time it took on
every core: on a shared machine that is steadier than the wall-clock time.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.sax.saxutils import quoteattr

import defusedxml.ElementTree as SafeElementTree

from hwaccept.history.database import open_database
from hwaccept.history.ingest import ingest
from hwaccept.history.queries import all_runs, history_of
from hwaccept.reports.model import ERROR, FAILED, PASSED, SKIPPED, CaseResult, RunReport
from hwaccept.reports.untrusted_xml import parse_untrusted

GPU_MODEL = "NVIDIA H100 80GB HBM3"
BAD_GPUS = [str(1654922090000 + n) for n in range(12)]
FAULTS = (("GPU_ECC_DBE", "RMA_GPU"), ("GPU_XID_79", "RESEAT"),
          ("GPU_ROW_REMAP_FAILURE", "RMA_GPU"))
GPU_CHECKS = (("gpu_responds", "yes", "yes", ""), ("gpu_model", GPU_MODEL, "H100*", ""),
              ("gpu_memory_size", "79.6", ">= 79", "GiB"),
              ("gpu_vbios", "96.00.99.00.01", ">= 96.00.74", ""),
              ("gpu_ecc_mode", "enabled", "enabled", ""), ("gpu_ecc_errors", "0", "0", "errors"),
              ("gpu_row_remap", "0", "0", "rows"), ("gpu_pcie_link", "Gen5 x16", "Gen5 x16", ""),
              ("gpu_temperature", "38", "<= 85", "C"), ("gpu_power_limit", "700", "700", "W"))


def prop(name: str, value: str) -> str:
    return f"<property name={quoteattr(name)} value={quoteattr(value)}/>"


def case_xml(module: str, name: str, props: list[tuple[str, str]], failure: str = "",
             skipped: str = "") -> str:
    body = "<properties>" + "".join(prop(k, v) for k, v in props if v) + "</properties>"
    if failure:
        body += f"<failure message={quoteattr(failure)}>{failure}</failure>"
    if skipped:
        body += f"<skipped type=\"pytest.skip\" message={quoteattr(skipped)}/>"
    return (f"<testcase classname=\"hwtests.{module}\" name={quoteattr(name)} time=\"0.001\">"
            f"{body}</testcase>")


def gpu_cases(slot: int, serial: str, fault: tuple[str, str] | None) -> list[str]:
    bdf = f"0000:{0x18 + slot * 0x10:02x}:00.0"
    cases = []
    for check, measured, expected, unit in GPU_CHECKS:
        failing = fault is not None and check == "gpu_ecc_errors"
        props = [("component", "gpu"), ("component_id", serial), ("serial", serial),
                 ("bdf", bdf), ("model", GPU_MODEL), ("check", check),
                 ("measured", "3" if failing else measured), ("expected", expected),
                 ("unit", unit), ("verdict", "FAIL" if failing else "PASS")]
        message = ""
        if failing and fault:
            message = f"gpu{slot} (SN {serial}, {bdf}): {fault[0]} -> {fault[1]}"
            props += [("failure_code", fault[0]), ("action", fault[1]), ("message", message)]
        cases.append(case_xml("test_gpu", f"test_{check}[gpu{slot}-{serial}]", props, message))
    return cases


def other_cases(system: str, rng: random.Random) -> list[str]:
    cases = [case_xml("test_system", f"test_{check}[system]",
                      [("component", "system"), ("component_id", system), ("serial", system),
                       ("model", "HGX H100 8-GPU"), ("check", check), ("verdict", "PASS")])
             for check in ("system_bios", "system_bmc", "cpu_model", "memory_size")]
    for n in range(4):
        bdf = f"0000:{0xc0 + n:02x}:00.0"
        cases.append(case_xml("test_nvswitch", f"test_nvswitch_link[{bdf}]", [
            ("component", "nvswitch"), ("component_id", bdf), ("bdf", bdf),
            ("check", "nvswitch_link"), ("measured", "18"), ("expected", "18"),
            ("verdict", "PASS")]))
    for n in range(rng.randint(0, 24)):
        bdf = f"0000:{0x20 + n:02x}:00.{n % 2}"
        cases.append(case_xml("test_nic", f"test_nic_link[{bdf}]", [
            ("component", "nic"), ("component_id", bdf), ("bdf", bdf),
            ("model", "MT2910 ConnectX-7"), ("check", "nic_link"), ("measured", "400000"),
            ("expected", ">= 400000"), ("unit", "Mb/s"), ("verdict", "PASS")]))
    for n in range(rng.randint(0, 8)):
        serial = f"S6CKNE0T{system[-4:]}{n:02d}"
        cases.append(case_xml("test_disk", f"test_disk_smart[nvme{n}n1]", [
            ("component", "disk"), ("component_id", serial), ("serial", serial),
            ("model", "SAMSUNG MZQL23T8HCLS"), ("check", "disk_smart"), ("verdict", "PASS")]))
    cases.append(case_xml("test_ib", "test_ib_state[none]", [], skipped="no InfiniBand"))
    return cases


def junit_file(system: str, run: int, rng: random.Random) -> str:
    gpus = [str(1654922000000 + int(system[4:]) * 8 + slot) for slot in range(8)]
    faults: dict[int, tuple[str, str]] = {}
    if rng.random() < 0.03:
        slot = rng.randrange(8)
        gpus[slot] = rng.choice(BAD_GPUS)
        faults[slot] = rng.choice(FAULTS)
    cases = [c for slot, serial in enumerate(gpus) for c in gpu_cases(slot, serial,
                                                                       faults.get(slot))]
    cases += other_cases(system, rng)
    started = f"2026-{1 + run % 12:02d}-{1 + int(system[4:]) % 28:02d}T{run % 24:02d}:00:00Z"
    identity = [("system_serial", system), ("product", "HGX H100 8-GPU"),
                ("vendor", "Supermicro"), ("sku", "hgx-h100-8gpu"),
                ("hostname", f"node-{system.lower()}"), ("suite_version", "0.1.0"),
                ("started", started), ("run_id", f"{rng.getrandbits(128):032x}")]
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites name=\"pytest tests\">"
            f"<testsuite name=\"pytest\" errors=\"0\" failures=\"{len(faults)}\" skipped=\"1\" "
            f"tests=\"{len(cases)}\" time=\"4.2\" timestamp=\"{started}\" "
            f"hostname=\"node-{system.lower()}\"><properties>"
            + "".join(prop(k, v) for k, v in identity) + "</properties>"
            + "".join(cases) + "</testsuite></testsuites>")


def write_files(folder: Path, count: int) -> list[str]:
    rng = random.Random(2026)
    paths = []
    for number in range(count):
        system = f"SYS-{number // 3:05d}" if number % 10 < 3 else f"SYS-{number:05d}"
        path = folder / f"{number:05d}.xml"
        path.write_text(junit_file(system, number, rng), encoding="utf-8")
        paths.append(str(path))
    return paths


def parse_only(paths: list[str]) -> float:
    start = time.perf_counter()
    for path in paths:
        SafeElementTree.parse(path)
    return time.perf_counter() - start


def parse_as_rma_does(paths: list[str]) -> float:
    start = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            parse_untrusted(handle.read())
    return time.perf_counter() - start


OUTCOME_TAGS = {"failure": FAILED, "error": ERROR, "skipped": SKIPPED}


def report_from(path: str) -> RunReport:
    """The run a file describes, built straight from its parsed tree."""
    suite = SafeElementTree.parse(path).getroot()
    suite = suite.find("testsuite") if suite is not None else None
    if suite is None:
        raise SystemExit(f"{path}: no <testsuite>")
    identity = {p.get("name", ""): p.get("value", "") for p in suite.iterfind(
        "properties/property")}
    cases = []
    for case in suite.iterfind("testcase"):
        props: tuple[tuple[str, str], ...] = ()
        outcome, message = PASSED, ""
        for child in case:
            if child.tag == "properties":
                props = tuple((p.get("name", ""), p.get("value", "")) for p in child)
            elif child.tag in OUTCOME_TAGS:
                outcome, message = OUTCOME_TAGS[child.tag], child.get("message", "")
        cases.append(CaseResult(f"{case.get('classname')}::{case.get('name')}", outcome,
                                float(case.get("time") or 0.0), message, props))
    return RunReport(path, identity, tuple(cases))


def read_and_ingest(paths: list[str], database: str,
                    read: Callable[[str], RunReport]) -> tuple[float, float]:
    """Seconds for reading and ingesting the files one by one, and of those, for reading.

    As `hwaccept ingest` does: each report is read when the one before is stored.
    """
    reading = 0.0

    def reports() -> Iterator[RunReport]:
        nonlocal reading
        for path in paths:
            start = time.perf_counter()
            report = read(path)
            reading += time.perf_counter() - start
            yield report

    with open_database(database) as db:
        start = time.perf_counter()
        ingest(db, reports())
        return time.perf_counter() - start, reading


def median_ms(work: list[float]) -> str:
    return f"median {statistics.median(work) * 1000:.1f} ms, max {max(work) * 1000:.1f} ms"


def time_history(database: str, serial: str, runs: int) -> tuple[list[float], int]:
    with open_database(database, create=False) as db:
        found = history_of(db, serial)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            history_of(db, serial)
            times.append(time.perf_counter() - start)
    return times, len(found)


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def time_command(argv: list[str], runs: int) -> tuple[list[float], int]:
    times, code = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run(argv, capture_output=True, check=False).returncode
        times.append(time.perf_counter() - start)
    return times, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=250)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        paths = write_files(folder, args.files)
        size = sum(Path(p).stat().st_size for p in paths)
        database, other = str(folder / "history.db"), str(folder / "other.db")
        parse = rma_parse = 0.0
        built = [0.0, 0.0]
        for start in range(0, len(paths), args.chunk):
            chunk = paths[start:start + args.chunk]
            parse += parse_only(chunk)
            rma_parse += parse_as_rma_does(chunk)
            built = [a + b for a, b in zip(built, read_and_ingest(chunk, database, report_from),
                                           strict=True)]
        hwaccept = str(Path(sys.executable).with_name("hwaccept"))
        began = time.perf_counter()
        subprocess.run([hwaccept, "ingest", "--db", other, str(folder)], capture_output=True,
                       check=True)
        command = time.perf_counter() - began
        with open_database(database) as db:
            stored = sum(1 for _ in all_runs(db, batch=1000))
        print(f"{len(paths)} JUnit files, {size / 2**20:.0f} MiB; {stored} runs stored, "
              f"{Path(database).stat().st_size / 2**20:.0f} MiB of SQLite")
        print(f"(a) parse alone (defusedxml, one process):  {parse:6.1f} s; as `hwaccept rma` "
              f"parses: {rma_parse:.1f} s")
        print(f"(b) parse + build RunReport + ingest, one process: {built[0]:6.1f} s "
              f"(ingest {built[0] - built[1]:.1f} s), ratio (b)/(a) {built[0] / parse:.2f}")
        print(f"(c) `hwaccept ingest --db DB FOLDER`:        {command:6.1f} s, "
              f"ratio (c)/(a) {command / parse:.2f} (target <= 2)")
        for serial in (BAD_GPUS[0], "SYS-00000"):
            times, count = time_history(database, serial, args.runs)
            print(f"history_of({serial}) in process, {count} runs found: {median_ms(times)} "
                  "(target < 50 ms)")
        times, exit_code = time_command([hwaccept, "history", BAD_GPUS[0], "--db", database],
                                        max(5, args.runs // 2))
        bare, _ = time_command([sys.executable, "-c", "pass"], max(5, args.runs // 2))
        print(f"`hwaccept history SERIAL --db DB`: {median_ms(times)} (exit {exit_code}; "
              f"target < 50 ms); `python -c pass`: {median_ms(bare)}")
        for what, argv in (("--db DB", ["--db", database]), ("FOLDER", [str(folder)])):
            began, cpu = time.perf_counter(), children_cpu()
            done = subprocess.run([hwaccept, "rma", *argv], capture_output=True, check=False)
            print(f"`hwaccept rma {what}` over {stored} runs: "
                  f"{time.perf_counter() - began:.1f} s, {children_cpu() - cpu:.1f} s of "
                  f"processor time (exit {done.returncode}; target < 10 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
