"""Faults: the simulator injects them as AWS sends them, and the app lives through them.

The app test runs the whole stack (app, poller, aiobotocore, HTTP, simulator)
with every kind of fault on at once, kills the endpoint and brings it back,
and then checks that each job's timeline and metric series equal what a
fault-free client reads at the same moment.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from smtui.aws import errors
from smtui.aws.errors import MalformedResponse, explain
from smtui.aws.snapshot import JobSnapshot
from smtui.aws.source import AwsJobSource, AwsOptions, MetricQuery, metric_period
from smtui.clock import FrozenClock
from smtui.sim import FaultInjector, Faults, Simulator, start_in_thread
from smtui.ui.app import SmtuiApp
from smtui.ui.settings import Settings
from smtui.ui.widgets.job_list import JobList
from tests.conftest import CREDENTIALS, ORIGIN, fixture_realism, impatient_options

JOB = "bert-base-finetune-imdb"


def client(service: str, url: str, key: str = CREDENTIALS[0]):
    """A boto3 client that does not retry, so each fault reaches the test as sent."""
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id=key,
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )


def served(**faults):
    simulator = Simulator(FrozenClock(ORIGIN + timedelta(seconds=600)), origin=ORIGIN, realism=fixture_realism())
    injector = FaultInjector(Faults(seed=1, **faults))
    return start_in_thread(simulator, injector=injector), injector


def test_throttles_as_sagemaker_and_cloudwatch_send_them():
    running, injector = served(throttle_rate=1.0)
    with running:
        with pytest.raises(ClientError) as caught:
            client("sagemaker", running.url).describe_training_job(TrainingJobName=JOB)
        assert caught.value.response["Error"]["Code"] == "ThrottlingException"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        with pytest.raises(ClientError) as caught:
            client("cloudwatch", running.url).get_metric_data(
                MetricDataQueries=[], StartTime=ORIGIN, EndTime=ORIGIN + timedelta(hours=1)
            )
        assert caught.value.response["Error"]["Code"] == "Throttling"
        assert explain(caught.value).kind == errors.THROTTLED
    assert injector.counts["throttle"] == 2


def test_server_errors_are_5xx():
    running, injector = served(error_rate=1.0)
    seen = set()
    with running:
        for _ in range(12):
            with pytest.raises(ClientError) as caught:
                client("sagemaker", running.url).describe_training_job(TrainingJobName=JOB)
            error = caught.value.response
            seen.add((error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]))
            assert explain(caught.value).kind == errors.SERVICE
    assert seen == {("InternalFailure", 500), ("ServiceUnavailable", 503)}


def test_dropped_connections_and_garbage():
    running, _ = served(reset_rate=1.0)
    with running:
        with pytest.raises(ConnectionClosedError) as caught:
            client("sagemaker", running.url).describe_training_job(TrainingJobName=JOB)
        assert explain(caught.value).kind == errors.NETWORK

    running, _ = served(garbage_rate=1.0)
    outcomes = set()

    async def call(url):
        options = AwsOptions(region="us-east-1", endpoint_url=url, static_credentials=CREDENTIALS, max_attempts=1)
        async with AwsJobSource(options) as source:
            try:
                await source.describe_training_job(JOB)
            except Exception as exc:
                outcomes.add(type(exc).__name__)
                assert explain(exc).kind == errors.SERVICE

    with running:
        for _ in range(8):
            asyncio.run(call(running.url))
    # A 200 whose JSON is cut short, and a proxy's HTML page with 502.
    assert outcomes == {MalformedResponse.__name__, ClientError.__name__}


def test_credentials_the_simulator_refuses():
    simulator = Simulator(FrozenClock(ORIGIN), origin=ORIGIN, realism=fixture_realism())
    with start_in_thread(simulator) as running:
        with pytest.raises(ClientError) as caught:
            client("sagemaker", running.url, key="expired-session").describe_training_job(TrainingJobName=JOB)
        assert caught.value.response["Error"]["Code"] == "ExpiredTokenException"
        assert explain(caught.value).kind == errors.AUTH
        with pytest.raises(ClientError) as caught:
            client("sagemaker", running.url, key="denied-role").describe_training_job(TrainingJobName=JOB)
        assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
        assert explain(caught.value).kind == errors.ACCESS_DENIED


def test_fault_rolls_repeat_with_a_seed_and_rates_are_checked():
    faults = Faults(throttle_rate=0.2, error_rate=0.2, reset_rate=0.2, garbage_rate=0.2, latency_ms=50, seed=9)
    first, second = FaultInjector(faults), FaultInjector(faults)
    assert [first.roll() for _ in range(200)] == [second.roll() for _ in range(200)]
    assert set(first.counts) == {"throttle", "error", "reset", "garbage"}
    assert all(0.025 <= delay <= 0.075 for _, delay in (first.roll() for _ in range(50)))
    with pytest.raises(ValueError, match="add up to 1.2"):
        Faults(throttle_rate=0.6, error_rate=0.6)
    with pytest.raises(ValueError, match="between 0 and 1"):
        Faults(reset_rate=-0.1)
    assert Faults(throttle_rate=0.1, latency_ms=200).describe() == "throttle 10%, latency 200 ms"


async def wait_until(condition, seconds: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def fault_free_reading(url: str, names: list[str], simulator: Simulator):
    """What a client that met no fault reads now: every job's transitions and every metric series."""
    options = AwsOptions(region="us-east-1", endpoint_url=url, static_credentials=CREDENTIALS)
    async with AwsJobSource(options) as source:
        snapshots = {
            n: JobSnapshot.from_response(n, await source.describe_training_job(n), simulator.clock.now()) for n in names
        }
        # Each job's series from its TrainingStartTime, in the Period CloudWatch still keeps for it (the job that
        # ran three weeks before the origin has 300-second points only), as the app keeps them.
        now = simulator.clock.now()
        series = {}
        for name, snapshot in snapshots.items():
            if snapshot.metric_names and snapshot.started_at is not None:
                start = snapshot.started_at - timedelta(seconds=1)
                series.update(
                    await source.get_metric_data(
                        [MetricQuery(name, m) for m in snapshot.metric_names],
                        start,
                        now + timedelta(seconds=1),
                        metric_period(start, now),
                    )
                )
    return snapshots, series


async def test_the_app_lives_through_faults_and_an_outage_and_loses_nothing():
    clock = FrozenClock(ORIGIN)
    simulator = Simulator(clock, speed=1.0, origin=ORIGIN, realism=fixture_realism())
    injector = FaultInjector(
        Faults(throttle_rate=0.15, error_rate=0.15, reset_rate=0.1, garbage_rate=0.1, latency_ms=5, seed=3)
    )
    names = simulator.job_names()
    with start_in_thread(simulator, injector=injector) as running:
        app = SmtuiApp(
            AwsJobSource(impatient_options(running.url)),
            names,
            Settings(interval=0.3, metrics_interval=0.4, tick=0.2, max_rps=100),
            clock=clock,
        )
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.watch_screen
            jobs = app.screen.query_one(JobList)
            stale_rows = set()
            for seconds in range(0, 2101, 100):
                clock.set(ORIGIN + timedelta(seconds=seconds))
                await asyncio.sleep(0.35)
                # Rows whose last poll failed keep their data and say how old it is.
                for name, state in screen.jobs.states.items():
                    if state.stale:
                        assert state.error.since is not None
                        stage = jobs.cell_text(name, "stage")
                        assert " old" in stage, stage
                        stale_rows.add(name)
                if seconds == 1000:
                    # The endpoint goes away: every job still polled says so, and the screen still answers keys.
                    running.kill()
                    polled = [state.name for state in screen.jobs.polled]

                    def all_unreachable(polled=polled) -> bool:
                        return all((error := screen.jobs.get(n).error) and error.kind == errors.NETWORK for n in polled)

                    assert await wait_until(all_unreachable, 20)
                    # Refused ("cannot reach the endpoint") or hung past a call's patience ("no answer after 3s"):
                    # which one a job meets first depends on where its call was when the endpoint went.
                    banner = screen.banner or ""
                    assert "cannot reach the endpoint" in banner or "the endpoint may be down" in banner, banner
                    before = screen.selected
                    await pilot.press("j")
                    assert screen.selected != before
                    clock.set(ORIGIN + timedelta(seconds=1050))
                    await asyncio.sleep(0.5)
                    running.revive()
            assert stale_rows, "faults never left a row stale"
            assert sum(injector.counts.values()) >= 20, injector.counts

            # Faults off: every job recovers by itself, with nothing lost.
            injector.enabled = False
            expected_snapshots, expected_series = await fault_free_reading(running.url, names, simulator)

            def caught_up() -> bool:
                return (
                    not screen.jobs.failing
                    and all(
                        (snapshot := screen.jobs.get(n).snapshot)
                        and snapshot.transitions == expected_snapshots[n].transitions
                        for n in names
                    )
                    and all(
                        [(p.timestamp, p.value) for p in app.poller.store.get(q.job).points(q.metric)] == points
                        for q, points in expected_series.items()
                    )
                )

            assert await wait_until(caught_up, 30), (screen.jobs.counts(), injector.counts)
            assert screen.banner is None
            await pilot.press("k")  # still answering keys
        assert app.return_code in (None, 0)


@pytest.mark.parametrize("outage", ["refused", "hung"])
async def test_every_polled_job_shows_an_outage_within_two_intervals_and_a_call_s_timeout(outage):
    # botocore's retries of a dead endpoint take seconds to minutes (a hung one: five read timeouts and the
    # back-off between them); the poller says a job is not answering once its call has taken one call's timeout.
    from smtui.aws.poller import JobFailed, Poller

    loop = asyncio.get_running_loop()
    simulator = Simulator(FrozenClock(ORIGIN + timedelta(seconds=600)), origin=ORIGIN)
    names = simulator.job_names()
    failed: dict[str, float] = {}
    down_at: float | None = None

    def sink(event) -> None:
        if isinstance(event, JobFailed) and down_at is not None:
            failed.setdefault(event.name, loop.time() - down_at)

    with start_in_thread(simulator) as running:
        options = AwsOptions(
            region="us-east-1",
            endpoint_url=running.url,
            static_credentials=CREDENTIALS,
            connect_timeout=0.5,
            read_timeout=1.0,
        )  # botocore's 5 attempts, as the app has
        async with AwsJobSource(options) as source:
            interval = 1.0
            poller = Poller(source, names, sink, interval=interval, metrics_interval=60, max_rps=None, open_ended=True)
            task = asyncio.create_task(poller.run())
            await asyncio.wait_for(poller.loaded.wait(), 30)
            polled = [n for n in names if not poller.store.get(n).snapshot.is_terminal]
            await asyncio.sleep(interval)
            down_at = loop.time()
            running.kill()
            hung = None
            if outage == "hung":
                # Something listens on the endpoint's port and never answers: connections open, answers never come.
                parts = urlsplit(running.url)
                hung = socket.socket()
                hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                hung.bind((parts.hostname, parts.port))
                hung.listen(128)
            try:
                bound = 2 * interval + source.call_timeout
                await asyncio.sleep(bound + 1.5)  # the bound, and room for a busy machine
            finally:
                if hung is not None:
                    hung.close()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    assert sorted(failed) == sorted(polled), (outage, failed)
    assert max(failed.values()) <= bound + 1.5, failed
