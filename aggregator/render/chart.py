"""Small horizontal bar charts as inline SVG: no script, readable without CSS, labelled for screen readers."""

from __future__ import annotations

import unicodedata
from html import escape

ACCENT = "#b3261e"
INK = "#1f2328"
MUTED = "#6b7280"
REST = "#c9c2b8"
# The row that sums the rows left out; drawn in grey so it does not read as one more place.
REST_LABEL = "其他"


def top_rows(rows: list[tuple[str, int]], keep: int, rest_label: str = REST_LABEL) -> list[tuple[str, int]]:
    """The first `keep` rows, the others summed into one row (a phone-sized chart stays short)."""
    if len(rows) <= keep + 1:
        return list(rows)
    return list(rows[:keep]) + [(rest_label, sum(value for _, value in rows[keep:]))]


def _text_width(text: str, size: float) -> float:
    """Approximate rendered width: CJK characters are a full em, Latin ones about half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.58 for ch in text)


def bar_chart(rows: list[tuple[str, int]], title: str, unit: str = "条", width: int = 320, bar_height: int = 16,
              gap: int = 7, color: str = ACCENT, chart_id: str = "chart", rest_label: str = REST_LABEL) -> str:
    """An SVG bar chart of (label, value) rows in the given order, with a title and an accessible description."""
    font = 12.5
    desc = "，".join(f"{label} {value}{unit}" for label, value in rows) or "无数据"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
            f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="inherit"')
    meta = f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
    if not rows:
        empty = f'<text x="0" y="16" font-size="{font}" fill="{MUTED}">无数据</text>'
        return f'{head} viewBox="0 0 {width} 24">{meta}{empty}</svg>'
    label_w = min(max(_text_width(label, font) for label, _ in rows) + 10, width * 0.45)
    value_w = _text_width(str(max(value for _, value in rows)), font) + 8
    plot_w = width - label_w - value_w
    top = max(value for _, value in rows) or 1
    height = len(rows) * (bar_height + gap) + gap
    parts = [f'{head} viewBox="0 0 {width} {height}" width="{width}" height="{height}">', meta]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_height + gap)
        w = max(2.0, plot_w * value / top)
        baseline = y + bar_height / 2 + font * 0.36
        fill = REST if label == rest_label else color
        parts.append(f'<g class="row"><text x="{label_w - 8:.1f}" y="{baseline:.1f}" font-size="{font}" '
                     f'text-anchor="end" fill="{INK}">{escape(label)}</text>'
                     f'<rect class="bar" x="{label_w:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" rx="3" '
                     f'fill="{fill}"><title>{escape(label)}：{value}{unit}</title></rect>'
                     f'<text x="{label_w + w + 5:.1f}" y="{baseline:.1f}" font-size="{font}" '
                     f'fill="{MUTED}">{value}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
