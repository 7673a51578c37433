"""A line chart worked out as text: axes, braille lines, marked points and a legend, without Textual.

:func:`draw_chart` turns series of (x, y) points into a :class:`ChartPicture`:
lines of styled spans, and the numbers behind them (the axes' ends and ticks,
the cell of every marked point), so tests check a chart against its data and
the widget only paints spans. Roles name styles the widget maps to theme
colours: ``series-N`` (N below :data:`COLOURS`), ``mark-N``, ``raw`` (the
unsmoothed line under a smoothed one), ``axis``, ``label``, ``title``, ``muted``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len

from smtui.present.chart_raster import PATTERNS, BrailleCanvas, pattern_sample
from smtui.present.chart_scale import Axis, clock_axis, elapsed_axis, linear_axis, log_axis, nice_step
from smtui.present.chart_series import COLOURS, GLYPHS, ChartOptions, Mark, Series, SeriesStats, ema, line_pattern
from smtui.present.numbers import metric_value

#: A run of text and its style role.
Span = tuple[str, "str | None"]
#: A line does not join two points further apart than this many times the series' usual spacing (a job's
#: restart, a spot interruption): it breaks there instead.
GAP_FACTOR = 8.0


@dataclass
class ChartPicture:
    """A chart as lines of spans, with the numbers they show."""

    lines: list[tuple[Span, ...]]
    width: int
    x_axis: Axis | None = None
    y_axis: Axis | None = None
    marks: tuple[Mark, ...] = ()
    #: The plot area: left column, top row, width and height, in cells of the picture.
    plot: tuple[int, int, int, int] = (0, 0, 0, 0)
    #: Something the chart could not do as asked (a log scale of values at or below zero).
    notice: str = ""
    stats: tuple[SeriesStats, ...] = field(default_factory=tuple)

    def text(self) -> str:
        """The picture as plain text, one line per row."""
        return "\n".join("".join(text for text, _ in line) for line in self.lines)


def draw_chart(series: Sequence[Series], width: int, height: int, options: ChartOptions | None = None) -> ChartPicture:
    """``series`` drawn in ``width`` x ``height`` cells: a title line, the plot with its y axis on the left,
    the x axis and its labels under it, then a legend line per series (left out when there is no room)."""
    options = options or ChartOptions()
    width, height = max(width, 1), max(height, 1)
    stats = tuple(SeriesStats.of(s.points, s.direction) for s in series)
    lines: list[tuple[Span, ...]] = [_title_line(options.title, options.status, width)]
    legend_rows = len(series) if options.legend else 0
    plot_height = height - 3 - legend_rows
    if plot_height < 4 and legend_rows:
        legend_rows = max(0, height - 3 - 4)
        plot_height = height - 3 - legend_rows
    picture = ChartPicture(lines, width, stats=stats)
    if plot_height < 2 or width < 12:
        return _pad(picture, height)
    x_low, x_high = options.x_range or _data_range(series)
    if not x_high > x_low:
        x_high = x_low + 1.0
    shown = [_visible(s.points, x_low, x_high) for s in series]
    smoothed = [
        ema(points, options.smoothing) if s.kind == "line" and options.smoothing else points
        for s, points in zip(series, shown)
    ]
    values = [y for points in shown for _, y in points if math.isfinite(y)]
    if not values:
        lines.extend(_message_rows("No points in this span", width, plot_height))
        lines.extend([(("", None),), (("", None),)])
        _legend(picture, series, stats, legend_rows, options)
        return _pad(picture, height)
    log = options.log
    if log and min(values) <= 0:
        picture.notice = "log scale needs values above 0: linear"
        log = False
    y_ticks = max(3, plot_height // 2 + 1)
    y_axis = log_axis(min(values), max(values), y_ticks) if log else linear_axis(min(values), max(values), y_ticks)
    label_width = max(cell_len(label) for label in y_axis.labels)
    plot_left = label_width + 1
    plot_width = max(width - plot_left - 1, 4)
    x_axis = _x_axis(options.x_kind, x_low, x_high, plot_width)
    picture.x_axis, picture.y_axis = x_axis, y_axis
    picture.plot = (plot_left, 1, plot_width, plot_height)
    canvas = BrailleCanvas(plot_width, plot_height)
    to_px = _mapper(x_axis, y_axis, canvas)
    for s, raw, line in zip(series, shown, smoothed):
        role = f"series-{s.style % COLOURS}"
        pattern = line_pattern(s.style) if s.kind == "line" else PATTERNS[0]
        if s.kind == "points":
            for x, y in raw:
                if math.isfinite(y):
                    px, py = to_px(x, y)
                    canvas.put(px >> 1, py >> 2, "●", role)
            continue
        if line is not raw:
            _polyline(canvas, raw, to_px, "raw", (True,), s.kind == "step")
        _polyline(canvas, line, to_px, role, pattern, s.kind == "step")
    marks = _place_marks(canvas, series, stats, to_px, options, x_low, x_high, y_axis)
    picture.marks = tuple(Mark(m.kind, m.series, m.x, m.y, m.column + plot_left, m.row + 1) for m in marks)
    _plot_rows(picture, canvas, y_axis, label_width, to_px)
    _x_rows(picture, x_axis, plot_left, plot_width, to_px, width)
    _legend(picture, series, stats, legend_rows, options)
    if picture.notice:
        status = " · ".join(part for part in (picture.notice, options.status) if part)
        picture.lines[0] = _title_line(options.title, status, width)
    return _pad(picture, height)


def _title_line(title: str, status: str, width: int) -> tuple[Span, ...]:
    status = status[: max(width - 4, 0)]
    room = width - cell_len(status) - (1 if status else 0)
    title = title if cell_len(title) <= room else title[: max(room - 1, 0)] + "…"
    gap = max(width - cell_len(title) - cell_len(status), 0)
    return ((title, "title"), (" " * gap, None), (status, "muted"))


def _data_range(series: Sequence[Series]) -> tuple[float, float]:
    xs = [x for s in series for x, _ in s.points]
    return (min(xs), max(xs)) if xs else (0.0, 1.0)


def _visible(points: Sequence[tuple[float, float]], low: float, high: float) -> list[tuple[float, float]]:
    """The points inside [low, high], with the one just outside each end so a line runs to the edge."""
    inside = [i for i, (x, _) in enumerate(points) if low <= x <= high]
    if not inside:
        before = [i for i, (x, _) in enumerate(points) if x < low]
        after = [i for i, (x, _) in enumerate(points) if x > high]
        if before and after:
            return [points[before[-1]], points[after[0]]]
        return []
    first, last = max(inside[0] - 1, 0), min(inside[-1] + 1, len(points) - 1)
    return list(points[first : last + 1])


def _x_axis(kind: str, low: float, high: float, plot_width: int) -> Axis:
    per_label = {"clock": 8, "count": 4}.get(kind, 7)
    ticks = max(2, plot_width // per_label)
    while True:
        if kind == "clock":
            axis = clock_axis(low, high, ticks)
        elif kind == "count":
            axis = _count_axis(low, high, ticks)
        else:
            axis = elapsed_axis(low, high, ticks)
        widest = max((cell_len(label) for label in axis.labels), default=0)
        if ticks <= 2 or len(axis.ticks) * (widest + 2) <= plot_width:
            return axis
        ticks -= 1


def _count_axis(low: float, high: float, ticks: int) -> Axis:
    """Launch order: whole numbers, the axis running half a step past the first and last."""
    step = max(1.0, nice_step(max(high - low, 1.0), max(ticks - 1, 1)))
    step = float(math.ceil(step))
    first = math.ceil(low / step) * step
    values = []
    value = first if first >= low else first + step
    while value <= high + 1e-9:
        values.append(value)
        value += step
    tick_values = tuple(v for v in values if v >= 1) or (max(1.0, math.ceil(low)),)
    return Axis(low, high, tick_values, tuple(str(int(v)) for v in tick_values))


def _mapper(x_axis: Axis, y_axis: Axis, canvas: BrailleCanvas):
    last_x, last_y = canvas.pixel_width - 1, canvas.pixel_height - 1

    def to_px(x: float, y: float) -> tuple[int, int]:
        fx = x_axis.fraction(x)
        fy = y_axis.fraction(y)
        px = round(fx * last_x) if math.isfinite(fx) else -1
        py = round((1 - fy) * last_y) if math.isfinite(fy) else last_y + 1
        return px, py

    return to_px


def _polyline(
    canvas: BrailleCanvas, points: Sequence[tuple[float, float]], to_px, role: str, pattern: Sequence[bool], step: bool
) -> None:
    gaps = [b[0] - a[0] for a, b in zip(points, points[1:]) if b[0] > a[0]]
    usual = statistics.median(gaps) if gaps else 0.0
    previous: tuple[float, float] | None = None
    phase = 0
    for x, y in points:
        if not math.isfinite(y):
            previous = None
            continue
        px, py = to_px(x, y)
        if previous is None:
            canvas.dot(px, py, role)
        elif not step and usual and x - previous[0] > GAP_FACTOR * usual:
            canvas.dot(px, py, role)  # a gap in the data: no line across it
        else:
            ox, oy = to_px(*previous)
            if step:
                phase = canvas.line(ox, oy, px, oy, role, pattern, phase)
                phase = canvas.line(px, oy, px, py, role, pattern, phase)
            else:
                phase = canvas.line(ox, oy, px, py, role, pattern, phase)
        previous = (x, y)


def _place_marks(
    canvas: BrailleCanvas,
    series: Sequence[Series],
    stats: Sequence[SeriesStats],
    to_px,
    options: ChartOptions,
    x_low: float,
    x_high: float,
    y_axis: Axis,
) -> list[Mark]:
    if options.marks == "none":
        return []
    kinds = ("best", "last", "min", "max") if options.marks == "all" else ("best", "last")
    placed: dict[tuple[int, int], Mark] = {}
    marks: list[Mark] = []
    for index, (s, st) in enumerate(zip(series, stats)):
        if s.kind == "step":
            continue
        wanted = kinds if s.kind == "line" else ("best",)
        for kind in wanted:
            point = {"best": st.best, "last": st.last, "min": st.low, "max": st.high}[kind]
            if point is None or not x_low <= point[0] <= x_high:
                continue
            if y_axis.log and point[1] <= 0:
                continue
            px, py = to_px(*point)
            cell = (px >> 1, py >> 2)
            mark = Mark(kind, index, point[0], point[1], cell[0], cell[1])
            marks.append(mark)
            if cell not in placed:  # best first, then last, min, max: the first in a cell shows
                placed[cell] = mark
    labelled = options.marks == "all" and len(series) == 1
    for cell, mark in placed.items():
        s = series[mark.series]
        glyph = s.key if mark.kind == "last" and s.key else GLYPHS[mark.kind]
        canvas.put(cell[0], cell[1], glyph, f"mark-{s.style % COLOURS}")
    for mark in marks:
        # A job's key shares its last point's cell with a best mark: it goes beside it, so no line goes unnamed.
        key = series[mark.series].key
        if mark.kind == "last" and key and placed[(mark.column, mark.row)] is not mark:
            _label(canvas, (mark.column, mark.row), key, f"mark-{series[mark.series].style % COLOURS}", force=True)
    if labelled:
        for cell, mark in placed.items():
            _label(canvas, cell, metric_value(mark.y), f"mark-{series[mark.series].style % COLOURS}")
    return marks


def _label(canvas: BrailleCanvas, cell: tuple[int, int], text: str, role: str, *, force: bool = False) -> None:
    """Write a mark's value beside it where no dot or text is in the way: right of it, left of it, or on the
    row above or below; nowhere if there is no room (the legend says it anyway), unless ``force``d."""
    column, row = cell
    size = len(text)
    places = (
        (row, column + 1),
        (row, column - size),
        (row - 1, column + 1),
        (row + 1, column + 1),
        (row - 1, column - size),
        (row + 1, column - size),
    )
    for line, start in places:
        if all(canvas.is_free(c, line) for c in range(start, start + size)):
            for offset, char in enumerate(text):
                canvas.put(start + offset, line, char, role)
            return
    if force:  # over the dots, where it fits
        start = column + 1 if column + size < canvas.width else column - size
        for offset, char in enumerate(text):
            canvas.put(start + offset, row, char, role)


def _plot_rows(picture: ChartPicture, canvas: BrailleCanvas, y_axis: Axis, label_width: int, to_px) -> None:
    # The ends are labelled first; a tick between them keeps its label only with a free row on each side.
    x = picture.x_axis.low if picture.x_axis else 0.0
    rows = [min(max(to_px(x, tick)[1] >> 2, 0), canvas.height - 1) for tick in y_axis.ticks]
    labels: dict[int, str] = {}
    order = [0, len(rows) - 1, *range(1, len(rows) - 1)]
    for index in dict.fromkeys(order):
        row = rows[index]
        if index in (0, len(rows) - 1) or all(abs(row - other) > 1 for other in labels):
            labels.setdefault(row, y_axis.labels[index])
    for row, runs in enumerate(canvas.rows()):
        label = labels.get(row)
        spans: list[Span] = [(f"{label or '':>{label_width}}", "label"), ("┤" if label else "│", "axis")]
        spans.extend(runs)
        picture.lines.append(tuple(spans))


def _x_rows(picture: ChartPicture, x_axis: Axis, plot_left: int, plot_width: int, to_px, width: int) -> None:
    axis = ["─"] * plot_width
    label_line = [" "] * width
    end = -1
    for tick, label in zip(x_axis.ticks, x_axis.labels):
        column = to_px(tick, 0.0)[0] >> 1
        if not 0 <= column < plot_width:
            continue
        axis[column] = "┬"
        size = cell_len(label)
        start = min(max(plot_left + column - size // 2, 0), width - size)
        if start <= end + 1 or start < 0:
            continue  # no room: the tick stays, its label goes
        label_line[start : start + size] = list(label)
        end = start + size - 1
    picture.lines.append(((" " * (plot_left - 1), None), ("└" + "".join(axis), "axis")))
    picture.lines.append((("".join(label_line).rstrip(), "label"),))


def _legend(
    picture: ChartPicture, series: Sequence[Series], stats: Sequence[SeriesStats], rows: int, options: ChartOptions
) -> None:
    if not rows:
        return
    label_width = min(max((cell_len(s.label) for s in series), default=0), max(picture.width // 3, 8))
    for s, st in list(zip(series, stats))[:rows]:
        role = f"series-{s.style % COLOURS}"
        mark_role = f"mark-{s.style % COLOURS}"
        pattern = line_pattern(s.style) if s.kind == "line" else PATTERNS[0]
        sample = "●" if s.kind == "points" else pattern_sample(pattern, 4)
        label = s.label if cell_len(s.label) <= label_width else s.label[: label_width - 1] + "…"
        spans: list[Span] = [(f"{s.key} ", f"mark-{s.style % COLOURS}")] if s.key else []
        spans += [(f"{sample:<4} ", role), (f"{label:<{label_width}}", None)]
        fields = [("last", s.key or "●", st.last)]
        if options.marks == "all" and s.kind == "line":
            fields += [("min", "▼", st.low), ("max", "▲", st.high)]
        if st.best is not None:
            fields.append(("best", "★", st.best))
        used = 5 + label_width + (2 if s.key else 0)
        for name, glyph, point in fields:
            if point is None:
                continue
            text = f"{name} {metric_value(point[1])}"
            if used + 3 + len(text) > picture.width:
                break
            spans += [("  ", None), (glyph, mark_role), (" " + text, "muted" if name != "best" else None)]
            used += 3 + len(text)
        picture.lines.append(tuple(spans))


def _message_rows(message: str, width: int, rows: int) -> list[tuple[Span, ...]]:
    out: list[tuple[Span, ...]] = []
    for row in range(rows):
        text = message if row == rows // 2 else ""
        out.append(((f"{text:^{width}}" if text else "", "muted"),))
    return out


def _pad(picture: ChartPicture, height: int) -> ChartPicture:
    del picture.lines[height:]
    while len(picture.lines) < height:
        picture.lines.append((("", None),))
    return picture
