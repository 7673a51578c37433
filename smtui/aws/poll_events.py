"""What the poller tells its sink: one event per answer, failure or metrics round."""

from __future__ import annotations

from dataclasses import dataclass

from smtui.aws.errors import PollError
from smtui.aws.instance_rounds import HostsUpdate, PricesUpdate
from smtui.aws.snapshot import JobEvent, JobSnapshot, MetricPointsAdded


@dataclass(frozen=True)
class JobUpdate:
    """A fresh snapshot of a job and what changed since the last one."""

    name: str
    snapshot: JobSnapshot
    events: tuple[JobEvent, ...]
    #: The job's first answer: what it says is history, not news.
    first: bool = False


@dataclass(frozen=True)
class JobFailed:
    """A poll of a job failed; the poller keeps trying."""

    name: str
    error: PollError


@dataclass(frozen=True)
class MetricsUpdate:
    """New CloudWatch points for one or more jobs."""

    events: tuple[MetricPointsAdded, ...]


@dataclass(frozen=True)
class MetricsFailed:
    """A GetMetricData call failed; the series keep what they had."""

    error: PollError


@dataclass(frozen=True)
class Loaded:
    """Every job has had its first answer (or failure) and the first metrics round is done."""


PollerEvent = JobUpdate | JobFailed | MetricsUpdate | MetricsFailed | Loaded | HostsUpdate | PricesUpdate
