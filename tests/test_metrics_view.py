"""The metrics view: snapshots of its charts, and the numbers they show checked against the store's series."""

from __future__ import annotations

import asyncio

import pytest

from tests.screens import LATER, SIZE, SMALL, simulated_app, until_loaded

COMPLETED = ("m",)  # bert-base-finetune-imdb, the first job, has completed by LATER
FAILED = ("j", "m")  # llama3-8b-lora-oom ran out of memory
RUNNING_JOB = ("j",) * 5 + ("m",)  # mistral-7b-sft-distributed trains for hours


async def open_view(pilot, keys) -> None:
    from smtui.ui.metrics_screen import MetricsScreen

    await until_loaded(pilot)
    for key in keys:
        await pilot.press(key)
    screen = pilot.app.screen
    assert isinstance(screen, MetricsScreen)
    await asyncio.wait_for(screen.loaded.wait(), 30)
    await pilot.pause(0.1)


def snap(snap_compare, moment: float, keys, size=SIZE, **options) -> bool:
    with simulated_app(moment, **options) as app:

        async def run_before(pilot) -> None:
            await open_view(pilot, keys)

        return snap_compare(app, terminal_size=size, run_before=run_before)


def test_completed_job(snap_compare):
    assert snap(snap_compare, LATER, COMPLETED)


def test_completed_job_small(snap_compare):
    assert snap(snap_compare, LATER, COMPLETED, size=SMALL)


def test_failed_job(snap_compare):
    assert snap(snap_compare, LATER, FAILED)


def test_failed_job_small(snap_compare):
    assert snap(snap_compare, LATER, FAILED, size=SMALL)


def test_running_job(snap_compare):
    assert snap(snap_compare, LATER, RUNNING_JOB)


def test_running_job_small(snap_compare):
    assert snap(snap_compare, LATER, RUNNING_JOB, size=SMALL)


async def test_charts_draw_the_whole_series_with_its_own_extremes_marked():
    from smtui.ui.chart_data import points_of
    from smtui.ui.widgets.line_chart import LineChart

    with simulated_app(LATER) as app:
        async with app.run_test(size=SIZE) as pilot:
            await open_view(pilot, COMPLETED)
            state = app.jobs.get("bert-base-finetune-imdb")
            charts = list(app.screen.query(LineChart))
            assert [[s.label for s in c.series] for c in charts] == [
                ["train:loss", "validation:loss"],
                ["validation:accuracy"],
            ]
            for chart in charts:
                picture = chart.picture
                for index, series in enumerate(chart.series):
                    points = points_of(state, series.label, app.metric_history)
                    # The history fetched from the job's start is what the poller holds for a job that has ended.
                    assert app.metric_history.points(state.name, series.label) == state.points(series.label)
                    values = [p.value for p in points]
                    assert [y for _, y in series.points] == values
                    assert series.points[0][0] >= 0  # x: seconds since training started
                    assert picture.y_axis.low <= min(values) and picture.y_axis.high >= max(values)
                    marks = {m.kind: m for m in picture.marks if m.series == index}
                    assert marks["min"].y == min(values) and marks["max"].y == max(values)
                    assert marks["last"].y == values[-1]
                    best = max(values) if series.label.endswith("accuracy") else min(values)
                    assert marks["best"].y == best


async def test_history_is_fetched_once_for_an_ended_job_and_every_opening_for_a_running_one():
    with simulated_app(LATER) as app:
        async with app.run_test(size=SIZE) as pilot:
            await open_view(pilot, COMPLETED)
            assert app.metric_history.calls == 1
            await pilot.press("escape")
            await open_view(pilot, ("m",))
            assert app.metric_history.calls == 1  # it had ended: nothing new to fetch
            await pilot.press("escape")
            await open_view(pilot, RUNNING_JOB[:-1] + ("m",))
            assert app.metric_history.calls == 2
            await pilot.press("escape")
            await open_view(pilot, ("m",))
            assert app.metric_history.calls == 3


async def test_keys_change_the_axes_the_span_and_the_smoothing():
    from smtui.ui.widgets.line_chart import LineChart

    with simulated_app(LATER) as app:
        async with app.run_test(size=SIZE) as pilot:
            await open_view(pilot, COMPLETED)
            screen = app.screen
            chart = screen.query(LineChart).first()
            whole = chart.picture.x_axis
            assert whole.low == 0 and whole.labels[0] == "0"
            await pilot.press("plus", "plus")
            zoomed = chart.picture.x_axis
            assert zoomed.high == whole.high and zoomed.low == pytest.approx(whole.high * 0.75)
            await pilot.press("left")
            assert chart.picture.x_axis.high < whole.high
            assert "zoom 4x" in str(screen.query_one("#metrics-view-title").render())
            await pilot.press("0")
            assert chart.picture.x_axis == whole
            await pilot.press("t")
            assert chart.picture.x_axis.low > 1e9 and ":" in chart.picture.x_axis.labels[0]  # the wall clock
            await pilot.press("t", "L")
            assert chart.picture.y_axis.log
            await pilot.press("S", "S", "S")
            assert chart.options.smoothing == 0.9
            assert "EMA 0.9" in str(screen.query_one("#metrics-view-title").render())
            await pilot.press("escape")
            assert app.screen is app.watch_screen


THREE_JOBS = ("space", "space", "j", "j", "j", "space", "m")  # bert, llama3-8b-lora-oom and mistral, by train:loss


def test_three_job_comparison(snap_compare):
    assert snap(snap_compare, LATER, THREE_JOBS)


def test_tuning_job_objective_chart(snap_compare):
    from smtui.aws.discovery import JobQuery

    assert snap(snap_compare, LATER, ("asterisk", "m"), query=JobQuery(tuning_job="xgboost-churn-hpo"))


async def test_a_comparison_lines_jobs_up_from_their_start_with_a_key_each():
    from smtui.ui.chart_data import points_of, training_start
    from smtui.ui.widgets.line_chart import LineChart

    with simulated_app(LATER) as app:
        async with app.run_test(size=SIZE) as pilot:
            await open_view(pilot, THREE_JOBS)
            screen = app.screen
            assert screen.names == ("bert-base-finetune-imdb", "llama3-8b-lora-oom", "mistral-7b-sft-distributed")
            assert screen.metric == "train:loss"
            assert app.metric_history.calls == 1  # one call for the three jobs' series
            (chart,) = screen.query(LineChart)
            picture = chart.picture
            for index, (name, series) in enumerate(zip(screen.names, chart.series)):
                state = app.jobs.get(name)
                start = training_start(state)
                points = points_of(state, "train:loss", app.metric_history)
                assert series.key == str(index + 1) and series.style == index
                assert series.points == tuple(((p.timestamp - start).total_seconds(), p.value) for p in points)
                best = {m.kind: m for m in picture.marks if m.series == index}["best"]
                assert best.y == min(p.value for p in points)
            legend = picture.text().split("\n")[-3:]
            assert [line.split()[0] for line in legend] == ["1", "2", "3"]
            await pilot.press("tab")
            assert screen.metric != "train:loss"


async def test_the_tuning_chart_is_each_jobs_objective_by_launch_order_with_the_best_so_far():
    from smtui.aws.discovery import JobQuery
    from smtui.ui.chart_data import launch_order
    from smtui.ui.widgets.line_chart import LineChart

    with simulated_app(LATER, query=JobQuery(tuning_job="xgboost-churn-hpo")) as app:
        async with app.run_test(size=SIZE) as pilot:
            await open_view(pilot, ("asterisk", "m"))
            screen = app.screen
            assert screen.metric == "validation:auc" and len(screen.names) == len(app.jobs.names)
            overlay, tuning = screen.query(LineChart)
            values = [(i, s.latest("validation:auc")) for i, s in enumerate(launch_order(app.jobs.states.values()), 1)]
            values = [(float(i), v) for i, v in values if v is not None]
            points, best = tuning.series
            assert points.points == tuple(values)
            running = []
            for _, value in values:
                running.append(max(running[-1], value) if running else value)
            assert [y for _, y in best.points[:-1]] == running
            star = [m for m in tuning.picture.marks if m.kind == "best"]
            assert [(m.x, m.y) for m in star] == [max(values, key=lambda p: p[1])]
            assert tuning.picture.x_axis.labels[0] == "1"


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_series_colours_stay_apart_at_256_colours(theme):
    from rich.color import ColorSystem
    from textual.app import App

    from smtui.present.chart import COLOURS
    from smtui.ui.widgets.line_chart import LineChart

    class One(App):
        def compose(self):
            yield LineChart()

    app = One()
    app.theme = theme
    async with app.run_test():
        chart = app.query_one(LineChart)
        colours = [chart.get_component_rich_style(f"chart--series-{n}").color for n in range(COLOURS)]
        background = chart.rich_style.bgcolor
        numbers = {c.downgrade(ColorSystem.EIGHT_BIT).number for c in colours}
        assert len(numbers) == COLOURS
        assert background.downgrade(ColorSystem.EIGHT_BIT).number not in numbers
