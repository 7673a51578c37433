"""Per-host metric queries: what a round asks for, checked against botocore's model and against moto."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import botocore.session
from botocore.validate import ParamValidator

from smtui.aws.host_metrics import (
    HOST_DIMENSION,
    NAMESPACE,
    calls_for,
    calls_per_minute,
    host_names,
    host_queries,
    list_metric,
    metric_stat,
    round_queries,
)
from smtui.present.utilisation import CPU, GPU, HOST_METRICS

from .conftest import CREDENTIALS


def job(kind: str, count: int = 1) -> dict:
    return {"ResourceConfig": {"InstanceType": kind, "InstanceCount": count}}


def test_hosts_and_the_list_metric():
    assert host_names(job("ml.p4d.24xlarge", 4)) == ("algo-1", "algo-2", "algo-3", "algo-4")
    assert host_names({}) == ("algo-1",)
    assert list_metric(job("ml.g5.2xlarge")) == GPU
    assert list_metric(job("ml.m5.xlarge")) == CPU
    assert list_metric(job("ml.unknown.large")) == GPU  # ask; an answer with no points costs nothing


def test_a_round_asks_everything_of_the_selected_job_and_one_metric_of_the_others():
    selected = ("big", job("ml.p4d.24xlarge", 2))
    running = [("big", selected[1]), ("cpu", job("ml.m5.xlarge")), ("gpu", job("ml.g5.12xlarge", 3))]
    queries = round_queries(selected, running)
    assert len(queries) == 2 * 5 + 1 + 3
    assert {q.metric for q in queries if q.job == "big"} == set(HOST_METRICS)
    assert [(q.host, q.metric) for q in queries if q.job == "cpu"] == [("algo-1", CPU)]
    assert [q.dimension_value for q in queries if q.job == "gpu"] == ["gpu/algo-1", "gpu/algo-2", "gpu/algo-3"]
    assert len(round_queries(None, running)) == 2 + 1 + 3


def test_calls_a_minute():
    assert calls_for(0) == 0 and calls_for(1) == 1 and calls_for(500) == 1 and calls_for(501) == 2
    # 9 training series + the 128-host job selected (640) + 20 other hosts: 669 series, 2 calls a minute.
    assert calls_per_minute(128, [4] * 5, 9) == 2
    # Nothing selected, 50 running jobs of 4 hosts and 150 training series: 350 series, one call.
    assert calls_per_minute(0, [4] * 50, 150) == 1
    assert calls_per_minute(1, [], 3, metrics_interval=30) == 2


def test_the_queries_are_valid_getmetricdata_input():
    model = botocore.session.get_session().get_service_model("cloudwatch")
    shape = model.operation_model("GetMetricData").input_shape
    queries = host_queries("llama2-70b-pretrain-trn1", ("algo-1", "algo-128"))
    request = {
        "MetricDataQueries": [{"Id": f"h{i}", "MetricStat": metric_stat(q), "ReturnData": True}
                              for i, q in enumerate(queries)],
        "StartTime": datetime(2026, 11, 26, tzinfo=timezone.utc),
        "EndTime": datetime(2026, 11, 27, tzinfo=timezone.utc),
    }
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()
    stat = request["MetricDataQueries"][0]["MetricStat"]
    assert stat["Metric"]["Namespace"] == NAMESPACE == "/aws/sagemaker/TrainingJobs"
    assert stat["Metric"]["Dimensions"] == [{"Name": HOST_DIMENSION, "Value": "llama2-70b-pretrain-trn1/algo-1"}]
    assert stat["Period"] == 60 and stat["Stat"] == "Average"


def test_moto_answers_the_host_queries(moto_url):
    """moto's CloudWatch, an independent implementation, returns what was put on the Host dimension."""
    client = boto3.client("cloudwatch", endpoint_url=moto_url, region_name="us-east-1",
                          aws_access_key_id=CREDENTIALS[0], aws_secret_access_key=CREDENTIALS[1])
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    for host, value in (("algo-1", 350.0), ("algo-2", 20.0)):
        client.put_metric_data(Namespace=NAMESPACE, MetricData=[{
            "MetricName": GPU, "Dimensions": [{"Name": HOST_DIMENSION, "Value": f"moto-hosts/{host}"}],
            "Timestamp": now - timedelta(minutes=2), "Value": value, "Unit": "Percent"}])
    queries = host_queries("moto-hosts", ("algo-1", "algo-2"), (GPU,))
    answer = client.get_metric_data(
        MetricDataQueries=[{"Id": f"h{i}", "MetricStat": metric_stat(q)} for i, q in enumerate(queries)],
        StartTime=now - timedelta(minutes=10), EndTime=now + timedelta(minutes=1))
    values = {r["Id"]: r["Values"] for r in answer["MetricDataResults"]}
    assert values == {"h0": [350.0], "h1": [20.0]}
