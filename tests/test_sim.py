"""The simulator through real HTTP: aiobotocore, boto3 and the AWS CLI all accept what it says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import boto3
import botocore.session
import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from smtui.clock import FrozenClock
from smtui.sim import Simulator, start_in_thread
from smtui.sim.scenarios import default_scenarios

from tests.conftest import CREDENTIALS, ORIGIN
from tests.maximal import leaf_paths

MODEL = botocore.session.get_session().get_service_model("sagemaker")
DESCRIBE = MODEL.operation_model("DescribeTrainingJob").output_shape


def check_shape(value, shape, path="") -> list[str]:
    """Problems of ``value`` against a botocore output shape: unknown members, bad enums, wrong types."""
    problems = []
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: not a structure"]
        for key, item in value.items():
            if key == "ResponseMetadata" and not path:
                continue
            if key not in shape.members:
                problems.append(f"{path}.{key}: not in the model")
            else:
                problems += check_shape(item, shape.members[key], f"{path}.{key}")
        problems += [f"{path}.{m}: required" for m in shape.required_members if m not in value]
    elif kind == "list":
        problems += [p for i, item in enumerate(value) for p in check_shape(item, shape.member, f"{path}[{i}]")]
    elif kind == "map":
        problems += [p for k, item in value.items() for p in check_shape(item, shape.value, f"{path}.{k}")]
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: not a string")
        elif shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} not in the enum")
    elif kind in ("integer", "long") and (not isinstance(value, int) or isinstance(value, bool)):
        problems.append(f"{path}: not an integer")
    return problems


@pytest.fixture
def clock():
    return FrozenClock(ORIGIN)


@pytest.fixture
def sim(clock):
    simulator = Simulator(clock, origin=ORIGIN)
    with start_in_thread(simulator) as running:
        simulator.url = running.url
        yield simulator


def client(sim, service="sagemaker"):
    return boto3.client(service, endpoint_url=sim.url, region_name="us-east-1",
                        aws_access_key_id=CREDENTIALS[0], aws_secret_access_key=CREDENTIALS[1])


def test_every_job_validates_against_the_output_shape_over_its_life(sim, clock):
    sm = client(sim)
    for _ in range(12):
        for name in sim.job_names():
            response = sm.describe_training_job(TrainingJobName=name)
            assert check_shape(response, DESCRIBE) == [], name
        clock.advance(900)


def test_lifecycles(sim, clock):
    sm = client(sim)
    seen: dict[str, list[str]] = {name: [] for name in sim.job_names()}
    for _ in range(400):
        for name in seen:
            status = sm.describe_training_job(TrainingJobName=name)["SecondaryStatus"]
            if not seen[name] or seen[name][-1] != status:
                seen[name].append(status)
        clock.advance(30)
    assert seen["bert-base-finetune-imdb"][-3:] == ["Training", "Uploading", "Completed"]
    assert seen["llama3-8b-lora-oom"][-2:] == ["Training", "Failed"]
    assert "Interrupted" in seen["resnet50-spot-imagenet"] and "Restarting" in seen["resnet50-spot-imagenet"]
    assert seen["resnet50-spot-imagenet"][-1] == "Completed"
    assert seen["xgboost-churn-stopped"][-2:] == ["Stopping", "Stopped"]
    assert seen["gpt2-pretrain-maxruntime"][-1] == "MaxRuntimeExceeded"
    assert seen["mistral-7b-sft-distributed"][-1] == "Training"
    failed = sm.describe_training_job(TrainingJobName="llama3-8b-lora-oom")
    assert failed["TrainingJobStatus"] == "Failed" and "CUDA out of memory" in failed["FailureReason"]
    spot = sm.describe_training_job(TrainingJobName="resnet50-spot-imagenet")
    assert spot["BillableTimeInSeconds"] < spot["TrainingTimeInSeconds"]
    assert {m["MetricName"] for m in spot["FinalMetricDataList"]} == {"train:loss", "validation:accuracy"}
    stopped = sm.describe_training_job(TrainingJobName="gpt2-pretrain-maxruntime")
    assert stopped["TrainingJobStatus"] == "Stopped"


def test_maximal_job_fills_every_leaf_of_the_model(sim):
    response = client(sim).describe_training_job(TrainingJobName="llama-finetune-full-config")
    present = {path for path, _ in leaf_paths({k: v for k, v in response.items() if k != "ResponseMetadata"})}

    def model_paths(shape, path=""):
        if shape.type_name == "structure":
            for name, member in shape.members.items():
                yield from model_paths(member, f"{path}.{name}" if path else name)
        elif shape.type_name == "list":
            yield from model_paths(shape.member, f"{path}[0]")
        elif shape.type_name == "map":
            yield from model_paths(shape.value, f"{path}.*")
        else:
            yield path

    def matches(pattern):
        import re
        regex = re.escape(pattern).replace(r"\.\*", r"\.[^.\[]+")
        return any(re.fullmatch(regex, p) for p in present)

    missing = [p for p in model_paths(DESCRIBE) if not matches(p)]
    assert missing == []
    assert len(present) >= 150


def test_unknown_job_and_bad_requests(sim):
    sm = client(sim)
    with pytest.raises(ClientError) as caught:
        sm.describe_training_job(TrainingJobName="does-not-exist")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert caught.value.response["Error"]["Message"] == "Requested resource not found."
    import urllib.request
    request = urllib.request.Request(sim.url, data=b"{not json", headers={"X-Amz-Target": "SageMaker.DescribeTrainingJob"})
    with pytest.raises(urllib.error.HTTPError) as http:
        urllib.request.urlopen(request)
    assert json.loads(http.value.read())["__type"] == "SerializationException"


def test_list_training_jobs_filters_and_pages(sim):
    sm = client(sim)
    pages = sm.get_paginator("list_training_jobs").paginate(PaginationConfig={"PageSize": 2})
    names = [s["TrainingJobName"] for page in pages for s in page["TrainingJobSummaries"]]
    assert sorted(names) == sorted(sim.job_names())
    created = [sm.describe_training_job(TrainingJobName=n)["CreationTime"] for n in names]
    assert created == sorted(created, reverse=True)
    completed = sm.list_training_jobs(StatusEquals="Completed")["TrainingJobSummaries"]
    assert [s["TrainingJobName"] for s in completed] == ["llama-finetune-full-config"]
    llama = sm.list_training_jobs(NameContains="LLAMA", SortBy="Name", SortOrder="Ascending")["TrainingJobSummaries"]
    assert [s["TrainingJobName"] for s in llama] == ["llama-finetune-full-config", "llama3-8b-lora-oom"]
    recent = sm.list_training_jobs(CreationTimeAfter=ORIGIN - timedelta(minutes=6))["TrainingJobSummaries"]
    assert {s["TrainingJobName"] for s in recent} == {"llama3-8b-lora-oom", "xgboost-churn-stopped"}


def test_stop_training_job(sim, clock):
    sm = client(sim)
    sm.stop_training_job(TrainingJobName="mistral-7b-sft-distributed")
    assert sm.describe_training_job(TrainingJobName="mistral-7b-sft-distributed")["TrainingJobStatus"] == "Stopping"
    clock.advance(60)
    job = sm.describe_training_job(TrainingJobName="mistral-7b-sft-distributed")
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "Stopped")
    with pytest.raises(ClientError):
        sm.stop_training_job(TrainingJobName="mistral-7b-sft-distributed")


def query(job, metric, i=0):
    return {"Id": f"q{i}", "MetricStat": {"Metric": {"Namespace": "/aws/sagemaker/TrainingJobs", "MetricName": metric,
            "Dimensions": [{"Name": "TrainingJobName", "Value": job}]}, "Period": 60, "Stat": "Average"}}


def test_get_metric_data(sim, clock):
    cw = client(sim, "cloudwatch")
    window = {"StartTime": ORIGIN - timedelta(hours=2), "EndTime": ORIGIN + timedelta(hours=2)}
    result = cw.get_metric_data(MetricDataQueries=[query("mistral-7b-sft-distributed", "train:loss"),
                                                   query("mistral-7b-sft-distributed", "nope", 1)], **window)
    loss, empty = result["MetricDataResults"]
    assert loss["StatusCode"] == "Complete" and len(loss["Values"]) > 10 and empty["Values"] == []
    assert loss["Timestamps"] == sorted(loss["Timestamps"], reverse=True)
    assert max(loss["Timestamps"]) <= clock.now()
    clock.advance(600)
    later = cw.get_metric_data(MetricDataQueries=[query("mistral-7b-sft-distributed", "train:loss")],
                               ScanBy="TimestampAscending", **window)["MetricDataResults"][0]
    assert len(later["Values"]) == len(loss["Values"]) + 10
    assert later["Timestamps"] == sorted(later["Timestamps"])
    with pytest.raises(ClientError):
        cw.get_metric_data(MetricDataQueries=[query("a", "b", i) for i in range(501)], **window)


async def test_through_aiobotocore(sim):
    session = AioSession()
    async with session.create_client("sagemaker", endpoint_url=sim.url, region_name="us-east-1",
                                     aws_access_key_id="x", aws_secret_access_key="x") as sm:
        response = await sm.describe_training_job(TrainingJobName="bert-base-finetune-imdb")
    assert response["TrainingJobStatus"] == "InProgress"


def test_request_ids_are_deterministic(sim, clock):
    sm = client(sim)
    first = sm.describe_training_job(TrainingJobName="bert-base-finetune-imdb")["ResponseMetadata"]["RequestId"]
    again = sm.describe_training_job(TrainingJobName="bert-base-finetune-imdb")["ResponseMetadata"]["RequestId"]
    clock.advance(1)
    later = sm.describe_training_job(TrainingJobName="bert-base-finetune-imdb")["ResponseMetadata"]["RequestId"]
    assert first == again != later


def test_aws_cli_accepts_the_simulator(sim):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run(
        [sys.executable, "-m", "awscli", "sagemaker", "describe-training-job", "--training-job-name",
         "llama3-8b-lora-oom", "--endpoint-url", sim.url, "--output", "json"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["TrainingJobName"] == "llama3-8b-lora-oom"
    listed = subprocess.run(
        [sys.executable, "-m", "awscli", "sagemaker", "list-training-jobs", "--endpoint-url", sim.url, "--output", "json"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)["TrainingJobSummaries"]) == len(default_scenarios())


def test_describe_command_prints_every_leaf_of_the_maximal_job(sim, capsys, monkeypatch):
    from datetime import datetime

    from smtui.aws.sections import describe_sections, format_value, iter_leaves
    from smtui.cli import main

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    args = ["describe", "llama-finetune-full-config", "--endpoint-url", sim.url, "--region", "us-east-1"]
    assert main(args) == 0
    text = capsys.readouterr().out
    response = client(sim).describe_training_job(TrainingJobName="llama-finetune-full-config")
    leaves = [n for s in describe_sections(response) for n in iter_leaves(s.fields)]
    assert len(leaves) >= 150
    now = datetime.now().astimezone()
    for leaf in leaves:
        # The value text up to the relative age, which depends on the moment of printing.
        assert format_value(leaf, now).split(" (")[0] in text, leaf.path
    assert response["ResponseMetadata"]["RequestId"] in text
    assert main([*args, "--json"]) == 0
    raw = json.loads(capsys.readouterr().out)
    assert raw["TrainingJobName"] == "llama-finetune-full-config" and "ResponseMetadata" not in raw
