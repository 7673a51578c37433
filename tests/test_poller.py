"""The poller's schedule, on an in-memory source: overlap, spread, terminal jobs, failures, batching."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from smtui.aws.cadence import POLL_SHARE
from smtui.aws.errors import NETWORK, NOT_FOUND
from smtui.aws.poller import JobFailed, JobUpdate, MetricsUpdate, Poller
from smtui.clock import FrozenClock

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


class FakeSource:
    """Answers DescribeTrainingJob from a script and records every call."""

    def __init__(self, statuses: dict[str, list[str]], *, latency: float = 0.0, failures: dict[str, int] | None = None):
        self.statuses = statuses
        self.latency = latency
        self.failures = dict(failures or {})
        self.calls: list[tuple[str, float]] = []
        self.metric_calls: list[int] = []
        #: Each GetMetricData call's queries and StartTime.
        self.metric_windows: list[tuple[list, datetime]] = []
        self.in_flight: dict[str, int] = {}
        self.max_in_flight = 0

    async def describe_training_job(self, name: str) -> dict:
        loop = asyncio.get_running_loop()
        self.calls.append((name, loop.time()))
        self.in_flight[name] = self.in_flight.get(name, 0) + 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight[name])
        try:
            await asyncio.sleep(self.latency)
            if name not in self.statuses:
                error = {"Code": "ValidationException", "Message": "Requested resource not found."}
                raise ClientError({"Error": error}, "DescribeTrainingJob")
            if self.failures.get(name, 0) > 0:
                self.failures[name] -= 1
                raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")
            script = self.statuses[name]
            status = script.pop(0) if len(script) > 1 else script[0]
            return {
                "TrainingJobName": name,
                "TrainingJobStatus": status,
                "CreationTime": T0,
                "TrainingStartTime": T0,
                "AlgorithmSpecification": {"MetricDefinitions": [{"Name": "loss", "Regex": "x"}]},
            }
        finally:
            self.in_flight[name] -= 1

    async def get_metric_data(self, queries, start, end, period=60):
        self.metric_calls.append(len(queries))
        self.metric_windows.append((list(queries), start))
        return {q: [(T0 + timedelta(minutes=len(self.metric_calls)), 1.0 / len(self.metric_calls))] for q in queries}


async def run_for(poller: Poller, seconds: float) -> None:
    task = asyncio.create_task(poller.run())
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_polls_of_one_job_never_overlap_and_spread_over_the_interval():
    source = FakeSource({f"job-{i}": ["InProgress"] for i in range(4)}, latency=0.03)
    poller = Poller(
        source,
        list(source.statuses),
        lambda e: None,
        interval=0.2,
        metrics_interval=10,
        clock=FrozenClock(T0),
        max_rps=None,
    )
    await run_for(poller, 0.75)
    assert source.max_in_flight == 1
    # After the opening round, the jobs keep distinct phases instead of polling in a burst.
    later = sorted(t for _, t in source.calls[4:])
    gaps = [b - a for a, b in zip(later, later[1:])]
    assert len(later) >= 6 and min(gaps) > 0.02


async def test_terminal_job_is_polled_once_more_then_dropped():
    source = FakeSource({"a": ["InProgress", "Completed"]})
    events = []
    poller = Poller(
        source, ["a"], events.append, interval=0.01, metrics_interval=0.01, clock=FrozenClock(T0), max_rps=None
    )
    await asyncio.wait_for(poller.run(), 5)
    assert [name for name, _ in source.calls] == ["a", "a", "a"]
    assert [e.snapshot.status for e in events if isinstance(e, JobUpdate)] == ["InProgress", "Completed", "Completed"]


async def test_a_job_that_had_already_ended_is_polled_once():
    source = FakeSource({"done": ["Completed"], "running": ["InProgress"]})
    poller = Poller(
        source,
        ["done", "running"],
        lambda e: None,
        interval=0.02,
        metrics_interval=10,
        clock=FrozenClock(T0),
        max_rps=None,
    )
    await run_for(poller, 0.3)
    assert [name for name, _ in source.calls].count("done") == 1
    assert [name for name, _ in source.calls].count("running") >= 5


async def test_the_request_budget_spaces_calls_and_stretches_the_interval():
    jobs = {f"job-{i}": ["InProgress"] for i in range(40)}
    source = FakeSource(jobs)
    poller = Poller(
        source, list(jobs), lambda e: None, interval=0.1, metrics_interval=100, clock=FrozenClock(T0), max_rps=50
    )
    assert poller.effective_interval == pytest.approx(40 / (50 * POLL_SHARE))
    await run_for(poller, 1.5)
    times = sorted(t for _, t in source.calls)
    # 1.5 s at 50 a second, plus one second's burst: never the 40 / 0.1 = 400 a second the interval asks for.
    assert 60 <= len(times) <= 50 * 1.5 + 50 + 1
    busiest = max(sum(1 for t in times if start <= t < start + 0.5) for start in times)
    assert busiest <= 25 + 50 + 1
    unlimited = Poller(FakeSource(jobs), list(jobs), lambda e: None, interval=0.1, max_rps=None)
    assert unlimited.effective_interval == 0.1


async def test_a_failing_job_does_not_stop_the_others_and_recovers():
    source = FakeSource({"good": ["InProgress"], "flaky": ["InProgress"]}, failures={"flaky": 2})
    events = []
    poller = Poller(
        source,
        ["good", "flaky", "missing"],
        events.append,
        interval=0.05,
        metrics_interval=10,
        clock=FrozenClock(T0),
        max_rps=None,
    )
    await run_for(poller, 0.4)
    failed = [e for e in events if isinstance(e, JobFailed)]
    assert {e.name for e in failed} == {"flaky", "missing"}
    assert any(e.error.kind == NETWORK for e in failed if e.name == "flaky")
    assert all(e.error.kind == NOT_FOUND for e in failed if e.name == "missing")
    # The same failure keeps the time it started.
    flaky = [e.error.since for e in failed if e.name == "flaky"]
    assert len(set(flaky)) == 1
    assert any(isinstance(e, JobUpdate) and e.name == "flaky" for e in events), "flaky recovered"
    assert poller.store.get("flaky").error is None and poller.store.get("missing").error is not None
    assert sum(1 for n, _ in source.calls if n == "good") >= 4


async def test_metrics_of_all_jobs_go_in_one_call_and_merge():
    source = FakeSource({f"job-{i}": ["InProgress"] for i in range(30)})
    events = []
    poller = Poller(
        source,
        list(source.statuses),
        events.append,
        interval=10,
        metrics_interval=0.05,
        clock=FrozenClock(T0),
        max_rps=None,
    )
    await run_for(poller, 0.3)
    # One query per job's metric, and two for each job's instance (its GPU and CPU utilisation), in one call.
    assert source.metric_calls[0] == 30 + 2 * 30
    metric_events = [e for e in events if isinstance(e, MetricsUpdate)]
    assert metric_events and len(metric_events[0].events) == 30
    assert len(poller.store.get("job-0").points("loss")) == len(source.metric_calls)


async def test_a_selected_jobs_hour_of_host_metrics_is_a_call_of_its_own():
    # The others' few minutes of host and training metrics share one call; the hour does not drag them along.
    source = FakeSource({f"job-{i}": ["InProgress"] for i in range(30)})
    poller = Poller(
        source,
        list(source.statuses),
        lambda e: None,
        interval=10,
        metrics_interval=0.05,
        clock=FrozenClock(T0),
        max_rps=None,
    )
    poller.select("job-0")
    await run_for(poller, 0.3)
    # The first round's two calls; each later round is one (the hour is held).
    assert len(source.metric_windows) > 2 and len({len(q) for q, _ in source.metric_windows[2:]}) == 1
    (hour, hour_start), (rest, rest_start) = sorted(source.metric_windows[:2], key=lambda w: w[1])
    assert {q.job for q in hour} == {"job-0"} and all(q.host is not None for q in hour)
    assert hour_start <= T0 - timedelta(hours=1)
    assert rest_start >= T0 - timedelta(minutes=11)
    assert {q.job for q in rest if q.host is None} == set(source.statuses)  # every job's training metrics
    assert {q.job for q in rest if q.host is not None} == set(source.statuses) - {"job-0"}


async def test_poke_polls_now():
    source = FakeSource({"a": ["InProgress"]})
    poller = Poller(
        source, ["a"], lambda e: None, interval=60, metrics_interval=60, clock=FrozenClock(T0), max_rps=None
    )
    task = asyncio.create_task(poller.run())
    await asyncio.wait_for(poller.loaded.wait(), 2)
    poller.poke("a")
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(source.calls) == 2


async def test_an_open_ended_poller_takes_jobs_in_and_lets_them_go_while_running():
    source = FakeSource({"a": ["InProgress"], "b": ["InProgress"], "done": ["Completed"]})
    events = []
    poller = Poller(
        source,
        ["done"],
        events.append,
        interval=0.05,
        metrics_interval=0.05,
        clock=FrozenClock(T0),
        max_rps=None,
        open_ended=True,
    )
    task = asyncio.create_task(poller.run())
    await asyncio.wait_for(poller.loaded.wait(), 2)
    await asyncio.sleep(0.1)
    assert not task.done()  # every job has ended, but more may come
    assert poller.add("a") and poller.add("b") and not poller.add("a")
    await asyncio.sleep(0.2)
    assert all(poller.store.get(n).snapshot for n in ("a", "b")) and ("a", "loss") in {
        (e.job, e.metric) for m in events if isinstance(m, MetricsUpdate) for e in m.events
    }
    calls_of_a = sum(1 for name, _ in source.calls if name == "a")
    assert calls_of_a >= 3
    assert poller.remove("a") and not poller.remove("a")
    assert "a" not in poller.store and poller.store.names == ["done", "b"]
    await asyncio.sleep(0.2)
    assert sum(1 for name, _ in source.calls if name == "a") == calls_of_a  # never polled again
    assert sum(1 for name, _ in source.calls if name == "b") > calls_of_a
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_poller_that_is_not_open_ended_returns_when_its_jobs_end_even_with_one_added():
    source = FakeSource({"a": ["InProgress", "InProgress", "Completed"], "b": ["InProgress", "Completed"]})
    poller = Poller(
        source, ["a"], lambda e: None, interval=0.02, metrics_interval=10, clock=FrozenClock(T0), max_rps=None
    )
    task = asyncio.create_task(poller.run())
    await asyncio.sleep(0.01)
    poller.add("b")
    await asyncio.wait_for(task, 2)
    assert poller.store.get("a").snapshot.status == poller.store.get("b").snapshot.status == "Completed"


class TieredSource(FakeSource):
    """Keeps points as CloudWatch does: a query finer than what its start time still has gets none."""

    def __init__(self, started: dict[str, datetime], now: datetime) -> None:
        super().__init__({name: ["Completed"] for name in started})
        self.started, self.now = started, now
        self.batches: list[tuple[list[str], int]] = []

    async def describe_training_job(self, name: str) -> dict:
        return {
            **await super().describe_training_job(name),
            "CreationTime": self.started[name],
            "TrainingStartTime": self.started[name],
        }

    async def get_metric_data(self, queries, start, end, period=60):
        self.batches.append((sorted(q.job for q in queries), period))
        age = (self.now - start).total_seconds()
        finest = 60 if age < 15 * 86400 else 300 if age < 63 * 86400 else 3600
        if period < finest:
            return {q: [] for q in queries}
        return {q: [(self.started[q.job] + timedelta(seconds=period), 1.0)] for q in queries}


async def test_metrics_of_jobs_of_every_age_each_in_the_period_cloudwatch_still_has():
    now = T0 + timedelta(minutes=10)
    started = {
        "young": T0,
        "also-young": T0 - timedelta(days=14),
        "weeks-old": T0 - timedelta(days=20),
        "months-old": T0 - timedelta(days=100),
    }
    source = TieredSource(started, now)
    poller = Poller(source, list(started), lambda event: None, clock=FrozenClock(now), max_rps=None)
    for name in started:
        await poller.poll_job(name)
    await poller.poll_metrics()
    assert source.batches == [(["also-young", "young"], 60), (["weeks-old"], 300), (["months-old"], 3600)]
    assert all(poller.store.get(name).points("loss") for name in started)
