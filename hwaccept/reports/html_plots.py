"""Plots of measurements against their limits, as SVG to inline in a report.

Bar charts of a check across components (`limit_plot_svg`), and GPU temperatures over a
burn-in, a line per GPU under its limit (`temperature_plot_svg`).

matplotlib draws them, imported only when there is something to plot: on a `Figure` of
its own, saved as SVG, so neither pyplot's global state (its backend, its open figures)
nor a display is involved.
Text stays text (`svg.fonttype: none`), which keeps the plots small and their labels
searchable; labels are cleaned of control characters, and matplotlib escapes them as XML.
Each plot's ids get a prefix of their own, since its clip paths and markers are found by
id and several plots share one page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from hwaccept.checks.findings import Verdict
from hwaccept.reports.html_text import clean, text
from hwaccept.reports.load_samples import Series
from hwaccept.reports.measurements import Measurement

if TYPE_CHECKING:
    from matplotlib.axes import Axes

COLOURS = {
    Verdict.PASS.value: "#2e7d32", Verdict.MARGINAL.value: "#f9a825",
    Verdict.WARN.value: "#ef6c00", Verdict.FAIL.value: "#c62828",
    Verdict.WAIVED.value: "#607d8b", Verdict.UNKNOWN.value: "#9e9e9e",
}
"""Bar colours by verdict (the report's tables use the same)."""
LineStyle = Literal["-", "--", ":"]
LIMIT_STYLES: tuple[tuple[str, str, str, LineStyle], ...] = (
    ("low", "min", "#1565c0", "--"), ("high", "max", "#b71c1c", "-"),
    ("marginal_low", "marginal", "#f9a825", ":"), ("marginal_high", "marginal", "#f9a825", ":"))
"""For each bound of a `Limit`: its legend word, colour and line style."""
_TAG = re.compile(r"<[^<>]+>")


def plot_label(value: object) -> str:
    """A string as a plot label: cleaned, and a `$` kept literal (not mathtext)."""
    return clean(value).replace("$", r"\$")


def _legend(word: str, values: set[float], unit: str) -> str:
    return f"{word} {values.pop():g} {unit}".rstrip() if len(values) == 1 else word


def _draw_limits(axes: Axes, items: Sequence[Measurement], unit: str) -> None:
    """Each bound as a segment across its own bar: components may have limits of their own."""
    for field, word, colour, style in LIMIT_STYLES:
        drawn = [(x, y) for x, m in enumerate(items) if (y := getattr(m.limit, field)) is not None]
        if drawn:
            axes.hlines([y for _, y in drawn], [x - 0.45 for x, _ in drawn],
                        [x + 0.45 for x, _ in drawn], colors=colour, linestyles=style,
                        linewidth=1.5, label=_legend(word, {y for _, y in drawn}, unit))


def _draw(axes: Axes, check: str, items: Sequence[Measurement]) -> None:
    positions = list(range(len(items)))
    bars = axes.bar(positions, [m.value for m in items], width=0.6,
                    color=[COLOURS.get(m.verdict, COLOURS["UNKNOWN"]) for m in items])
    axes.bar_label(bars, fmt="%g", fontsize=7, padding=2)
    unit = plot_label(items[0].unit) if len({m.unit for m in items}) == 1 else ""
    _draw_limits(axes, items, unit)
    turn = len(items) > 8 or max(len(m.name) for m in items) > 10
    axes.set_xticks(positions, [plot_label(m.name) for m in items], rotation=40 if turn else 0,
                    ha="right" if turn else "center", fontsize=8)
    axes.set_title(plot_label(check), fontsize=10)
    axes.set_ylabel(unit)
    axes.margins(y=0.15)
    handles, labels = axes.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    axes.legend(unique.values(), unique.keys(), fontsize=7, loc="upper left",
                bbox_to_anchor=(1.01, 1.0), frameon=False)


def inline_svg(svg: str, key: str, label: str) -> str:
    """The `<svg>` element alone, its ids and references prefixed with `key`."""
    body = svg[svg.index("<svg"):]
    body = re.sub(r"<metadata>.*?</metadata>\s*|<!--.*?-->\s*", "", body, flags=re.DOTALL)

    def prefix(tag: re.Match[str]) -> str:
        found = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{key}-{m[1]}"', tag.group())
        found = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{key}-{m[1]})", found)
        return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{key}-{m[1]}"', found)

    body = _TAG.sub(prefix, body)
    return body.replace("<svg ", f'<svg class="hw-plot" role="img" aria-label="{text(label)}" ',
                        1).strip()


def figure_svg(draw: Callable[[Axes], None], size: tuple[float, float], key: str,
               label: str) -> str:
    """One plot drawn by `draw` on a figure of `size` inches, as an inline `<svg>`.

    Args:
        draw: draws on the figure's one set of axes.
        size: width and height in inches.
        key: unique within the page; prefixes the plot's ids.
        label: what the plot shows, for screen readers.

    """
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": key, "font.size": 8}):
        figure = Figure(figsize=size, layout="constrained")
        draw(figure.add_subplot())
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return inline_svg(buffer.getvalue(), key, label)


def limit_plot_svg(check: str, items: Sequence[Measurement], key: str) -> str:
    """A bar per component of `check`'s measured value, with its limits drawn across.

    Args:
        check: the check's name, the plot's title.
        items: its measurements, in the order the bars are drawn.
        key: unique within the page; prefixes the plot's ids.

    """
    return figure_svg(lambda axes: _draw(axes, check, items),
                      (max(4.0, 0.5 * len(items) + 1.8), 3.0), key,
                      f"{check}: measured value of each component against its limits")


MINUTES_FROM = 600.0
"""Seconds of load from which the time axis counts minutes."""
FEW_POINTS = 3
"""A line with fewer points than this gets markers, or a single sample would not show."""
LIMIT_COLOUR = "#b71c1c"


def _draw_series(axes: Axes, title: str, series: Sequence[Series]) -> None:
    from matplotlib import colormaps

    span = max(t for item in series for t, _ in item.points)
    scale = 60.0 if span >= MINUTES_FROM else 1.0
    colours = colormaps["tab10" if len(series) <= 10 else "tab20"]
    for n, item in enumerate(series):
        few = len(item.points) < FEW_POINTS
        axes.plot([t / scale for t, _ in item.points], [c for _, c in item.points],
                  color=colours(n % colours.N), marker="o" if few else "",
                  markersize=3, linewidth=2.0 if item.verdict == Verdict.FAIL.value else 1.2,
                  label=plot_label(item.name))
    for limit in sorted({item.limit for item in series if item.limit is not None}):
        axes.axhline(limit, color=LIMIT_COLOUR, linestyle="-", linewidth=1.5,
                     label=f"max {limit:g} C")
    axes.set_xlabel("minutes under load" if scale > 1 else "seconds under load")
    axes.set_ylabel("C")
    axes.set_title(f"{plot_label(title)}: GPU temperature", fontsize=10)
    axes.grid(color="#e0e0e0")
    axes.margins(y=0.15)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                ncols=2 if len(series) > 10 else 1)


def temperature_plot_svg(title: str, series: Sequence[Series], key: str) -> str:
    """A line per GPU of its temperature over the load, with its limit drawn across.

    Args:
        title: what the load was, the plot's title (the test's name).
        series: the lines, in legend order; at least one.
        key: unique within the page; prefixes the plot's ids.

    """
    return figure_svg(lambda axes: _draw_series(axes, title, series), (7.0, 3.2), key,
                      f"{title}: temperature of each GPU over the load")
