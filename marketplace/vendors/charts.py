"""Bar charts drawn on the server as SVG: the geometry here, the markup in
``templates/vendors/_bar_chart.html``. No JavaScript and no style attributes (the CSP forbids
them); SVG presentation attributes and CSS classes do the drawing."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: The drawing's coordinate system (the SVG's viewBox); CSS scales it to the page.
WIDTH, HEIGHT = 640, 260
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 104, 632, 12, 224
MAX_AXIS_LABELS = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    #: Text under the bar ("" when labels are thinned out to stay readable).
    axis_label: str
    #: The bar's figure in words, for its tooltip.
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = PLOT_LEFT
    right: int = PLOT_RIGHT
    bottom: int = PLOT_BOTTOM

    @property
    def label_y(self) -> int:
        return self.bottom + 18


def nice_step(value: int, ticks: int) -> int:
    """The smallest round step (a whole 1, 2, 2.5 or 5 times a power of ten) of which ``ticks``
    reach ``value``: the value axis is then labelled in round, whole figures."""
    needed = max(value, 1) / ticks
    power: int = 10 ** max(math.floor(math.log10(needed)), 0)
    for factor in (1, 2, 2.5, 5):
        step = factor * power
        if step >= needed and step == int(step):
            return int(step)
    return 10 * power


def bar_chart(
    items: Sequence[tuple[str, int, str]],
    format_value: Callable[[int], str],
    ticks: int = 4,
) -> BarChart:
    """A chart of ``(axis label, value, title)`` bars, values zero or more, in the given order."""
    top = nice_step(max((value for _, value, _ in items), default=0), ticks) * ticks
    plot_height = PLOT_BOTTOM - PLOT_TOP
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(items), 1)
    every = max(math.ceil(len(items) / MAX_AXIS_LABELS), 1)
    bars = []
    for index, (label, value, title) in enumerate(items):
        height = plot_height * value / top
        bars.append(
            Bar(
                x=round(PLOT_LEFT + index * slot + slot * 0.15, 2),
                y=round(PLOT_BOTTOM - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                # Counted from the newest bar, so the current day, week or month is labelled.
                axis_label=label if (len(items) - 1 - index) % every == 0 else "",
                title=title,
            )
        )
    return BarChart(
        bars=bars,
        ticks=[
            Tick(
                y=round(PLOT_BOTTOM - plot_height * step / ticks, 2),
                label=format_value(top // ticks * step),
            )
            for step in range(ticks + 1)
        ],
    )
