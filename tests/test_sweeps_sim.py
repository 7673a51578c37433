"""Sweeps through the simulator's wire protocol, with SageMaker's rough edges (pages filtered after they are cut,
ListTrainingJobs throttled above 2 calls a second): the jobs out of view are followed without a description each."""

from __future__ import annotations

from collections import Counter

from smtui.aws import sweeps
from smtui.aws.discovery import JobQuery
from smtui.sim.fleet import fleet_scenarios
from smtui.ui.widgets.job_list import JobList
from tests.screens import RUNNING, SIZE, simulated_app, until_loaded


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
