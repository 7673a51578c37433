"""The simulator's settings for AWS's rough edges, and its per-operation request quotas, over HTTP."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from datetime import timedelta

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError
from botocore.retries.standard import RetryContext, ThrottledRetryableChecker

from smtui.clock import FrozenClock
from smtui.sim import Realism, Simulator, start_in_thread
from smtui.sim.log_streams import GROUP
from smtui.sim.options import add_realism_options, realism_from_args
from smtui.sim.quotas import RequestQuotas, signed_region
from smtui.sim.realism import AWS_QUOTAS, EDGES
from tests.conftest import ORIGIN

JOB = "bert-base-finetune-imdb"
NO_RETRIES = AioConfig(retries={"total_max_attempts": 1})


@contextlib.asynccontextmanager
async def client(url: str, service: str, region: str = "us-east-1", config: AioConfig = NO_RETRIES):
    async with AioSession().create_client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    ) as made:
        yield made


@pytest.fixture
def aws_sim():
    """The default standalone jobs with every rough edge on (the default), served over HTTP."""
    simulator = Simulator(FrozenClock(ORIGIN), origin=ORIGIN, tuning=[])
    with start_in_thread(simulator) as running:
        simulator.url = running.url
        yield simulator


# -- the settings ------------------------------------------------------------------------------


def test_aws_like_by_default_and_each_edge_can_be_turned_off():
    assert Simulator(FrozenClock(ORIGIN)).realism == Realism() == Realism.aws()
    assert (
        dict(Realism().quotas)
        == dict(AWS_QUOTAS)
        == {
            "ListTrainingJobs": 2,
            "FilterLogEvents": 5,
            "GetLogEvents": 25,
            "DescribeLogStreams": 25,
            "GetMetricData": 50,
            "DescribeTrainingJob": 20,
        }
    )
    assert Realism().describe() == "AWS-like"
    gentle = Realism.gentle()
    assert gentle.describe() == "gentle"
    assert (
        dict(gentle.quotas),
        gentle.filter_after_cut,
        gentle.log_page_span,
        gentle.empty_log_pages,
        gentle.filter_page_span,
        gentle.token_ttl,
        gentle.stream_lag,
        gentle.ssm_streams,
        gentle.retention_tiers,
        gentle.metric_lag,
    ) == ({}, False, None, 0.0, None, None, 0.0, False, False, 0.0)
    for edge in EDGES:
        one_off = Realism().without([edge])
        assert one_off != Realism() and one_off.describe() == f"AWS-like, without {edge}"
    assert Realism().without(EDGES) == gentle


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"quotas": {"DescribeEndpoint": 1}}, "not an operation"),
        ({"quotas": {"ListTrainingJobs": 0}}, "positive"),
        ({"quotas": {"ListTrainingJobs": float("nan")}}, "positive"),
        ({"log_page_span": 0}, "log_page_span"),
        ({"token_ttl": -1}, "token_ttl"),
        ({"empty_log_pages": 1.0}, "empty_log_pages"),
        ({"filter_scan_events": 0}, "filter_scan_events"),
        ({"stream_lag": -5}, "stream_lag"),
        ({"metric_lag": -1}, "metric_lag"),
    ],
)
def test_bad_settings_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        Realism(**bad)
    with pytest.raises(ValueError, match="unknown rough edge"):
        Realism().without(["quota"])


def parse(*argv: str) -> Realism:
    parser = argparse.ArgumentParser(exit_on_error=False)
    add_realism_options(parser)
    return realism_from_args(parser.parse_args(argv))


def test_command_line_options_build_the_settings():
    assert parse() == Realism()
    assert parse("--gentle") == Realism.gentle()
    assert parse("--gentle", "quotas,stream-lag") == Realism().without(["quotas", "stream-lag"])
    changed = parse(
        "--quota", "ListTrainingJobs=0.5", "--quota", "GetLogEvents=off", "--token-ttl", "60", "--stream-lag", "0"
    )
    assert changed.quotas["ListTrainingJobs"] == 0.5 and "GetLogEvents" not in changed.quotas
    assert changed.quotas["FilterLogEvents"] == 5 and changed.token_ttl == 60 and changed.stream_lag == 0
    assert parse("--metric-lag", "300").metric_lag == 300 and parse("--metric-lag", "0") == Realism().without(
        ["metric-lag"]
    )
    # A quota given on top of --gentle applies alone.
    assert dict(parse("--gentle", "--quota", "DescribeTrainingJob=3").quotas) == {"DescribeTrainingJob": 3}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--quota", "ListTrainingJobs"], "expected OPERATION=RATE"),
        (["--quota", "DescribeEndpoint=2"], "'DescribeEndpoint' is not an operation the simulator answers"),
        (["--quota", "ListTrainingJobs=fast"], "expected a number of requests a second"),
        (["--quota", "ListTrainingJobs=-2"], "must be a positive number"),
        (["--token-ttl", "0"], "must be a positive number of seconds"),
        (["--gentle", "logs"], "unknown rough edge logs"),
        (["--metric-lag", "-5"], "must be a positive number of seconds"),
    ],
)
def test_bad_options_are_refused_in_one_line_with_exit_code_2(argv, message, capsys):
    from smtui.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["sim", *argv])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


# -- quotas ------------------------------------------------------------------------------------


def test_a_bucket_allows_a_second_of_burst_then_the_rate():
    now = [100.0]
    quotas = RequestQuotas({"ListTrainingJobs": 2.0, "GetLogEvents": 25.0}, clock=lambda: now[0])
    assert [quotas.admit("1", "us-east-1", "ListTrainingJobs") for _ in range(3)] == [True, True, False]
    # Another region, another operation, an operation without a quota: counted apart.
    assert quotas.admit("1", "eu-west-1", "ListTrainingJobs")
    assert all(quotas.admit("1", "us-east-1", "GetLogEvents") for _ in range(25))
    assert not quotas.admit("1", "us-east-1", "GetLogEvents")
    assert all(quotas.admit("1", "us-east-1", "DescribeLogStreams") for _ in range(1000))
    now[0] += 0.5
    assert quotas.admit("1", "us-east-1", "ListTrainingJobs") and not quotas.admit("1", "us-east-1", "ListTrainingJobs")
    assert quotas.throttled == {"ListTrainingJobs": 2, "GetLogEvents": 1}
    assert (
        signed_region("AWS4-HMAC-SHA256 Credential=AKID/20261126/eu-west-2/logs/aws4_request, ...", "us-east-1")
        == "eu-west-2"
    )
    assert signed_region("", "us-east-1") == "us-east-1"


async def burst(call, count: int) -> list[ClientError | dict]:
    """``count`` calls at once: each one's answer or error."""
    return await asyncio.gather(*(call() for _ in range(count)), return_exceptions=True)


def throttles(results) -> list[ClientError]:
    return [r for r in results if isinstance(r, ClientError)]


async def test_each_service_throttles_in_its_own_words(aws_sim):
    """Above its quota each operation answers HTTP 400 with the error its service sends, which botocore retries."""
    calls = {
        ("sagemaker", "ListTrainingJobs", 2): lambda c: c.list_training_jobs(),
        ("sagemaker", "DescribeTrainingJob", 20): lambda c: c.describe_training_job(TrainingJobName=JOB),
        ("logs", "FilterLogEvents", 5): lambda c: c.filter_log_events(
            logGroupName=GROUP, limit=1, logStreamNamePrefix=JOB
        ),
        ("logs", "DescribeLogStreams", 25): lambda c: c.describe_log_streams(logGroupName=GROUP, limit=1),
        ("cloudwatch", "GetMetricData", 50): lambda c: c.get_metric_data(
            MetricDataQueries=[], StartTime=ORIGIN - timedelta(hours=1), EndTime=ORIGIN
        ),
    }
    # The quotas' own clock stands still during each burst, so a slow machine refills nothing meanwhile.
    now = [0.0]
    aws_sim.quotas = RequestQuotas(aws_sim.realism.quotas, clock=lambda: now[0])
    for (service, operation, rate), call in calls.items():
        async with client(aws_sim.url, service) as made:
            results = await burst(lambda call=call, made=made: call(made), rate * 3)
        refused = throttles(results)
        # A second's worth gets through at once; the rest is refused.
        assert len(results) - len(refused) == rate, operation
        assert len(refused) == 2 * rate, operation
        error = refused[0].response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        code = "Throttling" if service == "cloudwatch" else "ThrottlingException"
        assert (error["Error"]["Code"], error["Error"]["Message"]) == (code, "Rate exceeded"), operation
        context = RetryContext(attempt_number=1, parsed_response=error)
        assert ThrottledRetryableChecker().is_retryable(context), operation
    assert aws_sim.quotas.throttled["ListTrainingJobs"] >= 4


async def test_botocore_backs_off_and_gets_through(aws_sim):
    standard = AioConfig(retries={"mode": "standard", "max_attempts": 10})
    async with client(aws_sim.url, "sagemaker", config=standard) as sm:
        started = time.monotonic()
        results = await burst(lambda: sm.list_training_jobs(MaxResults=1), 6)
        took = time.monotonic() - started
    assert not throttles(results)
    assert sum(r["ResponseMetadata"]["RetryAttempts"] for r in results) >= 4
    # Six calls at two a second with a burst of two take at least two seconds.
    assert took >= 1.5


async def test_quotas_are_per_region_and_run_on_real_time_under_a_frozen_clock(aws_sim):
    async with client(aws_sim.url, "sagemaker") as east, client(aws_sim.url, "sagemaker", "eu-west-1") as west:
        # Six at once against 2 a second: one is throttled unless the six take 1.5 s to arrive (a busy machine
        # spreads them; three were too few).
        assert len(throttles(await burst(east.list_training_jobs, 6))) >= 1
        assert not throttles(await burst(west.list_training_jobs, 2))
        await asyncio.sleep(1.1)  # the simulator's clock has not moved; the quota refilled all the same
        assert not throttles(await burst(east.list_training_jobs, 2))


async def test_a_quota_can_be_changed_or_removed():
    simulator = Simulator(
        FrozenClock(ORIGIN),
        origin=ORIGIN,
        tuning=[],
        realism=Realism().with_quotas({"ListTrainingJobs": None, "DescribeTrainingJob": 1}),
    )
    with start_in_thread(simulator) as running:
        async with client(running.url, "sagemaker") as sm:
            assert not throttles(await burst(sm.list_training_jobs, 10))
            assert len(throttles(await burst(lambda: sm.describe_training_job(TrainingJobName=JOB), 3))) == 2
    gentle = Simulator(FrozenClock(ORIGIN), origin=ORIGIN, tuning=[], realism=Realism.gentle())
    with start_in_thread(gentle) as running:
        async with client(running.url, "sagemaker") as sm:
            assert not throttles(await burst(sm.list_training_jobs, 10))
