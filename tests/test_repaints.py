"""What a second and a new answer repaint below the list: the lines that changed, never a whole pane."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import timedelta

from smtui.aws.snapshot import JobSnapshot
from smtui.ui.widgets.detail import DetailPane
from smtui.ui.widgets.glance import GlancePanel
from smtui.ui.widgets.metric_series import MetricSeries
from smtui.ui.widgets.timeline import Timeline
from tests.screens import RUNNING, SIZE, settled, simulated_app, until_loaded


def record(*widgets) -> dict[str, list[tuple]]:
    """Each widget's refresh calls from now on: (regions, options)."""
    calls: dict[str, list[tuple]] = {}
    for widget in widgets:
        got = calls.setdefault(type(widget).__name__, [])
        real = widget.refresh

        def refresh(*regions, _real=real, _got=got, **options):
            _got.append((regions, options))
            return _real(*regions, **options)

        widget.refresh = refresh
    return calls


@asynccontextmanager
async def running_app():
    """The app at a moment most jobs train, loaded and settled: (the app, its pilot)."""
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            await settled(app)
            yield app, pilot


def lines_only(calls: list[tuple]) -> bool:
    """Every call named one-line regions and laid nothing out."""
    return all(
        regions and all(region.height == 1 for region in regions) and not options.get("layout")
        for regions, options in calls
    )


async def test_a_second_repaints_the_lines_it_changed():
    async with running_app() as (app, pilot):
        screen = app.watch_screen
        body = screen.query_one("#detail-body")
        calls = record(screen.query_one(Timeline), screen.query_one(GlancePanel), body)
        app.clock.advance(1)
        screen.now = app.clock.now()
        await settled(app)
        # The running job's stage grows by a second: its line; billable time and cost: theirs.
        assert calls["Timeline"] and lines_only(calls["Timeline"])
        glance = [region for regions, _ in calls["GlancePanel"] for region in regions]
        assert glance and lines_only(calls["GlancePanel"]) and len({r.y for r in glance}) <= 3
        assert lines_only(calls["_Body"])  # (relative ages read to the minute: most seconds, nothing)


async def test_a_new_answer_with_the_same_stages_repaints_its_changed_lines():
    async with running_app() as (app, pilot):
        screen = app.watch_screen
        name = screen.selected
        old = app.jobs.get(name).snapshot
        timeline, detail = screen.query_one(Timeline), screen.query_one(DetailPane)
        body = screen.query_one("#detail-body")
        calls = record(timeline, body, screen.query_one(MetricSeries))
        # The same job a second later: a new LastModifiedTime, nothing else.
        response = {**old.response, "LastModifiedTime": old.response["LastModifiedTime"] + timedelta(seconds=1)}
        new = JobSnapshot.from_response(name, response, old.fetched_at + timedelta(seconds=1))
        timeline.show(new)
        detail.show(name, new, None, screen.now)
        await settled(app)
        assert calls["Timeline"] == []  # no line of the timeline reads differently
        (regions, options), *_ = calls["_Body"]
        assert len(calls["_Body"]) == 1 and len(regions) == 1 and lines_only(calls["_Body"])
        assert "Last modified time" in body.text(body.content_region.width).plain.splitlines()[regions[0].y]


async def test_a_new_points_mark_is_on_then_off_without_frames_between():
    async with running_app() as (app, pilot):
        series = app.watch_screen.query_one(MetricSeries)
        names = series.names
        calls = record(series)
        series.show(names, dict(series.series), dict(series.finals), frozenset(names[:1]))
        assert series.fresh == frozenset(names[:1])
        await pilot.pause(0.5)
        painted = len(calls["MetricSeries"])
        assert painted <= 3  # the new values and the mark: not a frame of an animation each 1/60 s
        await pilot.pause(2)
        assert series.fresh == frozenset() and len(calls["MetricSeries"]) <= painted + 1
