"""What SageMaker answers about a job at a moment: DescribeTrainingJob and its list summary.

Responses are Python values in botocore's shapes (aware datetimes), the same
as a boto3 call returns, laid out the way the SageMaker Python SDK creates
jobs (script-mode hyperparameters, Debugger hook and profiler defaults).
Durations (TrainingTimeInSeconds, BillableTimeInSeconds) are real seconds,
consistent with the reported timestamps at any speed.
"""

from __future__ import annotations

import json
from typing import Any

from smtui.sim.account import DEBUGGER_RULES, KMS_KEY, ROLE, SECURITY_GROUPS, SUBNETS, XGBOOST, bucket, registry
from smtui.sim.lifecycle import RUNNING, Playback, World
from smtui.sim.maximal import complete as complete_maximal
from smtui.sim.metrics import final_values, series
from smtui.sim.rules import rule_status
from smtui.sim.scenarios import Scenario


def describe(scenario: Scenario, playback: Playback, world: World) -> dict[str, Any]:
    """The DescribeTrainingJob response for ``scenario`` as ``playback`` has it."""
    region, account = world.region, world.account
    at = lambda offset: world.time(scenario, offset)  # noqa: E731
    name = scenario.name
    output = f"{bucket(world)}/{scenario.project}/output"
    script_mode = scenario.entry_point is not None
    response: dict[str, Any] = {
        "TrainingJobName": name,
        "TrainingJobArn": f"arn:aws:sagemaker:{region}:{account}:training-job/{name}",
        "TrainingJobStatus": playback.status,
        "SecondaryStatus": playback.secondary,
        "HyperParameters": hyperparameters(scenario, world),
        "AlgorithmSpecification": {
            "TrainingImage": scenario.image.format(region=region, xgboost=registry(XGBOOST, region)),
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": m.name, "Regex": m.regex} for m in scenario.metrics],
            # The SDK turns time series on for script mode; built-in algorithms leave it off.
            "EnableSageMakerMetricsTimeSeries": script_mode,
        },
        "RoleArn": ROLE.format(account=account),
        "InputDataConfig": [channel(scenario, world, name) for name in scenario.channels],
        "OutputDataConfig": {
            "KmsKeyId": KMS_KEY.format(region=region, account=account) if scenario.kms else "",
            "S3OutputPath": output,
            "CompressionType": "GZIP",
        },
        "ResourceConfig": {
            "InstanceType": scenario.instance_type,
            "InstanceCount": scenario.instance_count,
            "VolumeSizeInGB": scenario.volume_gb,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": scenario.max_runtime},
        "CreationTime": at(0),
        "LastModifiedTime": at(playback.last_modified),
        "SecondaryStatusTransitions": [
            {
                "Status": s.status,
                "StartTime": at(s.start),
                **({"EndTime": at(s.end)} if s.end is not None else {}),
                "StatusMessage": s.message,
            }
            for s in playback.spans
        ],
        "EnableNetworkIsolation": scenario.network_isolation,
        "EnableInterContainerTrafficEncryption": scenario.instance_count > 1,
        "EnableManagedSpotTraining": scenario.spot,
        "ProfilingStatus": "Enabled" if script_mode else "Disabled",
    }
    if scenario.tuning_job:
        response["TuningJobArn"] = (
            f"arn:aws:sagemaker:{region}:{account}:hyper-parameter-tuning-job/{scenario.tuning_job}"
        )
    if scenario.keep_alive:
        response["ResourceConfig"]["KeepAlivePeriodInSeconds"] = scenario.keep_alive
    if scenario.remote_debug:
        response["RemoteDebugConfig"] = {"EnableRemoteDebug": True}
    if scenario.vpc:
        response["VpcConfig"] = {"SecurityGroupIds": list(SECURITY_GROUPS), "Subnets": list(SUBNETS)}
    if scenario.spot:
        response["StoppingCondition"]["MaxWaitTimeInSeconds"] = scenario.max_wait or scenario.max_runtime
        response["CheckpointConfig"] = {
            "S3Uri": f"{bucket(world)}/{scenario.project}/checkpoints/{name}",
            "LocalPath": "/opt/ml/checkpoints",
        }
    if script_mode:
        # What the SageMaker Python SDK sets up for every framework estimator.
        response["DebugHookConfig"] = {"S3OutputPath": output, "CollectionConfigurations": []}
        response["ProfilerConfig"] = {
            "S3OutputPath": output,
            "ProfilingIntervalInMilliseconds": 500,
            "DisableProfiler": False,
        }
        rule = f"ProfilerReport-{int(at(0).timestamp())}"
        response["ProfilerRuleConfigurations"] = [
            {
                "RuleConfigurationName": rule,
                "RuleEvaluatorImage": f"{registry(DEBUGGER_RULES, region)}.dkr.ecr.{region}.amazonaws.com/"
                "sagemaker-debugger-rules:latest",
                "VolumeSizeInGB": 0,
                "RuleParameters": {"rule_to_invoke": "ProfilerReport"},
            }
        ]
        response["ProfilerRuleEvaluationStatuses"] = [rule_status(scenario, playback, world, rule)]
    if scenario.environment:
        response["Environment"] = dict(scenario.environment)
    if playback.training_start is not None:
        response["TrainingStartTime"] = at(playback.training_start)
    if playback.terminal:
        _finish(response, scenario, playback, world)
    if scenario.maximal:
        complete_maximal(response, scenario, playback, world)
    return response


def _finish(response: dict[str, Any], scenario: Scenario, playback: Playback, world: World) -> None:
    """The members a job only has once it is over."""
    end = playback.ended_at
    assert end is not None
    response["TrainingEndTime"] = world.time(scenario, end)
    if playback.training_start is not None:
        training = max(1, round(world.seconds(end - playback.training_start)))
        response["TrainingTimeInSeconds"] = training
        # Spot jobs pay for the time the instances ran, at the spot discount.
        ran = world.seconds(playback.seconds_in(RUNNING + ("Stopping",)))
        response["BillableTimeInSeconds"] = (
            max(1, min(training - 1, round(ran * (1 - scenario.spot_savings)))) if scenario.spot else training
        )
    status = playback.status
    if status == "Failed":
        response["FailureReason"] = scenario.failure_reason or "AlgorithmError: the training script exited with code 1"
    if status == "Completed" or (status == "Stopped" and playback.reached("Training")):
        # A stopped algorithm gets SIGTERM and time to save its model, which SageMaker uploads.
        response["ModelArtifacts"] = {
            "S3ModelArtifacts": f"{response['OutputDataConfig']['S3OutputPath']}/{scenario.name}/output/model.tar.gz"
        }
    finals = final_values(series(scenario, playback, world))
    if finals:
        response["FinalMetricDataList"] = finals
    if scenario.keep_alive and status == "Completed":
        response["WarmPoolStatus"] = _warm_pool(scenario, playback, world)


def hyperparameters(scenario: Scenario, world: World) -> dict[str, str]:
    """HyperParameters as SageMaker stores them: strings; JSON-encoded by the SDK in script mode."""
    if scenario.entry_point is None:
        return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in scenario.hyperparameters.items()}
    values = {k: json.dumps(v) for k, v in scenario.hyperparameters.items()}
    values.update(
        {
            "sagemaker_container_log_level": "20",
            "sagemaker_job_name": json.dumps(scenario.name),
            "sagemaker_program": json.dumps(scenario.entry_point),
            "sagemaker_region": json.dumps(world.region),
            "sagemaker_submit_directory": json.dumps(f"{bucket(world)}/{scenario.name}/source/sourcedir.tar.gz"),
        }
    )
    if scenario.instance_count > 1:
        values["sagemaker_torch_distributed_enabled"] = "true"
    return values


def channel(scenario: Scenario, world: World, name: str) -> dict[str, Any]:
    """One InputDataConfig entry: an S3 prefix of the job's dataset."""
    sharded = scenario.instance_count > 1 and name == "train"
    entry: dict[str, Any] = {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": f"{bucket(world)}/datasets/{scenario.dataset}/{name}",
                "S3DataDistributionType": "ShardedByS3Key" if sharded else "FullyReplicated",
            }
        },
        "CompressionType": "None",
        "RecordWrapperType": "None",
    }
    if scenario.content_type:
        entry["ContentType"] = scenario.content_type
    return entry


def tags(scenario: Scenario) -> list[dict[str, str]]:
    """The job's tags, as ListTags returns them: the team's own, and the tuning job's for its training jobs."""
    out = [{"Key": "project", "Value": scenario.project}, {"Key": "team", "Value": "ml-platform"}]
    if scenario.tuning_job:
        out.append({"Key": "sagemaker:hyper-parameter-tuning-job", "Value": scenario.tuning_job})
    return out


def listed(scenario: Scenario, playback: Playback, world: World) -> dict[str, Any]:
    """The ListTrainingJobs entry of ``scenario`` as ``playback`` has it: what :func:`summary` of its description
    says, worked out without describing it (a listing of ten thousand jobs reads each one per page)."""
    if scenario.maximal:
        return summary(describe(scenario, playback, world))  # it sets more members than any other job
    out: dict[str, Any] = {
        "TrainingJobName": scenario.name,
        "TrainingJobArn": f"arn:aws:sagemaker:{world.region}:{world.account}:training-job/{scenario.name}",
        "CreationTime": world.time(scenario, 0),
        "LastModifiedTime": world.time(scenario, playback.last_modified),
        "TrainingJobStatus": playback.status,
        "SecondaryStatus": playback.secondary,
    }
    end = playback.ended_at
    if end is not None:
        out["TrainingEndTime"] = world.time(scenario, end)
        if scenario.keep_alive and playback.status == "Completed":
            out["WarmPoolStatus"] = _warm_pool(scenario, playback, world)
    return out


def _warm_pool(scenario: Scenario, playback: Playback, world: World) -> dict[str, Any]:
    """WarmPoolStatus of a completed job kept alive: available while the keep-alive lasts, then terminated."""
    end = playback.ended_at
    assert end is not None
    idle = playback.elapsed - end
    return (
        {"Status": "Available"}
        if idle < scenario.keep_alive
        else {
            "Status": "Terminated",
            "ResourceRetainedBillableTimeInSeconds": max(1, round(world.seconds(scenario.keep_alive))),
        }
    )


def summary(response: dict[str, Any]) -> dict[str, Any]:
    """The ListTrainingJobs entry of a described job."""
    keys = (
        "TrainingJobName",
        "TrainingJobArn",
        "CreationTime",
        "TrainingEndTime",
        "LastModifiedTime",
        "TrainingJobStatus",
        "SecondaryStatus",
        "WarmPoolStatus",
    )
    out = {k: response[k] for k in keys if k in response}
    plan = response.get("ResourceConfig", {}).get("TrainingPlanArn")
    if plan:
        out["TrainingPlanArn"] = plan
    return out
