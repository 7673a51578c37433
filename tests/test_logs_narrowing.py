"""Logs narrowed to what matters: & (a pattern), h and H (one host), e (saving), in the screen and in
``smtui logs --grep/--host``."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from smtui.aws.source import AwsJobSource
from smtui.commands.log_printer import Printer
from smtui.commands.logs import LogsCommand, Request
from smtui.present.log_export import file_name, line_text, save_lines
from smtui.present.log_match import LineFilter, PatternError, compile_pattern, find_host, host_order, next_host
from smtui.ui import log_screen as logs_screen
from smtui.ui.widgets.log_view import LogView
from tests.screens import LATER, RUNNING, SIZE, SMALL, simulated_app
from tests.test_logs_screen import open_logs, snap_logs

BIG = "llama2-70b-pretrain-trn1"  # 128 instances


@pytest.fixture(autouse=True)
def fast_logs(monkeypatch):
    monkeypatch.setattr(logs_screen, "LOG_RATES", {})


def test_patterns_are_smart_case_and_bad_ones_say_why():
    assert compile_pattern("loss").search("Train LOSS=2") is not None
    assert compile_pattern("Loss").search("train loss=2") is None  # a capital: the case counts
    with pytest.raises(
        PatternError,
        match=r"'\(oops' is not a regular expression: missing \), unterminated "
        r"subpattern at position 0",
    ):
        compile_pattern("(oops")
    hosts = ["algo-10", "algo-2", "algo-1", "ssm"]
    assert host_order(hosts) == ["algo-1", "algo-2", "algo-10", "ssm"]
    assert [next_host(hosts, h) for h in (None, "algo-1", "algo-10", "ssm")] == ["algo-1", "algo-2", "ssm", None]
    assert find_host(hosts, "ALGO-2") == "algo-2" and find_host(hosts, "10") == "algo-10"
    assert find_host(hosts, "algo-3") is None and next_host([], None) is None
    only = LineFilter(compile_pattern("loss"), "algo-2")
    assert only.keeps("algo-2", "loss=1") and not only.keeps("algo-1", "loss=1") and not only.keeps("algo-2", "x")


async def test_ampersand_shows_only_matching_lines_and_search_still_highlights():
    with simulated_app(LATER) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "mistral-7b-sft-distributed")
            view = screen.query_one(LogView)
            loaded = list(view.loaded)
            await pilot.press("ampersand", *"loss", "enter")
            await pilot.pause()
            expected = [line for line in loaded if "loss" in line.message.lower()]
            assert 0 < len(view.lines) < len(loaded) and list(view.lines) == expected
            title = str(screen.query_one("#logs-title").render())
            assert f"& loss: {len(expected):,} of {len(loaded):,} lines" in title
            await pilot.press("slash", *"epoch", "enter")
            await pilot.pause()
            assert view.match_count == sum("epoch" in line.message.lower() for line in expected) > 0
            assert "epoch" in view.lines[view.current_match].message.lower()
            await pilot.press("ampersand", *"(bad", "enter")  # refused: the box stays, the filter too
            await pilot.pause()
            assert screen.query_one("#log-filter").has_focus and list(view.lines) == expected
            assert not screen.query_one("#log-filter").cursor_blink  # still, as every text box in the snapshots
            await pilot.press("escape")  # out of the box
            await pilot.press("escape")  # the search goes
            await pilot.press("escape")  # then the narrowing
            await pilot.pause()
            assert app.screen is screen and not view.line_filter.active and list(view.lines) == list(view.loaded)


async def test_h_cycles_the_hosts_of_a_128_instance_job_and_H_picks_one():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, BIG)
            view = screen.query_one(LogView)
            await pilot.press("h")
            await pilot.pause()
            assert view.line_filter.host == "algo-1" and {line.host for line in view.lines} == {"algo-1"}
            await pilot.press("h")
            assert view.line_filter.host == "algo-2"
            await pilot.press("H", *"algo-77", "enter")
            await pilot.pause()
            assert view.line_filter.host == "algo-77"
            assert list(view.lines) == [line for line in view.loaded if line.host == "algo-77"] != []
            assert "algo-77:" in str(screen.query_one("#logs-title").render())
            await pilot.press("H", *"128", "enter")
            assert view.line_filter.host == "algo-128"
            await pilot.press("h")  # after the last host: all of them again
            assert view.line_filter.host is None and len(view.lines) == len(view.loaded)
            await pilot.press("H", *"algo-999", "enter")  # no such host: said, and nothing changes
            await pilot.pause()
            assert screen.query_one("#log-host").has_focus and view.line_filter.host is None


async def test_e_saves_the_lines_in_the_filter_and_says_where(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with simulated_app(LATER) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "mistral-7b-sft-distributed")
            view = screen.query_one(LogView)
            await pilot.press("h", "ampersand", *"loss", "enter")
            await pilot.pause()
            shown = list(view.lines)
            assert shown
            notes = []
            monkeypatch.setattr(screen, "notify", lambda message, **kw: notes.append(message))
            await pilot.press("e")
            await pilot.press("e")  # a second save takes another name: nothing is overwritten
    assert len(notes) == 2 and all(n.startswith(f"Saved {len(shown):,} lines to ") for n in notes), notes
    first, second = (Path(note.rsplit(" to ", 1)[1]) for note in notes)
    assert sorted(tmp_path.glob("*.log")) == sorted([first, second])  # (the price cache may be there too)
    assert first.name.startswith("mistral-7b-sft-distributed-logs-") and first.name.endswith("-algo-1.log")
    saved = first.read_text().splitlines()
    assert saved == [line_text(line, 6, False) for line in shown] and all(" algo-1 | " in s for s in saved)
    assert first.read_text() == second.read_text()


def test_saving_falls_back_to_another_folder_and_hides_secrets(tmp_path):
    from smtui.aws.log_buffer import LogLine

    lines = [LogLine(1_700_000_000_123, 0, 0, "algo-1", "key AKIAIOSFODNN7EXAMPLE\tdone\x1b[31m")]
    nowhere = tmp_path / "not-a-folder"
    nowhere.write_text("")  # a file: nothing can be written inside it
    path = save_lines(
        lines,
        file_name("job", __import__("datetime").datetime(2026, 1, 2, 3, 4, 5)),
        reveal=False,
        folders=[nowhere, tmp_path],
    )
    assert path == tmp_path / "job-logs-20260102-030405.log"
    text = path.read_text()
    assert text.startswith("2023-11-14T22:13:20.123Z algo-1 | key ") and "AKIAIOSFODNN7EXAMPLE" not in text
    assert "\x1b" not in text and "\tdone" in text


def test_narrowed_logs_snapshot(snap_compare):
    # Only algo-3's lines that match "step", in 80x24.
    assert snap_logs(
        snap_compare,
        LATER,
        "mistral-7b-sft-distributed",
        size=SMALL,
        keys=("h", "h", "h", "ampersand", *"step", "enter"),
    )


@pytest.mark.parametrize("grep, host", [("loss", None), (None, "algo-3"), ("step", "algo-2")])
async def test_the_command_narrows_the_lines_it_read_as_the_screen_does(grep, host):
    with simulated_app(LATER) as app:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_logs(pilot, "mistral-7b-sft-distributed")
            view = screen.query_one(LogView)
            if grep:
                await pilot.press("ampersand", *grep, "enter")
            if host:
                await pilot.press("H", *host, "enter")
            await pilot.pause()
            shown = [(line.host, line.message) for line in view.lines]
            out, err = io.StringIO(), io.StringIO()
            request = Request(
                "mistral-7b-sft-distributed",
                lines=screen.tail.buffer.capacity,
                grep=compile_pattern(grep) if grep else None,
                host=host,
            )
            async with AwsJobSource(app.source.options) as aws:
                await LogsCommand(aws, request, Printer(out), err=err, clock=app.clock).run()
    printed = [(h.strip(), m) for h, m in (line.split(" | ", 1) for line in out.getvalue().splitlines())]
    assert printed == shown and shown
    assert all(re.search(grep, m, 0 if grep and grep.lower() != grep else re.I) for _, m in printed if grep)
