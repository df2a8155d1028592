"""The chaos report as an SVG chart, written by hand so the tool needs
nothing beyond Python: success rate and p99 latency per scenario, side by
side, one bar each."""
from __future__ import annotations

import math
from xml.sax.saxutils import escape

WIDTH, PANEL_HEIGHT, MARGIN_LEFT, MARGIN_TOP, BAR_GAP = 900, 260, 220, 40, 6


def bar_panel(title: str, rows: list[tuple[str, float, str]], top: int, scale) -> list[str]:
    """Horizontal bars: (label, value, value text); `scale` maps a value to
    a bar width in pixels."""
    parts = [f'<text x="10" y="{top - 12}" font-size="15" font-weight="bold">{escape(title)}</text>']
    bar_height = (PANEL_HEIGHT - MARGIN_TOP) / max(1, len(rows)) - BAR_GAP
    for index, (label, value, text) in enumerate(rows):
        y = top + index * (bar_height + BAR_GAP)
        width = max(1.0, scale(value))
        parts.append(f'<text x="{MARGIN_LEFT - 8}" y="{y + bar_height * 0.7:.1f}" font-size="12" '
                     f'text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{MARGIN_LEFT}" y="{y:.1f}" width="{width:.1f}" height="{bar_height:.1f}" '
                     f'fill="#4a7ab5"/>')
        parts.append(f'<text x="{MARGIN_LEFT + width + 6:.1f}" y="{y + bar_height * 0.7:.1f}" '
                     f'font-size="12">{escape(text)}</text>')
    return parts


def write_chart(path: str, scenarios: list[dict]) -> None:
    usable = WIDTH - MARGIN_LEFT - 120
    # Success rate from 90% up, so that 99.4% and 99.99% look different.
    def success_scale(rate: float) -> float:
        return usable * max(0.0, rate - 90.0) / 10.0

    slowest = max([scenario["p99_ms"] for scenario in scenarios] + [10.0])

    def latency_scale(ms: float) -> float:  # logarithmic: 1 ms to the slowest
        return usable * math.log10(max(1.0, ms)) / math.log10(slowest)

    success_rows = [(s["label"], s["success_percent"], f'{s["success_percent"]:.3f}%') for s in scenarios]
    latency_rows = [(s["label"], s["p99_ms"], f'{s["p99_ms"]:.0f} ms') for s in scenarios]
    height = 2 * PANEL_HEIGHT + 2 * MARGIN_TOP
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'font-family="sans-serif">', f'<rect width="{WIDTH}" height="{height}" fill="white"/>']
    parts += bar_panel("End-to-end success rate (axis from 90%)", success_rows, MARGIN_TOP, success_scale)
    parts += bar_panel("p99 latency (log scale)", latency_rows, PANEL_HEIGHT + 2 * MARGIN_TOP, latency_scale)
    parts.append("</svg>")
    with open(path, "w") as out:
        out.write("\n".join(parts) + "\n")
