"""The job list widget in the app: keys, the mouse, an empty list, the title's counts."""

from __future__ import annotations

from smtui.aws.discovery import JobQuery
from smtui.ui.widgets.job_list import JobList
from tests.screens import RUNNING, SIZE, SMALL, screen_text, settled, simulated_app, until_loaded

#: Every key the main screen and the list answer, including those that need a selected job.
EVERY_KEY = (
    "up",
    "k",
    "down",
    "j",
    "G",
    "end",
    "g",
    "home",
    "pageup",
    "pagedown",
    "o",
    "l",
    "escape",
    "x",
    "escape",
    "c",
    "u",
    "r",
    "d",
    "delete",
    "s",
    "s",
    "tab",
    "shift+tab",
    "slash",
    "enter",
    "escape",
)


async def press_everything(pilot) -> None:
    """Press every key on the list; the app must still be up and nothing selected."""
    app = pilot.app
    for key in EVERY_KEY:
        await pilot.press(key)
        await pilot.pause()
        assert app.return_code is None, key
        if app.screen is not app.watch_screen:
            await pilot.press("escape")
            await pilot.pause()
    assert app.screen is app.watch_screen and app.watch_screen.selected is None
    assert app.watch_screen.query_one(JobList).cursor == -1


async def test_an_empty_list_from_a_listing_that_matches_nothing_takes_every_key():
    with simulated_app(RUNNING, query=JobQuery(name_contains="nomatch")) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            assert app.watch_screen.query_one(JobList).shown == ()
            await press_everything(pilot)


async def test_an_empty_list_from_a_filter_takes_every_key():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            await pilot.press("slash", *"zzzq", "enter", "up", "k", "G", "end")
            await pilot.pause()
            jobs = app.watch_screen.query_one(JobList)
            assert jobs.shown == () and app.watch_screen.selected is None and app.return_code is None
            await pilot.press("slash", "ctrl+u", "enter")  # the filter emptied: every job back, the first selected
            await pilot.pause()
            assert jobs.shown == app.jobs.names and app.watch_screen.selected == jobs.shown[0]


async def test_a_list_emptied_by_removing_its_only_job_takes_every_key():
    with simulated_app(RUNNING, ["bert-base-finetune-imdb"]) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            await pilot.press("d", "k")
            await pilot.pause()
            assert app.jobs.names == () and app.return_code is None
            await press_everything(pilot)
            assert "0 jobs" in screen_text(app)


async def test_pages_the_ends_and_the_mouse_move_the_cursor():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SMALL) as pilot:
            await until_loaded(pilot)
            jobs = app.watch_screen.query_one(JobList)
            names = jobs.shown
            await pilot.press("pagedown")
            page = jobs.cursor
            assert 1 < page < len(names) - 1 and app.watch_screen.selected == names[page]
            await pilot.press("pagedown", "pagedown")
            assert jobs.cursor == len(names) - 1
            assert jobs.scroll_y > 0  # the last row was scrolled into view
            await pilot.press("pageup")
            assert jobs.cursor == len(names) - 1 - page
            await pilot.press("g")
            assert jobs.cursor == 0 and jobs.scroll_y == 0
            # A click on the third row (under the header) selects its job.
            await pilot.click(JobList, offset=(10, 1 + 1 + 2))
            await pilot.pause()
            assert app.watch_screen.selected == names[2]


async def test_the_title_counts_a_job_that_does_not_exist_as_not_found():
    with simulated_app(RUNNING, ["bert-base-finetune-imdb", "no-such-job-anywhere"]) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            title = str(app.watch_screen.query_one("#title-bar").render())
            assert "2 jobs: 1 running, 1 not found" in title
            assert "waiting" not in title and "not updating" not in title


async def test_the_cursor_row_is_one_bar_across_the_pane():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            jobs = app.watch_screen.query_one(JobList)
            line = jobs.render_line(1)  # the first row, under the cursor
            backgrounds = {segment.style.bgcolor for segment in line if segment.style is not None}
            assert len(backgrounds) == 1 and line.cell_length == jobs.scrollable_content_region.width
            assert backgrounds != {segment.style.bgcolor for segment in jobs.render_line(2) if segment.style}


async def test_a_changed_cell_repaints_its_row_only_and_an_off_screen_row_nothing():
    from datetime import timedelta

    from smtui.aws.snapshot import MetricPoint

    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SMALL) as pilot:
            await until_loaded(pilot)
            await settled(app)  # every row drawn as it is
            jobs = app.watch_screen.query_one(JobList)
            store = app.poller.store
            painted = []
            refresh = jobs.refresh
            jobs.refresh = lambda *regions, **options: painted.append(regions) or refresh(*regions, **options)

            def new_point(name: str, value: float) -> None:
                state = store.get(name)
                metric = state.snapshot.metric_names[0]
                known = state.points(metric)
                stamp = known[-1].timestamp + timedelta(minutes=1) if known else app.clock.now()
                store.merge_points(name, metric, [MetricPoint(stamp, value)])
                jobs.show(store.view(), [name])

            # Six rows show at 80x24; a running job further down is out of view (an ended one shows its final value).
            visible = jobs.shown[2]
            hidden = next(name for name in jobs.shown[6:] if not app.jobs.get(name).is_terminal)
            new_point(visible, 1.234)
            # Its metric cell alone, on the third row under the header: not the whole line.
            (region,) = [region for regions in painted for region in regions]
            assert (region.y, region.height) == (3, 1)
            assert region.x == jobs.column_x("metric") + 1 and region.width < 20
            assert jobs.cell_text(visible, "metric").startswith("  1.234")
            painted.clear()
            new_point(hidden, 2.345)
            assert painted == [] and jobs.cell_text(hidden, "metric").startswith("  2.345")


async def test_the_clock_repaints_the_running_rows_time_and_cost_cells_not_their_lines():
    from smtui.ui.job_cells import PADDING

    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            jobs = app.watch_screen.query_one(JobList)
            await pilot.press("j")
            await settled(app)  # every row drawn as it is
            painted = []
            refresh = jobs.refresh
            jobs.refresh = lambda *regions, **options: painted.append(regions) or refresh(*regions, **options)
            # A minute: every running row's time reads differently (past ten minutes a row reads to the minute).
            app.clock.advance(60)
            jobs.tick(app.clock.now())
            regions = [region for batch in painted for region in batch]
            assert regions and all(region.height == 1 for region in regions)
            # One region a row, from the time to the cost at most; a row that changed look is not among them.
            elapsed, cost = jobs.column_x("elapsed") + PADDING, jobs.column_x("cost") + PADDING
            assert all(region.x == elapsed and region.right <= cost + 8 for region in regions)
            assert len({region.y for region in regions}) == len(regions)
            shown = {region.y for region in regions}
            running = [i + 1 for i, name in enumerate(jobs.shown) if not app.jobs.get(name).is_terminal]
            assert shown and shown <= set(running[: jobs.scrollable_content_region.height])
