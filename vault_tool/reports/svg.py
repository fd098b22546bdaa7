"""Charts as inline SVG: horizontal bars, stacked columns over time, a funnel. No scripts, no fetches.

Every bar is a ``<rect class="bar">`` with a ``<title>`` (the browser's tooltip)
that says what it counts; a bar of zero is not drawn.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

# Okabe & Ito's palette: told apart by people with every common kind of colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
FONT = 12
LABEL_CHAR = 7.2  # approximate width of a character at FONT


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" font-family="system-ui, sans-serif" font-size="{FONT}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str) -> str:
    return (f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}">'
            f"<title>{escape(tip)}</title></rect>")


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def nice_step(largest: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) that covers ``largest`` in about ``ticks`` steps."""
    if largest <= 0:
        return 1
    raw = largest / ticks
    power: float = 10 ** math.floor(math.log10(raw))  # an int from 1 up, a float below
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(step, 1)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], notes: Sequence[str] = ()) -> str:
    """One horizontal bar per label, the largest filling the width; ``notes`` are printed after each bar."""
    label_width = min(220, LABEL_CHAR * max((len(x) for x in labels), default=4) + 12)
    plot, row = 360.0, 24
    largest = max(values, default=0)
    body = []
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 8 + i * row
        body.append(_text(label_width - 8, y + 15, label, "end"))
        length = plot * value / largest if largest else 0
        if value > 0:
            body.append(_rect(label_width, y + 3, max(length, 1), row - 6, colour(0), f"{label}: {value:g}"))
        note = notes[i] if i < len(notes) else f"{value:g}"
        body.append(_text(label_width + length + 6, y + 15, note))
    return _svg(label_width + plot + 120, 16 + row * len(labels), title, body)


def stacked_columns(title: str, buckets: Sequence[str], series: Mapping[str, Sequence[int]]) -> str:
    """A column per bucket (a week or month), stacked by series, with a y axis and a legend."""
    totals = [sum(column) for column in zip(*series.values())] if series else [0] * len(buckets)
    step = nice_step(max(totals, default=0))
    top = step * max(1, math.ceil(max(totals, default=0) / step))
    left, plot_h, column = 44.0, 200.0, max(14.0, min(48.0, 640 / max(len(buckets), 1)))
    plot_w = column * len(buckets)
    base = 12 + plot_h
    body = []
    for k in range(int(top / step) + 1):
        y = base - plot_h * k * step / top
        body.append(f'<line x1="{left:g}" x2="{left + plot_w:g}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 6, y + 4, f"{k * step:g}", "end"))
    for i, start in enumerate(buckets):
        x, y = left + i * column + column * 0.15, base
        for s, (name, values) in enumerate(series.items()):
            if values[i] <= 0:
                continue
            h = plot_h * values[i] / top
            y -= h
            body.append(_rect(x, y, column * 0.7, h, colour(s), f"{start}: {values[i]} {name}"))
        if i % max(1, math.ceil(len(buckets) / 12)) == 0:
            body.append(_text(x + column * 0.35, base + 16, start[5:] if len(start) == 10 else start, "middle"))
    legend_y = base + 36
    x = left
    for s, name in enumerate(series):
        body.append(f'<rect class="key" x="{x:.1f}" y="{legend_y - 10:.1f}" width="10" height="10" '
                    f'fill="{colour(s)}"/>')
        body.append(_text(x + 14, legend_y, name))
        x += 14 + LABEL_CHAR * len(name) + 16
    return _svg(max(left + plot_w + 10, x), legend_y + 10, title, body)


def funnel_chart(title: str, stages: Sequence[str], now: Sequence[int], notes: Sequence[str]) -> str:
    """A centred bar per stage, as wide as the number of contacts at it now; ``notes`` between steps."""
    width, row, gap = 480.0, 30, 22
    largest = max(now, default=0)
    body = []
    for i, (stage, count) in enumerate(zip(stages, now)):
        y = 8 + i * (row + gap)
        length = max(width * count / largest, 2) if largest and count else 0
        if count:
            body.append(_rect((width - length) / 2 + 10, y, length, row, colour(i), f"{stage}: {count} now"))
        body.append(_text(width / 2 + 10, y + row / 2 + 4, f"{stage}: {count}", "middle",
                          ' font-weight="bold" fill="#000" stroke="#fff" stroke-width="3" paint-order="stroke"'))
        if i < len(notes) and notes[i]:
            body.append(_text(width / 2 + 10, y + row + gap / 2 + 5, notes[i], "middle", ' fill="#444"'))
    return _svg(width + 20, 8 + len(stages) * (row + gap), title, body)
