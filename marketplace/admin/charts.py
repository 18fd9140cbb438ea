"""Charts drawn on the server as SVG: no script, no chart library, nothing the CSP forbids.

Each chart is an ``<svg role="img">`` named by its ``<title>`` (and described by its
``<desc>``); it carries no ``style`` attribute, only presentation attributes and classes styled
in app.css. The numbers themselves are in the table printed beside every chart, which is what
screen readers and exports use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH = 480
LABEL_WIDTH = 190
ROW_HEIGHT = 26
BAR_HEIGHT = 16
VALUE_ROOM = 92
COLUMN_CHART_HEIGHT = 200
MAX_LABEL = 26


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _open(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, int]],
    value_label: Callable[[int], str],
) -> Markup:
    """Horizontal bars, one row per item, longest bar for the largest value."""
    height = max(len(items), 1) * ROW_HEIGHT + 8
    parts = _open(chart_id, title, description, height)
    largest = max((value for _, value in items), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    for index, (label, value) in enumerate(items):
        y = 4 + index * ROW_HEIGHT
        width = round(room * max(value, 0) / largest)
        text_y = y + BAR_HEIGHT - 4
        parts.append(
            f'<text class="chart__label" x="{LABEL_WIDTH - 8}" y="{text_y}" '
            f'text-anchor="end">{escape(_short(label))}</text>'
        )
        parts.append(
            f'<rect class="chart__bar" x="{LABEL_WIDTH}" y="{y}" width="{width}" '
            f'height="{BAR_HEIGHT}" rx="3"></rect>'
        )
        parts.append(
            f'<text class="chart__value" x="{LABEL_WIDTH + width + 6}" y="{text_y}">'
            f"{escape(value_label(value))}</text>"
        )
    if not items:
        parts.append(f'<text class="chart__label" x="8" y="20">{escape("–")}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped


def column_chart(
    chart_id: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, int]],
    value_label: Callable[[int], str],
) -> Markup:
    """Vertical columns in order (months), labels beneath, the largest value marked."""
    height = COLUMN_CHART_HEIGHT
    parts = _open(chart_id, title, description, height)
    count = max(len(items), 1)
    slot = (WIDTH - 16) / count
    base = height - 28
    top = 24
    largest = max((value for _, value in items), default=0) or 1
    parts.append(
        f'<line class="chart__axis" x1="8" y1="{base}" x2="{WIDTH - 8}" y2="{base}"></line>'
    )
    for index, (label, value) in enumerate(items):
        x = 8 + index * slot
        bar_height = round((base - top) * max(value, 0) / largest)
        parts.append(
            f'<rect class="chart__bar" x="{x + slot * 0.15:.1f}" y="{base - bar_height}" '
            f'width="{slot * 0.7:.1f}" height="{bar_height}" rx="2"></rect>'
        )
        parts.append(
            f'<text class="chart__label" x="{x + slot / 2:.1f}" y="{height - 10}" '
            f'text-anchor="middle">{escape(_short(label, 8))}</text>'
        )
        if value == largest and value > 0:
            # Near either edge the label is anchored inside the drawing, never cut off.
            centre = x + slot / 2
            anchor = "end" if centre > WIDTH - 60 else "start" if centre < 60 else "middle"
            label_x = WIDTH - 4 if anchor == "end" else 4 if anchor == "start" else centre
            parts.append(
                f'<text class="chart__value" x="{label_x:.1f}" y="{base - bar_height - 6}" '
                f'text-anchor="{anchor}">{escape(value_label(value))}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped
