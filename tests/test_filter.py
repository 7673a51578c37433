"""/ filters the job list as you type: by name, status or stage."""

from __future__ import annotations

from smtui.ui.widgets.job_list import JobList
from tests.screens import RUNNING, SIZE, SMALL, simulated_app, until_loaded


def rows(app) -> list[str]:
    return list(app.screen.query_one(JobList).shown)


async def test_typing_filters_and_escape_brings_every_job_back():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            everything = rows(app)
            assert len(everything) == 10
            await pilot.press("slash", *"LLAMA")
            await pilot.pause()
            assert rows(app) == ["llama3-8b-lora-oom", "llama-finetune-full-config", "llama2-70b-pretrain-trn1"]
            # The snapshots' settings: the box's cursor stands still, so no picture catches it half-way.
            assert app.focused.id == "job-filter" and not app.focused.cursor_blink
            jobs = app.screen.query_one(JobList)
            assert jobs.border_title == "Jobs · “llama” 3 of 10"
            await pilot.press("enter")  # keeps the filter, back to the list
            await pilot.pause()
            assert jobs.has_focus and not app.screen.query_one("#job-filter").display
            await pilot.press("j")
            await pilot.pause(0.1)
            assert app.watch_screen.selected == "llama-finetune-full-config"
            await pilot.press("escape")
            await pilot.pause()
            assert rows(app) == everything
            assert jobs.border_title == "Jobs"
            assert app.watch_screen.selected == "llama-finetune-full-config"  # the cursor stayed on its job


async def test_a_status_or_a_stage_filters_too():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            await pilot.press("slash", *"complet")
            await pilot.pause()
            assert rows(app) == ["llama-finetune-full-config", "t5-base-summarize-xsum"]
            await pilot.press("ctrl+u", *"downloading")  # clear the box, then a stage
            await pilot.pause()
            assert rows(app) == ["resnet50-spot-imagenet"]
            await pilot.press("ctrl+u", *"zzz")
            await pilot.pause()
            assert rows(app) == []
            assert app.screen.query_one(JobList).border_title == "Jobs · “zzz” 0 of 10"


async def test_o_sorts_by_name_status_elapsed_and_metric_then_back():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            given = rows(app)
            jobs = app.screen.query_one(JobList)
            await pilot.press("o")
            assert rows(app) == sorted(given) and jobs.border_title == "Jobs · by name"
            await pilot.press("o")
            assert rows(app)[-2:] == ["llama-finetune-full-config", "t5-base-summarize-xsum"]  # completed jobs last
            await pilot.press("o")
            assert rows(app)[:2] == ["llama2-70b-pretrain-trn1", "mistral-7b-sft-distributed"]  # 3 days, 50 min
            await pilot.press("o")
            shown = [app.jobs.get(name).shown_metric() for name in rows(app)]
            values = [metric[1] for metric in shown if metric]
            assert values == sorted(values) and rows(app)[-1] == "whisper-small-finetune-cv"  # no metric yet: last
            await pilot.press("o")
            # By utilisation: the idlest running job first; jobs without instance figures (ended ones) last.
            utils = [app.jobs.get(name).list_utilisation() for name in rows(app)]
            known = [u[1] for u in utils if u is not None]
            assert jobs.border_title == "Jobs · by util" and known == sorted(known) and utils[-1] is None
            await pilot.press("o")
            # By cost: the costliest first (the 128-instance job).
            assert jobs.border_title == "Jobs · by cost" and rows(app)[0] == "llama2-70b-pretrain-trn1"
            await pilot.press("o")
            assert rows(app) == given and jobs.border_title == "Jobs"
            # Sorting and filtering together: the filter keeps the sort.
            await pilot.press("o", "slash", *"llama")
            assert rows(app) == ["llama-finetune-full-config", "llama2-70b-pretrain-trn1", "llama3-8b-lora-oom"]
            assert jobs.border_title == "Jobs · “llama” 3 of 10 · by name"


def test_filtered_list(snap_compare):
    with simulated_app(RUNNING) as app:

        async def run_before(pilot) -> None:
            await until_loaded(pilot)
            await pilot.press("slash", *"training")
            await pilot.pause(0.1)

        assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


async def test_a_click_on_a_column_header_sorts_by_it_and_a_second_click_undoes_it():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            given = rows(app)
            jobs = app.screen.query_one(JobList)

            async def click(column: str) -> None:
                # The header is the list's first line inside its border.
                await pilot.click(JobList, offset=(1 + jobs.column_x(column) + 2, 1))
                await pilot.pause()

            await click("name")
            assert rows(app) == sorted(given) and jobs.border_title == "Jobs · by name"
            await click("elapsed")
            assert rows(app)[:2] == ["llama2-70b-pretrain-trn1", "mistral-7b-sft-distributed"]
            assert jobs.border_title == "Jobs · by elapsed"
            await click("elapsed")
            assert rows(app) == given and jobs.border_title == "Jobs"
