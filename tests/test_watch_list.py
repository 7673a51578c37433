"""The watched jobs in the app: found by a listing, new ones appearing, added by name, removed from view."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from textual.widgets import Input

from smtui.aws.discovery import JobQuery
from smtui.sim.scenarios import default_scenarios
from smtui.ui.dialogs import AddJob
from smtui.ui.widgets.job_list import JobList
from tests.screens import RUNNING, SIZE, SMALL, record_notifications, simulated_app, until_loaded


def rows(app) -> list[str]:
    return list(app.watch_screen.query_one(JobList).shown)


async def until(predicate, pilot, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the condition never came true")


def test_listed_jobs(snap_compare):
    with simulated_app(RUNNING, query=JobQuery(name_contains="llama")) as app:
        assert snap_compare(app, terminal_size=SMALL, run_before=until_loaded)


async def test_settled_means_the_rows_in_view_show_their_hosts_figures():
    # The listed rows come page by page, after the first metrics round has asked for the hosts then in view: the
    # others' figures come in a round out of turn, once the view has rested. settled() waits for that round.
    for _ in range(2):
        with simulated_app(RUNNING, query=JobQuery(name_contains="llama")) as app:
            async with app.run_test(size=SMALL) as pilot:
                await until_loaded(pilot)
                started = [
                    state
                    for state in app.jobs.states.values()
                    if state.snapshot is not None
                    and not state.snapshot.is_terminal
                    and state.snapshot.time("TrainingStartTime")
                ]
                assert len(started) == 2 and all(state.hosts for state in started)


async def test_listing_finds_the_jobs_and_new_ones_appear_on_top():
    templates = {s.name: s for s in default_scenarios()}
    scenarios = [
        templates["bert-base-finetune-imdb"],
        templates["llama-finetune-full-config"],
        replace(templates["gpt2-pretrain-maxruntime"], name="late-gpt2", created=RUNNING + 60),
    ]
    with simulated_app(RUNNING, query=JobQuery(), scenarios=scenarios, list_interval=0.1) as app:
        notes = record_notifications(app)
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            assert rows(app) == ["bert-base-finetune-imdb", "llama-finetune-full-config"]
            assert app.watch_screen.selected == "bert-base-finetune-imdb"
            title = str(app.watch_screen.query_one("#title-bar").render())
            assert "running or created in the last 1d" in title
            app.clock.advance(120)
            await until(lambda: "late-gpt2" in rows(app), pilot)
            assert rows(app)[0] == "late-gpt2"  # the newest on top
            assert app.watch_screen.selected == "bert-base-finetune-imdb"  # the cursor stays on its job
            assert "New job: late-gpt2" in notes
            await until(lambda: app.watch_screen.jobs.get("late-gpt2").snapshot is not None, pilot)
            assert app.watch_screen.jobs.get("late-gpt2").snapshot.status == "InProgress"


async def test_a_listing_that_matches_nothing_says_so():
    with simulated_app(RUNNING, query=JobQuery(name_contains="nothing-like-this")) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            assert rows(app) == []
            timeline = app.watch_screen.query_one("#timeline")
            assert "No job matches yet (name has nothing-like-this)" in timeline.placeholder


async def test_a_tuning_job_that_does_not_exist_is_said_in_the_banner():
    with simulated_app(RUNNING, query=JobQuery(tuning_job="no-such-tuning")) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            await until(lambda: app.watch_screen.banner is not None, pilot)
            assert app.watch_screen.banner == (
                "Listing jobs: tuning job no-such-tuning not found: check the name and the region"
            )
            assert rows(app) == []


def test_add_job_dialog_refuses_a_bad_name(snap_compare):
    with simulated_app(RUNNING, ["bert-base-finetune-imdb"]) as app:

        async def run_before(pilot) -> None:
            await until_loaded(pilot)
            await pilot.pause()
            await pilot.press("a")
            await pilot.pause()
            await pilot.press(*"bad_name", "enter")
            await pilot.pause()

        assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


async def test_a_job_added_by_name_is_polled_and_selected():
    with simulated_app(RUNNING, ["bert-base-finetune-imdb"]) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            await pilot.press("a", *"bad_name", "enter")
            await pilot.pause()
            assert isinstance(app.screen, AddJob)  # refused: the dialog stays, with the reason
            assert not app.screen.query_one(Input).cursor_blink  # still, as every text box in the snapshots
            assert "'bad_name' is not a valid training job name" in str(app.screen.query_one("#add-problem").render())
            app.screen.query_one(Input).value = ""
            await pilot.press(*"xgboost-churn-stopped", "enter")
            await pilot.pause()
            assert not isinstance(app.screen, AddJob)
            assert rows(app) == ["bert-base-finetune-imdb", "xgboost-churn-stopped"]
            assert app.watch_screen.selected == "xgboost-churn-stopped"
            await until(lambda: app.jobs.get("xgboost-churn-stopped").snapshot is not None, pilot)
            assert "xgboost-churn-stopped" in app.poller.store
            # A name that is watched already is selected, not added twice; Escape adds nothing.
            await pilot.press("a", *"bert-base-finetune-imdb", "enter")
            await pilot.pause()
            assert rows(app) == ["bert-base-finetune-imdb", "xgboost-churn-stopped"]
            assert app.watch_screen.selected == "bert-base-finetune-imdb"
            await pilot.press("a", "x", "escape")
            await pilot.pause()
            assert rows(app) == ["bert-base-finetune-imdb", "xgboost-churn-stopped"]
            # A job that does not exist shows as not found, like any named job.
            await pilot.press("a", *"no-such-job", "enter")
            await until(lambda: getattr(app.watch_screen.jobs.get("no-such-job"), "error", None) is not None, pilot)
            assert app.watch_screen.jobs.get("no-such-job").not_found


async def test_removing_a_job_stops_its_polls_and_keeps_the_others():
    with simulated_app(
        RUNNING, ["bert-base-finetune-imdb", "gpt2-pretrain-maxruntime", "xgboost-churn-stopped"], interval=1
    ) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            app.watch_screen.select_job("gpt2-pretrain-maxruntime")
            await pilot.pause()
            await pilot.press("d")
            await pilot.pause()
            assert rows(app) == ["bert-base-finetune-imdb", "xgboost-churn-stopped"]
            assert app.poller.store.names == ["bert-base-finetune-imdb", "xgboost-churn-stopped"]
            assert app.watch_screen.selected == "xgboost-churn-stopped"  # the row that took its place
            assert "gpt2-pretrain-maxruntime" not in app.watch_screen.jobs
            title = str(app.watch_screen.query_one("#title-bar").render())
            assert "2 jobs" in title
            calls = app.poller.calls
            app.poller.poke()
            await until(lambda: app.poller.calls > calls, pilot)
            await asyncio.sleep(0.3)
            assert "gpt2-pretrain-maxruntime" not in app.poller.store
            await pilot.press("d", "d")
            await pilot.pause()
            assert rows(app) == [] and app.watch_screen.selected is None
            assert "a adds one by name" in app.watch_screen.query_one("#timeline").placeholder


TUNING = "xgboost-churn-hpo"


def test_tuning_job(snap_compare):
    with simulated_app(RUNNING, query=JobQuery(tuning_job=TUNING)) as app:
        assert snap_compare(app, terminal_size=SIZE, run_before=until_loaded)


async def test_a_tuning_jobs_list_shows_its_objective_stars_the_best_and_sorts_best_first():
    with simulated_app(RUNNING, query=JobQuery(tuning_job=TUNING), list_interval=0.1) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            simulator = app.simulator
            jobs = app.watch_screen.query_one(JobList)
            described = simulator.describe_hyper_parameter_tuning_job({"HyperParameterTuningJobName": TUNING})
            children = sorted(
                simulator.list_training_jobs_for_hyper_parameter_tuning_job(
                    {"HyperParameterTuningJobName": TUNING, "MaxResults": 100}
                )["TrainingJobSummaries"],
                key=lambda s: s["CreationTime"],
            )
            assert rows(app) == [s["TrainingJobName"] for s in children]  # in launch order
            best = described["BestTrainingJob"]["TrainingJobName"]
            assert jobs.best_job == best and jobs.objective.metric == "validation:auc" and jobs.objective.maximize
            border = jobs.border_title
            assert f"{TUNING} InProgress {len(children)} of 12 launched" in border and "best 0." in border
            assert jobs.cell_text(best, "metric").endswith(" ★") and jobs.labels["metric"] == "validation:auc ↑"
            # Under the selected job's metrics, the values the tuner chose for it.
            tuned = str(app.watch_screen.query_one("#tuned").render())
            chosen = app.jobs.get(rows(app)[0]).snapshot.response["HyperParameters"]
            assert tuned.startswith("Tuned hyperparameters") and "max_depth" in tuned and "_tuning" not in tuned
            assert f"max_depth         {chosen['max_depth']}" in tuned
            # o cycles to the metric sort: the highest objective first, jobs without a value last.
            for _ in range(4):
                await pilot.press("o")
            assert jobs.sort_key == "metric"
            shown = [app.jobs.get(name).shown_metric(jobs.objective) for name in rows(app)]
            values = [metric[1] if metric else None for metric in shown]
            known = [v for v in values if v is not None]
            assert known == sorted(known, reverse=True)
            assert values[len(known) :] == [None] * (len(values) - len(known))
            # New training jobs are launched while watching: they join the list.
            before = len(rows(app))
            app.clock.advance(1800)
            await until(lambda: len(rows(app)) > before, pilot)
