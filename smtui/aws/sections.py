"""Every field of a DescribeTrainingJob response, grouped into sections.

The grouping is driven by botocore's service model: each top-level member of
the ``DescribeTrainingJob`` output shape is placed in a section, members are
walked recursively with their shapes, and anything the model does not place
(a member the API adds later, or a key the model does not know at all) still
appears, under "Other". Nothing in a response is silently dropped.

No Textual import here: ``smtui describe`` prints :func:`render_text`, and the
detail pane draws the same :class:`Section` objects.
"""

from __future__ import annotations

import functools
import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Iterator, Mapping

OTHER = "Other"

#: Display order of the sections, "Other" last.
SECTION_TITLES: tuple[str, ...] = (
    "Overview",
    "Status & timing",
    "Algorithm",
    "Hyperparameters",
    "Input data",
    "Output & artifacts",
    "Resources & stopping",
    "Network & security",
    "Metrics",
    "Debugging & profiling",
    OTHER,
)

_PLACEMENT: dict[str, tuple[str, ...]] = {
    "Overview": (
        "TrainingJobName", "TrainingJobArn", "TrainingJobStatus", "SecondaryStatus", "FailureReason",
        "TuningJobArn", "LabelingJobArn", "AutoMLJobArn", "ExperimentConfig", "ProgressInfo",
    ),
    "Status & timing": (
        "CreationTime", "TrainingStartTime", "TrainingEndTime", "LastModifiedTime", "TrainingTimeInSeconds",
        "BillableTimeInSeconds", "BillableTokenCount", "SecondaryStatusTransitions", "WarmPoolStatus",
    ),
    "Algorithm": ("AlgorithmSpecification", "Environment", "ServerlessJobConfig"),
    "Hyperparameters": ("HyperParameters",),
    "Input data": ("InputDataConfig", "CheckpointConfig"),
    "Output & artifacts": (
        "OutputDataConfig", "ModelArtifacts", "ModelPackageConfig", "OutputModelPackageArn", "MlflowConfig",
        "MlflowDetails",
    ),
    "Resources & stopping": (
        "ResourceConfig", "StoppingCondition", "EnableManagedSpotTraining", "RetryStrategy", "InfraCheckConfig",
    ),
    "Network & security": (
        "RoleArn", "VpcConfig", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption",
    ),
    "Metrics": ("FinalMetricDataList",),
    "Debugging & profiling": (
        "DebugHookConfig", "DebugRuleConfigurations", "DebugRuleEvaluationStatuses", "TensorBoardOutputConfig",
        "ProfilerConfig", "ProfilerRuleConfigurations", "ProfilerRuleEvaluationStatuses", "ProfilingStatus",
        "RemoteDebugConfig",
    ),
}
_SECTION_OF = {member: title for title, members in _PLACEMENT.items() for member in members}

#: Words shown in capitals (or a fixed spelling) in labels.
_WORDS = {
    "arn": "ARN", "arns": "ARNs", "id": "ID", "ids": "IDs", "kms": "KMS", "vpc": "VPC", "s3": "S3", "uri": "URI",
    "url": "URL", "ml": "ML", "gb": "GB", "mb": "MB", "ecr": "ECR", "ec2": "EC2", "mlflow": "MLflow",
    "automl": "AutoML", "tensorboard": "TensorBoard", "sagemaker": "SageMaker", "efa": "EFA", "ssh": "SSH",
    "http": "HTTP", "sdk": "SDK", "iam": "IAM", "cpu": "CPU", "gpu": "GPU", "ssm": "SSM", "hpo": "HPO",
    "eula": "EULA", "ai": "AI", "lora": "LoRA",
}
#: Compound names the tokenizer would split: rejoined after humanising.
_COMPOUNDS = (("Sage maker", "SageMaker"), ("sage maker", "SageMaker"), ("Tensor board", "TensorBoard"),
              ("tensor board", "TensorBoard"), ("Auto ML", "AutoML"))
_TOKEN = re.compile(r"[A-Z][0-9]+|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

#: Item fields that name a list element better than its index.
_ITEM_NAMES = ("ChannelName", "MetricName", "RuleConfigurationName", "Status", "Name", "InstanceGroupName")


@dataclass(frozen=True)
class FieldNode:
    """One field of the response: a leaf with a value, or a container with children."""

    key: str
    label: str
    path: str
    kind: str
    value: object = None
    children: tuple["FieldNode", ...] = ()
    in_model: bool = True


@dataclass(frozen=True)
class Section:
    """A titled group of top-level fields."""

    title: str
    fields: tuple[FieldNode, ...]


def section_of(member_name: str) -> str:
    """The section a top-level member belongs to; "Other" if it is not placed."""
    return _SECTION_OF.get(member_name, OTHER)


@functools.lru_cache(maxsize=1)
def _output_shape():
    # botocore is imported here, not at module level, to keep start-up fast.
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.operation_model("DescribeTrainingJob").output_shape


@functools.lru_cache(maxsize=512)
def humanize(name: str) -> str:
    """``TrainingJobArn`` → ``Training job ARN``; ``S3Uri`` → ``S3 URI``."""
    tokens = _TOKEN.findall(name) or [name]
    words = []
    for index, token in enumerate(tokens):
        fixed = _WORDS.get(token.lower())
        if fixed:
            words.append(fixed)
        elif token.isupper() and len(token) > 1:
            words.append(token)
        else:
            words.append(token.capitalize() if index == 0 else token.lower())
    label = " ".join(words)
    for split, joined in _COMPOUNDS:
        label = label.replace(split, joined)
    return label


def describe_sections(response: Mapping[str, Any]) -> list[Section]:
    """The response as sections in display order; empty sections are left out."""
    shape = _output_shape()
    grouped: dict[str, list[FieldNode]] = {title: [] for title in SECTION_TITLES}
    members = shape.members
    # Model order first, then keys the model does not know, in response order.
    keys = [k for k in members if k in response] + [k for k in response if k not in members and k != "ResponseMetadata"]
    for key in keys:
        node = _node(key, humanize(key), key, response[key], members.get(key), key in members)
        grouped[section_of(key) if key in members else OTHER].append(node)
    order = {member: i for members in _PLACEMENT.values() for i, member in enumerate(members)}
    return [
        Section(title, tuple(sorted(fields, key=lambda n: order.get(n.key, len(order)))))
        for title, fields in grouped.items()
        if fields
    ]


def _node(key: str, label: str, path: str, value: Any, shape: Any, in_model: bool) -> FieldNode:
    type_name = getattr(shape, "type_name", None)
    if isinstance(value, Mapping):
        if type_name == "structure":
            members = shape.members
            ordered = [k for k in members if k in value] + [k for k in value if k not in members]
            children = tuple(
                _node(k, humanize(k), f"{path}.{k}", value[k], members.get(k), in_model and k in members)
                for k in ordered
            )
            return FieldNode(key, label, path, "structure", None, children, in_model)
        value_shape = getattr(shape, "value", None) if type_name == "map" else None
        children = tuple(
            _node(str(k), str(k), f"{path}.{k!s}", v, value_shape, in_model and type_name == "map")
            for k, v in value.items()
        )
        return FieldNode(key, label, path, "map" if type_name == "map" else "structure", None, children, in_model)
    if isinstance(value, (list, tuple)):
        item_shape = getattr(shape, "member", None) if type_name == "list" else None
        children = tuple(
            _node(f"[{i}]", _item_label(i, item), f"{path}[{i}]", item, item_shape, in_model)
            for i, item in enumerate(value)
        )
        return FieldNode(key, label, path, "list", None, children, in_model)
    return FieldNode(key, label, path, _leaf_kind(key, value, shape), value, (), in_model)


def _item_label(index: int, item: Any) -> str:
    if isinstance(item, Mapping):
        for name in _ITEM_NAMES:
            if isinstance(item.get(name), str) and item[name]:
                return f"{index + 1}. {item[name]}"
    return f"{index + 1}."


def _leaf_kind(key: str, value: Any, shape: Any) -> str:
    type_name = getattr(shape, "type_name", None)
    if isinstance(value, datetime):
        return "timestamp"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) and (key.endswith("InSeconds") or key.endswith("Seconds")):
        return "duration"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        if getattr(shape, "enum", None):
            return "enum"
        if value.startswith("arn:"):
            return "arn"
        if value.startswith("s3://"):
            return "s3"
        return "string"
    if shape is None or type_name is None:
        return "unknown"
    return "string"


def iter_leaves(nodes: Iterable[FieldNode]) -> Iterator[FieldNode]:
    """Every leaf below ``nodes``, depth first."""
    for node in nodes:
        if node.kind in ("structure", "list", "map"):
            yield from iter_leaves(node.children)
        else:
            yield node


def request_id(response: Mapping[str, Any]) -> str | None:
    """The request id botocore recorded for the response, if any."""
    metadata = response.get("ResponseMetadata")
    if isinstance(metadata, Mapping) and metadata.get("RequestId"):
        return str(metadata["RequestId"])
    return None


def visible(text: str) -> str:
    """``text`` with control characters (ESC, BEL, …) shown as escapes instead of acted on."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def format_value(node: FieldNode, now: datetime) -> str:
    """One line of plain text for a leaf."""
    value = node.value
    if node.kind == "timestamp" and isinstance(value, datetime):
        return f"{value.astimezone():%Y-%m-%d %H:%M:%S} ({relative_age(value, now)})"
    if node.kind == "duration" and isinstance(value, int):
        return f"{value} s ({long_duration(value)})"
    if node.kind == "boolean":
        return "yes" if value else "no"
    if node.kind == "float" and isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "–"
    if isinstance(value, (bytes, bytearray)):
        return visible(value.decode("utf-8", "replace"))
    return visible(str(value))


def long_duration(seconds: float) -> str:
    """``1h 30m``, ``2d 3h``, ``45s``: a human reading of a second count."""
    seconds = int(max(seconds, 0))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if hours:
        parts.append(f"{hours}h")
    if minutes and not days:
        parts.append(f"{minutes}m")
    if secs and not days and not hours:
        parts.append(f"{secs}s")
    return " ".join(parts) or "0s"


def relative_age(moment: datetime, now: datetime) -> str:
    """``25m ago``, ``in 3m``, ``just now``."""
    delta = (now - moment).total_seconds()
    if abs(delta) < 5:
        return "just now"
    text = long_duration(abs(delta))
    # Ages read to the minute once they pass an hour: seconds would only flicker.
    if abs(delta) >= 3600:
        text = " ".join(p for p in text.split() if not p.endswith("s"))
    return f"{text} ago" if delta > 0 else f"in {text}"


def render_text(response: Mapping[str, Any], now: datetime, *, width: int = 100) -> str:
    """The plain-text form of every section, for ``smtui describe``.

    Values wrap with a hanging indent at spaces only, so ARNs, S3 URIs and
    IDs are never broken in the middle.
    """
    out: list[str] = []
    for section in describe_sections(response):
        if out:
            out.append("")
        out.append(section.title)
        out.append("─" * min(len(section.title), width))
        out.extend(_text_rows(section.fields, now, width, 0))
    rid = request_id(response)
    if rid:
        out.extend(["", f"Request ID  {rid}"])
    return "\n".join(out) + "\n"


def _text_rows(nodes: tuple[FieldNode, ...], now: datetime, width: int, depth: int) -> list[str]:
    indent = "  " * depth
    label_width = min(32, max((len(n.label) for n in nodes), default=0))
    rows: list[str] = []
    for node in nodes:
        label = indent + node.label
        if node.kind in ("structure", "list", "map"):
            if node.children:
                rows.append(label)
                rows.extend(_text_rows(node.children, now, width, depth + 1))
            else:
                rows.append(f"{label.ljust(len(indent) + label_width)}  (empty)")
            continue
        prefix = label.ljust(len(indent) + label_width) + "  "
        text = format_value(node, now)
        room = max(width - len(prefix), 20)
        lines = textwrap.wrap(text, room, break_long_words=False, break_on_hyphens=False) or [""]
        rows.append(prefix + lines[0])
        rows.extend(" " * len(prefix) + line for line in lines[1:])
    return rows
