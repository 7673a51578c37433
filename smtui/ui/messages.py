"""Messages the poller's results travel in, from the worker to the screen.

Each carries the store's view as it was right after the change it reports
(:class:`~smtui.aws.store.JobsView`): the screen keeps the newest view it has
seen and draws from it, so it never holds job state of its own.
"""

from __future__ import annotations

from textual.message import Message

from smtui.aws.discovery import TuningState
from smtui.aws.errors import PollError
from smtui.aws.snapshot import JobEvent, JobSnapshot, MetricPointsAdded
from smtui.aws.store import JobsView


class StoreChanged(Message):
    """Something the store holds changed; ``view`` is the store just after."""

    def __init__(self, view: JobsView) -> None:
        super().__init__()
        self.view = view


class JobUpdated(StoreChanged):
    """A fresh snapshot of one job arrived."""

    def __init__(self, view: JobsView, snapshot: JobSnapshot, events: tuple[JobEvent, ...], *, first: bool) -> None:
        super().__init__(view)
        self.snapshot = snapshot
        self.events = events
        #: The job's first answer: what it says is history, not news.
        self.first = first


class PollFailed(StoreChanged):
    """A poll of one job failed (the poller keeps trying)."""

    def __init__(self, view: JobsView, name: str, error: PollError) -> None:
        super().__init__(view)
        self.name = name
        self.error = error


class MetricsUpdated(StoreChanged):
    """New metric points for one or more jobs (or metrics work again after failing)."""

    def __init__(self, view: JobsView, events: tuple[MetricPointsAdded, ...]) -> None:
        super().__init__(view)
        self.events = events


class HostsUpdated(StoreChanged):
    """New utilisation points for the instances of ``jobs``."""

    def __init__(self, view: JobsView, jobs: tuple[str, ...]) -> None:
        super().__init__(view)
        self.jobs = jobs


class PricesUpdated(StoreChanged):
    """The price (or why there is none) of ``jobs`` arrived."""

    def __init__(self, view: JobsView, jobs: tuple[str, ...]) -> None:
        super().__init__(view)
        self.jobs = jobs


class MetricsFailed(StoreChanged):
    """A GetMetricData round failed."""

    def __init__(self, view: JobsView, error: PollError) -> None:
        super().__init__(view)
        self.error = error


class JobsLoaded(StoreChanged):
    """Every job has had its first answer and the first metrics round is done: the screen can settle."""


class JobsFound(StoreChanged):
    """A listing found jobs that match what is watched (only those not reported before)."""

    def __init__(self, view: JobsView, names: tuple[str, ...], *, first: bool,
                 tuning: TuningState | None = None, truncated: bool = False) -> None:
        super().__init__(view)
        self.names = names
        #: The first listing: its jobs are the ones there were at start, not news.
        self.first = first
        self.tuning = tuning
        #: The listing had more jobs than its limit and brought in only the newest.
        self.truncated = truncated


class ListingFailed(Message):
    """A listing of jobs failed; it is tried again at the next round."""

    def __init__(self, error: PollError) -> None:
        super().__init__()
        self.error = error
