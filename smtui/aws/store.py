"""The one home of what is known about the watched jobs, and the facts derived from it.

The :class:`~smtui.aws.poller.Poller` feeds a :class:`JobStore`: each answer,
each failed poll, each batch of metric points replaces one job's
:class:`JobState`. Everyone else reads :class:`JobsView` objects, frozen
copies of the store at one moment, so a screen handling an older message never
sees half of a change. Facts worked out from a job's data (how its status
counts, how it sorts, the value its metric column shows) are computed here, once,
for every reader.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from smtui.aws.discovery import Objective
from smtui.aws.errors import NOT_FOUND, PollError
from smtui.aws.snapshot import MAX_POINTS, JobEvent, JobSnapshot, MetricPoint, MetricPointsAdded, diff_snapshots
from smtui.present.metric_kinds import UP, direction

_NO_SERIES: Mapping[str, tuple[MetricPoint, ...]] = MappingProxyType({})

#: How a job counts in the title, in the order the counts are said. A job whose poll failed
#: before any answer is "waiting"; one SageMaker does not know is "not found".
PHASES = ("running", "stopping", "failed", "stopped", "completed", "other", "waiting", "not found")
_PHASE_OF_STATUS = {"InProgress": "running", "Stopping": "stopping", "Failed": "failed", "Stopped": "stopped",
                    "Completed": "completed"}

#: How the job list can be sorted: as given, by name, by status (running first, then failed,
#: stopped, completed), by elapsed time (longest first), by metric (lowest first; for a tuning
#: job's objective, best first).
SORTS = ("given", "name", "status", "elapsed", "metric")
#: The status sort's order; other statuses, and jobs with no answer, go after these.
STATUS_ORDER = {"InProgress": 0, "Stopping": 1, "Failed": 2, "Stopped": 3, "Completed": 4}


@dataclass(frozen=True)
class JobState:
    """Everything known about one watched job: its last answer, why the last poll failed, its metric series."""

    name: str
    #: The last good DescribeTrainingJob answer (kept when a later poll fails).
    snapshot: JobSnapshot | None = None
    #: Why the last poll failed; None once a poll succeeds.
    error: PollError | None = None
    #: Each CloudWatch series of the job, oldest point first.
    series: Mapping[str, tuple[MetricPoint, ...]] = field(default_factory=lambda: _NO_SERIES)

    @property
    def not_found(self) -> bool:
        """SageMaker does not know the job (and never answered for it)."""
        return self.snapshot is None and self.error is not None and self.error.kind == NOT_FOUND

    @property
    def failing(self) -> bool:
        """The last poll failed for a reason other than the job not existing: what is shown is not current."""
        return self.error is not None and not self.not_found

    @property
    def stale(self) -> bool:
        """The job has an answer, but the last poll failed: what is shown is the last answer."""
        return self.snapshot is not None and self.error is not None

    @property
    def phase(self) -> str:
        """How the job counts: one of :data:`PHASES`."""
        if self.not_found:
            return "not found"
        status = self.snapshot.status if self.snapshot is not None else None
        if status is None:
            return "waiting"
        return _PHASE_OF_STATUS.get(status, "other")

    @property
    def is_terminal(self) -> bool:
        """The job has ended: it will not change again."""
        return self.snapshot is not None and self.snapshot.is_terminal

    def points(self, metric: str) -> tuple[MetricPoint, ...]:
        """The known points of one series, oldest first."""
        return self.series.get(metric, ())

    def latest(self, metric: str) -> float | None:
        """The metric's value now: the final value SageMaker reports once there is one, else the newest point."""
        if self.snapshot is not None and metric in self.snapshot.final_metrics:
            return self.snapshot.final_metrics[metric]
        points = self.series.get(metric)
        return points[-1].value if points else None

    def shown_metric(self, objective: Objective | None = None, metric: str | None = None
                     ) -> tuple[str, float] | None:
        """The metric the job list shows, with its value: the one chosen (``metric``), the tuning objective, or
        else the job's first metric (or, when that has no value yet, its first final metric)."""
        if metric is not None:
            value = self.latest(metric)
            return None if value is None else (metric, value)
        if objective is not None:
            value = self.latest(objective.metric)
            return None if value is None else (objective.metric, value)
        snapshot = self.snapshot
        if snapshot is None:
            return None
        if snapshot.metric_names:
            first = snapshot.metric_names[0]
            value = self.latest(first)
            if value is not None:
                return first, value
        return next(iter(snapshot.final_metrics.items()), None)

    def sort_key(self, by: str, now: datetime | None, objective: Objective | None = None,
                 metric: str | None = None) -> tuple:
        """What the job list sorts on for each of :data:`SORTS` but "given"; ties go by name. By metric: the
        one chosen (``metric``, best first when its name says which way is better, else lowest first), or the
        tuning objective (best first), or each job's first metric (lowest first)."""
        if by == "status":
            status = self.snapshot.status if self.snapshot is not None else None
            return STATUS_ORDER.get(status or "", len(STATUS_ORDER)), self.name
        if by == "elapsed":
            elapsed = self.snapshot.elapsed(now) if self.snapshot is not None and now is not None else None
            return -elapsed.total_seconds() if elapsed is not None else 0.0, self.name
        if by == "metric":
            shown = self.shown_metric(objective, metric)
            if shown is None or math.isnan(shown[1]):
                return True, 0.0, self.name
            sign = -1.0 if maximize_first(objective, metric) else 1.0
            return False, sign * shown[1], self.name
        return (self.name,)


def maximize_first(objective: Objective | None, metric: str | None = None) -> bool:
    """Whether sorting by metric puts the highest first: for a chosen metric whose name says higher is better
    (or that is the objective of a tuning job maximizing it), or for a tuning job's objective it maximizes."""
    if metric is not None:
        if objective is not None and objective.metric == metric:
            return objective.maximize
        return direction(metric) == UP
    return objective is not None and objective.maximize


@dataclass(frozen=True)
class JobsView:
    """The store at one moment, frozen: the watched jobs in the order given, and each one's state."""

    names: tuple[str, ...] = ()
    states: Mapping[str, JobState] = field(default_factory=lambda: MappingProxyType({}))
    #: Why the last GetMetricData round failed; None once a round succeeds.
    metrics_error: PollError | None = None
    #: Grows with every change to the store: of two views, the one with the higher version is newer.
    version: int = 0

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.states

    def get(self, name: str | None) -> JobState | None:
        """The state of ``name``, or None when it is not watched."""
        return self.states.get(name) if name is not None else None

    def counts(self) -> dict[str, int]:
        """How many jobs are in each phase, in the order of :data:`PHASES`, leaving out the empty ones."""
        found = dict.fromkeys(PHASES, 0)
        for state in self.states.values():
            found[state.phase] += 1
        return {phase: count for phase, count in found.items() if count}

    @property
    def failing(self) -> int:
        """How many jobs' last poll failed for a reason other than the job not existing."""
        return sum(1 for state in self.states.values() if state.failing)

    @property
    def polled(self) -> list[JobState]:
        """The jobs still polled: those that have not ended."""
        return [state for state in self.states.values() if not state.is_terminal]


class JobStore:
    """The watched jobs and what is known of each; the poller writes it, everyone reads :meth:`view`."""

    def __init__(self, names: Iterable[str] = (), *, points_limit: int = MAX_POINTS) -> None:
        #: The most points kept per metric series (the newest); older ones are dropped as new ones come.
        self.points_limit = points_limit
        self._names: list[str] = list(dict.fromkeys(names))
        self._states: dict[str, JobState] = {name: JobState(name) for name in self._names}
        self.metrics_error: PollError | None = None
        self._version = 0
        self._view: JobsView | None = None

    @property
    def names(self) -> list[str]:
        """The watched jobs, in the order given (a copy)."""
        return list(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._states

    def __len__(self) -> int:
        return len(self._names)

    def get(self, name: str) -> JobState | None:
        """The current state of ``name``, or None when it is not watched."""
        return self._states.get(name)

    def view(self) -> JobsView:
        """The store as it is now, frozen (made once per change, however often it is asked for)."""
        if self._view is None:
            self._view = JobsView(tuple(self._names), MappingProxyType(dict(self._states)), self.metrics_error,
                                  self._version)
        return self._view

    def _changed(self) -> None:
        self._version += 1
        self._view = None

    def _put(self, state: JobState) -> JobState:
        self._states[state.name] = state
        self._changed()
        return state

    # -- the watched set --------------------------------------------------------------

    def add(self, names: Iterable[str], *, at_top: bool = False) -> list[str]:
        """Watch the jobs not watched yet, after the others (or above them); returns those added."""
        new = [name for name in dict.fromkeys(names) if name not in self._states]
        if new:
            at = 0 if at_top else len(self._names)
            self._names[at:at] = new
            for name in new:
                self._states[name] = JobState(name)
            self._changed()
        return new

    def remove(self, name: str) -> bool:
        """Forget a job and all that is known of it; returns False if it was not watched."""
        if name not in self._states:
            return False
        del self._states[name]
        self._names.remove(name)
        self._changed()
        return True

    # -- what the poller learns -------------------------------------------------------

    def record_answer(self, snapshot: JobSnapshot) -> tuple[JobState, list[JobEvent]] | None:
        """A poll answered: keep the snapshot, clear the error; returns the new state and what changed
        since the last answer (None if the job is no longer watched)."""
        state = self._states.get(snapshot.name)
        if state is None:
            return None
        events = diff_snapshots(state.snapshot, snapshot)
        return self._put(replace(state, snapshot=snapshot, error=None)), events

    def record_failure(self, name: str, error: PollError, now: datetime) -> JobState | None:
        """A poll failed: keep the last answer, and say why and since when (the first failure of this
        kind in a row); None if the job is no longer watched."""
        state = self._states.get(name)
        if state is None:
            return None
        previous = state.error
        since = previous.since if previous is not None and previous.kind == error.kind else now
        return self._put(replace(state, error=PollError(error.kind, error.message, since)))

    def merge_points(self, name: str, metric: str, points: Iterable[MetricPoint]) -> MetricPointsAdded | None:
        """Add the points of one series not known yet (by timestamp); returns them as an event, or None."""
        state = self._states.get(name)
        if state is None:
            return None
        known = state.series.get(metric, ())
        stamps = {point.timestamp for point in known}
        fresh: dict[datetime, MetricPoint] = {}
        for point in points:
            if point.timestamp not in stamps:
                fresh[point.timestamp] = point
        if not fresh:
            return None
        added = tuple(sorted(fresh.values(), key=lambda p: p.timestamp))
        if not known or added[0].timestamp > known[-1].timestamp:
            merged = known + added  # the usual case: newer points than any known
        else:
            merged = tuple(sorted(known + added, key=lambda p: p.timestamp))
        if len(merged) > self.points_limit:
            # Cut a tenth below the cap, so a series at its cap is not copied down on every new point.
            merged = merged[len(merged) - self.points_limit + self.points_limit // 10:]
        self._put(replace(state, series=MappingProxyType({**state.series, metric: merged})))
        return MetricPointsAdded(name, metric, added)

    def latest_timestamp(self, name: str) -> datetime | None:
        """The newest point of any series of ``name``."""
        state = self._states.get(name)
        stamps = [points[-1].timestamp for points in state.series.values() if points] if state else []
        return max(stamps) if stamps else None

    def record_metrics(self, error: PollError | None, now: datetime) -> bool:
        """A metrics round failed (``error``) or succeeded (None); returns whether that changed anything.

        The failure keeps the time of the first failure of its kind in a row.
        """
        previous = self.metrics_error
        if error is not None:
            since = previous.since if previous is not None and previous.kind == error.kind else now
            error = PollError(error.kind, error.message, since)
        if error == previous:
            return False
        self.metrics_error = error
        self._changed()
        return True
