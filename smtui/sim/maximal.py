"""The job with every member of the DescribeTrainingJob output shape filled.

It exists so ``smtui describe`` and the detail pane can be checked against
every leaf of the model. Each value is one a real job of its kind could
carry. Members that are alternatives in the API (the kinds of data source,
InstanceType versus InstanceGroups) are spread over several list entries
where the model allows it, and otherwise set consistently with each other.
Its story: a full-weight Llama fine-tune on a training plan, whose first
attempt hit an internal error and was retried (hence a FailureReason on a job
that completed), registered as a model package, its warm pool then reused.
"""

from __future__ import annotations

import math
from typing import Any

from smtui.sim.account import DEBUGGER_RULES, KMS_KEY, bucket, registry
from smtui.sim.lifecycle import Playback, World, natural_course
from smtui.sim.rules import rule_status
from smtui.sim.scenarios import Scenario

STEPS_PER_EPOCH = 250
EPOCHS = 3
#: Tokens one optimizer step consumes: 8 sequences × 2048 tokens × 16 GPUs.
TOKENS_PER_STEP = 8 * 2048 * 16
#: Script seconds the warm pool idles before the next job picks it up.
REUSED_AFTER = 300.0
REUSED_BY = "llama-finetune-full-config-eval"
HUB_MODEL = "arn:aws:sagemaker:{region}:aws:hub-content/SageMakerPublicHub/Model/meta-textgeneration-llama-3-8b/2.6.0"


def complete(response: dict[str, Any], scenario: Scenario, playback: Playback, world: World) -> None:
    """Add to ``response`` everything the model has beyond what :func:`smtui.sim.jobs.describe` sets."""
    region, account = world.region, world.account
    arn = f"arn:aws:sagemaker:{region}:{account}"
    root = f"{bucket(world)}/{scenario.project}"
    kms = KMS_KEY.format(region=region, account=account)
    plan = f"{arn}:training-plan/p4de-2x-reserved-2026-11"
    rules_image = f"{registry(DEBUGGER_RULES, region)}.dkr.ecr.{region}.amazonaws.com/sagemaker-debugger-rules:latest"

    response.update(
        {
            "TuningJobArn": f"{arn}:hyper-parameter-tuning-job/llama-ft-hpo-1126",
            "LabelingJobArn": f"{arn}:labeling-job/dolly-instructions-review",
            "AutoMLJobArn": f"{arn}:automl-job/llama-ft-autopilot-1126",
            "ExperimentConfig": {
                "ExperimentName": "llama-finetune",
                "TrialName": "llama-finetune-full-config-trial",
                "TrialComponentDisplayName": "full-config",
                "RunName": "full-config-2026-11-26",
            },
            "TensorBoardOutputConfig": {
                "LocalPath": "/opt/ml/output/tensorboard",
                "S3OutputPath": f"{root}/tensorboard",
            },
            "RetryStrategy": {"MaximumRetryAttempts": 2},
            "InfraCheckConfig": {"EnableInfraCheck": True},
            "ServerlessJobConfig": {
                "BaseModelArn": HUB_MODEL.format(region=region),
                "AcceptEula": True,
                "JobType": "FineTuning",
                "CustomizationTechnique": "SFT",
                "Peft": "LORA",
                "EvaluationType": "BenchmarkEvaluation",
                "EvaluatorArn": f"arn:aws:lambda:{region}:{account}:function:llama-sft-reward-scorer",
                "SequenceLength": "8K",
            },
            "MlflowConfig": {
                "MlflowResourceArn": f"{arn}:mlflow-tracking-server/ml-team-tracking",
                "MlflowExperimentName": "llama-finetune",
                "MlflowRunName": "full-config-2026-11-26",
            },
            "ModelPackageConfig": {
                "ModelPackageGroupArn": f"{arn}:model-package-group/llama-finetunes",
                "SourceModelPackageArn": f"{arn}:model-package/llama-base/1",
            },
            "MlflowDetails": {"MlflowExperimentId": "417", "MlflowRunId": "9c1f4e2ab7d34c8f9e0a6b5d3c2f1e07"},
        }
    )
    spec = response["AlgorithmSpecification"]
    spec.update(
        {
            "AlgorithmName": f"{arn}:algorithm/llama-sft-recipe",
            "ContainerEntrypoint": ["torchrun"],
            "ContainerArguments": [
                "--nnodes",
                "2",
                "--nproc_per_node",
                "8",
                "train.py",
                "--config",
                "/opt/ml/input/data/config/recipe.yaml",
            ],
            "TrainingImageConfig": {
                "TrainingRepositoryAccessMode": "Vpc",
                "TrainingRepositoryAuthConfig": {
                    "TrainingRepositoryCredentialsProviderArn": f"arn:aws:lambda:{region}:{account}:function:"
                    "ecr-pull-credentials"
                },
            },
        }
    )
    response["InputDataConfig"] = _channels(world, root)
    response["OutputDataConfig"]["CompressionType"] = "NONE"  # safetensors shards, already compact
    response["ResourceConfig"].update(
        {
            "VolumeKmsKeyId": kms,
            "InstanceGroups": [
                {
                    "InstanceType": scenario.instance_type,
                    "InstanceCount": scenario.instance_count,
                    "InstanceGroupName": "trainers",
                }
            ],
            "TrainingPlanArn": plan,
            "InstancePlacementConfig": {
                "EnableMultipleJobs": False,
                "PlacementSpecifications": [
                    {"UltraServerId": "us-0c4d8e2f6a1b3579d", "InstanceCount": scenario.instance_count}
                ],
            },
            "InstancePreferences": [
                {
                    "InstanceType": "ml.p5.48xlarge",
                    "InstanceCount": 1,
                    "TrainingPlanArns": [f"{arn}:training-plan/p5-1x-reserved-2026-11"],
                },
                {
                    "InstanceType": scenario.instance_type,
                    "InstanceCount": scenario.instance_count,
                    "TrainingPlanArns": [plan],
                },
            ],
            "SelectedInstanceType": scenario.instance_type,
            "SelectedInstanceCount": scenario.instance_count,
        }
    )
    response["StoppingCondition"]["MaxPendingTimeInSeconds"] = 7200
    response["DebugHookConfig"] = {
        "LocalPath": "/opt/ml/output/tensors",
        "S3OutputPath": f"{root}/debug-output",
        "HookParameters": {"save_interval": "100", "include_workers": "one"},
        "CollectionConfigurations": [
            {"CollectionName": "losses", "CollectionParameters": {"save_interval": "50"}},
            {"CollectionName": "gradients", "CollectionParameters": {"save_interval": "500", "reductions": "norm"}},
        ],
    }
    response["DebugRuleConfigurations"] = [
        _rule(name, root, rules_image, params)
        for name, params in (
            (
                "LossNotDecreasing",
                {"rule_to_invoke": "LossNotDecreasing", "num_steps": "10", "use_losses_collection": "True"},
            ),
            ("Overfit", {"rule_to_invoke": "Overfit", "patience_train": "5", "patience_validation": "10"}),
        )
    ]
    response["DebugRuleEvaluationStatuses"] = [
        rule_status(scenario, playback, world, "LossNotDecreasing"),
        rule_status(scenario, playback, world, "Overfit", issue="Overfit"),
    ]
    report = response["ProfilerRuleConfigurations"][0]["RuleConfigurationName"]
    response["ProfilerConfig"]["ProfilingParameters"] = {
        "DataloaderProfilingConfig": '{"StartStep": 5, "NumSteps": 3, "MetricsRegex": ".*"}',
        "DetailedProfilingConfig": '{"StartStep": 5, "NumSteps": 3}',
        "LocalPath": "/opt/ml/output/profiler",
        "RotateMaxFileSizeInBytes": "10485760",
    }
    response["ProfilerRuleConfigurations"] = [
        _rule(name, root, rules_image, params, instance="ml.m5.xlarge")
        for name, params in (
            (report, {"rule_to_invoke": "ProfilerReport"}),
            ("LowGPUUtilization", {"rule_to_invoke": "LowGPUUtilization", "threshold_p95": "70", "patience": "1000"}),
        )
    ]
    response["ProfilerRuleEvaluationStatuses"] = [
        rule_status(scenario, playback, world, report),
        rule_status(scenario, playback, world, "LowGPUUtilization", issue="LowGPUUtilization"),
    ]
    _progress(response, scenario, playback, world, arn)


def _rule(name: str, root: str, image: str, params: dict[str, str], instance: str = "ml.t3.medium") -> dict:
    return {
        "RuleConfigurationName": name,
        "LocalPath": "/opt/ml/processing/output/rule",
        "S3OutputPath": f"{root}/rule-output/{name}",
        "RuleEvaluatorImage": image,
        "InstanceType": instance,
        "VolumeSizeInGB": 30,
        "RuleParameters": params,
    }


def _channels(world: World, root: str) -> list[dict[str, Any]]:
    """One channel per kind of data source: S3 (manifest and model), FSx for Lustre, a hub dataset."""
    region, account = world.region, world.account
    return [
        {
            "ChannelName": "train",
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "AugmentedManifestFile",
                    "S3Uri": f"{root}/data/train/manifest.jsonl",
                    "S3DataDistributionType": "ShardedByS3Key",
                    "AttributeNames": ["source-ref", "instruction"],
                    "InstanceGroupNames": ["trainers"],
                }
            },
            "ContentType": "application/x-recordio",
            "CompressionType": "None",
            "RecordWrapperType": "RecordIO",
            "InputMode": "Pipe",
            "ShuffleConfig": {"Seed": 20261126},
        },
        {
            "ChannelName": "model",
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": f"s3://jumpstart-private-cache-prod-{region}/meta-textgeneration/"
                    "meta-textgeneration-llama-3-8b/artifacts/inference-prepack/v2.0.0/",
                    "S3DataDistributionType": "FullyReplicated",
                    "ModelAccessConfig": {"AcceptEula": True},
                    "HubAccessConfig": {"HubContentArn": HUB_MODEL.format(region=region)},
                }
            },
            "CompressionType": "None",
            "InputMode": "FastFile",
        },
        {
            "ChannelName": "validation",
            "DataSource": {
                "FileSystemDataSource": {
                    "FileSystemId": "fs-0b5a3c7d9e1f24680",
                    "FileSystemAccessMode": "ro",
                    "FileSystemType": "FSxLustre",
                    "DirectoryPath": "/fsx/datasets/dolly-15k/validation",
                }
            },
            "ContentType": "application/jsonlines",
            "InputMode": "File",
        },
        {
            "ChannelName": "eval",
            "DataSource": {
                "DatasetSource": {
                    "DatasetArn": (
                        f"arn:aws:sagemaker:{region}:{account}:hub-content/ml-team-hub/DataSet/dolly-eval-set/1.0.0"
                    )
                }
            },
            "InputMode": "File",
        },
    ]


def _progress(response: dict[str, Any], scenario: Scenario, playback: Playback, world: World, arn: str) -> None:
    """The members that follow the job's life: progress, billing, the retry, the outcome."""
    planned = sum(
        stage.seconds - stage.message_at(math.inf)[0]
        for stage, _, _ in natural_course(scenario)
        if stage.status == "Training"
    )
    trained = sum(end - start for start, end in playback.training_windows())
    if trained > 0:
        steps = min(STEPS_PER_EPOCH * EPOCHS, round(STEPS_PER_EPOCH * EPOCHS * trained / planned))
        response["ProgressInfo"] = {
            "TotalStepCountPerEpoch": STEPS_PER_EPOCH,
            "CurrentStep": steps,
            "CurrentEpoch": min(EPOCHS, steps // STEPS_PER_EPOCH + 1),
            "MaxEpoch": EPOCHS,
        }
        response["BillableTokenCount"] = steps * TOKENS_PER_STEP
    if playback.reached("Restarting"):
        response["FailureReason"] = scenario.failure_reason
    if playback.status == "Completed":
        response["OutputModelPackageArn"] = f"{arn}:model-package/llama-finetunes/7"
        idle = playback.elapsed - (playback.ended_at or 0.0)
        response["WarmPoolStatus"] = (
            {"Status": "Available"}
            if idle < REUSED_AFTER
            else {
                "Status": "Reused",
                "ResourceRetainedBillableTimeInSeconds": max(1, round(world.seconds(REUSED_AFTER))),
                "ReusedByJob": REUSED_BY,
            }
        )
