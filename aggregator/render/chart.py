"""Small horizontal bar charts as inline SVG (no script, readable without CSS)."""

from __future__ import annotations

from html import escape


def bar_chart(rows: list[tuple[str, int]], unit: str = "", width: int = 360, bar_height: int = 18, gap: int = 6) -> str:
    """An SVG bar chart of (label, value) rows, largest first as given."""
    if not rows:
        return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 24" role="img"><text x="0" y="16" font-size="12">无数据</text></svg>'
    label_w = 8 + 14 * max(len(label) for label, _ in rows)
    label_w = min(label_w, 130)
    top = max(value for _, value in rows) or 1
    plot_w = width - label_w - 40
    height = len(rows) * (bar_height + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(", ".join(f"{label} {value}{unit}" for label, value in rows))}">']
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_height + gap)
        w = max(2, round(plot_w * value / top))
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_height - 4}" font-size="13" text-anchor="end" fill="#1f2328">{escape(label)}</text>')
        parts.append(f'<rect class="bar" x="{label_w}" y="{y}" width="{w}" height="{bar_height}" rx="2" fill="#b3261e" opacity="0.85">'
                     f'<title>{escape(label)}：{value}{unit}</title></rect>')
        parts.append(f'<text x="{label_w + w + 5}" y="{y + bar_height - 4}" font-size="12" fill="#6b7280">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
