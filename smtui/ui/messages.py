"""Messages the poller's results travel in, from the worker to the screen."""

from __future__ import annotations

from textual.message import Message

from smtui.aws.discovery import TuningState
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


class JobsFound(Message):
    """A listing found jobs that match what is watched (only those not reported before)."""

    def __init__(self, names: tuple[str, ...], *, first: bool, newest_first: bool,
                 tuning: TuningState | None = None, truncated: bool = False) -> None:
        super().__init__()
        self.names = names
        #: The first listing: its jobs are the ones there were at start, not news.
        self.first = first
        #: Whether ``names`` go above the list's jobs (newest first) or below them.
        self.newest_first = newest_first
        self.tuning = tuning
        #: The listing had more jobs than its limit and brought in only the newest.
        self.truncated = truncated


class ListingFailed(Message):
    """A listing of jobs failed; it is tried again at the next round."""

    def __init__(self, error: PollError) -> None:
        super().__init__()
        self.error = error
