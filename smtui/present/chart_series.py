"""What a chart is made of, before it is drawn: its series, the options it is drawn with, and the points it marks.

Nothing here knows about terminals: :mod:`smtui.present.chart` lays these out
in cells.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from smtui.present.chart_raster import PATTERNS
from smtui.present.metric_kinds import DOWN, UNKNOWN, UP

#: How many series colours the widget defines; series beyond take them again with another dash pattern.
COLOURS = 5
#: What marks each kind of point, in the order one shown in a shared cell wins.
GLYPHS = {"best": "★", "last": "●", "min": "▼", "max": "▲"}


@dataclass(frozen=True)
class Series:
    """One line (or set of points) of a chart.

    ``points`` are (x, y) sorted by x; y may be NaN (a gap). ``kind`` is
    ``line``, ``step`` (each value held until the next, as a best-so-far
    line) or ``points`` (a marker each, no line). ``style`` picks the colour
    and dash pattern; ``direction`` says which way is better, for the best mark.
    """

    label: str
    points: tuple[tuple[float, float], ...]
    kind: str = "line"
    direction: int = UNKNOWN
    style: int = 0
    #: A character that names the series where colour cannot (``1``, ``2``...): its last point shows it, and
    #: so does its legend line.
    key: str = ""


@dataclass(frozen=True)
class ChartOptions:
    """How to draw a chart.

    ``x_kind`` is ``elapsed`` (seconds since training started), ``clock``
    (epoch seconds, labelled in local time) or ``count`` (launch order);
    ``x_range`` the span shown (None: all the data). ``smoothing`` is the
    weight of an exponential moving average (0: none). ``marks`` is ``all``
    (min, max, last and best), ``best`` (best and last) or ``none``.
    """

    title: str = ""
    status: str = ""
    x_kind: str = "elapsed"
    x_range: tuple[float, float] | None = None
    log: bool = False
    smoothing: float = 0.0
    marks: str = "all"
    legend: bool = True


@dataclass(frozen=True)
class SeriesStats:
    """The marked points of one series: its last, lowest and highest finite points, and the best of those two."""

    last: tuple[float, float] | None
    low: tuple[float, float] | None
    high: tuple[float, float] | None
    best: tuple[float, float] | None

    @classmethod
    def of(cls, points: Sequence[tuple[float, float]], direction: int = UNKNOWN) -> SeriesStats:
        finite = [p for p in points if math.isfinite(p[1])]
        if not finite:
            return cls(None, None, None, None)
        # The first point reaching the extreme: when a value repeats, the earliest is where it was reached.
        low = min(finite, key=lambda p: p[1])
        high = max(finite, key=lambda p: p[1])
        best = low if direction == DOWN else high if direction == UP else None
        return cls(finite[-1], low, high, best)


@dataclass(frozen=True)
class Mark:
    """A marked point: its kind (``min``, ``max``, ``best``, ``last``), series, value, and the cell it is in."""

    kind: str
    series: int
    x: float
    y: float
    column: int
    row: int


def ema(points: Sequence[tuple[float, float]], weight: float) -> list[tuple[float, float]]:
    """An exponential moving average of the finite values, debiased at the start (as TensorBoard smooths):
    each value is ``weight`` of the average before it and ``1 - weight`` of the new point."""
    if not 0 < weight < 1:
        return list(points)
    out, average, count = [], 0.0, 0
    for x, y in points:
        if not math.isfinite(y):
            out.append((x, y))
            continue
        count += 1
        average = average * weight + (1 - weight) * y
        out.append((x, average / (1 - weight**count)))
    return out


def line_pattern(style: int) -> tuple[bool, ...]:
    """A line's dash pattern: the first series of each colour solid, the next ones dashed, dotted..."""
    # Each round of the colours shifts the patterns by one: no two of the first COLOURS x PATTERNS series share
    # both a colour and a pattern.
    return PATTERNS[(style % COLOURS + style // COLOURS) % len(PATTERNS)]
