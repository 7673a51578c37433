"""``smtui watch`` with no names and with ``--status InProgress``, against a fleet listed as SageMaker lists it:
each page cut before it is filtered (empty and short pages while a NextToken follows), ListTrainingJobs throttled
above 2 calls a second. Every running job is found, and nothing is throttled, the first listing and the later
ones alike."""

from __future__ import annotations

import pytest

from smtui.aws.discovery import JobQuery
from smtui.sim.fleet import fleet_scenarios
from tests.screens import RUNNING, SIZE, simulated_app, until_loaded


@pytest.mark.parametrize("query", [JobQuery(), JobQuery(status="InProgress")], ids=["no-names", "in-progress"])
async def test_every_running_job_is_listed_within_the_quota(query):
    scenarios = fleet_scenarios(400)
    with simulated_app(RUNNING, query=query, scenarios=scenarios, list_interval=1.0, max_rps=20) as app:
        simulator = app.simulator
        running = {
            name
            for name in simulator.job_names()
            if simulator.describe_training_job({"TrainingJobName": name})["TrainingJobStatus"] == "InProgress"
        }
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot, timeout=120)
            assert set(app.poller.store.names) == running and len(running) == 20
            first = app.finder.calls
            await pilot.pause(5)  # later listings, a second apart: each asks only for newer jobs, one call each
            later = app.finder.calls - first
            assert app.watch_screen.banner is None
    assert first >= 4  # the running jobs' listing goes through every page of the 400
    assert 2 <= later <= 6
    assert simulator.quotas.throttled["ListTrainingJobs"] == 0 and sum(simulator.quotas.throttled.values()) == 0
