"""The logs screen: snapshots and behaviour, against the simulator on a frozen clock."""

from __future__ import annotations

import io
import re

import pytest

from smtui.aws.source import AwsJobSource
from smtui.commands.log_printer import Printer
from smtui.commands.logs import LogsCommand, Request
from smtui.ui import log_screen as logs_screen
from smtui.ui.log_screen import LogScreen
from smtui.ui.widgets.log_view import LogView
from tests.log_oracle import newest_events
from tests.screens import LATER, RUNNING, SIZE, SMALL, simulated_app, until_loaded, until_logs_read


@pytest.fixture(autouse=True)
def fast_logs(monkeypatch):
    # Hundreds of streams at the real request rate take half a minute; tests need not wait.
    monkeypatch.setattr(logs_screen, "LOG_RATES", {})


async def open_logs(pilot, job: str) -> LogScreen:
    """Select ``job``, press l, and wait until every stream has been read."""
    await until_loaded(pilot)
    pilot.app.watch_screen.select_job(job)
    await pilot.pause()
    await pilot.press("l")
    screen = pilot.app.screen
    assert isinstance(screen, LogScreen)
    await until_logs_read(pilot)
    return screen


def snap_logs(snap_compare, moment: float, job: str, size=SIZE, keys: tuple[str, ...] = (), **options) -> bool:
    with simulated_app(moment, **options) as app:

        async def run_before(pilot) -> None:
            await open_logs(pilot, job)
            for key in keys:
                await pilot.press(key)
            await pilot.pause(0.1)

        return snap_compare(app, terminal_size=size, run_before=run_before)


def test_logs_of_a_distributed_job(snap_compare):
    # Four hosts merged by time, each in its own colour, following the newest lines.
    assert snap_logs(snap_compare, RUNNING, "mistral-7b-sft-distributed")


def test_logs_of_a_failed_job_searched(snap_compare):
    # The OOM traceback at the end, wrapped, with times, the search hits highlighted, in 80x24.
    keys = ("w", "t", "slash", *"CUDA", "enter")
    assert snap_logs(snap_compare, LATER, "llama3-8b-lora-oom", size=SMALL, keys=keys)


def test_logs_before_the_job_starts(snap_compare):
    # The job waits for capacity: no streams yet, and the screen says why.
    assert snap_logs(snap_compare, 60, "whisper-small-finetune-cv", size=SMALL)


@pytest.mark.parametrize(
    ("job", "lines"),
    [("bert-base-finetune-imdb", 50), ("mistral-7b-sft-distributed", 400), ("llama2-70b-pretrain-trn1", 5000)],
)
async def test_the_view_opens_on_the_lines_smtui_logs_prints(job, lines):
    with simulated_app(RUNNING, log_lines=lines) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, job)
            shown = [(line.host, line.message) for line in screen.tail.buffer.lines]
            out = io.StringIO()
            async with AwsJobSource(app.source.options) as aws:
                await LogsCommand(
                    aws, Request(job, lines=lines), Printer(out), err=io.StringIO(), clock=app.clock
                ).run()
            title = str(screen.query_one("#logs-title").render())
            calls = screen.tail.calls
            oracle = newest_events(app.simulator, job, lines)
    printed = [
        (host.strip(), message) for host, message in (line.split(" | ", 1) for line in out.getvalue().splitlines())
    ]
    assert len(shown) == len(printed) == len(oracle) == lines
    assert (
        sorted(shown)
        == sorted(printed)
        == sorted((stream.split("/")[1].rsplit("-", 1)[0], message) for _, stream, message in oracle)
    )
    # The view says what reading cost: a listing (a page per 50 streams) and a search or two. (The title is
    # redrawn once a read is done: a read under way has made calls it does not count yet.)
    counted = re.search(r"· (\d+) calls$", title)
    assert counted is not None and 2 <= int(counted.group(1)) <= calls <= 8


async def test_an_answer_before_the_screen_is_composed_or_after_it_went_is_taken_quietly():
    # The main screen hands each answer of the job to its logs screen; one came while the screen was being
    # pushed (no LogView yet) and ended the app with NoMatches (found by random keys).
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            job = "bert-base-finetune-imdb"
            snapshot = app.watch_screen.jobs.get(job).snapshot
            screen = LogScreen(job, app.source, snapshot=snapshot)
            screen.set_snapshot(snapshot)  # not composed yet
            await app.push_screen(screen)
            screen.set_snapshot(snapshot)
            await pilot.press("escape")
            await pilot.pause()
            screen.set_snapshot(snapshot)  # gone
            assert app.screen is app.watch_screen


async def test_a_read_ending_after_the_widgets_went_is_taken_quietly():
    # The app closing takes the screen's widgets before the screen itself: a read ending in between ended the app
    # with NoMatches (found by random keys).
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "bert-base-finetune-imdb")
            await screen.query_one(LogView).remove()
            rounds = screen.tail.rounds
            await pilot.press("r")  # read again now
            while screen.tail.rounds == rounds:
                await pilot.pause(0.05)
            await pilot.pause(0.1)
            assert app.screen is screen and screen.is_attached


async def test_an_ended_job_is_read_once_and_then_left_alone():
    with simulated_app(LATER) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "llama3-8b-lora-oom")
            calls = screen.tail.calls
            assert screen.tail.done and calls == 2  # the listing and one search
            assert "job ended, all read" in str(screen.query_one("#logs-title").render())
            await pilot.pause(0.5)
            assert screen.tail.calls == calls


async def test_hundreds_of_streams_are_all_read():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "llama2-70b-pretrain-trn1")
            tail = screen.tail
            assert len(tail.streams) == 256
            assert len({s.host for s in tail.streams.values()}) == 128
            lines = tail.buffer.lines
            assert 0 < len(lines) <= tail.buffer.capacity
            assert lines == sorted(lines)
            # Both attempts' streams were listed; the newest lines come from the current one's hosts.
            assert len({line.host for line in lines}) == 128


async def test_scrolling_up_pauses_following_and_f_resumes_it():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "mistral-7b-sft-distributed")
            view = screen.query_one(LogView)
            assert view.follow and view.scroll_y == view.max_scroll_y > 0
            await pilot.press("pageup")
            await pilot.pause()
            assert not view.follow
            assert "paused" in str(screen.query_one("#logs-title").render())
            await pilot.press("f")
            await pilot.pause()
            assert view.follow and view.scroll_y == view.max_scroll_y
            assert "following" in str(screen.query_one("#logs-title").render())


async def test_search_finds_the_traceback_and_escape_goes_back():
    with simulated_app(LATER) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "llama3-8b-lora-oom")
            view = screen.query_one(LogView)
            assert any("torch.OutOfMemoryError" in line.message for line in view.lines)
            await pilot.press("slash", *"outofmemory", "enter")
            await pilot.pause()
            assert view.match_count >= 1
            assert view.current_match is not None
            assert "outofmemory" in view.lines[view.current_match].message.lower()
            assert not view.follow
            await pilot.press("escape")  # closes the search
            assert pilot.app.screen is screen
            await pilot.press("escape")  # back to the jobs
            await pilot.pause()
            assert pilot.app.screen is pilot.app.watch_screen
            calls = screen.tail.calls
            await pilot.pause(0.3)
            assert screen.tail.calls == calls  # logs are read only while they are shown


async def test_toggles_change_what_each_line_shows():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SMALL) as pilot:
            screen = await open_logs(pilot, "mistral-7b-sft-distributed")
            view = screen.query_one(LogView)
            last = len(view.lines) - 1
            assert view.text_of(last).startswith("algo-")
            rows = view.virtual_size.height
            await pilot.press("w")
            await pilot.pause()
            assert view.wrap and view.virtual_size.height > rows and view.virtual_size.width <= SMALL[0]
            await pilot.press("t")
            await pilot.pause()
            assert view.text_of(last)[:12].count(":") == 2  # HH:MM:SS.mmm first
            assert view.follow and view.scroll_y == view.max_scroll_y


async def test_denied_logs_say_so():
    with simulated_app(RUNNING, credentials=("nologs-analyst", "x")) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "bert-base-finetune-imdb")
            assert screen.tail.error is not None
            message = str(screen.query_one("#logs-empty").render())
            assert "not authorized" in message or "denied" in message.lower()


async def test_page_up_then_end_resumes_following_at_once():
    # End used to start an animated scroll that turning following back on cancelled from inside the
    # animator (KeyError in Textual's animator, the app gone), or that new lines left short of the end.
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "mistral-7b-sft-distributed")
            view = screen.query_one(LogView)
            for _ in range(3):
                await pilot.press("pageup")
                await pilot.pause()
                assert not view.follow
                await pilot.press("end")
                await pilot.pause()
                assert view.follow and view.scroll_y == view.max_scroll_y
                await pilot.pause(0.6)  # longer than any scroll animation
                assert view.follow and view.scroll_y == view.max_scroll_y
            # A scroll that animates to the end (the mouse, a scrollbar) resumes following too, without a crash.
            await pilot.press("pageup", "pageup")
            assert not view.follow
            view.scroll_end(animate=True, duration=0.2)
            await pilot.pause(0.5)
            await pilot.wait_for_scheduled_animations()
            assert view.follow and view.scroll_y == view.max_scroll_y
            assert "following" in str(screen.query_one("#logs-title").render())
        assert app.return_code in (None, 0)


async def test_search_enter_gives_the_focus_back_and_j_k_scroll():
    with simulated_app(LATER) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "llama3-8b-lora-oom")
            view = screen.query_one(LogView)
            search = screen.query_one("#log-search")
            await pilot.press("slash", *"error", "enter")
            await pilot.pause()
            # Enter keeps the search and gives the keys back to the lines, so n and N move between hits.
            assert view.has_focus and not search.has_focus
            assert search.value == "error" and view.search == "error"
            first = view.current_match
            await pilot.press("n")
            assert search.value == "error"
            assert view.current_match != first and view.match_count > 1
            await pilot.press("N")
            assert view.current_match == first
            # j and k scroll the lines, as in the other panes.
            view.follow = True
            await pilot.pause()
            bottom = view.scroll_y
            await pilot.press("k", "k")
            assert view.scroll_y == bottom - 2 and not view.follow
            await pilot.press("j")
            assert view.scroll_y == bottom - 1
            await pilot.press("j")
            assert view.scroll_y == bottom and view.follow
