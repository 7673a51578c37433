"""Turning a scenario and a moment into what SageMaker would answer."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from smtui.sim.scenarios import Scenario, Stage

FINAL = {"Completed": "Completed", "Failed": "Failed", "Stopped": "Stopped",
         "MaxRuntimeExceeded": "Stopped", "MaxWaitTimeExceeded": "Stopped"}
#: Script seconds between a stop request and the job reaching Stopped.
STOPPING_SECONDS = 45.0
#: Script seconds between two metric points.
METRIC_PERIOD = 60.0


@dataclass(frozen=True)
class Span:
    """A stage as it happened: from ``start`` to ``end`` script seconds after creation (None while open)."""

    stage: Stage
    start: float
    end: float | None


@dataclass(frozen=True)
class Playback:
    """Where a job's script stands at one moment."""

    spans: tuple[Span, ...]
    status: str

    @property
    def terminal(self) -> bool:
        return self.status in ("Completed", "Failed", "Stopped")


def play(scenario: Scenario, elapsed: float, stop_at: float | None) -> Playback:
    """The stages reached ``elapsed`` script seconds after creation; a stop at ``stop_at`` cuts the script."""
    stages = list(scenario.stages)
    spans: list[Span] = []
    cursor = 0.0
    for stage in stages:
        if cursor > elapsed:
            break
        if stage.seconds == 0:
            spans.append(Span(stage, cursor, cursor))
            break
        end = cursor + stage.seconds
        if stop_at is not None and cursor <= stop_at < end:
            # The stop request ends this stage; Stopping then Stopped follow.
            spans.append(Span(stage, cursor, stop_at if stop_at <= elapsed else None))
            if stop_at <= elapsed:
                done = stop_at + STOPPING_SECONDS
                spans.append(Span(Stage("Stopping"), stop_at, done if done <= elapsed else None))
                if done <= elapsed:
                    spans.append(Span(Stage("Stopped"), done, done))
            break
        spans.append(Span(stage, cursor, end if end <= elapsed else None))
        cursor = end
    last = spans[-1].stage.status if spans else "Starting"
    if last in FINAL and spans[-1].end is not None:
        status = FINAL[last]
    elif last == "Stopping":
        status = "Stopping"
    else:
        status = "InProgress"
    return Playback(tuple(spans), status)


def metric_points(scenario: Scenario, playback: Playback, elapsed: float) -> dict[str, list[tuple[float, float]]]:
    """Every metric's points so far, as (script seconds after creation, value)."""
    out: dict[str, list[tuple[float, float]]] = {m.name: [] for m in scenario.metrics}
    trained = 0.0  # training seconds accumulated across restarts (checkpoints carry progress over)
    for span in playback.spans:
        if span.stage.status != "Training":
            continue
        stop = span.end if span.end is not None else elapsed
        step = 1
        while span.start + step * METRIC_PERIOD <= stop:
            x = trained + step * METRIC_PERIOD
            for metric in scenario.metrics:
                out[metric.name].append((span.start + step * METRIC_PERIOD, _curve(scenario.name, metric, x)))
            step += 1
        trained += stop - span.start
    return out


def _curve(job: str, metric, x: float) -> float:
    noise = random.Random(f"{job}:{metric.name}:{int(x)}").gauss(0.0, 1.0)
    value = metric.end + (metric.start - metric.end) * math.exp(-x / metric.tau)
    return round(value * (1 + metric.noise * noise), 5)


def to_time(origin: datetime, scenario: Scenario, offset: float, speed: float) -> datetime:
    """The real time of ``offset`` script seconds after the job's creation."""
    return origin + timedelta(seconds=(scenario.created + offset) / speed)


def describe(scenario: Scenario, playback: Playback, elapsed: float, *, origin: datetime, speed: float,
             region: str, account: str) -> dict[str, Any]:
    """The DescribeTrainingJob response of a job at one moment (Python values, botocore's shape)."""
    at = lambda offset: to_time(origin, scenario, offset, speed)  # noqa: E731
    name = scenario.name
    bucket = f"s3://sagemaker-{region}-{account}"
    spans = playback.spans
    training_start = next((s.start for s in spans if s.stage.status in ("Downloading", "Training")), None)
    final = spans[-1] if spans and spans[-1].stage.status in FINAL and playback.terminal else None
    response: dict[str, Any] = {
        "TrainingJobName": name,
        "TrainingJobArn": f"arn:aws:sagemaker:{region}:{account}:training-job/{name}",
        # Required by the model: SageMaker names the artifact's place from the start.
        "ModelArtifacts": {"S3ModelArtifacts": f"{bucket}/{name.split('-')[0]}/output/{name}/output/model.tar.gz"},
        "TrainingJobStatus": playback.status,
        "SecondaryStatus": spans[-1].stage.status if spans else "Starting",
        "HyperParameters": dict(scenario.hyperparameters),
        "AlgorithmSpecification": {
            "TrainingImage": scenario.image.format(region=region),
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": m.name, "Regex": m.regex} for m in scenario.metrics],
            "EnableSageMakerMetricsTimeSeries": True,
        },
        "RoleArn": f"arn:aws:iam::{account}:role/service-role/AmazonSageMaker-ExecutionRole-20260301T101500",
        "InputDataConfig": [
            {
                "ChannelName": channel,
                "DataSource": {"S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": f"{bucket}/{scenario.dataset}/{channel}/",
                    "S3DataDistributionType": "FullyReplicated" if scenario.instance_count == 1 else "ShardedByS3Key",
                }},
                "ContentType": "application/x-parquet",
                "CompressionType": "None",
                "RecordWrapperType": "None",
                "InputMode": "File",
            }
            for channel in scenario.channels
        ],
        "OutputDataConfig": {
            "KmsKeyId": f"arn:aws:kms:{region}:{account}:key/3f0c8e9a-5b1d-4c2e-9a7f-2d6b1e4c8a90",
            "S3OutputPath": f"{bucket}/{name.split('-')[0]}/output/",
            "CompressionType": "GZIP",
        },
        "ResourceConfig": {
            "InstanceType": scenario.instance_type,
            "InstanceCount": scenario.instance_count,
            "VolumeSizeInGB": scenario.volume_gb,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": scenario.max_runtime},
        "CreationTime": at(0),
        "LastModifiedTime": at(spans[-1].start if spans else 0),
        "SecondaryStatusTransitions": [
            {"Status": s.stage.status, "StartTime": at(s.start), "StatusMessage": s.stage.text,
             **({"EndTime": at(s.end)} if s.end is not None else {})}
            for s in spans
        ],
        "EnableNetworkIsolation": False,
        "EnableInterContainerTrafficEncryption": scenario.instance_count > 1,
        "EnableManagedSpotTraining": scenario.spot,
        "DebugHookConfig": {
            "S3OutputPath": f"{bucket}/{name.split('-')[0]}/debug-output/",
            "CollectionConfigurations": [],
        },
        "ProfilerConfig": {"S3OutputPath": f"{bucket}/{name.split('-')[0]}/profiler/",
                           "ProfilingIntervalInMilliseconds": 500, "DisableProfiler": False},
        "ProfilingStatus": "Enabled",
        "Environment": {"NCCL_DEBUG": "WARN", "HF_HUB_ENABLE_HF_TRANSFER": "1"},
        "RetryStrategy": {"MaximumRetryAttempts": 1},
    }
    if training_start is not None:
        response["TrainingStartTime"] = at(training_start)
    if scenario.max_wait:
        response["StoppingCondition"]["MaxWaitTimeInSeconds"] = scenario.max_wait
    if scenario.spot:
        response["CheckpointConfig"] = {"S3Uri": f"{bucket}/{name.split('-')[0]}/checkpoints/",
                                        "LocalPath": "/opt/ml/checkpoints"}
    if scenario.vpc:
        response["VpcConfig"] = {"SecurityGroupIds": ["sg-0a1b2c3d4e5f60718"],
                                 "Subnets": ["subnet-0f1e2d3c4b5a69788", "subnet-0123456789abcdef0"]}
    if final is not None:
        end = final.start
        response["TrainingEndTime"] = at(end)
        start = training_start or 0.0
        lost = sum((s.end or end) - s.start for s in spans if s.stage.status in ("Interrupted", "Restarting"))
        response["TrainingTimeInSeconds"] = int(end - start)
        response["BillableTimeInSeconds"] = int(max(end - start - lost, 0))
        if playback.status == "Failed":
            response["FailureReason"] = scenario.failure_reason or "AlgorithmError: see the job logs"
        points = metric_points(scenario, playback, elapsed)
        finals = [{"MetricName": metric, "Value": series[-1][1], "Timestamp": at(series[-1][0])}
                  for metric, series in points.items() if series]
        if finals:
            response["FinalMetricDataList"] = finals
    return response
