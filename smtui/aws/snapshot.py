"""Immutable views of a training job and the events between two of them.

A :class:`JobSnapshot` is one DescribeTrainingJob response frozen in time.
Comparing two consecutive snapshots of the same job (:func:`diff_snapshots`)
yields the events the UI animates: a status change, new secondary-status
transitions, final metrics appearing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from types import MappingProxyType
from typing import Any

from smtui.present.formatting import as_datetime

#: Primary statuses after which a job never changes again.
TERMINAL_STATUSES = frozenset({"Completed", "Failed", "Stopped"})
#: Characters of a FailureReason read for its summary: a 1 MB reason is not worked through for one line.
SUMMARY_SOURCE = 4096
#: The most status transitions a snapshot holds as :class:`Transition` objects: the newest. (The answer itself is
#: kept as it came; the timeline draws the newest 50, ``smtui describe`` prints them all.)
MAX_TRANSITIONS = 1000
#: The most points kept per metric series: the newest, a week of SageMaker's one-minute points.
MAX_POINTS = 10_080


@dataclass(frozen=True)
class Transition:
    """One entry of ``SecondaryStatusTransitions``."""

    status: str
    start: datetime
    end: datetime | None
    message: str = ""

    def duration(self, now: datetime) -> timedelta:
        """How long the stage lasted, or has lasted so far when still open."""
        return (self.end or now) - self.start


@dataclass(frozen=True)
class MetricPoint:
    """One datapoint of a metric series."""

    timestamp: datetime
    value: float


@dataclass(frozen=True)
class JobSnapshot:
    """One DescribeTrainingJob response, frozen, with the fields smtui reads often."""

    name: str
    response: Mapping[str, Any]
    fetched_at: datetime
    status: str | None
    secondary_status: str | None
    #: The newest :data:`MAX_TRANSITIONS` of the answer's transitions (all of them, for any real job).
    transitions: tuple[Transition, ...]
    metric_names: tuple[str, ...]
    final_metrics: Mapping[str, float]
    request_id: str | None = None
    #: How many transitions the answer had; the first of :attr:`transitions` is number ``transition_count -
    #: len(transitions)``. None means all of them are held.
    total_transitions: int | None = None

    @property
    def transition_count(self) -> int:
        """How many status transitions the job has had (some may be older than those held)."""
        return len(self.transitions) if self.total_transitions is None else self.total_transitions

    #: Made from a listing's summary (status, stage, times), not from a description: the rest is not known yet,
    #: or is older than the summary.
    partial: bool = False

    @classmethod
    def from_response(cls, name: str, response: Mapping[str, Any], fetched_at: datetime) -> JobSnapshot:
        """Build a snapshot from a parsed DescribeTrainingJob response.

        Tolerates missing or odd fields: a response is data from the network,
        not a contract.
        """
        items = [
            item
            for item in response.get("SecondaryStatusTransitions") or ()
            if isinstance(item, Mapping) and isinstance(item.get("StartTime"), datetime)
        ]
        transitions = []
        for item in items[-MAX_TRANSITIONS:]:
            end = item.get("EndTime")
            transitions.append(
                Transition(
                    status=str(item.get("Status", "?")),
                    start=item["StartTime"],
                    end=end if isinstance(end, datetime) else None,
                    message=str(item.get("StatusMessage") or ""),
                )
            )
        algorithm = response.get("AlgorithmSpecification") or {}
        names = tuple(
            str(d["Name"])
            for d in (algorithm.get("MetricDefinitions") or ())
            if isinstance(d, Mapping) and d.get("Name")
        )
        finals = {}
        for item in response.get("FinalMetricDataList") or ():
            if isinstance(item, Mapping) and "MetricName" in item and _is_number(item.get("Value")):
                finals[str(item["MetricName"])] = float(item["Value"])
        metadata = response.get("ResponseMetadata") or {}
        return cls(
            name=name,
            response=MappingProxyType(dict(response)),
            fetched_at=fetched_at,
            status=_str_or_none(response.get("TrainingJobStatus")),
            secondary_status=_str_or_none(response.get("SecondaryStatus")),
            transitions=tuple(transitions),
            metric_names=names or tuple(finals),
            final_metrics=MappingProxyType(finals),
            request_id=_str_or_none(metadata.get("RequestId")),
            total_transitions=len(items) if len(items) > len(transitions) else None,
        )

    @classmethod
    def from_summary(
        cls, name: str, summary: Mapping[str, Any], fetched_at: datetime, described: JobSnapshot | None = None
    ) -> JobSnapshot:
        """A snapshot from a ListTrainingJobs summary (status, stage, creation, end and modification times);
        over what an older description said, when there is one, so that its other fields still show."""
        base = dict(described.response) if described is not None else {}
        base.pop("ResponseMetadata", None)
        base.update((key, value) for key, value in summary.items() if key != "ResponseMetadata")
        return replace(cls.from_response(name, base, fetched_at), partial=True)

    @property
    def last_modified(self) -> datetime | None:
        """When SageMaker last changed the job (LastModifiedTime)."""
        return self.time("LastModifiedTime")

    @property
    def is_terminal(self) -> bool:
        """True once the job can no longer change."""
        return self.status in TERMINAL_STATUSES

    def time(self, member: str) -> datetime | None:
        """A timestamp member of the response, or None."""
        value = self.response.get(member)
        return value if isinstance(value, datetime) else None

    @property
    def started_at(self) -> datetime | None:
        """When the job started (training start, else creation)."""
        return self.time("TrainingStartTime") or self.time("CreationTime")

    @property
    def ended_at(self) -> datetime | None:
        """When the job ended (TrainingEndTime, else its last change); None while it runs."""
        if not self.is_terminal:
            return None
        return as_datetime(self.response.get("TrainingEndTime")) or self.time("LastModifiedTime")

    def elapsed(self, now: datetime) -> timedelta | None:
        """Time since creation: total time when finished, running time otherwise."""
        start = self.time("CreationTime")
        if start is None:
            return None
        end = self.time("TrainingEndTime") if self.is_terminal else None
        if end is None and self.is_terminal:
            end = self.time("LastModifiedTime")
        return max((end or now) - start, timedelta(0))

    @cached_property
    def failure_reason(self) -> str | None:
        """The job's ``FailureReason`` on one line (runs of white space made one space), whole; None without one."""
        reason = self.response.get("FailureReason")
        if not isinstance(reason, str) or not reason.strip():
            return None
        return " ".join(reason.split())

    @cached_property
    def failure_summary(self) -> str | None:
        """The part of ``FailureReason`` that says what went wrong, on one line; None without one.

        SageMaker's reasons for an algorithm error bury the useful part after
        ``ErrorMessage``: that part is taken when there is one. Only the
        start of a very long reason is read.
        """
        reason = self.response.get("FailureReason")
        if not isinstance(reason, str) or not reason.strip():
            return None
        flat = " ".join(reason[:SUMMARY_SOURCE].split())
        _, found, message = flat.partition("ErrorMessage ")
        return (message.strip('"') or flat) if found else flat


@dataclass(frozen=True)
class StatusChanged:
    """The primary or secondary status of a job changed."""

    job: str
    old_status: str | None
    new_status: str | None
    old_secondary: str | None
    new_secondary: str | None


@dataclass(frozen=True)
class TransitionAdded:
    """A new secondary-status transition appeared."""

    job: str
    transition: Transition
    index: int


@dataclass(frozen=True)
class FinalMetricsArrived:
    """``FinalMetricDataList`` appeared or changed."""

    job: str
    metrics: Mapping[str, float]


@dataclass(frozen=True)
class MetricPointsAdded:
    """New CloudWatch datapoints for one metric of one job."""

    job: str
    metric: str
    points: tuple[MetricPoint, ...]


JobEvent = StatusChanged | TransitionAdded | FinalMetricsArrived | MetricPointsAdded


def diff_snapshots(old: JobSnapshot | None, new: JobSnapshot) -> list[JobEvent]:
    """The events that lead from ``old`` to ``new`` (everything is new when ``old`` is None)."""
    events: list[JobEvent] = []
    old_status = old.status if old else None
    old_secondary = old.secondary_status if old else None
    if (old_status, old_secondary) != (new.status, new.secondary_status):
        events.append(StatusChanged(new.name, old_status, new.status, old_secondary, new.secondary_status))
    known = old.transition_count if old else 0
    held_from = new.transition_count - len(new.transitions)
    for index in range(max(known, held_from), new.transition_count):
        events.append(TransitionAdded(new.name, new.transitions[index - held_from], index))
    if new.final_metrics and (old is None or dict(old.final_metrics) != dict(new.final_metrics)):
        events.append(FinalMetricsArrived(new.name, new.final_metrics))
    return events


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(float(value))
