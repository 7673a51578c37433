"""Messages the poller's results travel in, from the worker to the screen.

Each carries the store's view as it was right after the changes it reports
(:class:`~smtui.aws.store.JobsView`): the screen keeps the newest view it has
seen and draws from it, so it never holds job state of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from smtui.aws import poller
from smtui.aws.discovery import TuningState
from smtui.aws.errors import PollError
from smtui.aws.poller import PollerEvent
from smtui.aws.snapshot import JobEvent, JobSnapshot, MetricPointsAdded
from smtui.aws.store import JobsView


class StoreChanged(Message):
    """Something the store holds changed; ``view`` is the store just after."""

    def __init__(self, view: JobsView) -> None:
        super().__init__()
        self.view = view


@dataclass
class JobNews:
    """What the poller's answers for one job brought since the last :class:`PollResults`."""

    #: The newest snapshot.
    snapshot: JobSnapshot
    #: What changed, answer after answer, in order.
    events: list[JobEvent] = field(default_factory=list)
    #: The first of these answers was the job's first: what it says is history, not news.
    first: bool = False


class PollResults(StoreChanged):
    """What the poller learnt since the last one of these: answers, failures, metric points, the first round done.

    The poller's results arrive many times a second with many jobs; the app
    gathers them (:meth:`record`) and posts one of these a few times a second,
    so the screen does its work once for all of them. A later one that finds
    an earlier one still queued takes in what it said and replaces it.
    """

    def __init__(self, view: JobsView) -> None:
        super().__init__(view)
        #: Jobs whose state changed, in the order they did.
        self.changed: dict[str, None] = {}
        self.news: dict[str, JobNews] = {}
        #: The latest failure of each job whose poll failed.
        self.failures: dict[str, PollError] = {}
        #: Whether the last of these results was a failed poll (then it may be one every job meets).
        self.failed_last = False
        self.points: list[MetricPointsAdded] = []
        #: The last metrics round's outcome: None (no round), True (it worked), or why it failed.
        self.metrics: bool | PollError | None = None
        #: Every job has had its first answer and the first metrics round is done.
        self.loaded = False

    def record(self, event: PollerEvent) -> None:
        """Take in one of the poller's results."""
        if isinstance(event, poller.JobUpdate):
            self.changed[event.name] = None
            news = self.news.get(event.name)
            if news is None:
                self.news[event.name] = JobNews(event.snapshot, list(event.events), event.first)
            else:
                news.snapshot = event.snapshot
                news.events.extend(event.events)
            self.failed_last = False
        elif isinstance(event, poller.JobFailed):
            self.changed[event.name] = None
            self.failures[event.name] = event.error
            self.failed_last = True
        elif isinstance(event, poller.MetricsUpdate):
            self.changed.update(dict.fromkeys(point.job for point in event.events))
            self.points.extend(event.events)
            self.metrics = True
        elif isinstance(event, poller.MetricsFailed):
            self.metrics = event.error
        elif isinstance(event, poller.Loaded):
            self.loaded = True

    def can_replace(self, message: Message) -> bool:
        """A later PollResults still queued behind this one takes in what this one says, and replaces it."""
        if not isinstance(message, PollResults):
            return False
        message.take_earlier(self)
        return True

    def take_earlier(self, earlier: PollResults) -> None:
        """Put what ``earlier`` said before what this one says."""
        if not self.news and not self.failures:
            self.failed_last = earlier.failed_last  # no job's poll here: whether one failed last is earlier's to say
        self.changed = {**earlier.changed, **self.changed}
        news = dict(earlier.news)
        for name, later in self.news.items():
            before = news.get(name)
            news[name] = (
                later if before is None else JobNews(later.snapshot, before.events + later.events, before.first)
            )
        self.news = news
        self.failures = {**earlier.failures, **self.failures}
        self.points = earlier.points + self.points
        if self.metrics is None:
            self.metrics = earlier.metrics
        self.loaded = self.loaded or earlier.loaded


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


class JobsFound(StoreChanged):
    """A page of a listing came (its jobs' rows show what it said of them), or the listing is done."""

    def __init__(
        self,
        view: JobsView,
        names: tuple[str, ...],
        *,
        first: bool,
        tuning: TuningState | None = None,
        truncated: bool = False,
        changed: tuple[str, ...] = (),
        done: bool = False,
        listed: int = 0,
    ) -> None:
        super().__init__(view)
        #: The jobs not watched before.
        self.names = names
        #: Every job the page listed (the new ones and those whose summary is newer than what was known).
        self.changed = changed or names
        #: The first listing: its jobs are the ones there were at start, not news.
        self.first = first
        self.tuning = tuning
        #: The listing is done (no page comes with this): ``truncated`` and ``listed`` are its totals.
        self.done = done
        #: The listing had more jobs than its limit and brought in only the newest.
        self.truncated = truncated
        #: How many jobs the listing brought in that were not watched before.
        self.listed = listed


class ListingFailed(Message):
    """A listing of jobs failed; it is tried again at the next round."""

    def __init__(self, error: PollError) -> None:
        super().__init__()
        self.error = error
