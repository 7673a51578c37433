"""A training job at a glance: what runs it, what it costs, how long it has left, how it is doing.

Pure functions of a DescribeTrainingJob response, a price and the time (plus,
when known, the CloudWatch series of its metrics): :func:`summarize` builds a
:class:`JobSummary`, which :mod:`smtui.present.summary_text` turns into the
lines ``smtui describe`` prints and the details pane opens with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smtui.present.cost import Billing, PriceAnswer, billing, instance_count, instance_type, is_spot
from smtui.present.formatting import as_datetime
from smtui.present.instance_types import InstanceSpec, instance_spec

#: Secondary statuses during which the instances run the job: what MaxRuntimeInSeconds counts.
RUNNING_STAGES = frozenset({"Downloading", "Training", "Uploading"})
_ENDED = frozenset({"Completed", "Failed", "Stopped"})
#: Characters of a failure reason's line the summary keeps, in whole sentences (the first always).
HEADLINE = 100

# Words in metric names that say which way is better. A name is split into words at
# anything that is not a letter or digit (``validation:accuracy``, ``eval_loss``,
# ``Acc@1``); a word counts when it starts with one of the prefixes or equals one
# of the short words. Lower-is-better words are looked for first, so ``acc_loss``
# reads as a loss.
_LOWER_PREFIXES = ("loss", "error", "rmse", "perplexity", "logloss", "mlogloss", "latency", "nll")
_LOWER_WORDS = frozenset({"err", "mse", "mae", "mape", "wer", "cer", "ppl"})
_HIGHER_PREFIXES = ("acc", "auc", "precision", "recall", "bleu", "rouge", "ndcg", "throughput", "mfu", "tflops")
_HIGHER_WORDS = frozenset({"f1", "map", "iou", "dice", "r2", "top1", "top5"})
#: Rates: ``tokens_per_second``, ``samples/s``.
_RATE = re.compile(r"per_?sec|/s(ec)?\b|_per_s\b|_s$")


@dataclass(frozen=True)
class TimeLimit:
    """Time used against a limit (MaxRuntimeInSeconds, MaxWaitTimeInSeconds)."""

    used: float
    limit: float

    @property
    def fraction(self) -> float:
        """Share of the limit used, 0 to 1 (capped: a job can run a little past its limit while it stops)."""
        return min(max(self.used / self.limit, 0.0), 1.0) if self.limit > 0 else 1.0

    @property
    def left(self) -> float:
        """Seconds left before the limit, never negative."""
        return max(self.limit - self.used, 0.0)


@dataclass(frozen=True)
class MetricGlance:
    """A metric's latest value and its best so far."""

    name: str
    latest: float
    #: The best value, by ``direction``; None when the direction is not known.
    best: float | None
    #: ``min`` (a loss, an error) or ``max`` (an accuracy, an AUC), or None.
    direction: str | None


@dataclass(frozen=True)
class JobSummary:
    """The few facts an ML engineer looks for first."""

    instance_type: str | None
    instance_count: int
    #: The type's figures, or None when the table does not have it.
    spec: InstanceSpec | None
    spot: bool
    billing: Billing
    runtime: TimeLimit | None
    wait: TimeLimit | None
    metrics: tuple[MetricGlance, ...]
    failure: str | None
    warm_pool: str | None
    output: str | None
    ended: bool
    price: PriceAnswer | None

    @property
    def accelerators(self) -> int:
        """Accelerators over all instances (0 for CPU types, and for types the table does not have)."""
        return self.spec.accelerators * self.instance_count if self.spec else 0


def summarize(
    response: Mapping[str, Any],
    now: datetime,
    price: PriceAnswer | None = None,
    series: Mapping[str, Sequence[tuple[datetime, float]]] | None = None,
    metrics: tuple[MetricGlance, ...] | None = None,
) -> JobSummary:
    """The summary of the job ``response`` describes, at ``now``.

    ``series`` holds the CloudWatch points of its metrics (name → (time, value),
    oldest first), when they have been fetched; without them the latest values
    come from ``FinalMetricDataList``. ``metrics``, when given, is what
    :func:`metric_glances` made of them already (it does not change with ``now``).
    """
    kind = instance_type(response)
    stopping = response.get("StoppingCondition")
    stopping = stopping if isinstance(stopping, Mapping) else {}
    ended = response.get("TrainingJobStatus") in _ENDED
    max_runtime, max_wait = stopping.get("MaxRuntimeInSeconds"), stopping.get("MaxWaitTimeInSeconds")
    runtime = TimeLimit(running_seconds(response, now), float(max_runtime)) if _positive(max_runtime) else None
    wait = None
    if is_spot(response) and _positive(max_wait):
        created = as_datetime(response.get("CreationTime"))
        end = _end_time(response) if ended else now
        if created is not None and end is not None:
            wait = TimeLimit(max((end - created).total_seconds(), 0.0), float(max_wait))
    return JobSummary(
        instance_type=kind,
        instance_count=instance_count(response),
        spec=instance_spec(kind),
        spot=is_spot(response),
        billing=billing(response, now, price),
        runtime=runtime,
        wait=wait,
        metrics=metrics if metrics is not None else metric_glances(response, series or {}),
        failure=failure_headline(response.get("FailureReason")),
        warm_pool=warm_pool_text(response),
        output=output_path(response),
        ended=ended,
        price=price,
    )


def running_seconds(response: Mapping[str, Any], now: datetime) -> float:
    """Seconds the instances have run the job: its Downloading, Training and Uploading stages added up.

    That is what MaxRuntimeInSeconds counts: a spot job's wait for capacity
    and its interruptions are not in it. Without transitions, the time since
    ``TrainingStartTime`` (or ``TrainingTimeInSeconds`` once it has ended).
    """
    total, found = 0.0, False
    end_of_job = _end_time(response) if response.get("TrainingJobStatus") in _ENDED else None
    for item in response.get("SecondaryStatusTransitions") or ():
        if not isinstance(item, Mapping) or item.get("Status") not in RUNNING_STAGES:
            continue
        start = as_datetime(item.get("StartTime"))
        if start is None:
            continue
        end = as_datetime(item.get("EndTime")) or end_of_job or now
        total += max((end - start).total_seconds(), 0.0)
        found = True
    if found:
        return total
    trained = response.get("TrainingTimeInSeconds")
    if isinstance(trained, (int, float)) and not isinstance(trained, bool):
        return float(trained)
    started = as_datetime(response.get("TrainingStartTime"))
    return max((now - started).total_seconds(), 0.0) if started is not None else 0.0


def metric_direction(name: str) -> str | None:
    """``min`` for losses and errors, ``max`` for accuracies, AUCs and throughputs; None if the name says neither."""
    lowered = name.lower()
    words = [w for w in re.split(r"[^a-z0-9]+", lowered) if w]
    if any(w in _LOWER_WORDS or w.startswith(_LOWER_PREFIXES) for w in words):
        return "min"
    if any(w in _HIGHER_WORDS or w.startswith(_HIGHER_PREFIXES) for w in words) or _RATE.search(lowered):
        return "max"
    return None


def metric_glances(
    response: Mapping[str, Any], series: Mapping[str, Sequence[tuple[datetime, float]]]
) -> tuple[MetricGlance, ...]:
    """Each metric's latest and best value: from its series, or else its final value."""
    finals: dict[str, float] = {}
    for item in response.get("FinalMetricDataList") or ():
        if isinstance(item, Mapping) and isinstance(item.get("MetricName"), str) and _finite(item.get("Value")):
            finals[item["MetricName"]] = float(item["Value"])
    names = list(_defined_metrics(response))
    names += [n for n in series if n not in names]
    names += [n for n in finals if n not in names]
    out = []
    for name in names:
        values = [float(v) for _, v in series.get(name, ()) if _finite(v)]
        if name in finals:
            values.append(finals[name])  # the value SageMaker kept last is the latest
        if not values:
            continue
        direction = metric_direction(name)
        best = (min(values) if direction == "min" else max(values)) if direction else None
        out.append(MetricGlance(name, values[-1], best, direction))
    return tuple(out)


def failure_headline(reason: Any) -> str | None:
    """The line of a FailureReason that says what went wrong.

    SageMaker's reasons often open with a generic first line
    (``AlgorithmError: ExecuteUserScriptError:``) and give the error itself in
    an ``ErrorMessage "..."`` part; that message's first line is taken when
    there is one, the reason's first non-empty line otherwise. The details
    keep the whole reason.
    """
    if not isinstance(reason, str) or not reason.strip():
        return None
    head = reason[:8192]
    match = re.search(r'ErrorMessage\s+"?([^\n"]+)', head)
    line = (
        match.group(1).strip()
        if match and match.group(1).strip()
        else next(line.strip() for line in head.splitlines() if line.strip())
    )
    # A line of many sentences (PyTorch's out-of-memory report) keeps the first ones, up to HEADLINE characters.
    sentences = re.split(r"(?<=\.)\s+", line)
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(kept) + 1 + len(sentence) > HEADLINE:
            break
        kept += " " + sentence
    return kept


def warm_pool_text(response: Mapping[str, Any]) -> str | None:
    """``Available``, ``Terminated · 30m retained``, ``Reused by JOB``; None without a warm pool."""
    status = response.get("WarmPoolStatus")
    if not isinstance(status, Mapping) or not status.get("Status"):
        keep = (response.get("ResourceConfig") or {}).get("KeepAlivePeriodInSeconds")
        return "requested (KeepAlivePeriodInSeconds set)" if _positive(keep) else None
    from smtui.present.durations import long_duration

    parts = [str(status["Status"])]
    retained = status.get("ResourceRetainedBillableTimeInSeconds")
    if _positive(retained):
        parts.append(f"{long_duration(retained)} retained")
    if status.get("ReusedByJob"):
        parts.append(f"reused by {status['ReusedByJob']}")
    return " · ".join(parts)


def output_path(response: Mapping[str, Any]) -> str | None:
    """The model artifact once there is one, else where the output goes."""
    artifacts = response.get("ModelArtifacts")
    if isinstance(artifacts, Mapping) and isinstance(artifacts.get("S3ModelArtifacts"), str):
        return artifacts["S3ModelArtifacts"]
    config = response.get("OutputDataConfig")
    if isinstance(config, Mapping) and isinstance(config.get("S3OutputPath"), str):
        return config["S3OutputPath"]
    return None


def metric_names(response: Mapping[str, Any]) -> tuple[str, ...]:
    """The job's metrics: those its MetricDefinitions name, then any other in FinalMetricDataList."""
    names = list(dict.fromkeys(_defined_metrics(response)))
    for item in response.get("FinalMetricDataList") or ():
        if isinstance(item, Mapping) and isinstance(item.get("MetricName"), str) and item["MetricName"] not in names:
            names.append(item["MetricName"])
    return tuple(names)


def _defined_metrics(response: Mapping[str, Any]) -> Iterable[str]:
    algorithm = response.get("AlgorithmSpecification")
    for item in (algorithm.get("MetricDefinitions") or ()) if isinstance(algorithm, Mapping) else ():
        if isinstance(item, Mapping) and isinstance(item.get("Name"), str) and item["Name"]:
            yield item["Name"]


def _end_time(response: Mapping[str, Any]) -> datetime | None:
    return as_datetime(response.get("TrainingEndTime")) or as_datetime(response.get("LastModifiedTime"))


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
