"""Behaviour of the app against the simulator: updates in place, animation of arrivals, keys, failures."""

from __future__ import annotations

import pytest

from smtui.ui.widgets.job_list import JobList
from smtui.ui.widgets.metric_series import MetricSeries
from smtui.ui.widgets.timeline import Timeline
from tests.screens import SIZE, settled, simulated_app, until_loaded

BERT = "bert-base-finetune-imdb"
# bert is created 420 s before the origin and starts Uploading 1770 s after creation.
BEFORE_UPLOAD = 1340
TRAINING_END = 1350


async def wait_until(pilot, condition, tries: int = 100) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never held")


async def test_new_transition_updates_row_in_place_and_animates():
    with simulated_app(BEFORE_UPLOAD) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            screen = app.watch_screen
            jobs = screen.query_one(JobList)
            timeline = screen.query_one(Timeline)
            assert timeline.arriving == -1, "history does not animate"
            rows = jobs.row_count
            app.clock.advance(TRAINING_END - BEFORE_UPLOAD + 5)
            app.poller.poke(BERT)
            await wait_until(pilot, lambda: screen.jobs.get(BERT).snapshot.secondary_status == "Uploading")
            assert jobs.row_count == rows and jobs.cursor == 0
            assert "Uploading" in jobs.cell_text(BERT, "stage")
            assert timeline.arriving == 3 and timeline.reveal < 1.0
            await pilot.wait_for_scheduled_animations()
            await wait_until(pilot, lambda: timeline.arriving == -1)
            assert timeline.reveal == 1.0


async def test_new_metric_points_are_marked():
    with simulated_app(600) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            series = app.watch_screen.query_one(MetricSeries)
            before = len(app.poller.store.get(BERT).points("train:loss"))
            assert series.fresh == frozenset()
            app.clock.advance(180)
            app.poller.poke()
            await wait_until(pilot, lambda: len(app.poller.store.get(BERT).points("train:loss")) == before + 3)
            await wait_until(pilot, lambda: "train:loss" in series.fresh)
            from smtui.present.numbers import metric_value

            latest = app.poller.store.get(BERT).points("train:loss")[-1].value
            assert metric_value(latest) in app.watch_screen.query_one(JobList).cell_text(BERT, "metric")


async def test_keys_move_between_jobs_and_panes():
    with simulated_app(600) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            screen = app.watch_screen
            names = app.jobs.names
            assert screen.selected == names[0]
            await pilot.press("j", "j")
            assert screen.selected == names[2]
            await pilot.press("k")
            assert screen.selected == names[1]
            await pilot.press("end")
            assert screen.selected == names[-1]
            await pilot.press("home")
            assert screen.selected == names[0]
            await pilot.press("down")
            assert screen.selected == names[1]
            assert app.focused.id == "jobs"
            await pilot.press("tab")
            assert app.focused.id == "timeline-pane"
            await pilot.press("tab")
            assert app.focused.id == "detail"
            await pilot.press("shift+tab", "shift+tab")
            assert app.focused.id == "jobs"
            assert "Timeline · " + names[1] == str(screen.query_one("#timeline-pane").border_title)


async def test_unknown_job_is_a_row_state_and_the_others_keep_working():
    with simulated_app(600, names=["ghost-job", BERT]) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            jobs = app.watch_screen.query_one(JobList)
            assert "not found" in jobs.cell_text("ghost-job", "status")
            assert "InProgress" in jobs.cell_text(BERT, "status")
            timeline = app.watch_screen.query_one(Timeline)
            assert timeline.snapshot is None and "poll failed" in timeline.placeholder


@pytest.mark.parametrize(
    "credentials, profile, banner",
    [
        (("expired-token", "x"), None, "credentials rejected (ExpiredTokenException)"),
        (("denied-role", "x"), None, "access denied: the credentials lack a permission"),
        (None, None, "no AWS credentials found"),
        (None, "nobody-has-this", "The config profile (nobody-has-this) could not be found"),
    ],
)
async def test_credential_problems_show_one_banner(credentials, profile, banner):
    with simulated_app(600, names=[BERT, "gpt2-pretrain-maxruntime"], credentials=credentials, profile=profile) as app:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.watch_screen.banner is not None)
            assert banner in app.watch_screen.banner
            await pilot.pause()
            line = app.watch_screen.query_one("#banner")
            assert line.display and banner in str(line.render())
            assert app.return_code is None  # the screen stays up, with everything it had


async def test_help_and_palette_open_and_close():
    with simulated_app(600) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            await pilot.press("question_mark")
            assert app.screen.__class__.__name__ == "HelpScreen"
            await pilot.press("escape")
            assert app.screen is app.watch_screen
            app.watch_screen.select_job("gpt2-pretrain-maxruntime")
            await pilot.pause()
            assert app.watch_screen.selected == "gpt2-pretrain-maxruntime"


@pytest.mark.parametrize(
    "keys", [("ctrl+p", "pageup"), ("ctrl+p", "b", "pageup", "pageup"), ("ctrl+p", "a", "pagedown")]
)
async def test_the_palette_s_page_keys_the_moment_it_opens(keys):
    # Found by the random keys: Textual's palette paged through a list it had not drawn yet (KeyError, app gone).
    from textual import events

    from smtui.ui.palette import CommandPalette

    with simulated_app(600) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            for key in keys:  # as fast as a terminal delivers them: no waiting for the screen
                app.post_message(events.Key(key, key if len(key) == 1 else None))
            await settled(app)
            assert isinstance(app.screen, CommandPalette)
            await pilot.press("pagedown", "pageup", "escape")
            assert app.screen is app.watch_screen
        assert app.return_code in (None, 0)


async def test_the_palette_opens_again_while_the_last_one_is_still_going():
    # Found by the random keys: Ctrl+P right after the palette closed pushed a second palette with the id the
    # closing one still held (DuplicateIds, app gone).
    from smtui.ui.palette import CommandPalette

    with simulated_app(600) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            for _ in range(3):
                app.action_command_palette()
                await pilot.pause()
                assert isinstance(app.screen, CommandPalette)
                app.pop_screen()  # the palette leaves; its removal finishes after this frame
                app.action_command_palette()
                app.action_command_palette()  # one is open: a second press opens no other
                await settled(app)
                assert isinstance(app.screen, CommandPalette)
                assert sum(isinstance(screen, CommandPalette) for screen in app.screen_stack) == 1
                await pilot.press("escape")
            assert app.screen is app.watch_screen
        assert app.return_code in (None, 0)


@pytest.mark.parametrize(
    "keys",
    [
        ("question_mark", "escape", "escape"),  # the help
        ("ctrl+p", "escape", "escape"),  # the palette
        ("a", "escape", "escape"),  # adding a job
        ("x", "n", "escape"),  # the stop confirmation
        ("l", "escape", "escape", "escape"),  # the logs, and the search they may have
        ("M", "escape", "escape"),  # the list's metric picker
        ("m", "escape", "escape"),  # the metrics view
        ("m", "M", "escape", "escape", "escape"),  # the metrics view's picker, then the view
    ],
)
async def test_keys_queued_for_a_screen_that_went_away_do_not_pop_the_main_screen(keys):
    # Delivered together (a double Escape), the second key went to the screen the first had dismissed, and
    # Textual's dismiss popped the main screen from under it: an empty screen stack, the app gone.
    from textual import events

    with simulated_app(600, names=[BERT, "gpt2-pretrain-maxruntime"]) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            for _ in range(3):
                for key in keys:
                    app.post_message(events.Key(key, key if len(key) == 1 else None))
                await settled(app)
                assert app.screen is app.watch_screen
                assert app.return_code is None


@pytest.mark.parametrize(
    "opening", [("question_mark",), ("ctrl+p",), ("a",), ("x",), ("M",), ("m",), ("m", "M")], ids=" ".join
)
async def test_a_screen_dismissed_twice_goes_away_once(opening):
    # Under load, a second Escape can reach a screen's dismiss action after the first has taken it away; the
    # timing cannot be forced through keys, so the test calls dismiss twice, as that second Escape did.
    with simulated_app(600, names=[BERT, "gpt2-pretrain-maxruntime"]) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            await pilot.press(*opening)
            await settled(app)
            screen = app.screen
            assert screen is not app.watch_screen
            under = app.screen_stack[-2]
            screen.dismiss()
            screen.dismiss()
            await settled(app)
            assert app.screen is under and app.return_code is None


async def test_the_theme_palette_is_as_safe():
    from textual import events

    from smtui.ui.palette import CommandPalette

    with simulated_app(600, names=[BERT]) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            app.search_themes()  # the palette's Theme command
            for key in ("pageup", "pagedown", "d", "pageup", "escape", "escape"):
                app.post_message(events.Key(key, key if len(key) == 1 else None))
            await settled(app)
            assert app.screen is app.watch_screen and app.return_code is None
            await pilot.press("ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            # The palette's own commands: no Quit to pick by mistake (q quits), no screenshot written anywhere.
            assert [c.title for c in app.get_system_commands(app.watch_screen)] == ["Theme", "Help"]


async def test_keys_typed_ahead_of_q_are_dropped_as_the_app_closes():
    # Found by the random keys on a loaded machine: keys still queued when the app closed reached it with no screen
    # left (ScreenStackError, a traceback on the way out).
    from textual import events

    with simulated_app(600) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            for key in ("q", *"jjjjjjjjjjkkkkkkkk"):  # as fast as a terminal delivers them
                app.post_message(events.Key(key, key))
        assert app.return_code == 0
