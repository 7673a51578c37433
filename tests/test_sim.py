"""The simulator through real HTTP: aiobotocore, boto3 and the AWS CLI all accept what it says."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from smtui.clock import FrozenClock
from smtui.sim import Scenario, SimError, Simulator, Stage, serve, start_in_thread
from smtui.sim.metrics import NAMESPACE
from smtui.sim.validate import output_problems
from smtui.sim.wire import service_model

from tests.conftest import fixture_realism

ORIGIN = datetime(2026, 11, 26, 10, 0, 0, tzinfo=timezone.utc)
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
SAGEMAKER = service_model("sagemaker")
CLOUDWATCH = service_model("cloudwatch")
DESCRIBE = SAGEMAKER.operation_model("DescribeTrainingJob").output_shape
LIST = SAGEMAKER.operation_model("ListTrainingJobs").output_shape
METRIC_DATA = CLOUDWATCH.operation_model("GetMetricData").output_shape
#: One boto3 session for the whole module: it caches the service models.
SESSION = boto3.session.Session()

LIFECYCLES = {
    "bert-base-finetune-imdb": ["Starting", "Downloading", "Training", "Uploading", "Completed"],
    "llama3-8b-lora-oom": ["Starting", "Downloading", "Training", "Failed"],
    "resnet50-spot-imagenet": ["Starting", "Downloading", "Training", "Interrupted", "Restarting", "Starting",
                               "Downloading", "Training", "Uploading", "Completed"],
    "xgboost-churn-stopped": ["Starting", "Downloading", "Training", "Stopping", "Stopped"],
    "gpt2-pretrain-maxruntime": ["Starting", "Downloading", "Training", "Stopping", "MaxRuntimeExceeded"],
    "mistral-7b-sft-distributed": ["Starting", "Downloading", "Training"],
    "llama-finetune-full-config": ["Pending", "Starting", "Downloading", "Training", "Restarting", "Starting",
                                   "Downloading", "Training", "Uploading", "Completed"],
    "whisper-small-finetune-cv": ["Pending", "Starting", "Downloading", "Training", "Uploading", "Completed"],
    "llama2-70b-pretrain-trn1": ["Starting", "Downloading", "Training", "Restarting", "Starting", "Downloading",
                                 "Training"],
}
FINAL_STATUS = {"bert-base-finetune-imdb": "Completed", "llama3-8b-lora-oom": "Failed",
                "resnet50-spot-imagenet": "Completed", "xgboost-churn-stopped": "Stopped",
                "gpt2-pretrain-maxruntime": "Stopped", "mistral-7b-sft-distributed": "InProgress",
                "llama-finetune-full-config": "Completed", "whisper-small-finetune-cv": "Completed",
                "llama2-70b-pretrain-trn1": "InProgress"}


def client(sim, service="sagemaker"):
    return SESSION.client(service, endpoint_url=sim.url, region_name="us-east-1", **KEYS)


def plain(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def describe_problems(job: dict) -> list[str]:
    # The model marks ModelArtifacts required, but SageMaker only has artifacts once a job has them.
    return output_problems(plain(job), DESCRIBE, may_omit=frozenset({"ModelArtifacts"}))


def created_by(sim, seconds: float) -> list[str]:
    """Every job of ``sim`` (standalone or launched by a tuning job) created by ``seconds`` after the origin."""
    return [name for name, scenario in sim.scenarios.items() if scenario.created <= seconds * sim.speed]


def tuning_children(sim) -> list[str]:
    return [name for tuning in sim.tuning_job_names() for name in sim.training_job_names(tuning)]


# -- shapes and lifecycles -------------------------------------------------------------


def test_every_job_validates_against_the_output_shape_over_its_life(full_sim, clock):
    sim = full_sim
    sm, cw = client(sim), client(sim, "cloudwatch")
    moments = [0, 45, 300, 600, 961, 1000, 1350, 1500, 1900, 3100, 90000]
    for at in moments:
        clock.set(ORIGIN + timedelta(seconds=at))
        existing = created_by(sim, at)
        assert set(sim.job_names()) < set(existing)  # the tuning job's training jobs too
        for name in existing:
            job = sm.describe_training_job(TrainingJobName=name)
            assert describe_problems(job) == [], (name, at)
        listing = sm.list_training_jobs(MaxResults=100)
        assert output_problems(plain(listing), LIST) == []
        assert sorted(s["TrainingJobName"] for s in listing["TrainingJobSummaries"]) == sorted(existing)
        queries = [metric_query(name, metric, f"q{i}_{j}") for i, name in enumerate(existing)
                   for j, metric in enumerate(sim.metric_names(name))]
        data = cw.get_metric_data(MetricDataQueries=queries, StartTime=ORIGIN - timedelta(hours=2),
                                  EndTime=ORIGIN + timedelta(days=2))
        assert output_problems(plain(data), METRIC_DATA) == []


def test_lifecycles_follow_sagemaker(sim, clock):
    sm = client(sim)
    history: dict[str, list[dict]] = {}
    primary: dict[str, list[str]] = {name: [] for name in sim.job_names()}
    for _ in range(70):
        for name in sim.job_names():
            job = sm.describe_training_job(TrainingJobName=name)
            transitions = job["SecondaryStatusTransitions"]
            before = history.get(name, [])
            # Finished stages never change; the current one only gains its EndTime and new messages.
            assert [t["Status"] for t in transitions[:len(before)]] == [t["Status"] for t in before]
            assert all(t == before[i] for i, t in enumerate(transitions[:max(0, len(before) - 1)])), name
            history[name] = transitions
            if not primary[name] or primary[name][-1] != job["TrainingJobStatus"]:
                primary[name].append(job["TrainingJobStatus"])
            check_consistency(job, clock.now())
        clock.advance(60)
    for name, expected in LIFECYCLES.items():
        assert [t["Status"] for t in history[name]] == expected, name
        assert primary[name][-1] == FINAL_STATUS[name], name
    assert primary["xgboost-churn-stopped"] == ["InProgress", "Stopping", "Stopped"]
    assert primary["gpt2-pretrain-maxruntime"] == ["InProgress", "Stopping", "Stopped"]

    failed = sm.describe_training_job(TrainingJobName="llama3-8b-lora-oom")
    assert failed["FailureReason"].startswith("AlgorithmError: ") and "CUDA out of memory" in failed["FailureReason"]
    assert "ModelArtifacts" not in failed
    spot = sm.describe_training_job(TrainingJobName="resnet50-spot-imagenet")
    assert spot["EnableManagedSpotTraining"] and spot["CheckpointConfig"]["S3Uri"].startswith("s3://")
    assert spot["StoppingCondition"]["MaxWaitTimeInSeconds"] > spot["StoppingCondition"]["MaxRuntimeInSeconds"]
    assert 0 < spot["BillableTimeInSeconds"] < spot["TrainingTimeInSeconds"]
    messages = [t["StatusMessage"] for t in spot["SecondaryStatusTransitions"]]
    assert any("spot" in m for m in messages)
    assert {m["MetricName"] for m in spot["FinalMetricDataList"]} == {"train:loss", "validation:accuracy"}
    completed = sm.describe_training_job(TrainingJobName="bert-base-finetune-imdb")
    assert completed["ModelArtifacts"]["S3ModelArtifacts"].endswith("/bert-base-finetune-imdb/output/model.tar.gz")
    assert completed["BillableTimeInSeconds"] == completed["TrainingTimeInSeconds"]
    assert completed["SecondaryStatusTransitions"][-1]["StatusMessage"] == "Training job completed"
    distributed = sm.describe_training_job(TrainingJobName="mistral-7b-sft-distributed")
    assert distributed["ResourceConfig"]["InstanceCount"] == 4 and distributed["EnableInterContainerTrafficEncryption"]
    runtime = sm.describe_training_job(TrainingJobName="gpt2-pretrain-maxruntime")
    assert runtime["SecondaryStatus"] == "MaxRuntimeExceeded"
    started = runtime["TrainingStartTime"]
    stopping = next(t for t in runtime["SecondaryStatusTransitions"] if t["Status"] == "Stopping")
    assert (stopping["StartTime"] - started).total_seconds() == runtime["StoppingCondition"]["MaxRuntimeInSeconds"]


def check_consistency(job: dict, now: datetime) -> None:
    """The rules every DescribeTrainingJob answer keeps, whatever the job's state."""
    name, status = job["TrainingJobName"], job["TrainingJobStatus"]
    transitions = job["SecondaryStatusTransitions"]
    assert job["SecondaryStatus"] == transitions[-1]["Status"]
    for previous, current in zip(transitions, transitions[1:]):
        assert previous["EndTime"] == current["StartTime"], name
    assert transitions[0]["StartTime"] == job["CreationTime"] <= job["LastModifiedTime"] <= now
    terminal = status in ("Completed", "Failed", "Stopped")
    assert ("EndTime" in transitions[-1]) == terminal, name
    assert ("TrainingEndTime" in job) == terminal, name
    assert ("FailureReason" in job) == (status == "Failed" or name == "llama-finetune-full-config" and
                                        any(t["Status"] == "Restarting" for t in transitions)), name
    if "ModelArtifacts" in job:
        assert status in ("Completed", "Stopped"), name
    if status == "Completed":
        assert "ModelArtifacts" in job and "FinalMetricDataList" in job
    if not terminal:
        assert "FinalMetricDataList" not in job and "TrainingTimeInSeconds" not in job
    if terminal:
        assert job["TrainingEndTime"] == transitions[-1]["StartTime"] == job["LastModifiedTime"]
        seconds = (job["TrainingEndTime"] - job["TrainingStartTime"]).total_seconds()
        assert job["TrainingTimeInSeconds"] == round(seconds)
        for metric in job.get("FinalMetricDataList", []):
            assert metric["Timestamp"] <= job["TrainingEndTime"]


def test_maximal_job_fills_every_leaf_of_the_model(sim):
    job = plain(client(sim).describe_training_job(TrainingJobName="llama-finetune-full-config"))
    assert output_problems(job, DESCRIBE) == []
    missing = sorted(set(model_leaves(DESCRIBE)) - set(present_leaves(job, DESCRIBE)))
    assert missing == []
    assert set(job) == set(DESCRIBE.members) and len(DESCRIBE.members) >= 50
    assert len(set(model_leaves(DESCRIBE))) >= 150


def model_leaves(shape, path=""):
    """Every leaf of a shape: ``[]`` stands for list items, ``{}`` for map values."""
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            yield from model_leaves(member, f"{path}.{name}" if path else name)
    elif shape.type_name == "list":
        yield from model_leaves(shape.member, f"{path}[]")
    elif shape.type_name == "map":
        yield from model_leaves(shape.value, f"{path}{{}}")
    else:
        yield path


def present_leaves(value, shape, path=""):
    """The leaves of ``value``, named as :func:`model_leaves` names them."""
    if shape.type_name == "structure":
        for name, item in value.items():
            yield from present_leaves(item, shape.members[name], f"{path}.{name}" if path else name)
    elif shape.type_name == "list":
        for item in value:
            yield from present_leaves(item, shape.member, f"{path}[]")
    elif shape.type_name == "map":
        for item in value.values():
            yield from present_leaves(item, shape.value, f"{path}{{}}")
    else:
        yield path


def test_jobs_already_under_way_and_pending_at_the_origin(sim):
    sm = client(sim)
    states = {n: sm.describe_training_job(TrainingJobName=n)["SecondaryStatus"] for n in sim.job_names()}
    assert states["whisper-small-finetune-cv"] == "Pending"
    assert states["llama-finetune-full-config"] == "Completed"
    assert list(states.values()).count("Training") >= 4
    created = [sm.describe_training_job(TrainingJobName=n)["CreationTime"] for n in sim.job_names()]
    assert all(c < ORIGIN for c in created)


def test_spot_job_that_never_gets_capacity_runs_out_of_wait_time():
    never = Scenario(name="spot-no-capacity", created=0, project="p", image="example:latest", spot=True,
                     max_runtime=3600, max_wait=7200, stages=(Stage("Starting", 10 ** 6), Stage("Completed")))
    simulator = Simulator(FrozenClock(ORIGIN + timedelta(seconds=7300)), origin=ORIGIN, scenarios=[never], realism=fixture_realism())
    job = simulator.describe_training_job({"TrainingJobName": "spot-no-capacity"})
    assert [t["Status"] for t in job["SecondaryStatusTransitions"]] == ["Starting", "Stopping", "MaxWaitTimeExceeded"]
    assert job["TrainingJobStatus"] == "Stopped" and job["TrainingEndTime"] == ORIGIN + timedelta(seconds=7260)
    assert not {"TrainingStartTime", "TrainingTimeInSeconds", "ModelArtifacts"} & set(job)
    assert describe_problems(job) == []


def test_speed_compresses_real_time(clock):
    fast = Simulator(clock, origin=ORIGIN, speed=10, realism=fixture_realism())
    slow = Simulator(FrozenClock(ORIGIN + timedelta(seconds=600)), origin=ORIGIN, realism=fixture_realism())
    clock.set(ORIGIN + timedelta(seconds=60))
    for name in fast.job_names():
        a = fast.describe_training_job({"TrainingJobName": name})
        b = slow.describe_training_job({"TrainingJobName": name})
        assert [t["Status"] for t in a["SecondaryStatusTransitions"]] == [
            t["Status"] for t in b["SecondaryStatusTransitions"]]
        ago = timedelta(seconds=fast.scenarios[name].ago)  # real time, which speed does not compress
        assert a["CreationTime"] == ORIGIN - ago + (b["CreationTime"] + ago - ORIGIN) / 10
    points = fast.get_metric_data({"MetricDataQueries": [metric_query("bert-base-finetune-imdb", "train:loss")],
                                   "StartTime": ORIGIN, "EndTime": ORIGIN + timedelta(hours=1),
                                   "ScanBy": "TimestampAscending"})["MetricDataResults"][0]["Timestamps"]
    assert {(b - a).total_seconds() for a, b in zip(points, points[1:])} == {6.0}
    with pytest.raises(ValueError):
        Simulator(clock, speed=0)


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
    assert caught.value.response["Error"]["Message"] == ("1 validation error detected: Value '500' at 'maxResults' "
                                                         "failed to satisfy constraint: Member must have value less "
                                                         "than or equal to 100")
    with pytest.raises(ClientError) as caught:
        sm.list_training_jobs(NextToken="not-a-token")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as caught:
        cw.get_metric_data(MetricDataQueries=[metric_query("a", "b", f"q{i}") for i in range(501)],
                           StartTime=ORIGIN - timedelta(hours=1), EndTime=ORIGIN)
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert "must not have a size greater than 500" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        cw.get_metric_data(MetricDataQueries=[metric_query("a", "b")], StartTime=ORIGIN, EndTime=ORIGIN)
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(cw.exceptions.InvalidNextToken):
        cw.get_metric_data(MetricDataQueries=[metric_query("a", "b")], StartTime=ORIGIN - timedelta(hours=1),
                           EndTime=ORIGIN, NextToken="bm9wZQ==")

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
    status, headers, body = raw_post(sim, "SageMaker.DescribeTrainingJob", b'{}')
    assert (status, body["__type"]) == (400, "ValidationException") and "trainingJobName" in body["message"]
    status, headers, body = raw_post(sim, "GraniteServiceVersion20100801.GetMetricData", b"{}",
                                     "application/x-amz-json-1.0")
    assert status == 400 and headers["x-amzn-query-error"] == "ValidationError;Sender"
    assert headers["Content-Type"] == "application/x-amz-json-1.0"


def test_simulator_in_process_raises_sim_errors(clock):
    simulator = Simulator(clock, origin=ORIGIN, realism=fixture_realism())
    with pytest.raises(SimError) as caught:
        simulator.describe_training_job({"TrainingJobName": "nope"})
    assert (caught.value.code, caught.value.message, caught.value.status) == (
        "ValidationException", "Requested resource not found.", 400)
    job = simulator.describe_training_job({"TrainingJobName": "bert-base-finetune-imdb"})
    assert job["CreationTime"].tzinfo is not None
    assert simulator.metric_names("bert-base-finetune-imdb") == ["train:loss", "validation:loss",
                                                                 "validation:accuracy"]
    assert simulator.metric_names("nope") == []


# -- listing and stopping ----------------------------------------------------------------


@pytest.mark.gentle
def test_list_training_jobs_filters_sorts_and_pages(full_sim, clock):
    sim = full_sim
    sm = client(sim)
    clock.set(ORIGIN + timedelta(seconds=1500))
    existing = created_by(sim, 1500)
    # The ten standalone jobs and the eleven training jobs the tuning job has launched by then.
    assert len(existing) == 21 and set(existing) - set(sim.job_names()) <= set(tuning_children(sim))
    everything = sm.list_training_jobs(MaxResults=100)["TrainingJobSummaries"]
    pages = list(sm.get_paginator("list_training_jobs").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["TrainingJobSummaries"]) for p in pages] == [3, 3, 3, 3, 3, 3, 3]
    paged = [s for page in pages for s in page["TrainingJobSummaries"]]
    assert paged == everything and sorted(s["TrainingJobName"] for s in paged) == sorted(existing)
    created = [s["CreationTime"] for s in paged]
    assert created == sorted(created, reverse=True)
    first = sm.list_training_jobs()  # ten by default, the newest
    assert first["NextToken"] and first["TrainingJobSummaries"] == everything[:10]
    hpo = {s["TrainingJobName"]: s for s in everything if s["TrainingJobName"] in tuning_children(sim)}

    def names(**filters):
        return [s["TrainingJobName"] for s in sm.list_training_jobs(MaxResults=100, **filters)["TrainingJobSummaries"]]

    def tuned(status):
        return [n for n, s in hpo.items() if s["TrainingJobStatus"] == status]

    assert len(tuned("Failed")) == 1 and len(tuned("Stopped")) == 1  # one failure, one early stop
    assert sorted(names(StatusEquals="Failed")) == sorted(["llama3-8b-lora-oom", *tuned("Failed")])
    assert sorted(names(StatusEquals="Stopped")) == sorted(["gpt2-pretrain-maxruntime", "xgboost-churn-stopped",
                                                            *tuned("Stopped")])
    assert names(NameContains="LLAMA", SortBy="Name", SortOrder="Ascending") == [
        "llama-finetune-full-config", "llama2-70b-pretrain-trn1", "llama3-8b-lora-oom"]
    assert names(NameContains="-HPO-", SortBy="Name", SortOrder="Ascending") == sorted(hpo) == [
        n for n in tuning_children(sim) if n in hpo]
    assert names(SortBy="Name", SortOrder="Ascending") == sorted(existing)
    statuses = [s["TrainingJobStatus"] for s in sm.list_training_jobs(SortBy="Status")["TrainingJobSummaries"]]
    assert statuses == sorted(statuses, reverse=True)

    def hpo_where(member, test):
        return {n for n, s in hpo.items() if test(s[member])}

    after, before = ORIGIN - timedelta(minutes=6), ORIGIN - timedelta(minutes=20)
    assert set(names(CreationTimeAfter=after)) == {
        "llama3-8b-lora-oom", "xgboost-churn-stopped", "whisper-small-finetune-cv",
        *hpo_where("CreationTime", lambda t: t > after)}
    assert set(names(CreationTimeBefore=before)) == {
        "mistral-7b-sft-distributed", "llama-finetune-full-config", "llama2-70b-pretrain-trn1",
        "t5-base-summarize-xsum", *hpo_where("CreationTime", lambda t: t < before)}
    # The long jobs last changed when their image pulls finished; the tuning job's first five had ended by then.
    assert set(names(LastModifiedTimeBefore=ORIGIN)) == {"llama-finetune-full-config", "mistral-7b-sft-distributed",
                                                         "llama2-70b-pretrain-trn1", "t5-base-summarize-xsum",
                                                         *hpo_where("LastModifiedTime", lambda t: t < ORIGIN)}
    assert len(hpo_where("LastModifiedTime", lambda t: t < ORIGIN)) == 5
    late = ORIGIN + timedelta(seconds=1300)
    assert set(names(LastModifiedTimeAfter=late)) == {
        "bert-base-finetune-imdb", "gpt2-pretrain-maxruntime",  # completed at +1440, out of time at +1380
        *hpo_where("LastModifiedTime", lambda t: t > late)}
    assert names(WarmPoolStatusEquals="Reused") == ["llama-finetune-full-config"]
    plan = sm.describe_training_job(TrainingJobName="llama-finetune-full-config")["ResourceConfig"]["TrainingPlanArn"]
    summary = sm.list_training_jobs(TrainingPlanArnEquals=plan)["TrainingJobSummaries"]
    assert [s["TrainingPlanArn"] for s in summary] == [plan]
    # A token only continues the listing it came from.
    token = sm.list_training_jobs(MaxResults=2)["NextToken"]
    with pytest.raises(ClientError):
        sm.list_training_jobs(MaxResults=2, NextToken=token, StatusEquals="Completed")


def test_paging_sees_one_moment(full_sim, clock):
    sm = client(full_sim)
    clock.set(ORIGIN + timedelta(seconds=890))
    first = sm.list_training_jobs(MaxResults=4, SortBy="Status")
    clock.advance(120)  # the OOM job fails and the xgboost job is stopping meanwhile
    rest = sm.list_training_jobs(MaxResults=4, SortBy="Status", NextToken=first["NextToken"])
    clock.set(ORIGIN + timedelta(seconds=890))
    at_once = sm.list_training_jobs(MaxResults=8, SortBy="Status")["TrainingJobSummaries"]
    assert first["TrainingJobSummaries"] + rest["TrainingJobSummaries"] == at_once


def test_stop_training_job(sim, clock):
    sm = client(sim)
    assert plain(sm.stop_training_job(TrainingJobName="mistral-7b-sft-distributed")) == {}
    job = sm.describe_training_job(TrainingJobName="mistral-7b-sft-distributed")
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopping", "Stopping")
    with pytest.raises(ClientError) as caught:
        sm.stop_training_job(TrainingJobName="mistral-7b-sft-distributed")
    assert "in status Stopping" in caught.value.response["Error"]["Message"]
    clock.advance(60)
    job = sm.describe_training_job(TrainingJobName="mistral-7b-sft-distributed")
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "Stopped")
    assert job["TrainingEndTime"] == ORIGIN + timedelta(seconds=60)
    assert job["ModelArtifacts"]["S3ModelArtifacts"].endswith("model.tar.gz")
    with pytest.raises(ClientError) as caught:
        sm.stop_training_job(TrainingJobName="llama-finetune-full-config")
    assert caught.value.response["Error"]["Message"] == ("The request was rejected because the training job is in "
                                                         "status Completed.")
    with pytest.raises(ClientError):
        sm.stop_training_job(TrainingJobName="does-not-exist")
    # A pending job can be stopped too, before it ever trained: no artifacts then.
    sm.stop_training_job(TrainingJobName="whisper-small-finetune-cv")
    clock.advance(60)
    pending = sm.describe_training_job(TrainingJobName="whisper-small-finetune-cv")
    assert [t["Status"] for t in pending["SecondaryStatusTransitions"]] == ["Pending", "Stopping", "Stopped"]
    assert "ModelArtifacts" not in pending and "TrainingTimeInSeconds" not in pending


def test_scripted_stop_goes_through_stop_training_job(sim, clock):
    sm = client(sim)
    stop_at = ORIGIN + timedelta(seconds=-240 + 1200)
    clock.set(stop_at - timedelta(seconds=1))
    assert sm.describe_training_job(TrainingJobName="xgboost-churn-stopped")["TrainingJobStatus"] == "InProgress"
    # Jump well past the scripted moment: the stop is still dated when it was scripted.
    clock.set(stop_at + timedelta(seconds=30))
    with pytest.raises(ClientError) as caught:
        sm.stop_training_job(TrainingJobName="xgboost-churn-stopped")
    assert "in status Stopping" in caught.value.response["Error"]["Message"]
    job = sm.describe_training_job(TrainingJobName="xgboost-churn-stopped")
    stopping = job["SecondaryStatusTransitions"][-1]
    assert (stopping["Status"], stopping["StartTime"]) == ("Stopping", stop_at)


def test_state_is_safe_across_threads(clock):
    simulator = Simulator(clock, origin=ORIGIN, realism=fixture_realism())
    errors: list[BaseException] = []

    def reader():
        try:
            for _ in range(30):
                for name in simulator.job_names():
                    simulator.describe_training_job({"TrainingJobName": name})
                simulator.list_training_jobs({})
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    simulator.stop_training_job({"TrainingJobName": "mistral-7b-sft-distributed"})
    for thread in threads:
        thread.join()
    assert errors == []
    assert simulator.describe_training_job({"TrainingJobName": "mistral-7b-sft-distributed"})[
        "TrainingJobStatus"] == "Stopping"


# -- metrics -----------------------------------------------------------------------------


def metric_query(job, metric, qid="q0", period=60, stat="Average", **extra):
    return {"Id": qid, "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": metric,
            "Dimensions": [{"Name": "TrainingJobName", "Value": job}]}, "Period": period, "Stat": stat}, **extra}


def test_get_metric_data(sim, clock):
    cw = client(sim, "cloudwatch")
    window = {"StartTime": ORIGIN - timedelta(hours=2), "EndTime": ORIGIN + timedelta(days=2)}
    job = "mistral-7b-sft-distributed"
    result = cw.get_metric_data(MetricDataQueries=[
        metric_query(job, "train:loss"), metric_query(job, "nope", "q1"),
        metric_query(job, "validation:loss", "q2", Label="eval loss"),
        metric_query(job, "train:loss", "hidden", ReturnData=False),
        {**metric_query(job, "train:loss", "q3"), "MetricStat": {**metric_query(job, "train:loss")["MetricStat"],
                                                                 "Metric": {"Namespace": NAMESPACE,
                                                                            "MetricName": "train:loss"}}},
    ], **window)
    loss, unknown, validation, no_dimensions = result["MetricDataResults"]
    assert [r["Id"] for r in result["MetricDataResults"]] == ["q0", "q1", "q2", "q3"]
    assert (loss["Label"], validation["Label"]) == ("train:loss", "eval loss")
    assert loss["StatusCode"] == unknown["StatusCode"] == "Complete"
    assert unknown["Values"] == [] == no_dimensions["Values"]
    # Training began at -1440 s, plus 150 s of image pull: a point every minute from -21 min to 0,
    # none from the future.
    assert len(loss["Values"]) == 22 and loss["Timestamps"][0] == ORIGIN
    assert loss["Timestamps"] == sorted(loss["Timestamps"], reverse=True)
    assert len(validation["Values"]) == 5  # evaluated every five minutes: -20, -15, ..., 0
    assert all(t.second == 0 for t in loss["Timestamps"])
    clock.advance(600)
    later = cw.get_metric_data(MetricDataQueries=[metric_query(job, "train:loss")], ScanBy="TimestampAscending",
                               **window)["MetricDataResults"][0]
    assert len(later["Values"]) == len(loss["Values"]) + 10
    assert later["Timestamps"] == sorted(later["Timestamps"]) and max(later["Timestamps"]) == clock.now()
    assert later["Values"][: len(loss["Values"])] == loss["Values"][::-1]  # the past does not change
    assert later["Values"][0] > later["Values"][-1]  # the loss goes down

    five = cw.get_metric_data(MetricDataQueries=[metric_query(job, "train:loss", period=300),
                                                 metric_query(job, "train:loss", "mx", period=300, stat="Maximum"),
                                                 metric_query(job, "train:loss", "n", period=300, stat="SampleCount")],
                              ScanBy="TimestampAscending", **window)["MetricDataResults"]
    average, maximum, count = five
    assert all(t.minute % 5 == 0 and t.second == 0 for t in average["Timestamps"])
    buckets: dict[datetime, list[float]] = {}
    for moment, value in zip(later["Timestamps"], later["Values"]):
        buckets.setdefault(moment.replace(minute=moment.minute - moment.minute % 5), []).append(value)
    assert average["Timestamps"] == list(buckets)
    assert count["Values"] == [float(len(v)) for v in buckets.values()]
    assert average["Values"] == pytest.approx([sum(v) / len(v) for v in buckets.values()], abs=1e-6)
    assert maximum["Values"] == [max(v) for v in buckets.values()]

    window_start = ORIGIN + timedelta(seconds=90, milliseconds=500)  # rounded down to the minute
    narrow = cw.get_metric_data(MetricDataQueries=[metric_query(job, "train:loss")], StartTime=window_start,
                                EndTime=ORIGIN + timedelta(minutes=4))["MetricDataResults"][0]
    assert narrow["Timestamps"] == [ORIGIN + timedelta(minutes=m) for m in (3, 2, 1)]


def test_get_metric_data_pages_through_max_datapoints(sim, clock):
    cw = client(sim, "cloudwatch")
    clock.advance(900)
    queries = [metric_query(job, metric, f"q{i}") for i, (job, metric) in enumerate(
        [("mistral-7b-sft-distributed", "train:loss"), ("bert-base-finetune-imdb", "train:loss"),
         ("resnet50-spot-imagenet", "train:loss")])]
    window = {"StartTime": ORIGIN - timedelta(hours=2), "EndTime": ORIGIN + timedelta(hours=2)}
    whole = cw.get_metric_data(MetricDataQueries=queries, **window)["MetricDataResults"]
    pages = list(cw.get_paginator("get_metric_data").paginate(MetricDataQueries=queries, MaxDatapoints=7, **window))
    assert len(pages) > 3 and all(sum(len(r["Values"]) for r in p["MetricDataResults"]) <= 7 for p in pages)
    assert "PartialData" in {r["StatusCode"] for r in pages[0]["MetricDataResults"]}
    for index, expected in enumerate(whole):
        got = [(t, v) for p in pages for r in p["MetricDataResults"] if r["Id"] == expected["Id"]
               for t, v in zip(r["Timestamps"], r["Values"])]
        assert got == list(zip(expected["Timestamps"], expected["Values"]))
    assert all(r["StatusCode"] == "Complete" for r in pages[-1]["MetricDataResults"])


# -- clients ------------------------------------------------------------------------------


async def test_through_aiobotocore(full_sim, clock):
    sim = full_sim
    session = AioSession()
    options = {"endpoint_url": sim.url, "region_name": "us-east-1", **KEYS}
    async with session.create_client("sagemaker", **options) as sm, \
            session.create_client("cloudwatch", **options) as cw:
        job = await sm.describe_training_job(TrainingJobName="bert-base-finetune-imdb")
        assert job["TrainingJobStatus"] == "InProgress" and describe_problems(job) == []
        paginator = sm.get_paginator("list_training_jobs")
        names = [s["TrainingJobName"] async for page in paginator.paginate(PaginationConfig={"PageSize": 5})
                 for s in page["TrainingJobSummaries"]]
        assert sorted(names) == sorted(created_by(sim, 0)) and len(names) == 18
        await sm.stop_training_job(TrainingJobName="bert-base-finetune-imdb")
        assert (await sm.describe_training_job(TrainingJobName="bert-base-finetune-imdb"))[
            "TrainingJobStatus"] == "Stopping"
        data = await cw.get_metric_data(MetricDataQueries=[metric_query("bert-base-finetune-imdb", "train:loss")],
                                        StartTime=ORIGIN - timedelta(hours=1), EndTime=ORIGIN + timedelta(hours=1))
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
        assert twin_client.describe_training_job(TrainingJobName="bert-base-finetune-imdb")[
            "ResponseMetadata"]["RequestId"] == first


def test_aws_cli_accepts_the_simulator(sim):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}

    def aws(*args):
        result = subprocess.run([sys.executable, "-m", "awscli", *args, "--endpoint-url", sim.url,
                                 "--output", "json"], capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    job = aws("sagemaker", "describe-training-job", "--training-job-name", "llama3-8b-lora-oom")
    assert job["TrainingJobName"] == "llama3-8b-lora-oom" and job["ResourceConfig"]["InstanceType"] == "ml.g5.12xlarge"
    data = aws("cloudwatch", "get-metric-data", "--start-time", "2026-11-26T09:00:00Z",
               "--end-time", "2026-11-26T11:00:00Z", "--metric-data-queries",
               json.dumps([metric_query("mistral-7b-sft-distributed", "train:loss", "loss")]))
    assert data["MetricDataResults"][0]["Id"] == "loss" and len(data["MetricDataResults"][0]["Values"]) == 22


async def test_serve_runs_until_cancelled(clock):
    urls: list[str] = []
    task = asyncio.create_task(serve(Simulator(clock, origin=ORIGIN, realism=fixture_realism()), "127.0.0.1", 0, ready=urls.append))
    while not urls:
        await asyncio.sleep(0.01)
    async with AioSession().create_client("sagemaker", endpoint_url=urls[0], region_name="us-east-1",
                                          **KEYS) as sm:
        listed = await sm.list_training_jobs(MaxResults=100)
        tuning = await sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="xgboost-churn-hpo")
    # The ten standalone jobs and the eight the tuning job had launched by the origin.
    assert len(listed["TrainingJobSummaries"]) == 18
    assert tuning["HyperParameterTuningJobStatus"] == "InProgress"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_custom_scenarios_and_no_textual():
    mine = Scenario(name="tiny-job", created=0, project="tiny", image="tiny:latest",
                    stages=(Stage("Starting", 10), Stage("Training", 100), Stage("Completed")))
    simulator = Simulator(FrozenClock(ORIGIN + timedelta(seconds=200)), origin=ORIGIN, scenarios=[mine],
                          region="eu-west-1", account_id="210987654321", realism=fixture_realism())
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
    from smtui.present.sections import describe_sections, format_value, iter_leaves

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
