"""GPU memory health: ECC counts, retired pages, row remapping.

Profile keys `gpus.ecc`, `gpus.retired_pages` and `gpus.row_remap`.

Each check gives one finding per GPU, the worst of its counters. Counters above their
maxima and a failed remap send the GPU back; a retirement or remap waiting for a reset asks
for one (NVIDIA's memory error guide: pending remaps take effect at the next GPU reset). GPUs
since Ampere remap rows instead of retiring pages, so NVML gives no retired pages there.
"""

from __future__ import annotations

from hwaccept.inventory.records import Gpu
from hwaccept.profiles.schema import Gpus

from .findings import Judgment, Outcome, failed, passed, worst
from .gpus import gpu_check, missing
from .registry import AnyCheck, Context

ECC_COUNTERS = (
    ("volatile_dbe", "volatile uncorrectable (DBE)", "GPU_ECC_DBE"),
    ("aggregate_dbe", "aggregate uncorrectable (DBE)", "GPU_ECC_DBE"),
    ("volatile_sbe", "volatile correctable (SBE)", "GPU_ECC_SBE"),
    ("aggregate_sbe", "aggregate correctable (SBE)", "GPU_ECC_SBE"),
)


def at_most(gpu: Gpu, label: str, value: int | None, most: int, *, code: str) -> Judgment:
    """A counter against its maximum."""
    if value is None:
        return missing(gpu, label)
    if value > most:
        return failed(f"{label} {value}, at most {most} allowed", code)
    return passed(f"{label} {value}")


def allowed_flag(gpu: Gpu, label: str, value: bool | None, allowed: bool, *,
                 code: str) -> Judgment:
    """A state (pending, failed) the profile may forbid."""
    if value is None:
        return missing(gpu, label)
    if value and not allowed:
        return failed(label, code)
    return passed(f"{label}: {'yes (allowed)' if value else 'no'}")


def measured_expected(pairs: list[tuple[str, object, object]]) -> tuple[str, str]:
    """`a=1, b=0` and `a<=0, b<=0` from (name, value, most) triples."""
    def show(value: object) -> str:
        return "?" if value is None else str(value).lower()
    return (", ".join(f"{name}={show(value)}" for name, value, _ in pairs),
            ", ".join(f"{name}<={most}" if not isinstance(most, bool) else
                      f"{name} {'allowed' if most else 'not allowed'}"
                      for name, _, most in pairs))


def _ecc(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    judged: list[Judgment] = []
    pairs: list[tuple[str, object, object]] = []
    for name, label, code in ECC_COUNTERS:
        most = getattr(spec.ecc, f"{name}_max", None)
        if most is not None:
            value = getattr(gpu.ecc, name)
            judged.append(at_most(gpu, label, value, most, code=code))
            pairs.append((name, value, most))
    measured, expected = measured_expected(pairs)
    return Outcome(worst(judged), measured, expected)


def _retired_pages(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    rules = spec.retired_pages
    if rules is None:
        raise LookupError("gpu_retired_pages judged without `retired_pages`")
    judged: list[Judgment] = []
    pairs: list[tuple[str, object, object]] = []
    if rules.dbe_max is not None:
        judged.append(at_most(gpu, "pages retired for DBEs", gpu.retired_pages_dbe,
                              rules.dbe_max, code="GPU_RETIRED_PAGES_DBE"))
        pairs.append(("dbe", gpu.retired_pages_dbe, rules.dbe_max))
    if rules.sbe_max is not None:
        judged.append(at_most(gpu, "pages retired for SBEs", gpu.retired_pages_sbe,
                              rules.sbe_max, code="GPU_RETIRED_PAGES_SBE"))
        pairs.append(("sbe", gpu.retired_pages_sbe, rules.sbe_max))
    if rules.pending_allowed is not None:
        judged.append(allowed_flag(gpu, "page retirement pending", gpu.retired_pages_pending,
                                   rules.pending_allowed, code="GPU_RETIRED_PAGES_PENDING"))
        pairs.append(("pending", gpu.retired_pages_pending, rules.pending_allowed))
    measured, expected = measured_expected(pairs)
    return Outcome(worst(judged), measured, expected)


def _row_remap(spec: Gpus, gpu: Gpu, _context: Context) -> Outcome:
    rules = spec.row_remap
    if rules is None:
        raise LookupError("gpu_row_remap judged without `row_remap`")
    rows = gpu.remapped_rows
    if rows is None:
        return Outcome(missing(gpu, "row remapping state"))
    judged: list[Judgment] = []
    pairs: list[tuple[str, object, object]] = []
    if rules.failure_allowed is not None:
        judged.append(allowed_flag(gpu, "row remap failed", rows.failure, rules.failure_allowed,
                                   code="GPU_ROW_REMAP_FAILURE"))
        pairs.append(("failure", rows.failure, rules.failure_allowed))
    if rules.uncorrectable_max is not None:
        judged.append(at_most(gpu, "rows remapped for uncorrectable errors", rows.uncorrectable,
                              rules.uncorrectable_max, code="GPU_ROW_REMAP_UNCORRECTABLE"))
        pairs.append(("uncorrectable", rows.uncorrectable, rules.uncorrectable_max))
    if rules.correctable_max is not None:
        judged.append(at_most(gpu, "rows remapped for correctable errors", rows.correctable,
                              rules.correctable_max, code="GPU_ROW_REMAP_CORRECTABLE"))
        pairs.append(("correctable", rows.correctable, rules.correctable_max))
    if rules.pending_allowed is not None:
        judged.append(allowed_flag(gpu, "row remap pending (needs a GPU reset)", rows.pending,
                                   rules.pending_allowed, code="GPU_ROW_REMAP_PENDING"))
        pairs.append(("pending", rows.pending, rules.pending_allowed))
    measured, expected = measured_expected(pairs)
    return Outcome(worst(judged), measured, expected)


CHECKS: tuple[AnyCheck, ...] = (
    gpu_check("gpu_ecc", "ECC error counts against `ecc` maxima", ("ecc",), _ecc),
    gpu_check("gpu_retired_pages", "retired pages against `retired_pages`",
              ("retired_pages",), _retired_pages),
    gpu_check("gpu_row_remap", "row remapper state against `row_remap`", ("row_remap",),
              _row_remap),
)
