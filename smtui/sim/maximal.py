"""Filling every member of the DescribeTrainingJob output shape, for the job that shows them all.

The maximal scenario starts from the same realistic response as every other
job; what the service model has beyond that is filled here, by member name
where SageMaker's meaning is known and by type otherwise, so that `smtui
describe` and the detail pane can be checked against every leaf.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

KNOWN: dict[str, Any] = {
    "TuningJobArn": "arn:aws:sagemaker:{region}:{account}:hyper-parameter-tuning-job/llama-hpo-20261126",
    "LabelingJobArn": "arn:aws:sagemaker:{region}:{account}:labeling-job/dolly-quality-review",
    "AutoMLJobArn": "arn:aws:sagemaker:{region}:{account}:automl-job/llama-autopilot-1126",
    "OutputModelPackageArn": "arn:aws:sagemaker:{region}:{account}:model-package/llama-finetunes/3",
    "ModelPackageGroupArn": "arn:aws:sagemaker:{region}:{account}:model-package-group/llama-finetunes",
    "SourceModelPackageArn": "arn:aws:sagemaker:{region}:{account}:model-package/llama-base/1",
    "MlflowResourceArn": "arn:aws:sagemaker:{region}:{account}:mlflow-tracking-server/team-tracking",
    "MlflowExperimentId": "417",
    "MlflowRunId": "9c1f4e2ab7d34c8f9e0a6b5d3c2f1e07",
    "MlflowExperimentName": "llama-finetune",
    "MlflowRunName": "full-config-2026-11-26",
    "BaseModelArn": "arn:aws:sagemaker:{region}:aws:hub-content/SageMakerPublicHub/Model/meta-textgeneration-llama-3-8b/2.6.0",
    "TrainingPlanArn": "arn:aws:sagemaker:{region}:{account}:training-plan/p4de-reserved-dec",
    "RuleEvaluatorImage": "503895931360.dkr.ecr.{region}.amazonaws.com/sagemaker-debugger-rules:latest",
    "RuleConfigurationName": "LossNotDecreasing",
    "RuleEvaluationJobArn": "arn:aws:sagemaker:{region}:{account}:processing-job/llama-finetune-lossnotdecreasing-3f2a1b",
    "RuleEvaluationStatus": "NoIssuesFound",
    "StatusDetails": "No issues found by the rule so far",
    "ExperimentName": "llama-finetune",
    "TrialName": "llama-finetune-full-config-trial",
    "TrialComponentDisplayName": "full-config",
    "RunName": "full-config-2026-11-26",
    "AlgorithmName": "",
    "TrainingRepositoryCredentialsProviderArn": "arn:aws:lambda:{region}:{account}:function:ecr-credentials-provider",
    "KmsKeyId": "arn:aws:kms:{region}:{account}:key/3f0c8e9a-5b1d-4c2e-9a7f-2d6b1e4c8a90",
    "VolumeKmsKeyId": "arn:aws:kms:{region}:{account}:key/7a2d4e6f-8b0c-4d1e-a3f5-9c7b5e3d1f20",
    "LocalPath": "/opt/ml/output/tensorboard",
    "InstanceGroupName": "trainers",
    "InstanceType": "ml.p4de.24xlarge",
    "ContentType": "application/jsonlines",
    "AttributeNames": "source-ref",
    "FileSystemId": "fs-0b5a3c7d9e1f24680",
    "FileSystemAccessMode": "ro",
    "DirectoryPath": "/fsx/dolly",
    "HubAccessConfig": None,
    "HubContentArn": "arn:aws:sagemaker:{region}:aws:hub-content/SageMakerPublicHub/Model/meta-textgeneration-llama-3-8b/2.6.0",
    "ModelAccessConfig": None,
    "S3DataType": "S3Prefix",
    "InstanceTypes": "ml.p4de.24xlarge",
    "Status": "InUse",
    "ReusedByJob": "llama-finetune-full-config-warm",
    "Message": "",
}


def fill(value: Any, shape: Any, name: str, *, region: str, account: str, moment: datetime, depth: int = 0) -> Any:
    """``value`` with every member of ``shape`` present; existing values are kept."""
    kind = shape.type_name
    if kind == "structure":
        current = dict(value) if isinstance(value, dict) else {}
        if depth > 8:
            return current
        for member, member_shape in shape.members.items():
            current[member] = fill(current.get(member), member_shape, member, region=region, account=account,
                                   moment=moment, depth=depth + 1)
        return current
    if kind == "list":
        items = list(value) if isinstance(value, list) and value else [None]
        return [fill(item, shape.member, name, region=region, account=account, moment=moment, depth=depth + 1)
                for item in items]
    if kind == "map":
        if isinstance(value, dict) and value:
            return value
        return {f"{name.lower()}-key": fill(None, shape.value, name, region=region, account=account, moment=moment,
                                            depth=depth + 1)}
    if value is not None:
        return value
    return _leaf(shape, name, region=region, account=account, moment=moment)


def _leaf(shape: Any, name: str, *, region: str, account: str, moment: datetime) -> Any:
    kind = shape.type_name
    if kind == "timestamp":
        return moment
    if kind == "boolean":
        return False
    if kind in ("integer", "long"):
        low = shape.metadata.get("min", 0)
        if "Seconds" in name:
            return max(low, 3600)
        if "Percent" in name or "Percentage" in name:
            return max(low, 80)
        if "Count" in name or "Epoch" in name or "Step" in name:
            return max(low, 4)
        return max(low, 1)
    if kind in ("float", "double"):
        return 0.5
    if kind == "blob":
        return b""
    if shape.enum:
        return shape.enum[0]
    known = KNOWN.get(name)
    if isinstance(known, str) and known:
        return known.format(region=region, account=account)
    if name.endswith("Arn"):
        return f"arn:aws:sagemaker:{region}:{account}:{_kebab(name[:-3])}/llama-finetune-full-config"
    if "S3" in name or name.endswith("Uri"):
        return f"s3://sagemaker-{region}-{account}/llama/{_kebab(name)}/"
    if name.endswith("Path"):
        return f"/opt/ml/{_kebab(name)}"
    if name.endswith("Id"):
        return f"{_kebab(name[:-2])}-0c1d2e3f4a5b"
    return f"{_kebab(name)}-value"


def _kebab(name: str) -> str:
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index and not name[index - 1].isupper():
            out.append("-")
        out.append(char.lower())
    return "".join(out)
