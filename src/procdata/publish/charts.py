"""Bar charts as inline SVG: no scripts, no external fonts, readable when printed."""

from __future__ import annotations

from html import escape

COLOURS = ("#1f6f8b", "#e07a1f", "#3a9d5d", "#8e5ea2", "#c8553d", "#6c757d", "#b8a21f")
WIDTH, LABEL, BAR, GAP = 720, 230, 22, 10


def bar_chart(title: str, bars: list[tuple[str, float, str]]) -> str:
    """A horizontal bar chart: one ``(label, value, shown text)`` per bar, scaled to the largest."""
    if not bars:
        return ""
    top = max((value for _, value, _ in bars), default=0.0) or 1.0
    area = WIDTH - LABEL - 150
    height = len(bars) * (BAR + GAP) + GAP
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for index, (label, value, shown) in enumerate(bars):
        y = GAP + index * (BAR + GAP)
        length = max(area * max(value, 0.0) / top, 1.0 if value else 0.0)
        short = label if len(label) <= 30 else label[:29] + "…"
        colour = COLOURS[index % len(COLOURS)]
        parts.append(
            f'<g><title>{escape(label)}: {escape(shown)}</title>'
            f'<text x="{LABEL - 8}" y="{y + BAR * 0.72:.1f}" text-anchor="end" class="chart-label">{escape(short)}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR}" rx="3" fill="{colour}"/>'
            f'<text x="{LABEL + length + 6:.1f}" y="{y + BAR * 0.72:.1f}" class="chart-value">{escape(shown)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
