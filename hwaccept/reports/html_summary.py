"""The top of the technician's report: the verdict, the parts to act on, and the machine.

`summary_html(run)` is an HTML fragment with its own scoped style, placed at the top of
pytest-html's report (plugins/hw_html.py); the page rebuilt from an event log
(html_page.py) carries the style in its head and the same `summary_section(run)`.

In order: ACCEPT or REJECT in one word (REJECT when any test failed or errored) and
INCOMPLETE beside it when the run did not finish; one line per part to act on; the
system's identity and profile; a row per component with its worst verdict; the numeric
measurements against their limits, plotted where two components or more share a check, and
the GPUs' temperatures over each burn-in test that recorded them (load_samples.py).
Every string from the run is escaped (html_text.text).
"""

from __future__ import annotations

from collections.abc import Sequence

from hwaccept.checks.findings import Verdict
from hwaccept.reports.components import Component, components, failing
from hwaccept.reports.html_plots import COLOURS, limit_plot_svg, temperature_plot_svg
from hwaccept.reports.html_text import text
from hwaccept.reports.load_samples import Series, load_series, series_groups
from hwaccept.reports.measurements import Measurement, measurements, plot_groups
from hwaccept.reports.model import OUTCOMES, RunReport
from hwaccept.reports.parts import PartToAct, parts_to_act

IDENTITY_ROWS = (("system_serial", "System serial"), ("vendor", "Vendor"),
                 ("product", "Product"), ("hostname", "Hostname"), ("sku", "SKU profile"),
                 ("profile", "Profile"), ("suite_version", "Suite version"),
                 ("started", "Started"), ("finished", "Finished"), ("run_id", "Run id"))
HASH_SHOWN = 16
"""Hex digits of the profile's SHA-256 shown: enough to tell two profiles apart by eye."""

_VERDICT_CSS = "\n".join(
    f".hw-summary .hw-v-{verdict} {{ color: #fff; background: {colour}; }}"
    for verdict, colour in COLOURS.items())
SUMMARY_CSS = """
.hw-summary { color: #1b1b1b; font: 13px/1.4 system-ui, Helvetica, Arial, sans-serif;
  margin: 0 0 1.5em; }
.hw-summary h3 { font-size: 15px; margin: 1.2em 0 0.4em; color: #1b1b1b; }
.hw-summary .hw-verdict { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4em 1em; }
.hw-summary .hw-word { font-size: 44px; font-weight: 800; letter-spacing: 0.06em;
  padding: 0.05em 0.4em; border-radius: 6px; color: #fff; }
.hw-summary .hw-accept { background: #2e7d32; }
.hw-summary .hw-reject { background: #c62828; }
.hw-summary .hw-incomplete { background: #f9a825; color: #1b1b1b; font-size: 30px; }
.hw-summary .hw-counts { width: 100%; margin: 0.3em 0 0; color: #1b1b1b; }
.hw-summary .hw-notice { width: 100%; margin: 0; color: #8a5a00; font-weight: 600; }
.hw-summary ul.hw-parts { margin: 0; padding-left: 1.2em; }
.hw-summary ul.hw-parts li { margin: 0.25em 0; font-size: 14px; }
.hw-summary .hw-code { font-family: ui-monospace, monospace; font-weight: 700; color: #c62828; }
.hw-summary .hw-action { font-family: ui-monospace, monospace; font-weight: 700; }
.hw-summary .hw-why { color: #555; font-size: 12px; }
.hw-summary table { border-collapse: collapse; margin: 0.3em 0; }
.hw-summary th, .hw-summary td { border: 1px solid #ddd; padding: 3px 8px; text-align: left;
  vertical-align: top; color: #1b1b1b; }
.hw-summary th { background: #f2f2f2; }
.hw-summary td.hw-v { font-weight: 700; text-align: center; }
.hw-summary code { font-family: ui-monospace, monospace; }
.hw-summary .hw-plots { display: flex; flex-wrap: wrap; gap: 1em; }
.hw-summary svg.hw-plot { max-width: 100%; height: auto; }
""" + _VERDICT_CSS


def _verdict_cell(verdict: str) -> str:
    style = verdict if verdict in COLOURS else Verdict.UNKNOWN.value
    return f'<td class="hw-v hw-v-{style}">{text(verdict)}</td>'


def _table(headers: Sequence[str], rows: Sequence[str]) -> str:
    head = "".join(f"<th>{text(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _counts(run: RunReport) -> str:
    counts = run.counts()
    shown = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts.get(o))
    return shown or "no test results"


def verdict_html(run: RunReport) -> str:
    """ACCEPT or REJECT in one big word; INCOMPLETE beside it for a run that did not finish."""
    rejected = any(failing(case) for case in run.cases)
    word = ('<span class="hw-word hw-reject">REJECT</span>' if rejected
            else '<span class="hw-word hw-accept">ACCEPT</span>')
    parts = [word]
    if not run.complete:
        parts += ['<span class="hw-word hw-incomplete">INCOMPLETE</span>',
                  '<p class="hw-notice">The run did not finish: only the results recorded '
                  "before it stopped are judged.</p>"]
    parts.append(f'<p class="hw-counts">{text(_counts(run))}</p>')
    parts += [f'<p class="hw-notice">{text(note)}</p>' for note in run.notes]
    return f'<div class="hw-verdict">{"".join(parts)}</div>'


def _part(part: PartToAct) -> str:
    remedies = "; ".join(
        f'<span class="hw-code">{text(codes)}</span>'
        + (f' → <span class="hw-action">{text(action)}</span>' if action else "")
        for codes, action in part.remedies)
    why = "".join(f'<div class="hw-why">{text(m)}</div>' for m in part.messages)
    return f"<li>{text(part.who)} — {remedies}{why}</li>"


def parts_html(parts: Sequence[PartToAct]) -> str:
    """The parts to act on, one line each, or a line saying there are none."""
    if not parts:
        return "<h3>Parts to act on</h3><p>None: no test failed.</p>"
    items = "".join(_part(part) for part in parts)
    return f'<h3>Parts to act on</h3><ul class="hw-parts">{items}</ul>'


def identity_html(identity: dict[str, str]) -> str:
    """The system and the suite: serial, product, profile with its hash, times."""
    values = dict(identity)
    path, digest = values.get("profile_path", ""), values.get("profile_sha256", "")
    if path or digest:
        values["profile"] = path + (f" (sha256 {digest[:HASH_SHOWN]})" if digest else "")
    rows = [f"<tr><th>{label}</th><td>{text(values[key]) if values.get(key) else '—'}</td></tr>"
            for key, label in IDENTITY_ROWS]
    return f'<h3>System</h3><table class="hw-identity"><tbody>{"".join(rows)}</tbody></table>'


def _component_row(c: Component) -> str:
    cells = (c.name, c.kind, c.location, c.serial, c.model, c.firmware)
    return f"<tr>{''.join(f'<td>{text(v)}</td>' for v in cells)}{_verdict_cell(c.verdict)}</tr>"


def components_html(found: Sequence[Component]) -> str:
    """A row per component, its verdict the worst of its cases', colour-coded."""
    if not found:
        return "<h3>Components</h3><p>No test named a component.</p>"
    headers = ("Component", "Kind", "Slot / BDF", "Serial", "Model", "Firmware", "Verdict")
    return "<h3>Components</h3>" + _table(headers, [_component_row(c) for c in found])


def _measurement_row(m: Measurement) -> str:
    unit = f" {m.unit}" if m.unit else ""
    cells = (m.name, m.check, f"{m.value:.12g}{unit}", f"{m.expected}{unit}")
    return f"<tr>{''.join(f'<td>{text(v)}</td>' for v in cells)}{_verdict_cell(m.verdict)}</tr>"


def measurements_html(items: Sequence[Measurement], series: Sequence[Series] = ()) -> str:
    """The numeric measurements against their limits: a table and plots.

    A plot per operating quantity two components or more share, and one per burn-in test
    of its GPUs' temperatures over the load.
    """
    if not items and not series:
        return ""
    table = _table(("Component", "Check", "Measured", "Limit", "Verdict"),
                   [_measurement_row(m) for m in items]) if items else ""
    plots = [limit_plot_svg(check, group, f"hw-plot-{n}")
             for n, (check, group) in enumerate(plot_groups(items), 1)]
    plots += [temperature_plot_svg(test.rpartition("::")[2], group, f"hw-load-{n}")
              for n, (test, group) in enumerate(series_groups(series), 1)]
    shown = f'<div class="hw-plots">{"".join(plots)}</div>' if plots else ""
    return f"<h3>Measurements against their limits</h3>{shown}{table}"


def summary_section(run: RunReport) -> str:
    """The summary without its style, for a page that carries SUMMARY_CSS in its head."""
    sections = (verdict_html(run), parts_html(parts_to_act(run)), identity_html(run.identity),
                components_html(components(run)),
                measurements_html(measurements(run), load_series(run)))
    return f'<section class="hw-summary">{"".join(sections)}</section>'


def summary_html(run: RunReport) -> str:
    """The summary fragment with its style: verdict, parts, system, components, measurements."""
    return f"<style>{SUMMARY_CSS}</style>{summary_section(run)}"
