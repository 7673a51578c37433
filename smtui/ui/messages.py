"""Messages the poller's results travel in, from the worker to the screen."""

from __future__ import annotations

from textual.message import Message

from smtui.aws.errors import PollError
from smtui.aws.snapshot import JobEvent, JobSnapshot, MetricPointsAdded


class JobUpdated(Message):
    """A fresh snapshot of one job arrived."""

    def __init__(self, snapshot: JobSnapshot, events: tuple[JobEvent, ...]) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.events = events


class PollFailed(Message):
    """A poll of one job failed (the poller keeps trying)."""

    def __init__(self, name: str, error: PollError) -> None:
        super().__init__()
        self.name = name
        self.error = error


class MetricsUpdated(Message):
    """New metric points for one or more jobs."""

    def __init__(self, events: tuple[MetricPointsAdded, ...]) -> None:
        super().__init__()
        self.events = events


class MetricsFailed(Message):
    """A GetMetricData round failed."""

    def __init__(self, error: PollError) -> None:
        super().__init__()
        self.error = error
