"""The fleet report's plots: yield over time, failure rates by slot, failures by code.

Drawn by matplotlib as inline SVG (hwaccept.reports.html_plots.figure_svg), so the page
stays one file that opens offline; every label from the database is cleaned first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from hwaccept.fleet.records import CodeCount, Rate, YieldPoint
from hwaccept.reports.components import natural_key
from hwaccept.reports.html_plots import COLOURS, figure_svg, plot_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FLAGGED = COLOURS["FAIL"]
PLAIN = "#5c6bc0"
MOST_SKUS = 8
"""SKUs drawn in the yield plot (those with most runs); the table lists all."""


def _days(points: Sequence[YieldPoint]) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    return np.array([p.period for p in points], dtype="datetime64[D]")


def _yield_draw(axes: Axes, points: Sequence[YieldPoint], period: str) -> None:
    by_sku: dict[str, list[YieldPoint]] = {}
    for point in points:
        by_sku.setdefault(point.sku, []).append(point)
    busiest = sorted(by_sku, key=lambda sku: -sum(p.runs for p in by_sku[sku]))[:MOST_SKUS]
    for sku in sorted(busiest):
        shown = [p for p in by_sku[sku] if p.first_pass_yield is not None]
        line = axes.plot(_days(by_sku[sku]),
                         [100 * p.run_yield for p in by_sku[sku]], linestyle=":",
                         linewidth=1, marker="")
        axes.plot(_days(shown), [100 * (p.first_pass_yield or 0) for p in shown],
                  color=line[0].get_color(), marker="o", markersize=3, linewidth=1.5,
                  label=plot_label(sku))
    axes.set_ylim(0, 102)
    axes.set_ylabel("% accepted")
    axes.set_title(f"First-pass yield per {period} (solid); all runs (dotted)", fontsize=10)
    for label in axes.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    axes.grid(axis="y", color="#e0e0e0")
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def yield_svg(points: Sequence[YieldPoint], period: str, key: str) -> str:
    """Lines of first-pass and run yield over time, one colour per SKU."""
    return figure_svg(lambda axes: _yield_draw(axes, points, period), (8.0, 3.2), key,
                      f"acceptance yield per SKU per {period}")


def _rate_draw(axes: Axes, title: str, rates: Sequence[Rate], names: Sequence[str]) -> None:
    positions = list(range(len(rates)))
    bars = axes.bar(positions, [100 * r.rate for r in rates], width=0.6,
                    color=[FLAGGED if r.flagged else PLAIN for r in rates])
    axes.bar_label(bars, labels=[f"{r.failed}/{r.tested}" for r in rates], fontsize=6,
                   padding=2)
    tested = sum(r.tested for r in rates)
    if tested:
        axes.axhline(100 * sum(r.failed for r in rates) / tested, color="#424242",
                     linestyle="--", linewidth=1, label="all slots")
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    turn = len(rates) > 8 or max((len(n) for n in names), default=0) > 10
    axes.set_xticks(positions, [plot_label(n) for n in names], rotation=40 if turn else 0,
                    ha="right" if turn else "center", fontsize=7)
    axes.set_ylabel("% of part-runs failed")
    axes.set_title(plot_label(title), fontsize=10)
    axes.margins(y=0.2)


def slot_svg(sku: str, kind: str, rates: Sequence[Rate], key: str) -> str:
    """A bar per slot position of one kind in one SKU: its failure rate, clusters in red."""
    ordered = sorted(rates, key=lambda r: natural_key(r.key[2]))
    return figure_svg(
        lambda axes: _rate_draw(axes, f"{sku}: {kind} failures by slot", ordered,
                                [r.key[2] for r in ordered]),
        (max(4.0, 0.45 * len(ordered) + 2.2), 2.8), key,
        f"{sku}: share of {kind} part-runs that failed, per slot position")


def firmware_svg(kind: str, model: str, rates: Sequence[Rate], key: str) -> str:
    """A bar per firmware version of one model: its failure rate, clusters in red."""
    ordered = sorted(rates, key=lambda r: r.key[2])
    return figure_svg(
        lambda axes: _rate_draw(axes, f"{model}: failures by firmware", ordered,
                                [r.key[2] for r in ordered]),
        (max(4.0, 0.6 * len(ordered) + 2.2), 2.8), key,
        f"{model} ({kind}): share of part-runs that failed, per firmware version")


def _codes_draw(axes: Axes, found: Sequence[CodeCount]) -> None:
    shown = list(reversed(found))
    bars = axes.barh(range(len(shown)), [c.failed for c in shown], color=FLAGGED, height=0.6)
    axes.bar_label(bars, fontsize=7, padding=2)
    axes.set_yticks(range(len(shown)), [plot_label(c.code) for c in shown], fontsize=7)
    axes.set_xlabel("failed part-runs")
    axes.set_title("Failures by code", fontsize=10)
    axes.margins(x=0.15)


def codes_svg(found: Sequence[CodeCount], key: str) -> str:
    """Horizontal bars of the most frequent failure codes."""
    return figure_svg(lambda axes: _codes_draw(axes, found),
                      (6.0, 0.25 * len(found) + 1.0), key, "failed part-runs per failure code")
