"""Metrics of jobs of every age, against the simulator with CloudWatch's retention tiers: each job's curves come
in the Period CloudWatch still keeps for its start time, and an old job never empties a young one's batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from smtui.aws.poller import Poller
from smtui.aws.source import AwsJobSource, AwsOptions, metric_period
from smtui.sim import Realism, Simulator, start_in_thread
from smtui.sim.scenarios import default_scenarios
from tests.conftest import CREDENTIALS, ORIGIN


def test_the_period_follows_the_age_of_the_start():
    assert [metric_period(ORIGIN - timedelta(days=days), ORIGIN) for days in (0, 14, 15, 30, 62, 64, 400, 900)] == [
        60,
        60,
        300,
        300,
        300,
        3600,
        3600,
        3600,
    ]


async def test_a_weeks_old_job_still_shows_its_curves(clock):
    templates = {s.name: s for s in default_scenarios()}
    young = templates["bert-base-finetune-imdb"]
    old = replace(young, name="bert-weeks-old", created=-20 * 86400)
    clock.set(ORIGIN + timedelta(seconds=1500))  # the young one has completed too
    simulator = Simulator(clock, origin=ORIGIN, scenarios=[young, old], realism=Realism())
    calls = []
    with start_in_thread(simulator) as running:
        options = AwsOptions(region="us-east-1", endpoint_url=running.url, static_credentials=CREDENTIALS)
        async with AwsJobSource(options) as source:
            original = source.get_metric_data

            async def recorded(queries, start, end, period=60):
                calls.append((sorted({q.job for q in queries}), period))
                return await original(queries, start, end, period)

            source.get_metric_data = recorded
            poller = Poller(source, [young.name, old.name], lambda event: None, clock=clock, max_rps=None)
            for name in (young.name, old.name):
                await poller.poll_job(name)
            await poller.poll_metrics()
    assert calls == [([young.name], 60), ([old.name], 300)]
    for name in (young.name, old.name):
        for metric in poller.store.get(name).snapshot.metric_names:
            assert len(poller.store.get(name).points(metric)) > 3, (name, metric)
