"""The segment report: a self-contained HTML page drawn from the marts alone.

``render_report(warehouse, out_file)`` opens a built DuckDB warehouse read-only, reads only schema ``marts`` and
writes one HTML file that a bank's marketing people can open from an e-mail attachment: no network, no script, no
external stylesheet or font. The charts are inline SVG drawn here (bar, line, heat map, dot-and-whisker), with
``<title>`` tooltips; the text is HTML-escaped; a Content-Security-Policy forbids any request.

Sections (each says so in the page and in the returned dict when its mart is missing or empty):

- ``segments``: customers, AUM and shares per value tier and per behavioural cluster at the as-of month;
- ``kpi_trends``: customers, churn rate and AUM per tier by month (``fct_segment_kpis_monthly``);
- ``migration``: tier (and cluster) migration from the month before the as-of month, as a heat map;
- ``campaigns``: campaign uplift with 95% intervals, per campaign and per segment (``fct_campaign_performance``);
- ``personas``: cluster personas with their distinguishing features (``dim_segment_personas``).

The output is deterministic for a given warehouse: everything is sorted and the only date in it is the
warehouse's as-of date.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

SCHEMA = "marts"
_CATALOG = "bankseg_warehouse"

PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#8C6D31",
    "#444444",
    "#B8B000",
    "#7F7FD5",
)
BAR_COLOUR = "#2F6DA3"
NEGATIVE_COLOUR = "#C0504D"
FONT = (
    "-apple-system, 'Segoe UI', 'Helvetica Neue', Arial, 'PingFang SC', 'Hiragino Sans GB', "
    "'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
)

# Plot widths (pixels of the drawing area, without labels); tests read bar lengths against these.
BAR_PLOT_WIDTH = 360.0
INTERVAL_PLOT_WIDTH = 360.0
LINE_PLOT_WIDTH = 640.0
LINE_PLOT_HEIGHT = 220.0


class ReportError(Exception):
    """The report cannot be rendered (no section has data, or the warehouse cannot be read)."""


# ---- formatting -----------------------------------------------------------------------------------------------


def esc(value: object) -> str:
    """HTML-escape any value for text and attribute positions (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _clean_zero(value: float, digits: int) -> float:
    rounded = round(value, digits)
    return 0.0 if rounded == 0 else rounded


def fmt_count(value: object) -> str:
    """1234 -> '1,234'; missing -> 'n/a'."""
    if _missing(value):
        return "n/a"
    return f"{round(float(value)):,}"


def fmt_share(value: object, digits: int = 1) -> str:
    """0.1234 -> '12.3%'; missing -> 'n/a'."""
    if _missing(value):
        return "n/a"
    return f"{_clean_zero(float(value) * 100, digits):.{digits}f}%"


def fmt_points(value: object, digits: int = 1) -> str:
    """A difference of two rates in percentage points: 0.022 -> '+2.2 pp'."""
    if _missing(value):
        return "n/a"
    return f"{_clean_zero(float(value) * 100, digits):+.{digits}f} pp"


def fmt_money(value: object, currency: str | None = None) -> str:
    """415_652_700 -> 'CNY 415.7M' (K, M, B suffixes); missing -> 'n/a'."""
    if _missing(value):
        return "n/a"
    number = float(value)
    size = abs(number)
    if size >= 1e9:
        text = f"{_clean_zero(number / 1e9, 2):.2f}B"
    elif size >= 1e6:
        text = f"{_clean_zero(number / 1e6, 1):.1f}M"
    elif size >= 1e4:
        text = f"{_clean_zero(number / 1e3, 1):.1f}K"
    else:
        text = f"{_clean_zero(number, 0):,.0f}"
    return f"{currency} {text}" if currency else text


def _plain(value: object) -> str:
    """A plain number: 35765.09 -> '35,765'; 0.25 -> '0.25'."""
    if _missing(value):
        return "n/a"
    number = float(value)
    return f"{_clean_zero(number, 0):,.0f}" if abs(number) >= 100 else f"{_clean_zero(number, 3):.3g}"


def _n(value: float) -> str:
    """A coordinate: one decimal, no '-0.0'."""
    return f"{_clean_zero(value, 1):.1f}"


def text_width(text: str, size: float = 12.0) -> float:
    """Approximate rendered width of ``text``: CJK and full-width characters are one em, others about 0.58 em."""
    width = 0.0
    for char in text:
        width += size * (1.0 if ord(char) >= 0x2E80 else 0.58)
    return width


def _fit(text: str, width: float, size: float = 12.0) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` pixels."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for char in text:
        if text_width(out + char + "…", size) > width:
            break
        out += char
    return out.rstrip() + "…"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (the first and last tick bound the axis)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) if low else 1.0)
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = magnitude * 10
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw:
            step = multiple * magnitude
            break
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    steps = round((end - start) / step)
    return [_clean_zero(start + i * step, 10) for i in range(steps + 1)]


def _scale(domain: tuple[float, float], span: float) -> Callable[[float], float]:
    low, high = domain
    width = high - low or 1.0
    return lambda value: (value - low) / width * span


CAPTION_HEIGHT = 24.0


def _svg_open(kind: str, name: str, title: str, width: float, height: float) -> str:
    """Open a chart: a visible caption line above a drawing of ``width`` x ``height`` (closed by _SVG_CLOSE)."""
    width = max(width, text_width(title, 13) + 8)
    full = height + CAPTION_HEIGHT
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{esc(kind)}" data-name="{esc(name)}" '
        f'role="img" aria-label="{esc(title)}" width="{_n(width)}" height="{_n(full)}" '
        f'viewBox="0 0 {_n(width)} {_n(full)}" font-family="{esc(FONT)}" font-size="12">'
        f'<title>{esc(title)}</title><text x="2" y="15" font-size="13" font-weight="600" fill="#222">'
        f'{esc(title)}</text><g transform="translate(0 {_n(CAPTION_HEIGHT)})">'
    )


_SVG_CLOSE = "</g></svg>"


def _no_data(kind: str, name: str, title: str) -> str:
    return (
        f'<p class="no-data" data-chart-empty="{esc(kind)}" data-name="{esc(name)}">{esc(title)}: no data to chart.</p>'
    )


def _label_text(x: float, y: float, label: str, sublabel: str | None, width: float, anchor: str = "end") -> str:
    """A one- or two-line label (English, then Chinese) ending at ``x``."""
    if sublabel:
        return (
            f'<text x="{_n(x)}" y="{_n(y - 2)}" text-anchor="{anchor}">{esc(_fit(label, width))}</text>'
            f'<text x="{_n(x)}" y="{_n(y + 12)}" text-anchor="{anchor}" fill="#555" font-size="11">'
            f"{esc(_fit(sublabel, width, 11))}</text>"
        )
    return f'<text x="{_n(x)}" y="{_n(y + 4)}" text-anchor="{anchor}">{esc(_fit(label, width))}</text>'


def _column_text(frame: pd.DataFrame, column: str | None) -> list[str | None]:
    if column is None or column not in frame.columns:
        return [None] * len(frame)
    return [None if _missing(value) or str(value) == "" else str(value) for value in frame[column]]


def _label_width(labels: Sequence[str | None], cap: float, floor: float = 60.0) -> float:
    widest = max((text_width(label) for label in labels if label), default=floor)
    return min(max(widest + 8, floor), cap)


# ---- charts ---------------------------------------------------------------------------------------------------


def bar_chart(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    name: str,
    title: str,
    sublabel: str | None = None,
    annotation: str | None = None,
    value_format: Callable[[object], str] = fmt_count,
    colour: str = BAR_COLOUR,
) -> str:
    """Horizontal bars, one per row of ``frame`` in its order, scaled from zero (negative values go left).

    ``label`` (and ``sublabel``, a second line such as the Chinese name) name the bar; ``annotation`` is a text
    column written after the bar (default: ``value_format`` of the value). A missing value draws no bar and
    'n/a'. An empty frame gives a 'no data' paragraph instead of a chart.
    """
    if frame.empty:
        return _no_data("bar", name, title)
    values = [None if _missing(v) else float(v) for v in frame[value]]
    labels = [str(v) for v in frame[label]]
    sublabels = _column_text(frame, sublabel)
    notes = _column_text(frame, annotation) if annotation else [value_format(v) for v in values]
    present = [v for v in values if v is not None]
    low = min([0.0, *present])
    high = max([0.0, *present])
    if low == high:
        high = 1.0
    scale = _scale((low, high), BAR_PLOT_WIDTH)
    two_lines = any(sublabels)
    row = 36.0 if two_lines else 24.0
    label_width = _label_width(labels + [s for s in sublabels if s], cap=420.0)
    note_width = min(max((text_width(n or "") for n in notes), default=40.0) + 12, 220.0)
    left = label_width + 12
    top = 8.0
    width = left + BAR_PLOT_WIDTH + 8 + note_width
    height = top + row * len(frame) + 8
    zero = left + scale(0.0)
    parts = [_svg_open("bar", name, title, width, height)]
    for i, (text, sub, number, note) in enumerate(zip(labels, sublabels, values, notes, strict=True)):
        y = top + i * row
        middle = y + row / 2
        parts.append(f'<g data-bar="" data-label="{esc(text)}" data-value="{esc("" if number is None else number)}">')
        parts.append(_label_text(left - 8, middle, text, sub, label_width))
        end = zero
        if number is not None:
            start, end = sorted((zero, left + scale(number)))
            fill = colour if number >= 0 else NEGATIVE_COLOUR
            parts.append(
                f'<rect x="{_n(start)}" y="{_n(middle - 8)}" width="{_n(end - start)}" height="16" fill="{fill}">'
                f"<title>{esc(text)}{esc(' ' + sub if sub else '')}: {esc(note)}</title></rect>"
            )
        parts.append(
            f'<text x="{_n(max(end, zero) + 6)}" y="{_n(middle + 4)}" fill="#333">{esc(note or "n/a")}</text></g>'
        )
    parts.append(
        f'<line x1="{_n(zero)}" y1="{_n(top)}" x2="{_n(zero)}" y2="{_n(height - 8)}" stroke="#888" '
        'stroke-width="1"/>' + _SVG_CLOSE
    )
    return "".join(parts)


def line_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    name: str,
    title: str,
    series_order: Sequence[str] | None = None,
    series_labels: dict[str, str] | None = None,
    value_format: Callable[[object], str] = fmt_count,
    axis_format: Callable[[object], str] | None = None,
) -> str:
    """One line per series over the sorted distinct ``x`` values (month ends), with a legend.

    A missing value breaks the line; a series with no value at all is left out. ``series_order`` fixes the
    order (and colours) of the series; others follow sorted. Empty input gives a 'no data' paragraph.
    """
    data = frame[list(dict.fromkeys([x, y, series]))].copy()
    data = data[~data[y].isna()]
    if data.empty:
        return _no_data("line", name, title)
    data[series] = data[series].astype(str)
    xs = sorted({str(v)[:10] for v in frame[x]})
    position = {value: i for i, value in enumerate(xs)}
    present = set(data[series])
    order = [s for s in (series_order or []) if s in present]
    order += sorted(present - set(order))
    labels = series_labels or {}
    axis_format = axis_format or value_format
    values = data[y].astype(float)
    ticks = nice_ticks(min(0.0, float(values.min())), float(values.max()))
    y_scale = _scale((ticks[0], ticks[-1]), LINE_PLOT_HEIGHT)
    left = max(text_width(axis_format(t)) for t in ticks) + 14
    top = 10.0
    step = LINE_PLOT_WIDTH / max(len(xs) - 1, 1)

    def px(value: str) -> float:
        return left + (position[value] * step if len(xs) > 1 else LINE_PLOT_WIDTH / 2)

    def py(value: float) -> float:
        return top + LINE_PLOT_HEIGHT - y_scale(value)

    legend_items = [(s, labels.get(s, s)) for s in order]
    width = left + LINE_PLOT_WIDTH + 24
    legend_rows: list[list[tuple[int, str, str]]] = [[]]
    cursor = 0.0
    for index, (code, text) in enumerate(legend_items):
        item = text_width(text) + 34
        if cursor + item > width - left and legend_rows[-1]:
            legend_rows.append([])
            cursor = 0.0
        legend_rows[-1].append((index, code, text))
        cursor += item
    axis_bottom = top + LINE_PLOT_HEIGHT
    height = axis_bottom + 36 + 20 * len(legend_rows)
    parts = [_svg_open("line", name, title, width, height)]
    for tick in ticks:
        ty = py(tick)
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(ty)}" x2="{_n(left + LINE_PLOT_WIDTH)}" y2="{_n(ty)}" '
            f'stroke="{"#999" if tick == 0 else "#e3e3e3"}" stroke-width="1"/>'
            f'<text x="{_n(left - 6)}" y="{_n(ty + 4)}" text-anchor="end" fill="#555">{esc(axis_format(tick))}</text>'
        )
    label_every = max(1, math.ceil(len(xs) / 12))
    for i, value in enumerate(xs):
        if i % label_every == 0 or i == len(xs) - 1:
            parts.append(
                f'<text x="{_n(px(value))}" y="{_n(axis_bottom + 16)}" text-anchor="middle" fill="#555">'
                f"{esc(value[:7])}</text>"
            )
    for index, code in enumerate(order):
        colour = PALETTE[index % len(PALETTE)]
        rows = data[data[series] == code]
        points = {str(v)[:10]: float(w) for v, w in zip(rows[x], rows[y], strict=True)}
        text = labels.get(code, code)
        parts.append(f'<g data-series="{esc(code)}" data-label="{esc(text)}">')
        run: list[str] = []
        runs: list[list[str]] = []
        for value in xs:
            if value in points:
                run.append(f"{_n(px(value))},{_n(py(points[value]))}")
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
        for segment in runs:
            if len(segment) > 1:
                parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for value in xs:
            if value in points:
                parts.append(
                    f'<circle data-point="" cx="{_n(px(value))}" cy="{_n(py(points[value]))}" r="3" '
                    f'fill="{colour}"><title>{esc(text)} {esc(value)}: {esc(value_format(points[value]))}'
                    "</title></circle>"
                )
        parts.append("</g>")
    for row_index, items in enumerate(legend_rows):
        ly = axis_bottom + 36 + row_index * 20
        lx = left
        for index, _code, text in items:
            colour = PALETTE[index % len(PALETTE)]
            parts.append(
                f'<rect data-legend="" x="{_n(lx)}" y="{_n(ly - 9)}" width="18" height="4" fill="{colour}"/>'
                f'<text x="{_n(lx + 24)}" y="{_n(ly - 3)}">{esc(text)}</text>'
            )
            lx += text_width(text) + 34
    parts.append(_SVG_CLOSE)
    return "".join(parts)


def _blue(rate: float) -> str:
    """Sequential colour from near-white (0) to dark blue (1)."""
    rate = min(max(rate, 0.0), 1.0) ** 0.6
    low, high = (244, 248, 251), (8, 48, 107)
    r, g, b = (round(lo + (hi - lo) * rate) for lo, hi in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heat_map(
    frame: pd.DataFrame,
    *,
    row: str,
    col: str,
    count: str,
    rate: str,
    name: str,
    title: str,
    order: Sequence[str],
    labels: dict[str, tuple[str, str | None]] | None = None,
    short_labels: dict[str, str] | None = None,
) -> str:
    """A from (rows) x to (columns) matrix: each cell shows the count and the row rate, shaded by the rate.

    ``order`` lists the codes for both axes; codes in the data but not in ``order`` follow, sorted. A
    combination without a row is a zero cell. ``labels`` maps a code to (English, Chinese) row labels;
    ``short_labels`` gives column headings. An empty frame gives a 'no data' paragraph.
    """
    if frame.empty:
        return _no_data("heatmap", name, title)
    data = frame.copy()
    data[row] = data[row].astype(str)
    data[col] = data[col].astype(str)
    seen = set(data[row]) | set(data[col])
    codes = list(dict.fromkeys(order))
    codes += sorted(seen - set(codes))
    labels = labels or {}
    short = short_labels or {}
    cells = {
        (r, c): (int(n), float(p)) for r, c, n, p in zip(data[row], data[col], data[count], data[rate], strict=True)
    }
    totals = {code: sum(n for (r, _c), (n, _p) in cells.items() if r == code) for code in codes}
    row_texts = [labels.get(c, (c, None)) for c in codes]
    label_width = _label_width([t for pair in row_texts for t in pair if t], cap=300.0)
    heads = [short.get(c, labels.get(c, (c, None))[0]) for c in codes]
    subs = [labels.get(c, (c, None))[1] for c in codes]
    cell_w = min(max(max(text_width(h) for h in heads) + 12, 76.0), 120.0)
    cell_h = 40.0
    left = label_width + 16
    top = 52.0
    width = left + cell_w * len(codes) + 90
    height = top + cell_h * len(codes) + 12
    parts = [_svg_open("heatmap", name, title, width, height)]
    parts.append(f'<text x="{_n(left - 8)}" y="14" text-anchor="end" fill="#555">from ↓ / to →</text>')
    parts.append(f'<text x="{_n(left + cell_w * len(codes) + 8)}" y="{_n(top - 8)}" fill="#555">customers</text>')
    for j in range(len(codes)):
        cx = left + cell_w * j + cell_w / 2
        parts.append(
            f'<text x="{_n(cx)}" y="{_n(top - 24)}" text-anchor="middle">{esc(_fit(heads[j], cell_w - 4))}</text>'
        )
        if subs[j]:
            parts.append(
                f'<text x="{_n(cx)}" y="{_n(top - 9)}" text-anchor="middle" fill="#555" font-size="11">'
                f"{esc(_fit(subs[j], cell_w - 4, 11))}</text>"
            )
    for i, from_code in enumerate(codes):
        y = top + cell_h * i
        english, chinese = row_texts[i]
        parts.append(_label_text(left - 8, y + cell_h / 2, english, chinese, label_width))
        for j, to_code in enumerate(codes):
            n, p = cells.get((from_code, to_code), (0, 0.0))
            x = left + cell_w * j
            fill = _blue(p) if n else "#fbfbfb"
            ink = "#ffffff" if p > 0.45 else "#1a1a1a"
            edge = ' stroke="#222" stroke-width="1.5"' if from_code == to_code else ' stroke="#ffffff" stroke-width="1"'
            parts.append(
                f'<g data-cell="" data-from="{esc(from_code)}" data-to="{esc(to_code)}" data-count="{n}" '
                f'data-rate="{p:.6f}"><rect x="{_n(x)}" y="{_n(y)}" width="{_n(cell_w)}" height="{_n(cell_h)}" '
                f'fill="{fill}"{edge}><title>{esc(english)} → {esc(labels.get(to_code, (to_code, None))[0])}: '
                f"{esc(fmt_count(n))} customers, {esc(fmt_share(p))}</title></rect>"
            )
            if n:
                parts.append(
                    f'<text x="{_n(x + cell_w / 2)}" y="{_n(y + 17)}" text-anchor="middle" fill="{ink}" '
                    f'font-weight="600">{esc(fmt_count(n))}</text><text x="{_n(x + cell_w / 2)}" '
                    f'y="{_n(y + 31)}" text-anchor="middle" fill="{ink}" font-size="11">{esc(fmt_share(p))}</text>'
                )
            else:
                parts.append(
                    f'<text x="{_n(x + cell_w / 2)}" y="{_n(y + 24)}" text-anchor="middle" fill="#bbb">·</text>'
                )
            parts.append("</g>")
        parts.append(
            f'<text x="{_n(left + cell_w * len(codes) + 8)}" y="{_n(y + cell_h / 2 + 4)}" fill="#333">'
            f"{esc(fmt_count(totals[from_code]))}</text>"
        )
    parts.append(_SVG_CLOSE)
    return "".join(parts)


def interval_chart(
    frame: pd.DataFrame,
    *,
    label: str,
    estimate: str,
    lower: str,
    upper: str,
    name: str,
    title: str,
    sublabel: str | None = None,
    group: str | None = None,
    value_format: Callable[[object], str] = fmt_points,
) -> str:
    """Dot (estimate) and whisker (interval) per row of ``frame`` in its order, with a zero line.

    With ``group``, a heading row is drawn whenever the group changes. A row without an interval gets a dot
    and 'no interval'; a row without an estimate gets 'n/a'. Intervals wholly above zero are green, wholly
    below red, others grey. An empty frame gives a 'no data' paragraph.
    """
    if frame.empty:
        return _no_data("interval", name, title)
    labels = [str(v) for v in frame[label]]
    sublabels = _column_text(frame, sublabel)
    groups = _column_text(frame, group) if group else [None] * len(frame)
    est = [None if _missing(v) else float(v) for v in frame[estimate]]
    low = [None if _missing(v) else float(v) for v in frame[lower]]
    high = [None if _missing(v) else float(v) for v in frame[upper]]
    numbers = [v for v in est + low + high if v is not None]
    ticks = nice_ticks(min([0.0, *numbers]), max([0.0, *numbers]), 6)
    scale = _scale((ticks[0], ticks[-1]), INTERVAL_PLOT_WIDTH)
    notes = []
    for e, lo, hi in zip(est, low, high, strict=True):
        if e is None:
            notes.append("n/a")
        elif lo is None or hi is None:
            notes.append(f"{value_format(e)} (no interval)")
        else:
            notes.append(f"{value_format(e)} [{value_format(lo)}, {value_format(hi)}]")
    two_lines = any(sublabels)
    row = 34.0 if two_lines else 22.0
    label_width = _label_width(labels + [s for s in sublabels if s] + [g for g in groups if g], cap=320.0)
    note_width = min(max(text_width(n) for n in notes) + 12, 260.0)
    left = label_width + 12
    top = 8.0
    layout: list[tuple[str, int]] = []
    previous: str | None = None
    for i, g in enumerate(groups):
        if group and g != previous:
            layout.append(("group", i))
            previous = g
        layout.append(("row", i))
    heights = [22.0 if kind == "group" else row for kind, _ in layout]
    plot_height = sum(heights)
    axis_y = top + plot_height + 4
    width = left + INTERVAL_PLOT_WIDTH + 12 + note_width
    height = axis_y + 22
    parts = [_svg_open("interval", name, title, width, height)]
    for tick in ticks:
        tx = left + scale(tick)
        parts.append(
            f'<line x1="{_n(tx)}" y1="{_n(top)}" x2="{_n(tx)}" y2="{_n(axis_y)}" '
            f'stroke="{"#777" if tick == 0 else "#e3e3e3"}" stroke-width="{"1.5" if tick == 0 else "1"}"/>'
            f'<text x="{_n(tx)}" y="{_n(axis_y + 14)}" text-anchor="middle" fill="#555">'
            f"{esc(value_format(tick))}</text>"
        )
    y = top
    for (kind, i), step in zip(layout, heights, strict=True):
        middle = y + step / 2
        if kind == "group":
            parts.append(
                f'<text data-group="" x="4" y="{_n(middle + 5)}" font-weight="600">'
                f"{esc(_fit(groups[i] or '', left + INTERVAL_PLOT_WIDTH))}</text>"
            )
            y += step
            continue
        e, lo, hi = est[i], low[i], high[i]
        colour = "#777777"
        if lo is not None and hi is not None:
            colour = "#1B7F3B" if lo > 0 else NEGATIVE_COLOUR if hi < 0 else "#777777"
        parts.append(f'<g data-row="" data-label="{esc(labels[i])}">')
        parts.append(_label_text(left - 8, middle, labels[i], sublabels[i], label_width - (12 if group else 0)))
        tooltip = f"<title>{esc(labels[i])}: {esc(notes[i])}</title>"
        if lo is not None and hi is not None:
            x1, x2 = left + scale(lo), left + scale(hi)
            parts.append(
                f'<line data-whisker="" x1="{_n(x1)}" y1="{_n(middle)}" x2="{_n(x2)}" y2="{_n(middle)}" '
                f'stroke="{colour}" stroke-width="2">{tooltip}</line>'
                f'<line x1="{_n(x1)}" y1="{_n(middle - 5)}" x2="{_n(x1)}" y2="{_n(middle + 5)}" '
                f'stroke="{colour}" stroke-width="2"/>'
                f'<line x1="{_n(x2)}" y1="{_n(middle - 5)}" x2="{_n(x2)}" y2="{_n(middle + 5)}" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        if e is not None:
            parts.append(
                f'<circle data-estimate="" cx="{_n(left + scale(e))}" cy="{_n(middle)}" r="4.5" fill="{colour}">'
                f"{tooltip}</circle>"
            )
        parts.append(
            f'<text x="{_n(left + INTERVAL_PLOT_WIDTH + 12)}" y="{_n(middle + 4)}" fill="#333">{esc(notes[i])}</text>'
            "</g>"
        )
        y += step
    parts.append(_SVG_CLOSE)
    return "".join(parts)


def html_table(frame: pd.DataFrame, columns: Sequence[tuple[str, str, Callable[[object], str] | None]]) -> str:
    """A plain table of ``frame``: columns are (column, heading, formatter or None for text); numbers right."""
    head = "".join(f"<th>{esc(heading)}</th>" for _, heading, _ in columns)
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for column, _, formatter in columns:
            value = record.get(column)
            if formatter is None:
                cells.append(f"<td>{esc('' if _missing(value) else value)}</td>")
            else:
                cells.append(f'<td class="num">{esc(formatter(value))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


# ---- reading the marts ----------------------------------------------------------------------------------------


class _Marts:
    """The relations of schema ``marts`` with their columns, and read-only queries on them."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        rows = con.execute(
            "select table_name, column_name from information_schema.columns where table_catalog = ? "
            "and table_schema = ? order by table_name, ordinal_position",
            [_CATALOG, SCHEMA],
        ).fetchall()
        self.columns: dict[str, set[str]] = {}
        for table, column in rows:
            self.columns.setdefault(table, set()).add(column)

    def has(self, table: str, columns: Sequence[str] = ()) -> bool:
        return table in self.columns and set(columns) <= self.columns[table]

    def problem(self, table: str, columns: Sequence[str]) -> str | None:
        """Why ``table`` cannot be used (absent, or lacking columns), or None."""
        if table not in self.columns:
            return f"{SCHEMA}.{table} is not in this warehouse"
        lacking = sorted(set(columns) - self.columns[table])
        if lacking:
            return f"{SCHEMA}.{table} lacks column(s) {', '.join(lacking)}"
        return None

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()


@dataclass
class Section:
    """One part of the report: its HTML body and whether its marts had data."""

    key: str
    title: str
    title_zh: str
    status: str  # ok | missing | empty
    body: str
    sources: tuple[str, ...]
    message: str | None = None

    @property
    def chart_count(self) -> int:
        return self.body.count("<svg ")


@dataclass
class _Context:
    marts: _Marts
    as_of_date: str | None
    currency: str | None
    tier_order: list[str]
    tier_labels: dict[str, tuple[str, str | None]]
    cluster_order: list[str]
    cluster_labels: dict[str, tuple[str, str | None]]


def _segment_labels(marts: _Marts) -> tuple[list[str], dict, list[str], dict]:
    """Tier and cluster codes in display order with their (English, Chinese) names."""
    tiers: dict[str, tuple[str, str | None]] = {}
    clusters: dict[str, tuple[str, str | None]] = {}
    tier_rank: dict[str, tuple] = {}
    cluster_rank: dict[str, tuple] = {}
    if marts.has("dim_segments", ("segment_type", "segment_code", "segment_name_en", "segment_name_zh")):
        order_column = "display_order" if marts.has("dim_segments", ("display_order",)) else "0"
        frame = marts.query(
            f"select segment_type, segment_code, segment_name_en, segment_name_zh, {order_column} as display_order "
            f"from {SCHEMA}.dim_segments order by display_order, segment_type, segment_code"
        )
        for record in frame.to_dict("records"):
            code = str(record["segment_code"])
            names = (
                str(record["segment_name_en"]),
                None if _missing(record["segment_name_zh"]) else str(record["segment_name_zh"]),
            )
            rank = (0 if _missing(record["display_order"]) else int(record["display_order"]), code)
            if record["segment_type"] == "tier":
                tiers[code], tier_rank[code] = names, rank
            elif record["segment_type"] == "cluster":
                clusters[code], cluster_rank[code] = names, rank
    if marts.has("fct_customer_segments", ("tier_code", "tier_name_en", "tier_name_zh")):
        frame = marts.query(
            f"select distinct tier_code, tier_name_en, tier_name_zh from {SCHEMA}.fct_customer_segments "
            "where tier_code is not null order by 1, 2, 3"
        )
        for code, english, chinese in frame.itertuples(index=False):
            tiers.setdefault(str(code), (str(english), None if _missing(chinese) else str(chinese)))
            tier_rank.setdefault(str(code), (10_000, str(code)))
    if marts.has("dim_segment_personas", ("cluster_id", "persona_name", "persona_name_zh")):
        current = " where is_current_model" if marts.has("dim_segment_personas", ("is_current_model",)) else ""
        frame = marts.query(
            f"select distinct cluster_id, persona_name, persona_name_zh from {SCHEMA}.dim_segment_personas{current} "
            "order by 1, 2, 3"
        )
        for cluster_id, english, chinese in frame.itertuples(index=False):
            code = str(int(cluster_id))
            clusters.setdefault(code, (str(english), None if _missing(chinese) else str(chinese)))
            cluster_rank.setdefault(code, (10_000 + int(cluster_id), code))
    tier_order = sorted(tiers, key=lambda c: tier_rank[c])
    cluster_order = sorted(clusters, key=lambda c: cluster_rank[c])
    return tier_order, tiers, cluster_order, clusters


def _as_of_date(marts: _Marts) -> str | None:
    if marts.has("dim_segment_models", ("as_of_date", "is_current")):
        frame = marts.query(f"select max(as_of_date) as d from {SCHEMA}.dim_segment_models where is_current")
        if not frame.empty and not _missing(frame["d"].iloc[0]):
            return str(frame["d"].iloc[0])[:10]
    for table in ("fct_customer_segments", "fct_customer_features_monthly", "fct_segment_kpis_monthly"):
        if marts.has(table, ("month_end_date",)):
            frame = marts.query(f"select max(month_end_date) as d from {SCHEMA}.{table}")
            if not frame.empty and not _missing(frame["d"].iloc[0]):
                return str(frame["d"].iloc[0])[:10]
    return None


def _currency(marts: _Marts) -> str | None:
    for table in ("fct_customer_features_monthly", "fct_segment_kpis_monthly", "fct_campaign_performance"):
        if marts.has(table, ("currency",)):
            frame = marts.query(f"select distinct currency from {SCHEMA}.{table} where currency is not null order by 1")
            if not frame.empty:
                return "/".join(str(c) for c in frame["currency"])
    return None


def _names(code: str, labels: dict[str, tuple[str, str | None]]) -> tuple[str, str | None]:
    if code == "unknown" and code not in labels:
        return ("No segment at the time", "无分群记录")
    return labels.get(code, (code, None))


def _unavailable(key: str, title: str, title_zh: str, sources: tuple[str, ...], status: str, message: str) -> Section:
    body = f'<div class="notice" data-status="{esc(status)}">Not available: {esc(message)}.</div>'
    return Section(key, title, title_zh, status, body, sources, message)


# ---- sections -------------------------------------------------------------------------------------------------


def _segments_section(ctx: _Context) -> Section:
    key, title, title_zh = "segments", "Segment sizes and value", "客户分群规模与价值"
    sources = ("fct_customer_segments", "fct_customer_features_monthly", "dim_segments")
    marts = ctx.marts
    problem = marts.problem("fct_customer_segments", ("customer_id", "month_end_date", "is_as_of_month", "tier_code"))
    if problem:
        return _unavailable(key, title, title_zh, sources, "missing", problem)
    has_aum = marts.has("fct_customer_features_monthly", ("customer_id", "month_end_date", "aum_amount"))
    has_cluster = marts.has("fct_customer_segments", ("cluster_id",))
    aum = "sum(features.aum_amount)::double" if has_aum else "null::double"
    join = (
        f"left join {SCHEMA}.fct_customer_features_monthly as features "
        "on segments.customer_id = features.customer_id and segments.month_end_date = features.month_end_date"
        if has_aum
        else ""
    )
    blocks = []
    notes = []
    if not has_aum:
        notes.append(f"AUM not shown: {marts.problem('fct_customer_features_monthly', ('aum_amount',))}")
    kinds = [("tier", "segments.tier_code", ctx.tier_order, ctx.tier_labels, "Value tiers", "价值分层")]
    if has_cluster:
        kinds.append(
            ("cluster", "segments.cluster_id::varchar", ctx.cluster_order, ctx.cluster_labels, "Clusters", "行为聚类")
        )
    else:
        notes.append(f"clusters not shown: {marts.problem('fct_customer_segments', ('cluster_id',))}")
    total_rows = 0
    for kind, code_sql, order, labels, heading, heading_zh in kinds:
        frame = marts.query(
            f"select coalesce({code_sql}, '(none)') as code, count(*) as customers, {aum} as aum "
            f"from {SCHEMA}.fct_customer_segments as segments {join} "
            "where segments.is_as_of_month group by 1 order by 1"
        )
        total_rows += int(frame["customers"].sum()) if not frame.empty else 0
        if frame.empty:
            continue
        counts = dict(zip(frame["code"].astype(str), frame["customers"], strict=True))
        aums = dict(zip(frame["code"].astype(str), frame["aum"], strict=True))
        codes = [c for c in order] + sorted(set(counts) - set(order))
        table = pd.DataFrame(
            {
                "code": codes,
                "name": [_names(c, labels)[0] for c in codes],
                "name_zh": [_names(c, labels)[1] or "" for c in codes],
                "customers": [int(counts.get(c, 0)) for c in codes],
                "aum": [float(aums[c]) if c in aums and not _missing(aums[c]) else 0.0 for c in codes],
            }
        )
        customers_total = table["customers"].sum()
        aum_total = table["aum"].sum()
        table["share"] = table["customers"] / customers_total if customers_total else 0.0
        table["aum_share"] = table["aum"] / aum_total if aum_total else 0.0
        table["aum_per_customer"] = [
            a / n if n else float("nan") for a, n in zip(table["aum"], table["customers"], strict=True)
        ]
        table["customer_note"] = [
            f"{fmt_count(n)} · {fmt_share(s)}" for n, s in zip(table["customers"], table["share"], strict=True)
        ]
        table["aum_note"] = [
            f"{fmt_money(a, ctx.currency)} · {fmt_share(s)}"
            for a, s in zip(table["aum"], table["aum_share"], strict=True)
        ]
        if kind == "cluster":
            table["label"] = [
                f"Cluster {c} · {n}" if n != c else f"Cluster {c}"
                for c, n in zip(table["code"], table["name"], strict=True)
            ]
        else:
            table["label"] = table["name"]
        charts = [
            bar_chart(
                table,
                label="label",
                sublabel="name_zh",
                value="customers",
                annotation="customer_note",
                name=f"{kind}_customers",
                title=f"{heading}: customers at {ctx.as_of_date or 'the as-of month'}",
            )
        ]
        if has_aum:
            charts.append(
                bar_chart(
                    table,
                    label="label",
                    sublabel="name_zh",
                    value="aum",
                    annotation="aum_note",
                    name=f"{kind}_aum",
                    title=f"{heading}: assets under management ({ctx.currency or 'reporting currency'})",
                    colour="#3C8D5A",
                )
            )
        columns = [
            ("code", "Code", None),
            ("name", "Segment", None),
            ("name_zh", "名称", None),
            ("customers", "Customers", fmt_count),
            ("share", "Share", fmt_share),
        ]
        if has_aum:
            money = lambda v: fmt_money(v, ctx.currency)  # noqa: E731
            columns += [
                ("aum", "AUM", money),
                ("aum_share", "AUM share", fmt_share),
                ("aum_per_customer", "AUM per customer", money),
            ]
        blocks.append(
            f'<h3>{esc(heading)} <span lang="zh">{esc(heading_zh)}</span></h3>'
            f'<div class="charts">{"".join(f"<figure>{c}</figure>" for c in charts)}</div>'
            f"{html_table(table, columns)}"
        )
    if total_rows == 0:
        return _unavailable(
            key, title, title_zh, sources, "empty", f"{SCHEMA}.fct_customer_segments has no as-of month rows"
        )
    intro = (
        f"<p>Customers and assets under management per segment at the as-of month"
        f"{' (' + esc(ctx.as_of_date) + ')' if ctx.as_of_date else ''}; "
        f"amounts in {esc(ctx.currency or 'the reporting currency')}. "
        "Shares are of all segmented customers.</p>"
    )
    note = "".join(f'<p class="note">{esc(n)}.</p>' for n in notes)
    return Section(key, title, title_zh, "ok", intro + note + "".join(blocks), sources, "; ".join(notes) or None)


KPI_COLUMNS = ("month_end_date", "segment_type", "segment_code", "customer_count", "churn_rate", "aum_amount")


def _kpi_section(ctx: _Context) -> Section:
    key, title, title_zh = "kpi_trends", "KPI trends by month", "月度关键指标趋势"
    sources = ("fct_segment_kpis_monthly",)
    marts = ctx.marts
    problem = marts.problem("fct_segment_kpis_monthly", KPI_COLUMNS)
    if problem:
        return _unavailable(key, title, title_zh, sources, "missing", problem)
    optional = [
        c
        for c in (
            "start_customer_count",
            "churned_customer_count",
            "retention_rate",
            "digital_adoption_rate",
            "net_promoter_score",
            "complaint_rate",
            "loan_delinquency_rate",
        )
        if marts.has("fct_segment_kpis_monthly", (c,))
    ]
    frame = marts.query(
        "select month_end_date::varchar as month_end_date, segment_code, customer_count, "
        "churn_rate::double as churn_rate, "
        f"aum_amount::double as aum_amount{''.join(', ' + c for c in optional)} "
        f"from {SCHEMA}.fct_segment_kpis_monthly where segment_type = 'tier' order by month_end_date, segment_code"
    )
    if frame.empty:
        return _unavailable(
            key, title, title_zh, sources, "empty", f"{SCHEMA}.fct_segment_kpis_monthly has no tier rows"
        )
    frame["segment_code"] = frame["segment_code"].astype(str)
    labels = {c: " ".join(t for t in _names(c, ctx.tier_labels) if t) for c in set(frame["segment_code"])}
    money = lambda v: fmt_money(v, ctx.currency)  # noqa: E731
    common = {"x": "month_end_date", "series": "segment_code", "series_order": ctx.tier_order, "series_labels": labels}
    charts = [
        line_chart(
            frame, y="customer_count", name="tier_customers_by_month", title="Customers per tier by month", **common
        ),
        line_chart(
            frame,
            y="churn_rate",
            name="tier_churn_rate_by_month",
            title="Churn rate per tier by month (churned in the month / customers at its start)",
            value_format=lambda v: fmt_share(v, 2),
            axis_format=lambda v: fmt_share(v, 1),
            **common,
        ),
        line_chart(
            frame,
            y="aum_amount",
            name="tier_aum_by_month",
            title=f"Assets under management per tier by month ({ctx.currency or 'reporting currency'})",
            value_format=money,
            axis_format=fmt_money,
            **common,
        ),
    ]
    months = sorted(frame["month_end_date"].unique())
    latest = frame[frame["month_end_date"] == months[-1]].copy()
    rank = {c: i for i, c in enumerate(ctx.tier_order)}
    latest["rank"] = [rank.get(c, len(rank)) for c in latest["segment_code"]]
    latest = latest.sort_values(["rank", "segment_code"])
    latest["name"] = [_names(c, ctx.tier_labels)[0] for c in latest["segment_code"]]
    latest["name_zh"] = [_names(c, ctx.tier_labels)[1] or "" for c in latest["segment_code"]]
    columns = [
        ("name", "Tier", None),
        ("name_zh", "名称", None),
        ("customer_count", "Customers", fmt_count),
        ("churn_rate", "Churn rate", lambda v: fmt_share(v, 2)),
    ]
    extra = {
        "start_customer_count": ("Customers at start", fmt_count),
        "churned_customer_count": ("Churned", fmt_count),
        "retention_rate": ("Retention rate", lambda v: fmt_share(v, 1)),
        "digital_adoption_rate": ("Digital adoption", fmt_share),
        "net_promoter_score": ("NPS", lambda v: "n/a" if _missing(v) else f"{_clean_zero(float(v), 0):+.0f}"),
        "complaint_rate": ("Complaint rate", lambda v: fmt_share(v, 2)),
        "loan_delinquency_rate": ("Loan delinquency", fmt_share),
    }
    columns[3:3] = [(c, *extra[c]) for c in ("start_customer_count", "churned_customer_count") if c in optional]
    columns.append(("aum_amount", "AUM", money))
    columns += [(c, *extra[c]) for c in optional if c not in ("start_customer_count", "churned_customer_count")]
    body = (
        f"<p>Monthly KPIs per value tier over {len(months)} month(s), {esc(months[0])} to {esc(months[-1])}. "
        "A customer counts in the tier it holds at the month end; churn counts in the tier held at the start "
        "of the month (the churned tier has no churn rate).</p>"
        f'<div class="charts">{"".join(f"<figure>{c}</figure>" for c in charts)}</div>'
        f"<h3>Tier KPIs at {esc(months[-1])}</h3>{html_table(latest, columns)}"
    )
    return Section(key, title, title_zh, "ok", body, sources)


def _migration_section(ctx: _Context) -> Section:
    key, title, title_zh = "migration", "Migration between segments", "客户分层迁移"
    sources = ("fct_segment_migration",)
    marts = ctx.marts
    columns = (
        "segment_type",
        "from_month_end_date",
        "to_month_end_date",
        "from_segment_code",
        "to_segment_code",
        "customer_count",
        "migration_rate",
    )
    problem = marts.problem("fct_segment_migration", columns)
    if problem:
        return _unavailable(key, title, title_zh, sources, "missing", problem)
    blocks = []
    for kind, order, labels, heading in (
        ("tier", ctx.tier_order, ctx.tier_labels, "Value tiers 价值分层"),
        ("cluster", ctx.cluster_order, ctx.cluster_labels, "Clusters 行为聚类"),
    ):
        frame = marts.query(
            "select from_month_end_date::varchar as from_date, to_month_end_date::varchar as to_date, "
            "from_segment_code::varchar as from_code, to_segment_code::varchar as to_code, customer_count, "
            f"migration_rate::double as migration_rate from {SCHEMA}.fct_segment_migration "
            "where segment_type = ? and to_month_end_date = "
            f"(select max(to_month_end_date) from {SCHEMA}.fct_segment_migration where segment_type = ?) "
            "order by from_code, to_code",
            [kind, kind],
        )
        if frame.empty:
            continue
        from_date, to_date = str(frame["from_date"].iloc[0]), str(frame["to_date"].iloc[0])
        moved = int(frame.loc[frame["from_code"] != frame["to_code"], "customer_count"].sum())
        total = int(frame["customer_count"].sum())
        short = (
            {c: f"Cluster {c}" for c in set(frame["from_code"]) | set(frame["to_code"])} if kind == "cluster" else None
        )
        chart = heat_map(
            frame,
            row="from_code",
            col="to_code",
            count="customer_count",
            rate="migration_rate",
            name=f"{kind}_migration",
            title=f"{heading}: migration {from_date} → {to_date} (rate = share of the row's customers)",
            order=order,
            labels=labels,
            short_labels=short,
        )
        blocks.append(
            f"<h3>{esc(heading)}: {esc(from_date)} → {esc(to_date)}</h3>"
            f"<p>{esc(fmt_count(moved))} of {esc(fmt_count(total))} customers "
            f"({esc(fmt_share(moved / total if total else 0))}) "
            f"changed {'tier' if kind == 'tier' else 'cluster'}. Rows are the segment at {esc(from_date)}, columns the "
            f"segment at {esc(to_date)}; each cell shows customers and the share of its row.</p>"
            f'<figure class="wide">{chart}</figure>'
        )
    if not blocks:
        return _unavailable(key, title, title_zh, sources, "empty", f"{SCHEMA}.fct_segment_migration has no rows")
    return Section(key, title, title_zh, "ok", "".join(blocks), sources)


CAMPAIGN_COLUMNS = (
    "campaign_id",
    "campaign_name",
    "segment_type",
    "segment_code",
    "contacted_count",
    "control_count",
    "conversion_rate",
    "control_conversion_rate",
    "uplift",
    "uplift_ci_lower",
    "uplift_ci_upper",
)


def _campaign_section(ctx: _Context) -> Section:
    key, title, title_zh = "campaigns", "Campaign uplift", "营销活动提升效果"
    sources = ("fct_campaign_performance",)
    marts = ctx.marts
    problem = marts.problem("fct_campaign_performance", CAMPAIGN_COLUMNS)
    if problem:
        return _unavailable(key, title, title_zh, sources, "missing", problem)
    optional = [
        c
        for c in (
            "start_date",
            "contacted_converted_count",
            "control_converted_count",
            "cost_per_conversion_amount",
            "attribution_days",
        )
        if marts.has("fct_campaign_performance", (c,))
    ]
    frame = marts.query(
        f"select {', '.join(CAMPAIGN_COLUMNS + tuple(optional))} from {SCHEMA}.fct_campaign_performance "
        "order by campaign_id, segment_type, segment_code"
    )
    if frame.empty:
        return _unavailable(key, title, title_zh, sources, "empty", f"{SCHEMA}.fct_campaign_performance has no rows")
    frame["segment_code"] = frame["segment_code"].astype(str)
    frame["start"] = frame["start_date"].astype(str).str[:10] if "start_date" in optional else ""
    overall = frame[frame["segment_type"] == "all"].sort_values(["start", "campaign_id"])
    campaign_rank = {c: i for i, c in enumerate(overall["campaign_id"])}
    for c in sorted(set(frame["campaign_id"]) - set(campaign_rank)):
        campaign_rank[c] = len(campaign_rank)
    blocks = []
    days = ""
    if "attribution_days" in optional and not frame["attribution_days"].isna().all():
        days = f" within {int(frame['attribution_days'].dropna().iloc[0])} days of the contact"
    if not overall.empty:
        overall = overall.copy()
        overall["detail"] = [
            f"{cid} · {'from ' + start + ' · ' if start else ''}n = {fmt_count(n)} contacted / {fmt_count(m)} held out"
            for cid, start, n, m in zip(
                overall["campaign_id"],
                overall["start"],
                overall["contacted_count"],
                overall["control_count"],
                strict=True,
            )
        ]
        chart = interval_chart(
            overall,
            label="campaign_name",
            sublabel="detail",
            estimate="uplift",
            lower="uplift_ci_lower",
            upper="uplift_ci_upper",
            name="campaign_uplift",
            title="Uplift per campaign: contacted minus hold-out conversion rate, with 95% interval",
        )
        columns = [
            ("campaign_id", "Campaign", None),
            ("campaign_name", "Name", None),
            ("contacted_count", "Contacted", fmt_count),
            ("conversion_rate", "Conversion", fmt_share),
            ("control_count", "Hold-out", fmt_count),
            ("control_conversion_rate", "Hold-out conversion", fmt_share),
            ("uplift", "Uplift", fmt_points),
            ("uplift_ci_lower", "95% low", fmt_points),
            ("uplift_ci_upper", "95% high", fmt_points),
        ]
        if "cost_per_conversion_amount" in optional:
            columns.append(("cost_per_conversion_amount", "Cost per conversion", lambda v: fmt_money(v, ctx.currency)))
        blocks.append(
            f"<h3>Per campaign</h3><p>Conversion = the offered product opened{esc(days)}. Uplift = conversion rate "
            "of contacted customers minus that of the hold-out group; the whisker is its 95% confidence interval. "
            "Green: the interval lies above zero; grey: it includes zero (no proven effect).</p>"
            f'<figure class="wide">{chart}</figure>{html_table(overall, columns)}'
        )
    for kind, order, labels, heading in (
        ("tier", ctx.tier_order, ctx.tier_labels, "Per value tier 按价值分层"),
        ("cluster", ctx.cluster_order, ctx.cluster_labels, "Per cluster 按行为聚类"),
    ):
        part = frame[frame["segment_type"] == kind].copy()
        if part.empty:
            continue
        rank = {c: i for i, c in enumerate(order)}
        part["campaign_rank"] = [campaign_rank[c] for c in part["campaign_id"]]
        part["segment_rank"] = [rank.get(c, len(rank)) for c in part["segment_code"]]
        part = part.sort_values(["campaign_rank", "segment_rank", "segment_code"])
        part["heading"] = [f"{n} ({c})" for n, c in zip(part["campaign_name"], part["campaign_id"], strict=True)]
        part["label"] = [
            " ".join(t for t in _names(c, labels) if t) + f" · n={fmt_count(n)}/{fmt_count(m)}"
            for c, n, m in zip(part["segment_code"], part["contacted_count"], part["control_count"], strict=True)
        ]
        chart = interval_chart(
            part,
            label="label",
            group="heading",
            estimate="uplift",
            lower="uplift_ci_lower",
            upper="uplift_ci_upper",
            name=f"campaign_uplift_by_{kind}",
            title=f"Uplift per campaign and {kind}, with 95% interval (n = contacted/held out)",
        )
        blocks.append(
            f"<h3>{esc(heading)}</h3><p>The segment is the customer's at the time of the contact. Small segments "
            "give wide intervals; a segment without a hold-out group has no interval.</p>"
            f'<figure class="wide">{chart}</figure>'
        )
    if not blocks:
        return _unavailable(
            key, title, title_zh, sources, "empty", f"{SCHEMA}.fct_campaign_performance has no usable rows"
        )
    return Section(key, title, title_zh, "ok", "".join(blocks), sources)


FEATURE_NAMES = {
    "aum_amount": "AUM",
    "age_years": "age",
    "annual_income_amount": "annual income",
    "digital_channel_share_3m": "digital channel share (3 months)",
    "transaction_count_3m": "transactions (3 months)",
}


def feature_name(feature: str) -> str:
    """A readable name for a feature column: 'card_spend_amount_3m' -> 'card spend (3 months)'."""
    if feature in FEATURE_NAMES:
        return FEATURE_NAMES[feature]
    words = feature.split("_")
    period = ""
    if words and words[-1][:-1].isdigit() and words[-1][-1] in "md":
        period = f" ({words[-1][:-1]} {'months' if words[-1][-1] == 'm' else 'days'})"
        words = words[:-1]
    words = [w for w in words if w not in ("amount", "count")] or words
    return " ".join(words).replace("aum", "AUM") + period


def _persona_section(ctx: _Context) -> Section:
    key, title, title_zh = "personas", "Persona profiles", "客户画像"
    sources = ("dim_segment_personas",)
    marts = ctx.marts
    required = (
        "cluster_id",
        "persona_name",
        "persona_name_zh",
        "customer_count",
        "customer_share",
        "median_aum_amount",
    )
    problem = marts.problem("dim_segment_personas", required)
    if problem:
        return _unavailable(key, title, title_zh, sources, "missing", problem)
    features_column = next(
        (c for c in ("top_features_json", "top_features") if marts.has("dim_segment_personas", (c,))), None
    )
    current = " where is_current_model" if marts.has("dim_segment_personas", ("is_current_model",)) else ""
    frame = marts.query(
        f"select {', '.join(required)}{', ' + features_column if features_column else ''} "
        f"from {SCHEMA}.dim_segment_personas{current} order by cluster_id"
    )
    if frame.empty:
        return _unavailable(
            key, title, title_zh, sources, "empty", f"{SCHEMA}.dim_segment_personas has no current-model rows"
        )
    cards = []
    for record in frame.to_dict("records"):
        cluster = str(int(record["cluster_id"]))
        english, chinese = (
            str(record["persona_name"]),
            "" if _missing(record["persona_name_zh"]) else str(record["persona_name_zh"]),
        )
        facts = (
            f"{fmt_count(record['customer_count'])} customers · {fmt_share(record['customer_share'])} of segmented "
            f"customers · median AUM {fmt_money(record['median_aum_amount'], ctx.currency)}"
        )
        detail = ""
        raw = record.get(features_column) if features_column else None
        if features_column == "top_features_json" and not _missing(raw):
            features = pd.DataFrame(json.loads(str(raw)))
            if not features.empty and {"feature", "smd"} <= set(features.columns):
                features["name"] = [feature_name(str(f)) for f in features["feature"]]
                notes = []
                for item in features.to_dict("records"):
                    note = f"{float(item['smd']):+.2f} SD"
                    if not _missing(item.get("cluster_median")) and not _missing(item.get("population_median")):
                        note += f" (median {_plain(item['cluster_median'])} vs {_plain(item['population_median'])})"
                    notes.append(note)
                features["note"] = notes
                detail = bar_chart(
                    features,
                    label="name",
                    value="smd",
                    annotation="note",
                    name=f"persona_{cluster}_features",
                    title=f"Cluster {cluster}: distinguishing features (standardised difference from all customers)",
                )
        elif not _missing(raw):
            detail = f'<p class="features">{esc(raw)}</p>'
        if not detail:
            detail = '<p class="note">No distinguishing features recorded.</p>'
        cards.append(
            f'<article class="persona" data-cluster="{esc(cluster)}"><h3>Cluster {esc(cluster)}: {esc(english)} '
            f'<span lang="zh">{esc(chinese)}</span></h3><p>{esc(facts)}</p>{detail}</article>'
        )
    intro = (
        "<p>Each behavioural cluster of the current segmentation model, named after what sets it apart. Features "
        "are in standard deviations (SD) from the whole customer base: bars to the right mean higher than "
        "usual, to the left lower.</p>"
    )
    return Section(key, title, title_zh, "ok", intro + "".join(cards), sources)


SECTION_BUILDERS = (_segments_section, _kpi_section, _migration_section, _campaign_section, _persona_section)

STYLE = """
body{font-family:FONT;color:#1a1a1a;margin:0 auto;max-width:1120px;padding:24px 28px 48px;line-height:1.45}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 8px;padding-top:12px;border-top:2px solid #2F6DA3}
h3{font-size:16px;margin:20px 0 6px}[lang=zh]{color:#555;font-weight:normal}
.meta{color:#555;margin:0 0 16px}nav ol{columns:2;padding-left:20px;margin:8px 0}
figure{margin:8px 0 12px;overflow-x:auto}.charts{display:flex;flex-wrap:wrap;gap:8px 32px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}th,td{border-bottom:1px solid #ddd;padding:4px 10px;
text-align:left;vertical-align:top}th{background:#f3f6f9}td.num{text-align:right;font-variant-numeric:tabular-nums}
.notice{background:#fff6e0;border-left:4px solid #E69F00;padding:10px 14px;margin:8px 0}
.note{color:#6b4e00}.no-data{color:#777;font-style:italic}
.persona{border:1px solid #dde3ea;border-radius:6px;padding:4px 16px 8px;margin:12px 0}
.status-ok{color:#1B7F3B}.status-missing,.status-empty{color:#a05a00}
dl.glossary dt{font-weight:600;margin-top:8px}dl.glossary dd{margin:2px 0 0 16px}
footer{margin-top:40px;color:#666;font-size:12px;border-top:1px solid #ddd;padding-top:8px}
@media print{h2{break-before:page}figure,article{break-inside:avoid}}
""".replace("FONT", FONT)

GLOSSARY = (
    ("AUM (assets under management)", "Deposits plus the market value of investments at the month end."),
    ("Value tier 价值分层", "The customer's tier at the month end (high-value 高价值客户, potential 潜力客户, …)."),
    ("Cluster 行为聚类", "A group of customers with similar behaviour, found by the segmentation model."),
    ("Churn rate", "Customers who churned in the month divided by the customers active at its start."),
    ("Migration rate", "Share of a segment's customers at the earlier month end found in each segment a month later."),
    ("Uplift", "Conversion rate of contacted customers minus that of the hold-out group (percentage points, pp)."),
    (
        "95% interval",
        "The range that holds the true uplift with 95% confidence; if it includes zero, no effect is proven.",
    ),
)


def _page(sections: Sequence[Section], as_of: str | None, model_version: str | None, currency: str | None) -> str:
    nav = "".join(
        f'<li><a href="#{esc(s.key)}">{esc(s.title)} <span lang="zh">{esc(s.title_zh)}</span></a> '
        f'<span class="status-{esc(s.status)}">'
        f"({esc(s.status if s.status != 'ok' else str(s.chart_count) + ' charts')})</span></li>"
        for s in sections
    )
    meta = [f"As of {as_of}" if as_of else "As-of date unknown"]
    if model_version:
        meta.append(f"segmentation model {model_version}")
    if currency:
        meta.append(f"amounts in {currency}")
    body = "".join(
        f'<section id="{esc(s.key)}" data-section="{esc(s.key)}" data-status="{esc(s.status)}">'
        f'<h2>{esc(s.title)} <span lang="zh">{esc(s.title_zh)}</span></h2>{s.body}'
        f'<p class="sources">Source: {esc(", ".join(SCHEMA + "." + t for t in s.sources))}</p></section>'
        for s in sections
    )
    glossary = "".join(f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in GLOSSARY)
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Customer segment report 客户分群报告{esc(' · ' + as_of if as_of else '')}</title>"
        f"<style>{STYLE}</style></head><body>"
        '<header><h1>Customer segment report <span lang="zh">客户分群报告</span></h1>'
        f'<p class="meta">{esc(" · ".join(meta))}</p><nav><ol>{nav}</ol></nav></header>'
        f'<main>{body}<section id="glossary"><h2>Definitions <span lang="zh">指标定义</span></h2>'
        f'<dl class="glossary">{glossary}</dl></section></main>'
        "<footer>Rendered by bankseg report from the warehouse's marts only (no customer-level data is included). "
        "Hover over a bar, point or cell for its exact figure.</footer></body></html>\n"
    )


def render_report(warehouse: str | os.PathLike[str], out_file: str | os.PathLike[str]) -> dict:
    """Render the segment report of ``warehouse`` (a built DuckDB file, opened read-only) to ``out_file``.

    Returns what was written: ``out_file``, ``bytes``, ``as_of_date``, ``currency``, ``chart_count`` and, per
    section key, its ``title``, ``status`` ('ok', 'missing' or 'empty'), ``message`` and ``charts``. Raises
    FileNotFoundError for a missing warehouse and ReportError when no section has data (nothing is written).
    """
    path = Path(warehouse)
    if not path.is_file():
        raise FileNotFoundError(f"no such warehouse file: {path}")
    out = Path(out_file)
    con = duckdb.connect()
    try:
        # attached under a fixed name, so that a file called marts.duckdb cannot make "marts" ambiguous
        quoted = str(path).replace("'", "''")
        con.execute(f"attach '{quoted}' as {_CATALOG} (read_only)")
        con.execute(f"use {_CATALOG}")
    except duckdb.Error as exc:
        con.close()
        raise ReportError(f"cannot open {path} read-only: {exc}") from None
    try:
        marts = _Marts(con)
        if not marts.columns:
            raise ReportError(f"{path} has no schema {SCHEMA!r}: build the warehouse first (dbt build)")
        tier_order, tier_labels, cluster_order, cluster_labels = _segment_labels(marts)
        ctx = _Context(
            marts, _as_of_date(marts), _currency(marts), tier_order, tier_labels, cluster_order, cluster_labels
        )
        model_version = None
        if marts.has("dim_segment_models", ("model_version", "is_current")):
            versions = marts.query(
                f"select model_version from {SCHEMA}.dim_segment_models where is_current order by model_version"
            )
            if not versions.empty:
                model_version = str(versions["model_version"].iloc[0])
        sections = [build(ctx) for build in SECTION_BUILDERS]
    finally:
        con.close()
    if all(s.status != "ok" for s in sections):
        reasons = "; ".join(f"{s.key}: {s.message}" for s in sections)
        raise ReportError(f"nothing to report from {path}: {reasons}")
    document = _page(sections, ctx.as_of_date, model_version, ctx.currency).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(document)
    os.replace(partial, out)
    return {
        "out_file": str(out),
        "bytes": len(document),
        "as_of_date": ctx.as_of_date,
        "currency": ctx.currency,
        "model_version": model_version,
        "chart_count": sum(s.chart_count for s in sections),
        "sections": {
            s.key: {"title": s.title, "status": s.status, "message": s.message, "charts": s.chart_count}
            for s in sections
        },
    }


# ---- command line ---------------------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    """``bankseg report --out FILE.html [--warehouse FILE]``: render the report and print its summary as JSON."""
    from bankseg.cli import CliError

    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        raise CliError(f"--warehouse {warehouse}: no such file; build the warehouse first (make build)")
    out = Path(args.out)
    if out.is_dir():
        raise CliError(f"--out {out}: is a folder; give the HTML file to write")
    try:
        result = render_report(warehouse, out)
    except ReportError as exc:
        raise CliError(f"--warehouse {warehouse}: {exc}") from None
    except OSError as exc:
        raise CliError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    print(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True))
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``report`` to the ``bankseg`` sub-commands."""
    from bankseg.cli import _default_warehouse

    parser = subparsers.add_parser(
        "report",
        help="render the segment report (self-contained HTML) from the marts",
        description="Render a self-contained HTML segment report from the marts of a built warehouse.",
    )
    parser.add_argument("--out", required=True, help="HTML file to write (its folder is created if missing)")
    parser.add_argument(
        "--warehouse",
        default=_default_warehouse(),
        help="DuckDB warehouse file, read-only (default: $BANKSEG_DUCKDB_PATH or warehouse/bankseg.duckdb)",
    )
    parser.set_defaults(func=cmd_report)
    return parser
