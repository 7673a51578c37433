"""CloudWatch in the simulator as older clients and the SageMaker SDK read it, over HTTP.

GetMetricStatistics and ListMetrics (``TrainingJobAnalytics``), SageMaker's
ListTags (``Estimator.attach``) and the retention tiers that leave old jobs
only coarse points: every answer is checked against botocore's output shapes,
and the same reads are made against moto's server. The query protocol has its
own tests (``test_sim_query_protocol.py``).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from smtui.clock import FrozenClock
from smtui.sim import Realism, Simulator, start_in_thread
from smtui.sim.fleet import fleet_scenarios
from smtui.sim.metrics import NAMESPACE
from smtui.sim.scenarios import default_scenarios
from smtui.sim.validate import output_problems
from smtui.sim.wire import service_model
from tests.conftest import CREDENTIALS, ORIGIN
from tests.test_moto import create_job

CLOUDWATCH = service_model("cloudwatch")
SAGEMAKER = service_model("sagemaker")
ROUGH = Realism().without(["quotas"])
TEMPLATES = {s.name: s for s in default_scenarios()}
BERT = "bert-base-finetune-imdb"
#: A job that trained for five hours, twenty days ago; one that ran seventy days ago; one that ran two years ago.
OLD = replace(TEMPLATES[BERT], name="old-bert-20d", created=-20 * 86400)
OLDER = replace(TEMPLATES[BERT], name="old-bert-70d", created=-70 * 86400)
ANCIENT = replace(TEMPLATES[BERT], name="old-bert-2y", created=-730 * 86400)
RECENT = replace(TEMPLATES[BERT], name="bert-2h", created=-7200)


def shape_of(service, operation: str):
    return service.operation_model(operation).output_shape


def plain(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def dimension(job: str) -> list[dict]:
    return [{"Name": "TrainingJobName", "Value": job}]


@contextlib.contextmanager
def served(realism: Realism = ROUGH, scenarios=(OLD, OLDER, ANCIENT, RECENT), **extra):
    simulator = Simulator(
        FrozenClock(ORIGIN),
        origin=ORIGIN,
        scenarios=None if scenarios is None else list(scenarios),
        realism=realism,
        **extra,
    )
    with start_in_thread(simulator) as running:
        yield running.url


@contextlib.asynccontextmanager
async def client(url: str, service: str = "cloudwatch"):
    async with AioSession().create_client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    ) as made:
        yield made


def window(scenario) -> tuple[datetime, datetime]:
    """From the job's creation to its end, with a minute to spare."""
    start = ORIGIN + timedelta(seconds=scenario.created)
    return start, start + timedelta(seconds=sum(stage.seconds for stage in scenario.stages) + 60)


async def statistics(cw, scenario, period: int, **extra) -> list[dict]:
    start, end = window(scenario)
    answer = plain(
        await cw.get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName="train:loss",
            Dimensions=dimension(scenario.name),
            StartTime=start,
            EndTime=end,
            Period=period,
            **(extra or {"Statistics": ["Average"]}),
        )
    )
    assert output_problems(answer, shape_of(CLOUDWATCH, "GetMetricStatistics")) == []
    return answer["Datapoints"]


async def metric_data(cw, scenario, period: int) -> list[float]:
    start, end = window(scenario)
    answer = plain(
        await cw.get_metric_data(
            StartTime=start,
            EndTime=end,
            MetricDataQueries=[
                {
                    "Id": "loss",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": NAMESPACE,
                            "MetricName": "train:loss",
                            "Dimensions": dimension(scenario.name),
                        },
                        "Period": period,
                        "Stat": "Average",
                    },
                }
            ],
        )
    )
    assert output_problems(answer, shape_of(CLOUDWATCH, "GetMetricData")) == []
    return answer["MetricDataResults"][0]["Values"]


# -- retention tiers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scenario, kept",
    [(RECENT, (60, 120, 300, 900, 3600)), (OLD, (300, 900, 3600)), (OLDER, (3600,)), (ANCIENT, ())],
    ids=lambda v: getattr(v, "name", None),
)
async def test_points_finer_than_the_tier_of_their_start_are_gone(scenario, kept):
    with served() as rough, served(Realism.gentle()) as kind:
        async with client(rough) as cw, client(kind) as gentle:
            for period in (60, 120, 300, 900, 3600):
                found = await metric_data(cw, scenario, period)
                everything = await metric_data(gentle, scenario, period)
                assert everything, period
                assert found == (everything if period in kept else []), period
                points = await statistics(cw, scenario, period)
                assert len(points) == (len(everything) if period in kept else 0), period


async def test_an_old_default_job_keeps_only_its_coarse_curves():
    """A scripted job is weeks old at any speed, so the demo and the tests meet the tiers without a custom world."""
    old = [s for s in default_scenarios() if s.ago - s.created >= 15 * 86400]
    assert old, "no scripted job is older than the 60-second tier"
    for speed in (1, 10):
        with served(scenarios=default_scenarios(), speed=speed) as url:
            async with client(url) as cw:
                start = ORIGIN - timedelta(seconds=old[0].ago)
                for period, kept in ((60, False), (300, True)):
                    answer = await cw.get_metric_statistics(
                        Namespace=NAMESPACE,
                        MetricName="train:loss",
                        Dimensions=dimension(old[0].name),
                        StartTime=start,
                        EndTime=start + timedelta(hours=1),
                        Period=period,
                        Statistics=["Average"],
                    )
                    assert bool(answer["Datapoints"]) == kept, (speed, period)


# -- GetMetricStatistics, ListMetrics ----------------------------------------------------------


async def test_get_metric_statistics_agrees_with_get_metric_data():
    with served() as url:
        async with client(url) as cw:
            values = await metric_data(cw, RECENT, 300)
            points = await statistics(cw, RECENT, 300, Statistics=["Average", "Minimum", "Maximum", "SampleCount"])
            tails = await statistics(cw, RECENT, 300, ExtendedStatistics=["p90", "p50"])
            minutes = await metric_data(cw, RECENT, 60)
    assert [p["Average"] for p in points] == list(reversed(values))  # GetMetricData: newest first
    assert all(p["Minimum"] <= p["Average"] <= p["Maximum"] and p["Unit"] == "None" for p in points)
    assert sum(p["SampleCount"] for p in points) == len(minutes) > 20
    assert all(set(p["ExtendedStatistics"]) == {"p90", "p50"} for p in tails) and len(tails) == len(points)


@pytest.mark.parametrize(
    "params, code, message",
    [
        ({"Period": 60}, "InvalidParameterCombination", "At least one of the parameters"),
        ({"Period": 90, "Statistics": ["Average"]}, "InvalidParameterValue", "multiple of 60"),
        ({"Period": 1, "Statistics": ["Average"]}, "InvalidParameterCombination", "exceeds the limit of 1,440"),
    ],
)
async def test_get_metric_statistics_refuses_as_cloudwatch_does(params, code, message):
    with served() as url:
        async with client(url) as cw:
            start, end = window(RECENT)
            with pytest.raises(ClientError) as caught:
                await cw.get_metric_statistics(
                    Namespace=NAMESPACE,
                    MetricName="train:loss",
                    StartTime=start,
                    EndTime=end,
                    Dimensions=dimension(RECENT.name),
                    **params,
                )
    assert caught.value.response["Error"]["Code"] == code and message in caught.value.response["Error"]["Message"]


async def list_all(cw, **params) -> list[dict]:
    metrics, token = [], None
    while True:
        answer = plain(await cw.list_metrics(**params, **({"NextToken": token} if token else {})))
        assert output_problems(answer, shape_of(CLOUDWATCH, "ListMetrics")) == [] and len(answer["Metrics"]) <= 500
        metrics += answer["Metrics"]
        token = answer.get("NextToken")
        if not token:
            return metrics


async def test_list_metrics_leaves_out_what_has_not_reported_in_two_weeks():
    with served() as rough, served(Realism.gentle()) as kind:
        async with client(rough) as cw, client(kind) as gentle:
            listed = await list_all(cw, Namespace=NAMESPACE)
            everything = await list_all(gentle)
            recent = await list_all(cw, RecentlyActive="PT3H")
            one = await list_all(cw, MetricName="train:loss", Dimensions=[{"Name": "TrainingJobName"}])
            assert await list_all(cw, Namespace="AWS/EC2") == []
    training = lambda metrics: [m for m in metrics if m["Dimensions"][0]["Name"] == "TrainingJobName"]  # noqa: E731
    jobs = lambda metrics: {m["Dimensions"][0]["Value"] for m in training(metrics)}  # noqa: E731
    hosts = lambda metrics: {  # noqa: E731
        m["Dimensions"][0]["Value"] for m in metrics if m["Dimensions"][0]["Name"] == "Host"
    }
    assert jobs(listed) == {RECENT.name} and jobs(everything) == {s.name for s in (OLD, OLDER, ANCIENT, RECENT)}
    assert {m["MetricName"] for m in training(listed)} == {m.name for m in RECENT.metrics}
    assert jobs(recent) == {RECENT.name} and {m["MetricName"] for m in one} == {"train:loss"}
    # The instances' utilisation ages the same way: only the recent job's host is listed.
    assert hosts(listed) == {f"{RECENT.name}/algo-1"}
    assert hosts(everything) == {f"{s.name}/algo-1" for s in (OLD, OLDER, ANCIENT, RECENT)}


async def test_list_metrics_pages_by_five_hundred():
    with served(scenarios=fleet_scenarios(300)) as url:
        async with client(url) as cw:
            first = plain(await cw.list_metrics())
            metrics = await list_all(cw)
    assert len(first["Metrics"]) == 500 and first["NextToken"]
    assert len(metrics) == len({json.dumps(m, sort_keys=True) for m in metrics}) > 500


# -- ListTags -----------------------------------------------------------------------------------


async def test_list_tags_of_jobs_and_tuning_jobs():
    with served(scenarios=None) as url:
        async with client(url, "sagemaker") as sm:
            arn = "arn:aws:sagemaker:us-east-1:123456789012:{}"
            job = plain(await sm.list_tags(ResourceArn=arn.format(f"training-job/{BERT}")))
            tuning = plain(await sm.list_tags(ResourceArn=arn.format("hyper-parameter-tuning-job/xgboost-churn-hpo")))
            with pytest.raises(ClientError) as caught:
                await sm.list_tags(ResourceArn=arn.format("training-job/no-such-job"))
    for answer in (job, tuning):
        assert output_problems(answer, shape_of(SAGEMAKER, "ListTags")) == []
    assert {"Key": "project", "Value": "bert-imdb"} in job["Tags"]
    assert tuning["Tags"] and caught.value.response["Error"]["Code"] == "ValidationException"


# -- the same calls against moto ----------------------------------------------------------------


async def test_moto_answers_the_same_reads_in_the_same_shapes(moto_url):
    job = f"moto-cw-{uuid.uuid4().hex[:8]}"
    create_job(moto_url, job)
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    async with client(moto_url) as cw, client(moto_url, "sagemaker") as sm:
        await cw.put_metric_data(
            Namespace=NAMESPACE,
            MetricData=[
                {
                    "MetricName": "train:loss",
                    "Dimensions": dimension(job),
                    "Timestamp": now - timedelta(minutes=m),
                    "Value": 1.0 / (m + 1),
                }
                for m in range(10)
            ],
        )
        points = plain(
            await cw.get_metric_statistics(
                Namespace=NAMESPACE,
                MetricName="train:loss",
                Dimensions=dimension(job),
                StartTime=now - timedelta(hours=1),
                EndTime=now + timedelta(minutes=1),
                Period=60,
                Statistics=["Average"],
            )
        )
        listed = plain(await cw.list_metrics(Namespace=NAMESPACE, Dimensions=dimension(job)))
        arn = (await sm.describe_training_job(TrainingJobName=job))["TrainingJobArn"]
        tags = plain(await sm.list_tags(ResourceArn=arn))
    assert output_problems(points, shape_of(CLOUDWATCH, "GetMetricStatistics")) == []
    assert len(points["Datapoints"]) == 10 and all({"Timestamp", "Average"} <= set(p) for p in points["Datapoints"])
    assert listed["Metrics"] == [{"Namespace": NAMESPACE, "MetricName": "train:loss", "Dimensions": dimension(job)}]
    assert output_problems(tags, shape_of(SAGEMAKER, "ListTags")) == [] and "Tags" in tags
    with served() as url:
        async with client(url) as ours:
            mine = plain(
                await ours.list_metrics(Namespace=NAMESPACE, Dimensions=dimension(RECENT.name), MetricName="train:loss")
            )
    assert [set(m) for m in mine["Metrics"]] == [set(m) for m in listed["Metrics"]]
