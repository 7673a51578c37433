"""Charts as text: the axes' ends and the marked points checked against the data they draw."""

from __future__ import annotations

import math
import random

import pytest

from smtui.present.chart import GLYPHS, ChartOptions, Series, SeriesStats, draw_chart, ema
from smtui.present.chart_raster import PATTERNS, BrailleCanvas, pattern_sample
from smtui.present.chart_scale import clock_axis, elapsed_axis, elapsed_label, linear_axis, log_axis
from smtui.present.chart_view import MAX_ZOOM, XWindow, next_smoothing
from smtui.present.metric_kinds import DOWN, UNKNOWN, UP, chart_groups, direction


def loss_curve(seed: int, count: int = 120, start: float = 0.7, end: float = 0.2) -> tuple[tuple[float, float], ...]:
    rng = random.Random(seed)
    return tuple((60.0 * i, end + (start - end) * math.exp(-i / 30) + rng.gauss(0, 0.01)) for i in range(count))


def cell_value_range(picture, row: int) -> tuple[float, float]:
    """The y values a plot row stands for, from the picture's own axis."""
    _, top, _, height = picture.plot
    pixels = height * 4
    inside = row - top
    high = picture.y_axis.value_at(1 - (inside * 4 - 0.5) / (pixels - 1))
    low = picture.y_axis.value_at(1 - (inside * 4 + 3.5) / (pixels - 1))
    return low, high


def char_at(picture, row: int, column: int) -> str:
    line = "".join(text for text, _ in picture.lines[row])
    return line[column]


# -- axes ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_linear_axis_ends_are_round_and_enclose_the_data_tightly(seed):
    rng = random.Random(seed)
    low = rng.uniform(-1000, 1000) * 10 ** rng.randint(-4, 3)
    # Spans a float can step through: at least a millionth of the values' size.
    high = low + max(abs(rng.gauss(0, 1)) * 10 ** rng.randint(-4, 4), abs(low) * 1e-6)
    ticks = rng.randint(2, 12)
    axis = linear_axis(low, high, ticks)
    assert axis.low <= low and axis.high >= high
    assert 2 <= len(axis.ticks) <= max(ticks, 3 if low < 0 < high else 2)
    assert axis.ticks[0] == axis.low and axis.ticks[-1] == axis.high
    step = axis.ticks[1] - axis.ticks[0]
    # Tight: the ends are less than one step outside the data (a flat series is spread around its value).
    if high > low:
        assert low - axis.low < step * (1 + 1e-9) and axis.high - high < step * (1 + 1e-9)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))
    assert len(set(axis.labels)) == len(axis.labels), axis.labels


def test_axis_labels_read_as_the_values():
    axis = linear_axis(0.213, 0.690, 6)
    assert (axis.low, axis.high) == (0.2, 0.7)
    assert axis.labels == ("0.2", "0.3", "0.4", "0.5", "0.6", "0.7")
    assert linear_axis(41_322, 48_277, 5).labels == ("40000", "42500", "45000", "47500", "50000")
    assert linear_axis(0, 2.5e6, 6).labels[-1].endswith("M")


def test_log_axis_ends_on_1_2_5_values_around_the_data():
    axis = log_axis(0.0213, 0.69, 8)
    assert (axis.low, axis.high) == (0.02, 1.0)
    assert axis.log and axis.fraction(0.02) == 0 and axis.fraction(1.0) == 1
    assert math.isclose(axis.fraction(0.1), (math.log10(0.1) - math.log10(0.02)) / (0 - math.log10(0.02)))
    wide = log_axis(1e-5, 1e3, 5)
    assert wide.low == 1e-5 and wide.high == 1e3 and len(wide.ticks) <= 5
    with pytest.raises(ValueError):
        log_axis(0, 1, 4)


def test_time_axes_tick_on_whole_units():
    axis = elapsed_axis(0, 5400, 8)
    assert axis.ticks == tuple(float(t) for t in range(0, 5401, 900))
    assert axis.labels == ("0", "15m", "30m", "45m", "1h", "1h15m", "1h30m")
    assert elapsed_label(90061) == "1d1h"
    clock = clock_axis(1_764_151_000, 1_764_151_000 + 7200, 6)  # 09:56:40 UTC onwards, TZ=UTC in the tests
    assert clock.labels[0] == "10:00" and all(t % 1800 == 0 for t in clock.ticks)


# -- a chart against its data ----------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("size", [(118, 18), (78, 11), (60, 8)])
def test_marked_points_are_the_datas_own_and_sit_in_their_cells(seed, size):
    train = loss_curve(seed)
    valid = loss_curve(seed + 100, count=24)
    valid = tuple((x * 5, y + 0.05) for x, y in valid)
    series = [Series("train:loss", train, direction=DOWN), Series("validation:loss", valid, direction=DOWN, style=1)]
    picture = draw_chart(series, *size, ChartOptions(title="loss"))
    values = [y for s in series for _, y in s.points]
    # The y axis: round ends enclosing every value.
    assert picture.y_axis.low <= min(values) and picture.y_axis.high >= max(values)
    # Each series' marks are its own extremes and its last point.
    for index, s in enumerate(series):
        ys = [y for _, y in s.points]
        found = {m.kind: m for m in picture.marks if m.series == index}
        assert found["min"].y == min(ys) and found["max"].y == max(ys)
        assert found["best"].y == min(ys)  # a loss: lower is better
        assert (found["last"].x, found["last"].y) == s.points[-1]
        for mark in found.values():
            low, high = cell_value_range(picture, mark.row)
            assert low - 1e-9 <= mark.y <= high + 1e-9, (mark, low, high)
    # What each marked cell shows: the glyph of the first mark there (best before last, min, max).
    shown: dict[tuple[int, int], str] = {}
    for mark in picture.marks:
        shown.setdefault((mark.row, mark.column), GLYPHS[mark.kind])
    for (row, column), glyph in shown.items():
        assert char_at(picture, row, column) == glyph


def test_the_axis_labels_on_screen_are_the_axis_ends():
    picture = draw_chart(
        [Series("acc", loss_curve(3, start=0.5, end=0.93), direction=UP)], 90, 16, ChartOptions(title="accuracy")
    )
    text = picture.text().split("\n")
    _, top, _, height = picture.plot
    assert text[top].strip().startswith(picture.y_axis.labels[-1])
    assert text[top + height - 1].strip().startswith(picture.y_axis.labels[0])
    assert text[top + height + 1].split()[0] == "0"  # the x axis starts at the start of training
    assert "best" in text[-1] and "0.9" in text[-1]


def test_best_follows_the_direction_and_unknown_has_none():
    points = ((0.0, 3.0), (1.0, 1.0), (2.0, 5.0), (3.0, 2.0))
    assert SeriesStats.of(points, DOWN).best == (1.0, 1.0)
    assert SeriesStats.of(points, UP).best == (2.0, 5.0)
    assert SeriesStats.of(points, UNKNOWN).best is None
    assert SeriesStats.of(((0.0, float("nan")), (1.0, 2.0)), UP).last == (1.0, 2.0)


def test_log_scale_and_its_refusal():
    series = [Series("loss", ((0.0, 10.0), (60.0, 1.0), (120.0, 0.05)), direction=DOWN)]
    picture = draw_chart(series, 80, 14, ChartOptions(log=True))
    assert picture.y_axis.log and picture.y_axis.low == 0.05 and picture.y_axis.high == 10
    negative = [Series("delta", ((0.0, -1.0), (60.0, 1.0)))]
    refused = draw_chart(negative, 80, 14, ChartOptions(log=True, title="delta"))
    assert not refused.y_axis.log and "log scale needs values above 0" in refused.text().split("\n")[0]


def test_smoothing_is_a_debiased_moving_average_and_keeps_the_marks_on_the_data():
    points = [(float(i), float(v)) for i, v in enumerate([1, 0, 1, 0, 1, 0])]
    smoothed = ema(points, 0.5)
    assert smoothed[0] == (0.0, 1.0)  # debiased: the first value is the first point's
    assert math.isclose(smoothed[1][1], (0.5 * 0.5 * 1 + 0.5 * 0) / 0.75)
    assert ema(points, 0.0) == points
    curve = loss_curve(7)
    picture = draw_chart([Series("loss", curve, direction=DOWN)], 100, 16, ChartOptions(smoothing=0.9))
    assert {m.kind: m.y for m in picture.marks}["min"] == min(y for _, y in curve)


def test_a_zoomed_span_shows_only_its_points():
    curve = loss_curve(1)
    picture = draw_chart([Series("loss", curve, direction=DOWN)], 100, 16, ChartOptions(x_range=(1800.0, 3600.0)))
    inside = [y for x, y in curve if 1800 <= x <= 3600]
    assert picture.x_axis.low == 1800 and picture.x_axis.high == 3600
    assert picture.y_axis.low <= min(inside) and picture.y_axis.high < max(y for _, y in curve)
    assert all(1800 <= m.x <= 3600 for m in picture.marks)


def test_points_and_best_so_far_step_line():
    points = ((1.0, 0.90), (2.0, 0.89), (3.0, 0.93), (4.0, 0.91))
    best = ((1.0, 0.90), (2.0, 0.90), (3.0, 0.93), (4.0, 0.93), (4.5, 0.93))
    picture = draw_chart(
        [
            Series("auc", points, kind="points", direction=UP),
            Series("best so far", best, kind="step", direction=UP, style=1),
        ],
        80,
        14,
        ChartOptions(x_kind="count", x_range=(0.5, 4.5)),
    )
    assert picture.x_axis.labels == ("1", "2", "3", "4")
    (star,) = [m for m in picture.marks if m.kind == "best"]
    assert (star.x, star.y) == (3.0, 0.93) and char_at(picture, star.row, star.column) == "★"
    assert picture.text().count("●") >= 3  # each job's value, and the legend's


def test_no_points_in_the_span_says_so():
    picture = draw_chart([Series("loss", ((0.0, 1.0),))], 60, 10, ChartOptions(x_range=(100.0, 200.0)))
    assert "No points in this span" in picture.text()


# -- telling series apart ----------------------------------------------------------------


def test_patterns_and_keys_tell_series_apart_without_colour():
    samples = [pattern_sample(p, 4) for p in PATTERNS]
    assert len(set(samples)) == len(PATTERNS)
    series = [Series(f"job-{i}", loss_curve(i), style=i, key=str(i + 1)) for i in range(3)]
    picture = draw_chart(series, 100, 20, ChartOptions(marks="best"))
    legend = picture.text().split("\n")[-3:]
    assert [line.split()[0] for line in legend] == ["1", "2", "3"]
    assert len({line.split()[1] for line in legend}) == 3  # three different dash samples
    for mark in (m for m in picture.marks if m.kind == "last"):
        assert char_at(picture, mark.row, mark.column) in ("123★")


def test_canvas_lines_and_clipping():
    canvas = BrailleCanvas(4, 2)
    canvas.line(0, 0, 7, 7, "a")
    assert canvas.char_at(0, 0) != " " and canvas.char_at(3, 1) != " "
    far = BrailleCanvas(4, 2)
    far.line(-100_000, 3, 100_000, 3, "a")  # clipped first: bounded work
    assert all(far.char_at(c, 0) == "⠒" or far.char_at(c, 0) != " " for c in range(4))


# -- names -------------------------------------------------------------------------------


def test_directions_and_pairs_from_names():
    assert direction("train:loss") == DOWN and direction("validation:rmse") == DOWN
    assert direction("validation:auc") == UP and direction("eval_accuracy") == UP
    assert direction("train:tokens_per_second") == UP and direction("top1_error") == DOWN
    assert direction("train:lr") == UNKNOWN
    groups = chart_groups(
        [
            "train:loss",
            "validation:accuracy",
            "validation:loss",
            "train:auc",
            "validation:auc",
            "train:tokens_per_second",
        ]
    )
    assert groups == [
        ("train:loss", "validation:loss"),
        ("validation:accuracy",),
        ("train:auc", "validation:auc"),
        ("train:tokens_per_second",),
    ]
    assert chart_groups(["eval_loss", "train_loss"]) == [("train_loss", "eval_loss")]


# -- keys ----------------------------------------------------------------------------------


def test_zoom_and_pan_keep_within_the_range():
    window = XWindow()
    assert window.span(0, 100) == (0, 100)
    zoomed = window.zoom_in().zoom_in()
    assert zoomed.span(0, 100) == (75, 100) and zoomed.follows
    earlier = zoomed.pan(-1)
    assert earlier.span(0, 100) == pytest.approx((68.75, 93.75)) and not earlier.follows
    assert earlier.pan(1).follows
    start = zoomed.to_start()
    assert start.span(0, 100) == (0, 25) and start.pan(-5).span(0, 100) == (0, 25)
    assert start.zoom_out().span(0, 100) == (0, 50)
    for _ in range(20):
        window = window.zoom_in()
    assert window.zoom == MAX_ZOOM
    assert XWindow().zoom_out() == XWindow()


def test_smoothing_steps_and_comes_back_to_none():
    seen = [0.0]
    for _ in range(6):
        seen.append(next_smoothing(seen[-1]))
    assert seen == [0.0, 0.6, 0.8, 0.9, 0.95, 0.99, 0.0]


def test_without_colour_each_job_has_its_own_dash_pattern_and_key():
    # Under NO_COLOR the colours go: what tells three jobs apart is the dash pattern of each line (in the
    # legend's sample too) and the key written at its last point.
    from smtui.present.chart_series import COLOURS, line_pattern

    series = [
        Series(f"job-{k}", tuple((float(t), 10.0 - t * (index + 1) / 10) for t in range(0, 60, 2)), style=index, key=k)
        for index, k in enumerate("123")
    ]
    picture = draw_chart(series, 80, 20, ChartOptions(marks="best"))
    patterns = [line_pattern(s.style) for s in series]
    assert len(set(patterns)) == 3
    legend = picture.text().split("\n")[-3:]
    assert [line[:7] for line in legend] == [f"{s.key} {pattern_sample(p, 4)} " for s, p in zip(series, patterns)]
    plot = "\n".join(picture.text().split("\n")[1:-5])
    assert all(s.key in plot for s in series)
    # Eleven jobs (a tuning job's): no two share both a colour and a dash pattern.
    assert len({(style % COLOURS, line_pattern(style)) for style in range(11)}) == 11
