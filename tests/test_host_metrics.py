"""Per-host metric queries: what a round asks for, and the answers of the simulator and of moto through aiobotocore."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest

from smtui.aws.host_metrics import calls_for, host_names, host_queries, list_metrics, selected_metrics
from smtui.aws.source import AwsJobSource, AwsOptions, MetricQuery
from smtui.present.cost import instance_type
from smtui.present.instance_types import instance_spec
from smtui.present.utilisation import CPU, DISK, GPU, HOST_METRICS, MEMORY, stages_of, utilisation

from .conftest import CREDENTIALS, ORIGIN


def job(kind: str, count: int = 1) -> dict:
    return {"ResourceConfig": {"InstanceType": kind, "InstanceCount": count}}


def test_hosts_and_the_list_metric():
    assert host_names(job("ml.p4d.24xlarge", 4)) == ("algo-1", "algo-2", "algo-3", "algo-4")
    assert host_names({}) == ("algo-1",)
    assert list_metrics(job("ml.g5.2xlarge")) == (GPU, CPU)
    assert list_metrics(job("ml.m5.xlarge")) == (CPU,)
    assert list_metrics(job("ml.unknown.large")) == (GPU, CPU)  # ask; an answer with no points costs nothing


def test_the_selected_jobs_metrics_are_those_its_type_publishes():
    assert selected_metrics(job("ml.p4d.24xlarge", 4)) == HOST_METRICS
    assert selected_metrics(job("ml.trn1.32xlarge", 128)) == (CPU, MEMORY, DISK)
    assert selected_metrics(job("ml.unknown.large")) == HOST_METRICS
    assert [q.dimension["Value"] for q in host_queries("j", ("algo-1", "algo-2"), (GPU,))] == ["j/algo-1", "j/algo-2"]
    assert MetricQuery("j", "train:loss").dimension == {"Name": "TrainingJobName", "Value": "j"}


def test_calls_for_a_round():
    assert calls_for(0) == 0 and calls_for(1) == 1 and calls_for(500) == 1 and calls_for(501) == 2


async def test_moto_answers_the_host_queries(moto_url):
    """moto's CloudWatch, an independent implementation, returns what was put on the Host dimension."""
    client = boto3.client(
        "cloudwatch",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    )
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    for host, value in (("algo-1", 350.0), ("algo-2", 20.0)):
        client.put_metric_data(
            Namespace="/aws/sagemaker/TrainingJobs",
            MetricData=[
                {
                    "MetricName": GPU,
                    "Dimensions": [{"Name": "Host", "Value": f"moto-hosts/{host}"}],
                    "Timestamp": now - timedelta(minutes=2),
                    "Value": value,
                    "Unit": "Percent",
                }
            ],
        )
    queries = [*host_queries("moto-hosts", ("algo-1", "algo-2"), (GPU,)), MetricQuery("moto-hosts", GPU)]
    options = AwsOptions(region="us-east-1", endpoint_url=moto_url, static_credentials=CREDENTIALS)
    async with AwsJobSource(options) as source:
        found = await source.get_metric_data(queries, now - timedelta(minutes=10), now + timedelta(minutes=1))
    assert [[v for _, v in found[q]] for q in queries] == [[350.0], [20.0], []]


@pytest.mark.gentle("metric-lag")  # every point as it is logged
async def test_the_input_bound_job_is_caught_a_minute_after_its_image_is_pulled(sim, clock):
    """whisper trains from +540 s and its image is pulled by +600: one minute later its GPU warning is there."""
    options = AwsOptions(region="us-east-1", endpoint_url=sim.url, static_credentials=CREDENTIALS)

    async def look(seconds: float):
        clock.set(ORIGIN + timedelta(seconds=seconds))
        async with AwsJobSource(options) as source:
            response = await source.describe_training_job("whisper-small-finetune-cv")
            queries = host_queries("whisper-small-finetune-cv", host_names(response))
            found = await source.get_metric_data(queries, clock.now() - timedelta(minutes=60), clock.now())
        series = {"algo-1": {q.metric: points for q, points in found.items() if points}}
        return utilisation(series, instance_spec(instance_type(response)), stages_of(response))

    assert (await look(600)).warnings == ()  # the image is still being pulled: the GPU waits, rightly
    view = await look(660)
    (warning,) = view.warnings
    gpu, cpu = view.mean(GPU), view.mean(CPU)
    assert 20 < gpu < 40 and cpu > 90
    assert warning.text == (
        f"GPUs at {gpu:.0f}% while the CPUs are at {cpu:.0f}%: the input pipeline (data loading) is holding them back"
    )
