"""Sweeps through the simulator's wire protocol, with SageMaker's rough edges (pages filtered after they are cut,
ListTrainingJobs throttled above 2 calls a second): the jobs out of view are followed without a description each."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta

from smtui.aws import sweeps
from smtui.aws.discovery import JobQuery
from smtui.aws.sweeps import listed_since
from smtui.clock import FrozenClock
from smtui.sim import Simulator, start_in_thread
from smtui.sim.fleet import fleet_scenarios
from smtui.ui.widgets.job_list import JobList
from tests.conftest import ORIGIN
from tests.screens import RUNNING, SIZE, simulated_app, until_loaded
from tests.test_discovery import Recording, no_wait, options, unthrottled


async def test_a_listed_fleet_is_swept_and_only_the_jobs_shown_are_described(monkeypatch):
    monkeypatch.setattr(sweeps, "SWEEP_EVERY", 1.0)
    # 60 running jobs among 300, each turn every 7.5 s (60 at 8 describes a second): more than a sweep's 2 s.
    scenarios = fleet_scenarios(300, running=0.2)
    options = {"interval": 30, "fast_interval": 1.0, "max_rps": 10}
    with simulated_app(RUNNING, query=JobQuery(), scenarios=scenarios, **options) as app:
        simulator = app.simulator
        described: Counter[str] = Counter()
        describe = simulator.describe_training_job

        def counting(params: dict) -> dict:
            described[params["TrainingJobName"]] += 1
            return describe(params)

        simulator.describe_training_job = counting
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot, timeout=120)
            poller = app.poller
            assert len(poller.store.names) == 60 and poller.sweeping()
            while poller.sweep_calls < 1:
                await pilot.pause(0.1)
            described.clear()
            swept = poller.sweep_calls
            await pilot.pause(9)
            jobs = app.screen.query_one(JobList)
            shown = {*jobs.in_view(), poller.selected}
            assert 10 <= len(shown) < 60
            assert set(described) <= shown
            assert sum(described.values()) >= len(shown) // 2  # the rows in view keep their turns
            # A page a sweep (the 60 running jobs are the newest), each at most 2 s apart.
            assert 3 <= poller.sweep_calls - swept <= 6
            assert app.watch_screen.banner is None
    assert sum(simulator.quotas.throttled.values()) == 0


async def test_a_sweep_lists_back_to_the_oldest_running_job_and_stops_at_the_page_the_bound_cut():
    # 140 running jobs, created within two hours, over 210 that ended days ago; SageMaker's pages are cut before
    # they are filtered, so paging on would bring two more, empty, pages.
    clock = FrozenClock(ORIGIN)
    simulator = Simulator(clock, origin=ORIGIN, scenarios=fleet_scenarios(350, running=0.4), realism=unthrottled())
    running = {
        name
        for name in simulator.job_names()
        if simulator.describe_training_job({"TrainingJobName": name})["TrainingJobStatus"] == "InProgress"
    }
    oldest = min(simulator.describe_training_job({"TrainingJobName": name})["CreationTime"] for name in running)
    with start_in_thread(simulator) as served:
        async with Recording(options(served.url)) as source:
            bound = oldest - timedelta(seconds=1)
            listed, pages = await listed_since(source, bound, no_wait)
            placed, placed_pages = await listed_since(source, bound, no_wait, place="us-west-2")
    assert set(listed) == running and len(running) == 140
    assert all(summary["TrainingJobStatus"] == "InProgress" for summary in listed.values())
    assert pages == placed_pages == 2 and len(source.requests) == 4
    assert set(placed) == {f"us-west-2/{name}" for name in running}


async def test_moto_lists_every_job_created_after_the_bound(moto_url):
    from tests.test_moto import create_job

    prefix = f"sweep{uuid.uuid4().hex[:6]}"
    for i in range(3):
        create_job(moto_url, f"{prefix}-old-{i}")
    await asyncio.sleep(1.5)
    async with Recording(options(moto_url)) as source:
        # moto says creation times to the second: a bound a second after the newest old one is after all three.
        times = [(await source.describe_training_job(f"{prefix}-old-{i}"))["CreationTime"] for i in range(3)]
        for i in range(3):
            create_job(moto_url, f"{prefix}-new-{i}")
        listed, pages = await listed_since(source, max(times) + timedelta(seconds=1), no_wait, place="prod")
    mine = {name for name in listed if prefix in name}
    assert mine == {f"prod/{prefix}-new-{i}" for i in range(3)}
    assert pages == len(source.requests) >= 1
