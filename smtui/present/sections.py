"""Every field of a DescribeTrainingJob response, grouped into sections.

The grouping is driven by botocore's service model: each top-level member of
the ``DescribeTrainingJob`` output shape is placed in a section, members are
walked recursively with their shapes, and anything the model does not place
(a member the API adds later, or a key the model does not know at all) still
appears, under "Other". Nothing in a response is silently dropped.

No Textual import here: ``smtui describe`` prints these sections as text
(:mod:`smtui.present.section_text`), and the detail pane draws the same
:class:`Section` objects.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smtui.present.formatting import as_datetime, humanize, long_duration, relative_age, visible
from smtui.present.secrets import KEYED_MEMBERS, is_secret_key, looks_secret, secret_arguments

__all__ = [
    "OTHER",
    "SECTION_TITLES",
    "FieldNode",
    "Section",
    "section_of",
    "describe_sections",
    "iter_leaves",
    "request_id",
    "humanize",
    "long_duration",
    "relative_age",
    "visible",
]

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

# Members in the order they are shown within their section. A member missing
# here lands in "Other"; the tests check every current member is placed, so
# only members the API adds later end up there.
_PLACEMENT: dict[str, tuple[str, ...]] = {
    "Overview": (
        "TrainingJobName",
        "TrainingJobArn",
        "TrainingJobStatus",
        "SecondaryStatus",
        "FailureReason",
        "TuningJobArn",
        "LabelingJobArn",
        "AutoMLJobArn",
        "ExperimentConfig",
        "ProgressInfo",
    ),
    "Status & timing": (
        "CreationTime",
        "TrainingStartTime",
        "TrainingEndTime",
        "LastModifiedTime",
        "TrainingTimeInSeconds",
        "BillableTimeInSeconds",
        "BillableTokenCount",
        "SecondaryStatusTransitions",
        "WarmPoolStatus",
    ),
    "Algorithm": ("AlgorithmSpecification", "Environment", "ServerlessJobConfig"),
    "Hyperparameters": ("HyperParameters",),
    "Input data": ("InputDataConfig", "CheckpointConfig"),
    "Output & artifacts": (
        "OutputDataConfig",
        "ModelArtifacts",
        "ModelPackageConfig",
        "OutputModelPackageArn",
        "MlflowConfig",
        "MlflowDetails",
    ),
    "Resources & stopping": (
        "ResourceConfig",
        "StoppingCondition",
        "EnableManagedSpotTraining",
        "RetryStrategy",
        "InfraCheckConfig",
    ),
    "Network & security": ("RoleArn", "VpcConfig", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption"),
    "Metrics": ("FinalMetricDataList",),
    "Debugging & profiling": (
        "DebugHookConfig",
        "DebugRuleConfigurations",
        "DebugRuleEvaluationStatuses",
        "TensorBoardOutputConfig",
        "ProfilerConfig",
        "ProfilerRuleConfigurations",
        "ProfilerRuleEvaluationStatuses",
        "ProfilingStatus",
        "RemoteDebugConfig",
    ),
}
_SECTION_OF = {member: title for title, members in _PLACEMENT.items() for member in members}
_ORDER = {member: i for members in _PLACEMENT.values() for i, member in enumerate(members)}

#: Item fields that name a list element better than its index, most telling first.
_ITEM_NAMES = (
    "ChannelName",
    "RuleConfigurationName",
    "MetricName",
    "Status",
    "Name",
    "CollectionName",
    "InstanceGroupName",
    "InstanceType",
)
CONTAINERS = ("structure", "list", "map")
_SKIP = "ResponseMetadata"


@dataclass(frozen=True)
class FieldNode:
    """One field of the response: a leaf with a value, or a container with children.

    ``kind`` is one of ``structure``, ``list``, ``map`` (containers, ``value``
    None) or ``timestamp``, ``duration``, ``boolean``, ``integer``, ``float``,
    ``string``, ``enum``, ``arn``, ``s3``, ``unknown`` (leaves). ``in_model`` is
    False for keys the service model does not know, and everything below them.
    """

    key: str
    label: str
    path: str
    kind: str
    value: object = None
    children: tuple[FieldNode, ...] = ()
    in_model: bool = True
    #: A value to hide unless asked (see :mod:`smtui.present.secrets`).
    secret: bool = False


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
    # botocore is imported here, not at module level, to keep start-up fast;
    # loading the model takes ~0.1 s, so it is loaded once per process.
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.operation_model("DescribeTrainingJob").output_shape


@functools.cache
def _members(shape) -> dict[str, Any]:
    # Shapes come from the one cached model, so caching by identity is safe and
    # spares botocore's per-access work on every redraw.
    return dict(shape.members) if getattr(shape, "type_name", None) == "structure" else {}


def describe_sections(response: Mapping[str, Any] | None, *, max_items: int | None = None) -> list[Section]:
    """The response as sections in display order; empty sections are left out.

    ``ResponseMetadata`` is not shown (see :func:`request_id`). With
    ``max_items``, a list or map longer than that keeps its first third and
    last two thirds of ``max_items`` entries, with an ``omitted`` node between
    them whose value is how many were left out (10,000 status transitions
    should not cost a screen its responsiveness).
    """
    if not response:
        return []
    members = _members(_output_shape())
    grouped: dict[str, list[FieldNode]] = {title: [] for title in SECTION_TITLES}
    # Model order first, then keys the model does not know, in response order.
    keys = [k for k in members if k in response]
    keys += [k for k in response if k not in members and k != _SKIP]
    for key in keys:
        node = _node(
            str(key), humanize(str(key)), str(key), key, response[key], members.get(key), key in members, max_items
        )
        grouped[section_of(key) if key in members else OTHER].append(node)
    return [
        Section(title, tuple(sorted(fields, key=lambda n: _ORDER.get(n.key, len(_ORDER)))))
        for title, fields in grouped.items()
        if fields
    ]


def _node(
    key: str,
    label: str,
    path: str,
    name: str,
    value: Any,
    shape: Any,
    in_model: bool,
    limit: int | None = None,
    secret: bool = False,
) -> FieldNode:
    """The node for ``value``; ``name`` is the member whose meaning it carries (for list items, the list's)."""
    type_name = getattr(shape, "type_name", None)
    if isinstance(value, Mapping):
        if type_name == "map":
            value_shape = shape.value
            keyed = name in KEYED_MEMBERS
            children = _capped(
                list(value.items()),
                limit,
                path,
                in_model,
                lambda _, kv: _node(
                    str(kv[0]),
                    visible(str(kv[0])),
                    f"{path}.{kv[0]}",
                    name,
                    kv[1],
                    value_shape,
                    in_model,
                    limit,
                    secret or (keyed and is_secret_key(str(kv[0]))),
                ),
            )
            return FieldNode(key, label, path, "map", None, children, in_model, secret)
        members = _members(shape)
        ordered = [k for k in members if k in value] + [k for k in value if k not in members]
        children = tuple(
            _node(
                str(k),
                humanize(str(k)),
                f"{path}.{k}",
                str(k),
                value[k],
                members.get(k),
                in_model and k in members,
                limit,
                secret,
            )
            for k in ordered
        )
        return FieldNode(key, label, path, "structure", None, children, in_model, secret)
    if isinstance(value, (list, tuple)):
        item_shape = shape.member if type_name == "list" else None
        hidden = secret_arguments(value)
        children = _capped(
            list(value),
            limit,
            path,
            in_model,
            lambda i, item: _node(
                f"[{i}]",
                _item_label(i, item),
                f"{path}[{i}]",
                name,
                item,
                item_shape,
                in_model,
                limit,
                secret or i in hidden,
            ),
        )
        return FieldNode(key, label, path, "list", None, children, in_model, secret)
    return FieldNode(
        key, label, path, _leaf_kind(name, value, shape), value, (), in_model, secret or looks_secret(value)
    )


def _capped(items: list, limit: int | None, path: str, in_model: bool, make) -> tuple[FieldNode, ...]:
    """Nodes for ``items``; past ``limit``, the first third and last two thirds with an ``omitted`` node between."""
    if limit is None or len(items) <= limit:
        return tuple(make(i, item) for i, item in enumerate(items))
    head = max(limit // 3, 1)
    tail = max(limit - head, 1)
    left_out = len(items) - head - tail
    return (
        *(make(i, item) for i, item in enumerate(items[:head])),
        FieldNode("…", "…", f"{path}[…]", "omitted", left_out, (), in_model),
        *(make(i, item) for i, item in enumerate(items[-tail:], start=len(items) - tail)),
    )


def _item_label(index: int, item: Any) -> str:
    # A channel by its name, a transition by its status, a rule by its
    # configuration name, a metric by its name; otherwise its index.
    if isinstance(item, Mapping):
        for field in _ITEM_NAMES:
            if isinstance(item.get(field), str) and item[field]:
                return visible(item[field])
    return f"[{index}]"


def _leaf_kind(name: str, value: Any, shape: Any) -> str:
    type_name = getattr(shape, "type_name", None)
    if isinstance(value, datetime) or (type_name == "timestamp" and as_datetime(value) is not None):
        return "timestamp"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        # MaxRuntimeInSeconds, TrainingTimeInSeconds, KeepAlivePeriodInSeconds, …
        return "duration" if name.endswith("Seconds") else "integer"
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
    if value is None and type_name is not None:
        return {
            "timestamp": "timestamp",
            "boolean": "boolean",
            "integer": "integer",
            "long": "integer",
            "float": "float",
            "double": "float",
        }.get(type_name, "string")
    return "unknown" if shape is None or value is not None else "string"


def iter_leaves(nodes: Iterable[FieldNode]) -> Iterator[FieldNode]:
    """Every leaf below ``nodes`` (empty containers excluded), depth first."""
    for node in nodes:
        if node.kind in CONTAINERS:
            yield from iter_leaves(node.children)
        else:
            yield node


def request_id(response: Mapping[str, Any] | None) -> str | None:
    """The request id botocore recorded for the response, if any."""
    metadata = response.get("ResponseMetadata") if isinstance(response, Mapping) else None
    if isinstance(metadata, Mapping) and metadata.get("RequestId"):
        return str(metadata["RequestId"])
    return None
