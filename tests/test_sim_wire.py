"""The simulator's wire: errors as the services send them, and clients (aiobotocore, boto3, the AWS CLI) that
accept what it says."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from smtui.clock import FrozenClock
from smtui.sim import Scenario, SimError, Simulator, Stage, serve, start_in_thread
from tests.conftest import fixture_realism
from tests.test_sim import KEYS, ORIGIN, SESSION, client, created_by, describe_problems, metric_query

# -- errors ----------------------------------------------------------------------------


SIGNED = "AWS4-HMAC-SHA256 Credential=test/20261126/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=0"


def raw_post(sim, target: str | None, body: bytes, content_type="application/x-amz-json-1.1", authorization=SIGNED):
    headers = {"Content-Type": content_type}
    if authorization:
        headers["Authorization"] = authorization
    if target:
        headers["X-Amz-Target"] = target
    request = urllib.request.Request(sim.url + "/", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_errors_as_the_services_send_them(sim):
    sm, cw = client(sim), client(sim, "cloudwatch")
    with pytest.raises(ClientError) as caught:
        sm.describe_training_job(TrainingJobName="does-not-exist")
    error = caught.value.response
    assert error["Error"] == {"Code": "ValidationException", "Message": "Requested resource not found."}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400 and error["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as caught:
        sm.list_training_jobs(MaxResults=500)  # botocore checks no maximum; the service does
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value '500' at 'maxResults' "
        "failed to satisfy constraint: Member must have value less "
        "than or equal to 100"
    )
    with pytest.raises(ClientError) as caught:
        sm.list_training_jobs(NextToken="not-a-token")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as caught:
        cw.get_metric_data(
            MetricDataQueries=[metric_query("a", "b", f"q{i}") for i in range(501)],
            StartTime=ORIGIN - timedelta(hours=1),
            EndTime=ORIGIN,
        )
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert "must not have a size greater than 500" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        cw.get_metric_data(MetricDataQueries=[metric_query("a", "b")], StartTime=ORIGIN, EndTime=ORIGIN)
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(cw.exceptions.InvalidNextToken):
        cw.get_metric_data(
            MetricDataQueries=[metric_query("a", "b")],
            StartTime=ORIGIN - timedelta(hours=1),
            EndTime=ORIGIN,
            NextToken="bm9wZQ==",
        )

    status, headers, body = raw_post(sim, "SageMaker.DescribeTrainingJob", b"{not json")
    assert (status, body["__type"]) == (400, "SerializationException") and headers["x-amzn-RequestId"]
    status, _, body = raw_post(sim, "SageMaker.CreateTrainingJob", b"{}")
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    status, _, body = raw_post(sim, "SageMaker.NoSuchThing", b"{}")
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    status, _, body = raw_post(sim, None, b"{}")
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    status, headers, body = raw_post(sim, "SageMaker.DescribeTrainingJob", b'{"TrainingJobName": 7}')
    assert (status, body["__type"]) == (400, "SerializationException")
    status, headers, body = raw_post(sim, "SageMaker.DescribeTrainingJob", b"{}")
    assert (status, body["__type"]) == (400, "ValidationException") and "trainingJobName" in body["message"]
    status, headers, body = raw_post(
        sim, "GraniteServiceVersion20100801.GetMetricData", b"{}", "application/x-amz-json-1.0"
    )
    assert status == 400 and headers["x-amzn-query-error"] == "ValidationError;Sender"
    assert headers["Content-Type"] == "application/x-amz-json-1.0"


def test_simulator_in_process_raises_sim_errors(clock):
    simulator = Simulator(clock, origin=ORIGIN, realism=fixture_realism())
    with pytest.raises(SimError) as caught:
        simulator.describe_training_job({"TrainingJobName": "nope"})
    assert (caught.value.code, caught.value.message, caught.value.status) == (
        "ValidationException",
        "Requested resource not found.",
        400,
    )
    job = simulator.describe_training_job({"TrainingJobName": "bert-base-finetune-imdb"})
    assert job["CreationTime"].tzinfo is not None
    assert simulator.metric_names("bert-base-finetune-imdb") == ["train:loss", "validation:loss", "validation:accuracy"]
    assert simulator.metric_names("nope") == []


# -- clients ------------------------------------------------------------------------------


@pytest.mark.gentle("metric-lag")  # the newest point, as it is logged
async def test_through_aiobotocore(full_sim, clock):
    sim = full_sim
    session = AioSession()
    options = {"endpoint_url": sim.url, "region_name": "us-east-1", **KEYS}
    async with (
        session.create_client("sagemaker", **options) as sm,
        session.create_client("cloudwatch", **options) as cw,
    ):
        job = await sm.describe_training_job(TrainingJobName="bert-base-finetune-imdb")
        assert job["TrainingJobStatus"] == "InProgress" and describe_problems(job) == []
        paginator = sm.get_paginator("list_training_jobs")
        names = [
            s["TrainingJobName"]
            async for page in paginator.paginate(PaginationConfig={"PageSize": 5})
            for s in page["TrainingJobSummaries"]
        ]
        assert sorted(names) == sorted(created_by(sim, 0)) and len(names) == 18
        await sm.stop_training_job(TrainingJobName="bert-base-finetune-imdb")
        assert (await sm.describe_training_job(TrainingJobName="bert-base-finetune-imdb"))[
            "TrainingJobStatus"
        ] == "Stopping"
        data = await cw.get_metric_data(
            MetricDataQueries=[metric_query("bert-base-finetune-imdb", "train:loss")],
            StartTime=ORIGIN - timedelta(hours=1),
            EndTime=ORIGIN + timedelta(hours=1),
        )
        assert data["MetricDataResults"][0]["Values"]
        with pytest.raises(ClientError) as caught:
            await sm.describe_training_job(TrainingJobName="missing-job")
        assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_request_ids_are_deterministic(sim, clock):
    sm = client(sim)

    def request_id(name="bert-base-finetune-imdb"):
        return sm.describe_training_job(TrainingJobName=name)["ResponseMetadata"]["RequestId"]

    first, again = request_id(), request_id()
    other_job = request_id("llama3-8b-lora-oom")
    clock.advance(1)
    later = request_id()
    assert first == again and len({first, other_job, later}) == 3
    # Another simulator on another port, at the same moment, answers with the same ids.
    twin = Simulator(FrozenClock(ORIGIN), origin=ORIGIN, realism=fixture_realism())
    with start_in_thread(twin) as running:
        twin_client = SESSION.client("sagemaker", endpoint_url=running.url, region_name="us-east-1", **KEYS)
        assert (
            twin_client.describe_training_job(TrainingJobName="bert-base-finetune-imdb")["ResponseMetadata"][
                "RequestId"
            ]
            == first
        )


@pytest.mark.gentle("metric-lag")  # the newest point, as it is logged
def test_aws_cli_accepts_the_simulator(sim):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }

    def aws(*args):
        result = subprocess.run(
            [sys.executable, "-m", "awscli", *args, "--endpoint-url", sim.url, "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    job = aws("sagemaker", "describe-training-job", "--training-job-name", "llama3-8b-lora-oom")
    assert job["TrainingJobName"] == "llama3-8b-lora-oom" and job["ResourceConfig"]["InstanceType"] == "ml.g5.12xlarge"
    data = aws(
        "cloudwatch",
        "get-metric-data",
        "--start-time",
        "2026-11-26T09:00:00Z",
        "--end-time",
        "2026-11-26T11:00:00Z",
        "--metric-data-queries",
        json.dumps([metric_query("mistral-7b-sft-distributed", "train:loss", "loss")]),
    )
    assert data["MetricDataResults"][0]["Id"] == "loss" and len(data["MetricDataResults"][0]["Values"]) == 22


async def test_serve_runs_until_cancelled(clock):
    urls: list[str] = []
    task = asyncio.create_task(
        serve(Simulator(clock, origin=ORIGIN, realism=fixture_realism()), "127.0.0.1", 0, ready=urls.append)
    )
    while not urls:
        await asyncio.sleep(0.01)
    async with AioSession().create_client("sagemaker", endpoint_url=urls[0], region_name="us-east-1", **KEYS) as sm:
        listed = await sm.list_training_jobs(MaxResults=100)
        tuning = await sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="xgboost-churn-hpo")
    # The ten standalone jobs and the eight the tuning job had launched by the origin.
    assert len(listed["TrainingJobSummaries"]) == 18
    assert tuning["HyperParameterTuningJobStatus"] == "InProgress"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_custom_scenarios_and_no_textual():
    mine = Scenario(
        name="tiny-job",
        created=0,
        project="tiny",
        image="tiny:latest",
        stages=(Stage("Starting", 10), Stage("Training", 100), Stage("Completed")),
    )
    simulator = Simulator(
        FrozenClock(ORIGIN + timedelta(seconds=200)),
        origin=ORIGIN,
        scenarios=[mine],
        region="eu-west-1",
        account_id="210987654321",
        realism=fixture_realism(),
    )
    job = simulator.describe_training_job({"TrainingJobName": "tiny-job"})
    assert job["TrainingJobArn"] == "arn:aws:sagemaker:eu-west-1:210987654321:training-job/tiny-job"
    assert job["TrainingJobStatus"] == "Completed" and describe_problems(job) == []
    assert simulator.job_names() == ["tiny-job"] and simulator.tuning_job_names() == []
    assert simulator.training_job_names("xgboost-churn-hpo") == []
    with pytest.raises(ValueError):
        Simulator(scenarios=[mine, mine])
    check = "import sys, smtui.sim; assert not any(m.split('.')[0] == 'textual' for m in sys.modules)"
    subprocess.run([sys.executable, "-c", check], check=True, timeout=60)


def test_describe_command_prints_every_leaf_of_the_maximal_job(sim, capsys, monkeypatch):
    from smtui.cli import main
    from smtui.present.section_text import format_value
    from smtui.present.sections import describe_sections, iter_leaves

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    args = ["describe", "llama-finetune-full-config", "--endpoint-url", sim.url, "--region", "us-east-1"]
    assert main(args) == 0
    text = capsys.readouterr().out
    # Long prose values wrap onto continuation lines; compare words, not line breaks.
    flat = " ".join(text.split())
    response = client(sim).describe_training_job(TrainingJobName="llama-finetune-full-config")
    leaves = [n for s in describe_sections(response) for n in iter_leaves(s.fields)]
    assert len(leaves) >= 150
    now = datetime.now().astimezone()
    for leaf in leaves:
        # The value text up to the relative age, which depends on the moment of printing.
        assert " ".join(format_value(leaf, now).split(" (")[0].split()) in flat, leaf.path
    assert response["ResponseMetadata"]["RequestId"] in text
    assert main([*args, "--json"]) == 0
    raw = json.loads(capsys.readouterr().out)
    assert raw["TrainingJobName"] == "llama-finetune-full-config" and "ResponseMetadata" not in raw
