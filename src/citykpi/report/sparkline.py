"""A data point's values over the years as a word-sized line in its table row, with the target dashed.

The reports draw their charts with Vega-Lite; a snapshot would need one chart per data point (~150),
and Vega-Lite took 6-11 s for them as one faceted chart on the project machine, against the
snapshot's 1 s budget. A sparkline is a polyline in a fixed box, so it is computed here: a pure
function of the values, escaped text only in the label.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 64.0, 18.0, 2.0
LINE = "#24405e"
TARGET = "#c8423b"


def _scale(value: float, low: float, high: float) -> float:
    """SVG y of a value: higher values higher up; a flat series sits in the middle."""
    if high == low:
        return HEIGHT / 2
    return PAD + (high - value) / (high - low) * (HEIGHT - 2 * PAD)


def sparkline(points: Sequence[tuple[int, float]], target: float | None, label: str) -> Markup:
    """`points` (year, value) oldest first, two or more; the y range takes the target in."""
    values = [v for _, v in points] + ([target] if target is not None else [])
    low, high = min(values), max(values)
    first, last = points[0][0], points[-1][0]
    span = (last - first) or 1
    xy = [(PAD + (y - first) / span * (WIDTH - 2 * PAD), _scale(v, low, high)) for y, v in points]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    rule = ""
    if target is not None:
        at = _scale(target, low, high)
        rule = (
            f'<line x1="0" x2="{WIDTH:g}" y1="{at:.1f}" y2="{at:.1f}" stroke="{TARGET}" stroke-width="1"'
            ' stroke-dasharray="3 2"/>'
        )
    end_x, end_y = xy[-1]
    return Markup(
        f'<svg class="spark" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" width="{WIDTH:g}" height="{HEIGHT:g}" role="img"'
        f' aria-label="{escape(label)}">{rule}<polyline points="{line}" fill="none" stroke="{LINE}"'
        f' stroke-width="1.2"/><circle cx="{end_x:.1f}" cy="{end_y:.1f}" r="1.6" fill="{LINE}"/></svg>'
    )
