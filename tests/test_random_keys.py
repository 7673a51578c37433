"""Random keys into every screen, as an impatient person presses them, with the simulator's faults on.

Each case starts the app against the simulator (throttling, 5xx answers, dropped connections and cut JSON on,
the jobs moving at 30 times real time and polled every 3 seconds), brings it to one screen, and sends a few
hundred keys drawn from a seeded random generator: the keys of the screen, keys nobody thought of, and every
key a person can reach from there. Keys that leave the screen under test are allowed; after a few keys elsewhere
the case goes back to it. Nothing a key does may end the app.

A failure says its seed and the last keys sent; ``SMTUI_KEYS_SEED=N`` replays a run (the keys, and the faults'
rolls: the answers' timing still varies), ``SMTUI_KEYS=N`` sends N keys per case instead of the default.
"""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from smtui.aws.discovery import JobQuery
from smtui.ui import log_screen
from smtui.ui.app import SmtuiApp
from smtui.ui.dialogs import AddJob, ConfirmStop
from smtui.ui.help import HelpScreen
from smtui.ui.log_screen import LogScreen
from smtui.ui.metrics_screen import MetricsScreen
from smtui.ui.widgets.job_list import JobList
from tests.random_keys import Monkey, back_to_the_jobs, run_case


@pytest.fixture(autouse=True)
def quick_logs(monkeypatch, tmp_path):
    monkeypatch.setattr(log_screen, "LOG_RATES", {})
    monkeypatch.chdir(tmp_path)  # e in the logs view saves the lines in the working directory


# -- the cases --------------------------------------------------------------------------------------


def on_jobs(app: SmtuiApp) -> bool:
    return app.screen is app.watch_screen


async def to_jobs(monkey: Monkey) -> None:
    await back_to_the_jobs(monkey)


async def test_random_keys_on_many_jobs():
    await run_case("many jobs", names=None, start=to_jobs, at_home=on_jobs)


async def test_random_keys_on_one_job():
    await run_case("one job", names=["mistral-7b-sft-distributed"], start=to_jobs, at_home=on_jobs)


async def test_random_keys_on_a_filtered_list():
    async def filtered(monkey: Monkey) -> None:
        await back_to_the_jobs(monkey)
        for key in ("slash", "l", "a", "enter"):
            await monkey.press(key)

    def still_filtered(app: SmtuiApp) -> bool:
        return app.screen is app.watch_screen and bool(app.watch_screen.query_one(JobList).filter_text)

    await run_case("filtered list", names=None, start=filtered, at_home=still_filtered)


async def test_random_keys_on_an_empty_list():
    # A listing that finds nothing: the list stays empty until a (valid) name is added with a. It starts with
    # the list focused and k, which once ended the app on an empty list.
    async def empty(monkey: Monkey) -> None:
        await back_to_the_jobs(monkey)
        monkey.app.watch_screen.query_one(JobList).focus()
        await monkey.press("k")

    await run_case(
        "empty list",
        names=[],
        start=empty,
        at_home=on_jobs,
        query=JobQuery(name_contains="nothing-matches-this"),
        started_jobs=0,
    )


async def test_random_keys_in_the_filter_box():
    async def typing(monkey: Monkey) -> None:
        await back_to_the_jobs(monkey)
        await monkey.press("slash")

    def in_the_box(app: SmtuiApp) -> bool:
        return app.screen is app.watch_screen and app.watch_screen.query_one("#job-filter").has_focus

    await run_case("filter box", names=None, start=typing, at_home=in_the_box)


async def test_random_keys_in_the_logs_view():
    async def logs(monkey: Monkey) -> None:
        await back_to_the_jobs(monkey)
        monkey.app.watch_screen.select_job("mistral-7b-sft-distributed")
        await monkey.press("l")

    await run_case(
        "logs view", names=None, start=logs, at_home=lambda app: isinstance(app.screen, LogScreen), started_jobs=9
    )


async def test_random_keys_in_the_dialogs():
    async def dialog(monkey: Monkey) -> None:
        await back_to_the_jobs(monkey)
        # A job still running can be stopped: the confirmation; otherwise, or every other time, adding a job.
        running = [
            n
            for n, state in monkey.app.watch_screen.jobs.states.items()
            if state.snapshot is not None and not state.snapshot.is_terminal
        ]
        if running and monkey.random.random() < 0.5:
            monkey.app.watch_screen.select_job(monkey.random.choice(running))
            await monkey.press("x")
        else:
            await monkey.press("a")

    await run_case(
        "dialogs", names=None, start=dialog, at_home=lambda app: isinstance(app.screen, (ConfirmStop, AddJob))
    )


async def test_random_keys_on_the_help_screen():
    async def help_screen(monkey: Monkey) -> None:
        await back_to_the_jobs(monkey)
        await monkey.press("question_mark")

    await run_case(
        "help", names=None, start=help_screen, at_home=lambda app: isinstance(app.screen, HelpScreen), started_jobs=9
    )


async def test_random_keys_in_the_command_palette():
    async def palette(monkey: Monkey) -> None:
        await back_to_the_jobs(monkey)
        await monkey.press("ctrl+p")

    await run_case("palette", names=None, start=palette, at_home=lambda app: isinstance(app.screen, CommandPalette))


async def test_random_keys_in_the_metrics_view():
    async def charts(monkey: Monkey) -> None:
        await back_to_the_jobs(monkey)
        monkey.app.watch_screen.select_job("mistral-7b-sft-distributed")
        await monkey.press("m")

    await run_case(
        "metrics view",
        names=None,
        start=charts,
        at_home=lambda app: isinstance(app.screen, MetricsScreen),
        started_jobs=9,
    )


async def test_random_keys_in_a_comparison():
    # Every job marked (*), then m: one metric of them all on one chart; Tab and M change it.
    async def compare(monkey: Monkey) -> None:
        await back_to_the_jobs(monkey)
        rows = monkey.app.watch_screen.query_one(JobList).rows
        if not rows.marked:
            await monkey.press("asterisk")
        await monkey.press("m")

    await run_case(
        "comparison",
        names=None,
        start=compare,
        at_home=lambda app: isinstance(app.screen, MetricsScreen),
        started_jobs=9,
    )
