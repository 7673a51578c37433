"""The simulator through real HTTP: aiobotocore, boto3 and the AWS CLI all accept what it says."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest

from smtui.clock import FrozenClock
from smtui.sim import Scenario, Simulator, Stage
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
    "resnet50-spot-imagenet": [
        "Starting",
        "Downloading",
        "Training",
        "Interrupted",
        "Restarting",
        "Starting",
        "Downloading",
        "Training",
        "Uploading",
        "Completed",
    ],
    "xgboost-churn-stopped": ["Starting", "Downloading", "Training", "Stopping", "Stopped"],
    "gpt2-pretrain-maxruntime": ["Starting", "Downloading", "Training", "Stopping", "MaxRuntimeExceeded"],
    "mistral-7b-sft-distributed": ["Starting", "Downloading", "Training"],
    "llama-finetune-full-config": [
        "Pending",
        "Starting",
        "Downloading",
        "Training",
        "Restarting",
        "Starting",
        "Downloading",
        "Training",
        "Uploading",
        "Completed",
    ],
    "whisper-small-finetune-cv": ["Pending", "Starting", "Downloading", "Training", "Uploading", "Completed"],
    "llama2-70b-pretrain-trn1": [
        "Starting",
        "Downloading",
        "Training",
        "Restarting",
        "Starting",
        "Downloading",
        "Training",
    ],
}
FINAL_STATUS = {
    "bert-base-finetune-imdb": "Completed",
    "llama3-8b-lora-oom": "Failed",
    "resnet50-spot-imagenet": "Completed",
    "xgboost-churn-stopped": "Stopped",
    "gpt2-pretrain-maxruntime": "Stopped",
    "mistral-7b-sft-distributed": "InProgress",
    "llama-finetune-full-config": "Completed",
    "whisper-small-finetune-cv": "Completed",
    "llama2-70b-pretrain-trn1": "InProgress",
}


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


def metric_query(job, metric, qid="q0", period=60, stat="Average", **extra):
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": metric,
                "Dimensions": [{"Name": "TrainingJobName", "Value": job}],
            },
            "Period": period,
            "Stat": stat,
        },
        **extra,
    }


# -- shapes and lifecycles -------------------------------------------------------------


@pytest.mark.gentle  # hundreds of calls in a row: the request quotas would only slow it down
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
        queries = [
            metric_query(name, metric, f"q{i}_{j}")
            for i, name in enumerate(existing)
            for j, metric in enumerate(sim.metric_names(name))
        ]
        data = cw.get_metric_data(
            MetricDataQueries=queries, StartTime=ORIGIN - timedelta(hours=2), EndTime=ORIGIN + timedelta(days=2)
        )
        assert output_problems(plain(data), METRIC_DATA) == []


@pytest.mark.gentle  # hundreds of calls in a row: the request quotas would only slow it down
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
            assert [t["Status"] for t in transitions[: len(before)]] == [t["Status"] for t in before]
            assert all(t == before[i] for i, t in enumerate(transitions[: max(0, len(before) - 1)])), name
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
    assert ("FailureReason" in job) == (
        status == "Failed"
        or name == "llama-finetune-full-config"
        and any(t["Status"] == "Restarting" for t in transitions)
    ), name
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
    never = Scenario(
        name="spot-no-capacity",
        created=0,
        project="p",
        image="example:latest",
        spot=True,
        max_runtime=3600,
        max_wait=7200,
        stages=(Stage("Starting", 10**6), Stage("Completed")),
    )
    simulator = Simulator(
        FrozenClock(ORIGIN + timedelta(seconds=7300)), origin=ORIGIN, scenarios=[never], realism=fixture_realism()
    )
    job = simulator.describe_training_job({"TrainingJobName": "spot-no-capacity"})
    assert [t["Status"] for t in job["SecondaryStatusTransitions"]] == ["Starting", "Stopping", "MaxWaitTimeExceeded"]
    assert job["TrainingJobStatus"] == "Stopped" and job["TrainingEndTime"] == ORIGIN + timedelta(seconds=7260)
    assert not {"TrainingStartTime", "TrainingTimeInSeconds", "ModelArtifacts"} & set(job)
    assert describe_problems(job) == []


def test_speed_compresses_real_time(clock):
    exact = fixture_realism().without(["metric-lag"])  # the points of both as they are logged
    fast = Simulator(clock, origin=ORIGIN, speed=10, realism=exact)
    slow = Simulator(FrozenClock(ORIGIN + timedelta(seconds=600)), origin=ORIGIN, realism=exact)
    clock.set(ORIGIN + timedelta(seconds=60))
    for name in fast.job_names():
        a = fast.describe_training_job({"TrainingJobName": name})
        b = slow.describe_training_job({"TrainingJobName": name})
        assert [t["Status"] for t in a["SecondaryStatusTransitions"]] == [
            t["Status"] for t in b["SecondaryStatusTransitions"]
        ]
        ago = timedelta(seconds=fast.scenarios[name].ago)  # real time, which speed does not compress
        assert a["CreationTime"] == ORIGIN - ago + (b["CreationTime"] + ago - ORIGIN) / 10
    points = fast.get_metric_data(
        {
            "MetricDataQueries": [metric_query("bert-base-finetune-imdb", "train:loss")],
            "StartTime": ORIGIN,
            "EndTime": ORIGIN + timedelta(hours=1),
            "ScanBy": "TimestampAscending",
        }
    )["MetricDataResults"][0]["Timestamps"]
    assert {(b - a).total_seconds() for a, b in zip(points, points[1:])} == {6.0}
    with pytest.raises(ValueError):
        Simulator(clock, speed=0)
