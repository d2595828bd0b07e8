"""The fleet report as one HTML page: what awaits action first, then where failures cluster.

One HTML5 document with its style and plots inline, no script and no external resource,
so it opens offline and prints. Every string from the database (serials, models, host
names, failure codes: all from hardware or from reports) goes through `text`. Long
tables are cut at `MOST_ROWS` with a line saying how many more there are and where to
find them all.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from hwaccept import __version__
from hwaccept.fleet.plots import codes_svg, firmware_svg, slot_svg, yield_svg
from hwaccept.fleet.records import FailedPart, Fleet, Offender, Rate, YieldPoint
from hwaccept.reports.html_plots import COLOURS
from hwaccept.reports.html_text import text

MOST_ROWS = 500
"""Rows a table shows before it is cut."""
MOST_PLOTS = 6
"""Per-slot and per-firmware plots drawn (the families with most failures)."""
MOST_CODES = 15

FLEET_CSS = f"""
body {{ margin: 1.5em; color: #1b1b1b; background: #fff;
  font: 13px/1.4 system-ui, Helvetica, Arial, sans-serif; }}
h1 {{ font-size: 20px; margin: 0 0 0.3em; }}
h2 {{ font-size: 17px; margin: 1.6em 0 0.4em; border-bottom: 1px solid #ddd; }}
p.hw-meta, p.hw-why, p.hw-more {{ color: #555; margin: 0.2em 0 0.6em; }}
ul.hw-notes {{ color: #8d6e00; }}
div.hw-cards {{ display: flex; flex-wrap: wrap; gap: 0.8em; margin: 0.8em 0; }}
div.hw-card {{ border: 1px solid #ddd; border-radius: 4px; padding: 0.4em 0.9em; }}
div.hw-card b {{ display: block; font-size: 20px; }}
div.hw-card.hw-alert b {{ color: {COLOURS["FAIL"]}; }}
table.hw-fleet {{ border-collapse: collapse; margin: 0.4em 0; }}
.hw-fleet th, .hw-fleet td {{ border: 1px solid #ddd; padding: 3px 6px; text-align: left;
  vertical-align: top; }}
.hw-fleet th {{ background: #f2f2f2; position: sticky; top: 0; }}
.hw-fleet td.hw-n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.hw-fleet td.hw-id {{ font-family: ui-monospace, monospace; }}
.hw-fleet tr.hw-flagged {{ background: #fdecea; }}
.hw-fleet span.hw-flag {{ color: #fff; background: {COLOURS["FAIL"]}; padding: 0 4px;
  border-radius: 3px; font-weight: 700; }}
div.hw-plots {{ display: flex; flex-wrap: wrap; gap: 1em; }}
svg.hw-plot {{ max-width: 100%; height: auto; }}
"""

Cell = tuple[str, str]
"""A table cell: its class (`""`, `hw-n`, `hw-id`) and its HTML."""


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f} %"


def _table(headers: Sequence[str], rows: Iterable[tuple[Sequence[Cell], bool]], total: int,
           more: str) -> str:
    """A table of at most MOST_ROWS rows; `more` says where the rest are when it is cut."""
    body = []
    for number, (cells, flagged) in enumerate(rows):
        if number == MOST_ROWS:
            break
        marked = ' class="hw-flagged"' if flagged else ""
        body.append(f"<tr{marked}>" + "".join(
            f'<td class="{kind}">{html}</td>' if kind else f"<td>{html}</td>"
            for kind, html in cells) + "</tr>")
    head = "".join(f"<th>{text(h)}</th>" for h in headers)
    cut = (f'<p class="hw-more">{total - MOST_ROWS:,} more not shown: {text(more)}</p>'
           if total > MOST_ROWS else "")
    return (f'<table class="hw-fleet"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>{cut}")


def _n(value: int) -> Cell:
    return "hw-n", f"{value:,}"


def _t(value: object) -> Cell:
    return "", text(value)


def _id(value: object) -> Cell:
    return "hw-id", text(value)


def _flag(rate: Rate) -> Cell:
    if not rate.flagged:
        return "", ""
    return "", f'<span class="hw-flag">cluster</span> chance {rate.chance:.1e}'


def _part(part: FailedPart) -> str:
    where = f" at {part.position}" if part.position else ""
    serial = f" SN {part.serial}" if part.serial and part.serial != part.run.system else ""
    found = ", ".join(part.codes) or "failed"
    act = f" → {', '.join(part.actions)}" if part.actions else ""
    return text(f"{part.kind}{where}{serial}: {found}{act}")


def _awaiting(fleet: Fleet) -> str:
    def rows() -> Iterable[tuple[Sequence[Cell], bool]]:
        for item in fleet.awaiting:
            run = item.run
            state = "INCOMPLETE" if not run.complete else "REJECTED"
            act = "<br>".join(_part(p) for p in item.failed) or text(
                "run again: the run did not finish" if not run.complete else
                "see the run's report: no part named")
            yield ((_id(run.system), _t(run.sku), _t(run.hostname), _t(run.started_at[:19]),
                    _id(run.run_id), _t(state), ("", act)), run.complete)

    if not fleet.awaiting:
        return "<h2>Servers awaiting action</h2><p>None: every server's latest run passed.</p>"
    return ("<h2>Servers awaiting action</h2>"
            '<p class="hw-why">Servers whose latest run was rejected or did not finish, '
            "latest first, with the parts to act on.</p>"
            + _table(("Server", "SKU", "Host", "Latest run (UTC)", "Run id", "State",
                      "Parts to act on"), rows(), len(fleet.awaiting),
                     "hwaccept rma --db lists every one"))


def _yield_rows(fleet: Fleet, skus: Sequence[str]) -> list[tuple[Sequence[Cell], bool]]:
    """A row per period, newest first: each SKU's first-pass yield, then all runs' yield."""
    by_period: dict[datetime.date, dict[str, YieldPoint]] = defaultdict(dict)
    for point in fleet.yields:
        by_period[point.period][point.sku] = point
    rows: list[tuple[Sequence[Cell], bool]] = []
    for period in sorted(by_period, reverse=True):
        points = by_period[period]
        cells: list[Cell] = [_t(period.isoformat())]
        for sku in skus:
            found = points.get(sku)
            cells.append(("hw-n", f"{_percent(found.first_pass_yield)} of {found.new_systems:,}"
                          if found and found.new_systems else "-"))
        runs = sum(p.runs for p in points.values())
        accepted = sum(p.accepted for p in points.values())
        cells += [_n(runs), ("hw-n", _percent(accepted / runs))]
        rows.append((cells, False))
    return rows


def _yield(fleet: Fleet) -> str:
    if not fleet.yields:
        return "<h2>Acceptance yield</h2><p>No dated runs.</p>"
    skus = sorted({p.sku for p in fleet.yields})
    rows = _yield_rows(fleet, skus)
    return ("<h2>Acceptance yield</h2>"
            '<p class="hw-why">First-pass yield: of the servers first tested in a period, '
            "the share accepted at that first run (\"of N\": how many were first tested). "
            "Run yield counts every run, retests included.</p>"
            f'<div class="hw-plots">{yield_svg(fleet.yields, fleet.period, "yield")}</div>'
            + _table((f"{fleet.period.capitalize()} from",
                      *(f"{sku} first-pass" for sku in skus), "Runs", "Run yield"),
                     rows, len(rows), "use --since to narrow the report"))


def _families(rates: Sequence[Rate], size: int) -> list[list[Rate]]:
    """Rates grouped by their first `size` keys; families with clusters, then most failures."""
    grouped: dict[tuple[str, ...], list[Rate]] = defaultdict(list)
    for rate in rates:
        grouped[rate.key[:size]].append(rate)
    ranked = sorted(grouped.values(), key=lambda members: (
        not any(r.flagged for r in members), -sum(r.failed for r in members), members[0].key))
    return [members for members in ranked if sum(r.failed for r in members) and len(members) > 1]


def _plots(families: list[list[Rate]], draw: Callable[[list[Rate], str], str]) -> str:
    shown = [draw(members, f"p{n}") for n, members in enumerate(families[:MOST_PLOTS])]
    return f'<div class="hw-plots">{"".join(shown)}</div>' if shown else ""


def _rate_cells(rate: Rate, *, flag: bool = True) -> list[Cell]:
    cells = [_n(rate.tested), _n(rate.failed), ("hw-n", _percent(rate.rate)), _n(rate.parts),
             _n(rate.chassis)]
    return [*cells, _flag(rate)] if flag else cells


RATE_HEADERS = ("Part-runs", "Failed", "Rate", "Parts failed", "Chassis", "Cluster")


def _slots(fleet: Fleet) -> str:
    failing = [r for r in fleet.slots if r.failed]
    plots = _plots(_families(fleet.slots, 2),
                   lambda members, key: slot_svg(members[0].key[0], members[0].key[1],
                                                 members, f"slot-{key}"))
    rows = (([_t(r.key[0]), _t(r.key[1]), _id(r.key[2]), *_rate_cells(r)], r.flagged)
            for r in failing)
    return ("<h2>Failures by slot position</h2>"
            '<p class="hw-why">A slot (or the riser or cable behind it) whose parts fail across '
            "many chassis points at the board or the cable, not at the parts. A cluster: more "
            "failures than the other slots of that kind and SKU make likely (a chance below "
            "0.1 % shared among the slots compared), spread over three chassis or more. Red "
            "bars are clusters.</p>"
            + plots + (_table(("SKU", "Kind", "Slot", *RATE_HEADERS), rows, len(failing),
                              "every slot with failures is counted above")
                       if failing else "<p>No part in a slot failed.</p>"))


def _models(fleet: Fleet) -> str:
    rows = (([_t(r.key[0]), _t(r.key[1]), *_rate_cells(r, flag=False)], False)
            for r in fleet.models)
    return ("<h2>Failures by component model</h2>"
            + _table(("Kind", "Model", *RATE_HEADERS[:-1]), rows, len(fleet.models),
                     "models with fewer failures"))


def _codes(fleet: Fleet) -> str:
    if not fleet.codes:
        return "<h2>Failures by code</h2><p>No failures.</p>"
    rows = (((_id(c.code), _n(c.failed), _n(c.parts), _n(c.chassis), _t(", ".join(c.kinds)),
              _t(", ".join(c.actions))), False) for c in fleet.codes)
    return ("<h2>Failures by code</h2>"
            f'<div class="hw-plots">{codes_svg(fleet.codes[:MOST_CODES], "codes")}</div>'
            + _table(("Code", "Failed part-runs", "Parts", "Chassis", "Kinds", "Actions"),
                     rows, len(fleet.codes), "rarer codes"))


def _firmware(fleet: Fleet) -> str:
    if not fleet.firmware:
        return ("<h2>Failures by firmware version</h2><p>No firmware versions recorded: the "
                "profiles' firmware checks (gpu_vbios, nic_firmware, ...) record them.</p>")
    plots = _plots(_families(fleet.firmware, 2),
                   lambda members, key: firmware_svg(members[0].key[0], members[0].key[1],
                                                     members, f"fw-{key}"))
    rows = (([_t(r.key[0]), _t(r.key[1]), _id(r.key[2]), *_rate_cells(r)], r.flagged)
            for r in fleet.firmware)
    return ("<h2>Failures by firmware version</h2>"
            '<p class="hw-why">Each version set against the other versions of the same '
            "model; a cluster fails more often than they make likely.</p>"
            + plots + _table(("Kind", "Model", "Firmware", *RATE_HEADERS), rows,
                             len(fleet.firmware), "versions with fewer failures"))


def _offender_row(offender: Offender) -> tuple[Sequence[Cell], bool]:
    codes = sorted({c for f in offender.failures for c in f.codes})
    return ((_id(offender.serial), _t(offender.kind), _t(offender.model),
             _n(len(offender.chassis)), _t(", ".join(offender.chassis)),
             _n(len(offender.failures)), _t(", ".join(codes)),
             _t(offender.failures[-1].run.started_at[:19])), True)


def _offenders(fleet: Fleet) -> str:
    if not fleet.offenders:
        return "<h2>Repeat offenders</h2><p>No part failed in more than one chassis.</p>"
    return ("<h2>Repeat offenders</h2>"
            '<p class="hw-why">Parts that failed in two chassis or more: the fault moved '
            "with the part.</p>"
            + _table(("Serial", "Kind", "Model", "Chassis", "Failed in", "Failed runs",
                      "Codes", "Last failed (UTC)"),
                     (_offender_row(o) for o in fleet.offenders), len(fleet.offenders),
                     "hwaccept history SERIAL shows any part's runs"))


def _cards(fleet: Fleet) -> str:
    latest_ok = fleet.systems - len(fleet.awaiting)
    cards = [("Runs", f"{fleet.runs:,}", False), ("Servers", f"{fleet.systems:,}", False),
             ("Latest run accepted", f"{latest_ok:,}", False),
             ("Awaiting action", f"{len(fleet.awaiting):,}", bool(fleet.awaiting)),
             ("Slot clusters", f"{sum(r.flagged for r in fleet.slots):,}",
              any(r.flagged for r in fleet.slots)),
             ("Repeat offenders", f"{len(fleet.offenders):,}", bool(fleet.offenders))]
    return '<div class="hw-cards">' + "".join(
        f'<div class="hw-card{" hw-alert" if alert else ""}"><b>{value}</b>{text(label)}</div>'
        for label, value, alert in cards) + "</div>"


def page_html(fleet: Fleet, now: datetime.datetime | None = None) -> str:
    """The whole fleet report."""
    now = now or datetime.datetime.now(datetime.UTC)
    span = f", {fleet.first} to {fleet.last}" if fleet.first else ""
    notes = ("<ul class=\"hw-notes\">" + "".join(f"<li>{text(n)}</li>" for n in fleet.notes)
             + "</ul>") if fleet.notes else ""
    body = [_awaiting(fleet), _yield(fleet), _slots(fleet), _models(fleet), _codes(fleet),
            _firmware(fleet), _offenders(fleet)] if fleet.runs else [
        "<p>The database holds no runs yet (<code>hwaccept ingest</code> stores them).</p>"]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>hwaccept fleet report</title><style>{FLEET_CSS}</style></head><body>"
        "<h1>hwaccept fleet report</h1>"
        f'<p class="hw-meta">{text(fleet.source)}: {_plural(fleet.runs, "run")} of '
        f'{_plural(fleet.systems, "server")}{text(span)}. Made {now:%Y-%m-%d %H:%M} UTC by '
        f"hwaccept {text(__version__)}.</p>"
        + notes + _cards(fleet) + "".join(body) + "</body></html>\n")

