"""GPUs watched under load: sampled for real on a thread, judged, and compared before/after."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from hwaccept.burnin.gpu_errors import error_deltas, new_xid_events, new_xids
from hwaccept.burnin.load_verdicts import load_findings
from hwaccept.burnin.monitor import GpuLoadMonitor, Sample
from hwaccept.burnin.samples_text import (
    MAX_SAMPLES,
    limit_property,
    parse_samples,
    samples_property,
    thin,
)
from hwaccept.checks.catalog import BURNIN_CODES, Action, entry
from hwaccept.checks.findings import Finding, Verdict
from hwaccept.checks.parts import gpu_part
from hwaccept.inventory.records import EccCounts, Gpu, RemappedRows
from hwaccept.sources.nvml import (
    GPU_IS_LOST,
    NOT_SUPPORTED,
    Nvml,
    NvmlAbsent,
    NvmlGpuFailed,
    NvmlStatus,
)
from tests.corpus import corpus

TICK = 0.01
H100 = "NVIDIA H100 80GB HBM3"
GPU0 = Gpu(index=0, serial="1650124031592", pci_address="0000:19:00.0", name=H100,
           ecc=EccCounts(0, 0, 0, 0), retired_pages_sbe=0, retired_pages_dbe=0,
           retired_pages_pending=False, remapped_rows=RemappedRows(0, 0, False, False),
           power_limit_w=700.0)
GPU4 = Gpu(index=4, serial="1650124030635", pci_address="0000:9b:00.0", name=H100)
PART = gpu_part(GPU0)
TEMPERATURE = ("nvmlDeviceGetTemperature", 0)
POWER = ("nvmlDeviceGetPowerUsage",)
REASONS = ("nvmlDeviceGetCurrentClocksEventReasons",)
OLD_REASONS = ("nvmlDeviceGetCurrentClocksThrottleReasons",)

Script = Mapping[tuple[Any, ...], Sequence[object]]


class ScriptedNvml:
    """NVML whose answers change call by call, as a GPU's do while it warms up under load.

    Each GPU has, per call, a list of answers: the n-th call gets the n-th (the last one
    again once they run out); an exception in the list is raised. Calls are recorded.
    """

    def __init__(self, scripts: Mapping[int, Script]) -> None:
        self.scripts = scripts
        self.calls: list[tuple[int, str]] = []
        self._made: dict[tuple[int, tuple[Any, ...]], int] = {}
        self._lock = threading.Lock()

    def status(self) -> NvmlStatus:
        return NvmlStatus(True)

    def system(self, fn: str, *args: int) -> Any:
        raise NvmlAbsent(NOT_SUPPORTED, fn)

    def device(self, index: int, fn: str, *args: int) -> Any:
        with self._lock:
            self.calls.append((index, fn))
            key = (fn, *args)
            answers = self.scripts.get(index, {}).get(key)
            if not answers:
                raise NvmlAbsent(NOT_SUPPORTED, fn)
            made = self._made.get((index, key), 0)
            self._made[(index, key)] = made + 1
        answer = answers[min(made, len(answers) - 1)]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def warming(start: int, steps: int) -> list[int]:
    return [start + 5 * n for n in range(steps)]


def test_the_fake_is_typed_as_the_seam() -> None:
    nvml: Nvml = ScriptedNvml({})
    assert nvml.status().available


def test_each_gpu_is_sampled_from_start_to_stop_as_its_values_change() -> None:
    nvml = ScriptedNvml({
        0: {TEMPERATURE: warming(40, 6), POWER: [120500, 410200, 690000],
            REASONS: [0x1, 0x4, 0x4 | 0x40]},
        3: {TEMPERATURE: [35], POWER: [90000], REASONS: [0x0]},
    })
    with GpuLoadMonitor(nvml, [0, 3], interval=TICK) as monitor:
        time.sleep(20 * TICK)
    samples = monitor.samples(0)
    assert len(samples) >= 4
    assert samples[0].seconds < TICK
    assert [s.seconds for s in samples] == sorted(s.seconds for s in samples)
    assert samples[:3] == (
        Sample(samples[0].seconds, 40.0, 120.5, ("gpu_idle",)),
        Sample(samples[1].seconds, 45.0, 410.2, ("sw_power_cap",)),
        Sample(samples[2].seconds, 50.0, 690.0, ("sw_power_cap", "hw_thermal_slowdown")),
    )
    assert samples[-1].temperature_c == 65.0
    assert {s.temperature_c for s in monitor.samples(3)} == {35.0}
    assert (monitor.lost(0), monitor.lost(3)) == (None, None)
    assert {fn for _, fn in nvml.calls} >= {TEMPERATURE[0], POWER[0], REASONS[0]}


def test_a_load_shorter_than_the_interval_has_a_start_and_a_stop_sample() -> None:
    nvml = ScriptedNvml({1: {TEMPERATURE: [38, 52], POWER: [100000, 650000]}})
    started = time.monotonic()
    with GpuLoadMonitor(nvml, [1], interval=60.0) as monitor:
        pass
    assert time.monotonic() - started < 5.0
    assert [(s.temperature_c, s.power_w) for s in monitor.samples(1)] == [(38.0, 100.0),
                                                                          (52.0, 650.0)]


def test_a_value_the_gpu_does_not_give_is_none() -> None:
    nvml = ScriptedNvml({2: {TEMPERATURE: [41], POWER: [NvmlAbsent(NOT_SUPPORTED)],
                             OLD_REASONS: [0x4]}})
    with GpuLoadMonitor(nvml, [2], interval=TICK) as monitor:
        time.sleep(3 * TICK)
    assert {(s.temperature_c, s.power_w, s.throttle) for s in monitor.samples(2)} == {
        (41.0, None, ("sw_power_cap",))}
    assert monitor.lost(2) is None


def test_a_gpu_that_stops_answering_is_read_no_more_and_the_others_go_on() -> None:
    gone = NvmlGpuFailed(GPU_IS_LOST, "GPU fell off the bus")
    nvml = ScriptedNvml({0: {TEMPERATURE: [40, 41, gone], POWER: [300000]},
                         5: {TEMPERATURE: [44], POWER: [310000]}})
    with GpuLoadMonitor(nvml, [0, 5], interval=TICK) as monitor:
        time.sleep(15 * TICK)
    assert [s.temperature_c for s in monitor.samples(0)] == [40.0, 41.0]
    lost = monitor.lost(0)
    assert lost is not None
    assert lost.startswith("nvmlDeviceGetTemperature: GPU_IS_LOST, ")
    assert lost.endswith(" s into the load")
    calls_to_lost = [fn for index, fn in nvml.calls if index == 0]
    assert calls_to_lost.count(TEMPERATURE[0]) == 3
    assert len(monitor.samples(5)) > 3
    assert monitor.lost(5) is None


def test_a_crash_of_the_sampling_thread_is_raised_on_exit() -> None:
    nvml = ScriptedNvml({0: {TEMPERATURE: [40, ValueError("a bug, not a GPU fault")]}})
    with pytest.raises(RuntimeError, match="GPU load monitor stopped: ValueError"), \
            GpuLoadMonitor(nvml, [0], interval=TICK):
        time.sleep(5 * TICK)


def test_an_unwatched_gpu_is_a_key_error() -> None:
    monitor = GpuLoadMonitor(ScriptedNvml({}), [0])
    with pytest.raises(KeyError):
        monitor.samples(1)


def series(*rows: tuple[float, float | None, float | None, tuple[str, ...] | None],
           ) -> list[Sample]:
    return [Sample(*row) for row in rows]


STEADY = series((0.0, 41.0, 120.5, ("gpu_idle",)), (1.0, 66.0, 650.0, ("sw_power_cap",)),
                (2.0, 78.0, 699.9, ("sw_power_cap",)), (3.0, 77.0, 698.0, ()))
HOT = series((0.0, 45.0, 200.0, ()), (30.0, 88.0, 700.0, ("sw_power_cap",)),
             (60.0, 91.0, 720.5, ("sw_power_cap", "hw_thermal_slowdown")),
             (90.0, 91.0, 701.0, ("sw_power_cap", "hw_thermal_slowdown")))


def by_check(findings: Sequence[Finding]) -> dict[str, Finding]:
    assert len({f.check for f in findings}) == len(findings)
    return {f.check: f for f in findings}


def test_a_steady_load_passes_every_kind() -> None:
    found = by_check(load_findings(PART, STEADY, 85, 700.0, None))
    assert found == {
        "gpu_temperature_under_load": Finding(
            "gpu_temperature_under_load", "gpu", "gpu", "1650124031592", "GPU 0", Verdict.PASS,
            "hottest 78 C under load, at 2.0 s of 3.0 s, at most 85 C allowed", "78", "<= 85",
            "C", "1650124031592", "0000:19:00.0", None, H100, who="gpu0"),
        "gpu_throttle_under_load": Finding(
            "gpu_throttle_under_load", "gpu", "gpu", "1650124031592", "GPU 0", Verdict.PASS,
            "no hardware, thermal or power-brake slowdown in 4 samples; also gpu_idle in 1, "
            "sw_power_cap in 2 (recorded, not judged)", "gpu_idle x1, sw_power_cap x2",
            "none of hw_slowdown, sw_thermal_slowdown, hw_thermal_slowdown, "
            "hw_power_brake_slowdown", None, "1650124031592", "0000:19:00.0", None, H100,
            who="gpu0"),
        "gpu_power_under_load": Finding(
            "gpu_power_under_load", "gpu", "gpu", "1650124031592", "GPU 0", Verdict.PASS,
            "highest draw 699.9 W under load, at 2.0 s, enforced limit 700 W", "699.9",
            "<= 700", "W", "1650124031592", "0000:19:00.0", None, H100, who="gpu0"),
    }


def test_a_hot_throttled_load_over_its_power_limit_is_judged() -> None:
    found = by_check(load_findings(PART, HOT, 85, 700.0, None))
    hot, slowed, power = (found["gpu_temperature_under_load"], found["gpu_throttle_under_load"],
                          found["gpu_power_under_load"])
    assert (hot.verdict, hot.failure_code, hot.action, hot.measured) == (
        Verdict.FAIL, "GPU_HOT_UNDER_LOAD", Action.INSPECT, "91")
    assert hot.message == ("hottest 91 C under load, at 60.0 s of 90.0 s, above 85 C in 3 of 4 "
                           "samples")
    assert (slowed.verdict, slowed.failure_code) == (Verdict.FAIL, "GPU_THROTTLED_UNDER_LOAD")
    assert slowed.message == ("clocks slowed down under load: hw_thermal_slowdown in 2 of 4 "
                              "samples, first at 60.0 s; also sw_power_cap in 3 (recorded, not "
                              "judged)")
    assert (power.verdict, power.failure_code, power.action, power.measured) == (
        Verdict.WARN, "GPU_POWER_OVER_LIMIT", Action.INSPECT, "720.5")
    assert power.message == ("highest draw 720.5 W under load, at 60.0 s, above the enforced "
                             "limit 700 W in 2 of 4 samples")


@pytest.mark.parametrize("reason", ["hw_slowdown", "sw_thermal_slowdown",
                                    "hw_power_brake_slowdown"])
def test_every_hardware_or_thermal_slowdown_fails(reason: str) -> None:
    samples = series((0.0, 50.0, 300.0, (reason,)))
    slowed = by_check(load_findings(PART, samples, None, None, None))["gpu_throttle_under_load"]
    assert (slowed.verdict, slowed.failure_code) == (Verdict.FAIL, "GPU_THROTTLED_UNDER_LOAD")


def test_without_limits_the_peaks_are_recorded() -> None:
    found = by_check(load_findings(PART, STEADY, None, None, None))
    assert [(f.verdict, f.measured, f.expected) for f in found.values()] == [
        (Verdict.PASS, "78", None), (Verdict.PASS, "gpu_idle x1, sw_power_cap x2",
                                     found["gpu_throttle_under_load"].expected),
        (Verdict.PASS, "699.9", None)]
    assert found["gpu_temperature_under_load"].message.endswith(
        "the profile sets no burnin.gpu.temperature_max_c")


def test_values_never_read_are_unknown_against_a_limit_and_absent_without_one() -> None:
    blind = series((0.0, None, None, None), (1.0, None, None, None))
    with_limits = by_check(load_findings(PART, blind, 85, 700.0, None))
    assert [(c, f.verdict, f.message) for c, f in with_limits.items()] == [
        ("gpu_temperature_under_load", Verdict.UNKNOWN, "no temperature was read during the load"),
        ("gpu_throttle_under_load", Verdict.UNKNOWN,
         "no clock event reasons were read during the load (2 samples)"),
        ("gpu_power_under_load", Verdict.UNKNOWN, "no power draw was read during the load")]
    assert [f.check for f in load_findings(PART, [], None, None, None)] == [
        "gpu_throttle_under_load"]
    assert load_findings(PART, [], None, None, None)[0].verdict is Verdict.UNKNOWN


def test_only_samples_whose_reasons_were_read_are_judged() -> None:
    """A sample NVML gave no reasons for is not one without a slowdown."""
    gaps = series((0.0, 50.0, 300.0, ()), (1.0, 60.0, 500.0, None), (2.0, 62.0, 510.0, None))
    slowed = by_check(load_findings(PART, gaps, None, None, None))["gpu_throttle_under_load"]
    assert (slowed.verdict, slowed.measured, slowed.message) == (
        Verdict.PASS, "none", "no hardware, thermal or power-brake slowdown in 1 samples; "
        "reasons unreadable in 2 of 3 samples")
    gaps.append(Sample(3.0, 63.0, 520.0, ("hw_slowdown",)))
    slowed = by_check(load_findings(PART, gaps, None, None, None))["gpu_throttle_under_load"]
    assert (slowed.verdict, slowed.message) == (
        Verdict.FAIL, "clocks slowed down under load: hw_slowdown in 1 of 2 samples, first at "
        "3.0 s; reasons unreadable in 2 of 4 samples")


def test_a_gpu_lost_during_the_load_fails() -> None:
    found = by_check(load_findings(PART, STEADY[:2], 85, 700.0,
                                   "nvmlDeviceGetPowerUsage: GPU_IS_LOST, 1.5 s into the load"))
    lost = found["gpu_lost_under_load"]
    assert (lost.verdict, lost.failure_code, lost.action, lost.measured, lost.expected) == (
        Verdict.FAIL, "GPU_LOST", Action.RESEAT, "lost", "answers")
    assert lost.message == ("stopped answering NVML during the load (nvmlDeviceGetPowerUsage: "
                            "GPU_IS_LOST, 1.5 s into the load); last sample at 1.0 s")
    assert found["gpu_temperature_under_load"].verdict is Verdict.PASS


def test_the_codes_given_under_load_are_in_the_catalog() -> None:
    assert {"GPU_HOT_UNDER_LOAD", "GPU_THROTTLED_UNDER_LOAD", "GPU_POWER_OVER_LIMIT"} \
        <= BURNIN_CODES
    assert entry("GPU_POWER_OVER_LIMIT").action is Action.INSPECT


def test_samples_travel_as_compact_text_and_come_back() -> None:
    name, text = samples_property(STEADY + series((4.0, None, 640.25, ()), (5.5, 70.0, None, ())))
    assert name == "samples"
    assert text == "0:41:120.5;1:66:650;2:78:699.9;3:77:698;4::640.2;5.5:70:"
    assert parse_samples(text) == [
        Sample(0.0, 41.0, 120.5, ()), Sample(1.0, 66.0, 650.0, ()), Sample(2.0, 78.0, 699.9, ()),
        Sample(3.0, 77.0, 698.0, ()), Sample(4.0, None, 640.2, ()), Sample(5.5, 70.0, None, ())]


def test_the_temperature_limit_travels_beside_the_samples() -> None:
    assert limit_property(85) == ("temperature_max_c", "85")
    assert limit_property(87.5) == ("temperature_max_c", "87.5")


def test_a_four_hour_burnin_is_thinned_keeping_its_peaks() -> None:
    hours = [Sample(float(s), 60.0 + (s % 7), 600.0 + (s % 11), ()) for s in range(4 * 3600)]
    hours[9001] = Sample(9001.0, 93.0, 640.0, ())
    hours[12345] = Sample(12345.0, 70.0, 735.5, ())
    kept = thin(hours)
    assert len(kept) <= MAX_SAMPLES
    assert [s.seconds for s in kept] == sorted(s.seconds for s in kept)
    assert hours[9001] in kept
    assert hours[12345] in kept
    assert kept[-1].seconds > 4 * 3600 - 60
    _, text = samples_property(hours)
    assert len(text) < 12_000
    back = parse_samples(text)
    assert max(s.temperature_c or 0 for s in back) == 93.0
    assert max(s.power_w or 0 for s in back) == 735.5


def test_bad_sample_text_gives_what_it_can() -> None:
    text = "0:41:120.5;x:1:2;3::;4:nan:inf;5:abc;;6;7:50:300:extra;-1e400:1:1;\x00"
    assert parse_samples(text) == [
        Sample(0.0, 41.0, 120.5, ()), Sample(3.0, None, None, ()), Sample(4.0, None, None, ()),
        Sample(5.0, None, None, ()), Sample(6.0, None, None, ()), Sample(7.0, 50.0, 300.0, ())]
    assert parse_samples("") == []


def after_load(**changes: Any) -> Gpu:
    fields = {"ecc": GPU0.ecc, "remapped_rows": GPU0.remapped_rows, **changes}
    return Gpu(**{**{k: getattr(GPU0, k) for k in ("index", "serial", "pci_address", "name",
                                                   "retired_pages_sbe", "retired_pages_dbe",
                                                   "retired_pages_pending")}, **fields})


def test_no_new_errors_is_one_pass_naming_what_was_compared() -> None:
    [finding] = error_deltas(PART, GPU0, after_load())
    assert (finding.check, finding.verdict, finding.measured, finding.expected) == (
        "gpu_errors_under_load", Verdict.PASS, "none", "no new errors")
    assert finding.message == (
        "no new errors: volatile_dbe 0, volatile_sbe 0, retired_pages_dbe 0, retired_pages_sbe "
        "0, retired_pages_pending no, remap_uncorrectable 0, remap_correctable 0, "
        "remap_pending no, remap_failure no")


def test_each_new_error_is_a_finding_with_the_acceptance_code() -> None:
    after = after_load(ecc=EccCounts(volatile_sbe=14, volatile_dbe=2, aggregate_sbe=14,
                                     aggregate_dbe=2),
                       remapped_rows=RemappedRows(0, 1, True, False), retired_pages_pending=True)
    found = [(f.verdict, f.failure_code, f.action, f.measured, f.expected, f.message)
             for f in error_deltas(PART, GPU0, after)]
    assert found == [
        (Verdict.FAIL, "GPU_ECC_DBE", Action.RMA_GPU, "volatile_dbe=2", "volatile_dbe<=0",
         "uncorrectable (DBE) ECC errors 0 → 2 during the load"),
        (Verdict.WARN, "GPU_ECC_SBE", Action.RMA_GPU, "volatile_sbe=14", "volatile_sbe<=0",
         "corrected (SBE) ECC errors 0 → 14 during the load"),
        (Verdict.FAIL, "GPU_RETIRED_PAGES_PENDING", Action.RESET_GPU,
         "retired_pages_pending=yes", "retired_pages_pending=no",
         "page retirement pending no → yes during the load"),
        (Verdict.FAIL, "GPU_ROW_REMAP_UNCORRECTABLE", Action.RMA_GPU, "remap_uncorrectable=1",
         "remap_uncorrectable<=0", "rows remapped for uncorrectable errors 0 → 1 during the load"),
        (Verdict.FAIL, "GPU_ROW_REMAP_PENDING", Action.RESET_GPU, "remap_pending=yes",
         "remap_pending=no", "row remap pending (needs a GPU reset) no → yes during the load"),
    ]


def test_a_failed_remap_and_new_retired_pages_are_found() -> None:
    after = after_load(remapped_rows=RemappedRows(3, 0, False, True), retired_pages_dbe=1)
    assert [(f.verdict, f.failure_code) for f in error_deltas(PART, GPU0, after)] == [
        (Verdict.FAIL, "GPU_RETIRED_PAGES_DBE"), (Verdict.WARN, "GPU_ROW_REMAP_CORRECTABLE"),
        (Verdict.FAIL, "GPU_ROW_REMAP_FAILURE")]


def test_the_aggregate_count_stands_in_for_a_volatile_one_never_read() -> None:
    before = Gpu(index=0, ecc=EccCounts(aggregate_dbe=3))
    after = Gpu(index=0, ecc=EccCounts(aggregate_dbe=4))
    [finding] = error_deltas(PART, before, after)
    assert (finding.failure_code, finding.message) == (
        "GPU_ECC_DBE", "uncorrectable (DBE) ECC errors 3 → 4 during the load")


def test_counters_that_fell_or_were_never_read_are_unknown() -> None:
    [fell] = error_deltas(PART, after_load(ecc=EccCounts(0, 5, 0, 5)), GPU0)
    assert fell.verdict is Verdict.UNKNOWN
    assert fell.message.startswith("counters fell during the load (volatile_dbe 5 → 0): the GPU "
                                   "or its driver was reset")
    [blind] = error_deltas(PART, Gpu(index=0), Gpu(index=0, failed="GPU_IS_LOST"))
    assert blind.verdict is Verdict.UNKNOWN
    assert blind.message.startswith("no error counter was read both before and after the load; "
                                    "not known: volatile_dbe, volatile_sbe")


XID_48_LOG = corpus("kmsg/gpud_dmesg_xid48-dbe_xid63-row-remap_xid94.log")
XID_119_LOG = corpus("kmsg/gpud_dmesg_H100-XE9680_xid119-gsp-timeout.log")


def log_cut(path: Any, lines: int) -> tuple[str, str]:
    """The log as read before the load (its first `lines` lines) and after (all of it)."""
    text = path.read_text(encoding="utf-8")
    return "".join(text.splitlines(keepends=True)[:lines]), text


def test_xids_logged_during_the_load_fail_their_gpu() -> None:
    before, after = log_cut(XID_48_LOG, 10)
    [gpu0, gpu4] = new_xids(before, after, [GPU0, GPU4])
    assert (gpu0.check, gpu0.verdict, gpu0.failure_code, gpu0.action) == (
        "gpu_xid_under_load", Verdict.FAIL, "GPU_XID_48", Action.RESET_GPU)
    assert gpu0.measured == "Xid 48 x1, Xid 63 x1, Xid 94 x9"
    assert gpu0.message == ("new during the load: fail: Xid 48 x1 (Double Bit ECC Error), Xid 94 "
                            "x9 (Contained memory error); warn: Xid 63 x1 (GPU memory remapping "
                            "event)")
    assert (gpu0.serial, gpu0.bdf, gpu0.who) == ("1650124031592", "0000:19:00.0", "gpu0")
    assert (gpu4.verdict, gpu4.message, gpu4.measured) == (Verdict.PASS,
                                                           "no new Xid during the load", "none")


def test_xids_logged_before_the_load_are_not_new() -> None:
    before, after = log_cut(XID_119_LOG, 37)
    found = new_xid_events(before, after)
    assert [(e.device, e.code) for e in found] == [("0000:9b:00.0", "119")] * 4
    assert found[0].timestamp == "2025-02-23T16:24:24"
    [gpu4] = new_xids(before, after, [GPU4])
    assert (gpu4.verdict, gpu4.failure_code, gpu4.measured) == (Verdict.FAIL, "GPU_XID_119",
                                                                "Xid 119 x4")
    _, whole = log_cut(XID_119_LOG, 0)
    assert new_xid_events(whole, whole) == []
    assert [f.verdict for f in new_xids(whole, whole, [GPU4])] == [Verdict.PASS]


def test_the_profile_lists_decide_over_the_catalog() -> None:
    before, after = log_cut(XID_48_LOG, 10)
    [gpu0] = new_xids(before, after, [GPU0], warn=[48, 94])
    assert (gpu0.verdict, gpu0.failure_code) == (Verdict.WARN, "GPU_XID_48")
    [gpu0] = new_xids(before, after, [GPU0], fail=[63], warn=[48, 94])
    assert (gpu0.verdict, gpu0.failure_code) == (Verdict.FAIL, "GPU_XID_63")


def test_xids_of_other_gpus_are_left_to_them_unless_strays_are_asked_for() -> None:
    before, after = log_cut(XID_48_LOG, 10)
    assert [f.verdict for f in new_xids(before, after, [GPU4])] == [Verdict.PASS]
    [gpu4, stray] = new_xids(before, after, [GPU4], strays=True)
    assert (stray.component_id, stray.name, stray.bdf, stray.verdict, stray.failure_code) == (
        "0000:19:00.0", "GPU at 0000:19:00.0", "0000:19:00.0", Verdict.FAIL, "GPU_XID_48")
    assert gpu4.verdict is Verdict.PASS
