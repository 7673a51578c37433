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

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from smtui.aws.errors import PollError
from smtui.aws.job_state import HOST_POINTS, PHASES, SORTS, STATUS_ORDER, JobState, maximize_first
from smtui.aws.snapshot import MAX_POINTS, JobEvent, JobSnapshot, MetricPoint, MetricPointsAdded, diff_snapshots
from smtui.present.cost import CostLine, CostTotal, PriceAnswer, cost_line

__all__ = [
    "HOST_POINTS",
    "PHASES",
    "SORTS",
    "STATUS_ORDER",
    "JobState",
    "JobStore",
    "JobsView",
    "Tally",
    "maximize_first",
]


@dataclass(frozen=True)
class Tally:
    """How the watched jobs count, kept up to date change by change so that a title never walks every job."""

    #: Jobs in each phase (those with none left out).
    phases: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    #: Jobs whose last poll failed for a reason other than the job not existing.
    failing: int = 0
    #: Jobs still polled (not ended), and how many of them failed their last poll, by the kind of failure.
    polled: int = 0
    polled_errors: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class JobsView:
    """The store at one moment, frozen: the watched jobs in the order given, and each one's state."""

    names: tuple[str, ...] = ()
    states: Mapping[str, JobState] = field(default_factory=lambda: MappingProxyType({}))
    #: Why the last GetMetricData round failed; None once a round succeeds.
    metrics_error: PollError | None = None
    #: Grows with every change to the store: of two views, the one with the higher version is newer.
    version: int = 0
    tally: Tally = field(default_factory=Tally)
    #: What the jobs cost, at any moment.
    cost: CostTotal = field(default_factory=CostTotal)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.states

    def get(self, name: str | None) -> JobState | None:
        """The state of ``name``, or None when it is not watched."""
        return self.states.get(name) if name is not None else None

    def counts(self) -> dict[str, int]:
        """How many jobs are in each phase, in the order of :data:`PHASES`, leaving out the empty ones."""
        phases = self.tally.phases
        return {phase: phases[phase] for phase in PHASES if phases.get(phase)}

    @property
    def failing(self) -> int:
        """How many jobs' last poll failed for a reason other than the job not existing."""
        return self.tally.failing

    def costs(self, now: datetime) -> tuple[float, int]:
        """The dollars the jobs have cost (so far, for running ones), and how many jobs that have been billed
        have no price to count them at."""
        return self.cost.at(now)

    @property
    def polled(self) -> list[JobState]:
        """The jobs still polled: those that have not ended."""
        return [state for state in self.states.values() if not state.is_terminal]

    def all_polled_failing(self, kind: str) -> bool:
        """Whether there are jobs still polled and every one of them failed its last poll this way."""
        return bool(self.tally.polled) and self.tally.polled_errors.get(kind, 0) == self.tally.polled


class JobStore:
    """The watched jobs and what is known of each; the poller writes it, everyone reads :meth:`view`."""

    def __init__(self, names: Iterable[str] = (), *, points_limit: int = MAX_POINTS) -> None:
        #: The most points kept per metric series (the newest); older ones are dropped as new ones come.
        self.points_limit = points_limit
        self._names: list[str] = list(dict.fromkeys(names))
        self._states: dict[str, JobState] = {name: JobState(name) for name in self._names}
        self.metrics_error: PollError | None = None
        #: Prices by (region, instance type), for jobs that come later too.
        self._prices: dict[tuple[str, str], PriceAnswer] = {}
        self._version = 0
        self._view: JobsView | None = None
        self._phases: Counter[str] = Counter()
        self._failing = 0
        self._polled = 0
        self._polled_errors: Counter[str] = Counter()
        # Each job's cost line, those that stopped growing apart from those that grow, each part summed
        # again only when one of its lines changes (None: to sum again).
        self._fixed_lines: dict[str, CostLine] = {}
        self._growing_lines: dict[str, CostLine] = {}
        self._fixed_total: CostTotal | None = None
        self._growing_total: CostTotal | None = None
        for state in self._states.values():
            self._count(state, 1)

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
            tally = Tally(
                MappingProxyType(+self._phases), self._failing, self._polled, MappingProxyType(+self._polled_errors)
            )
            self._view = JobsView(
                tuple(self._names),
                MappingProxyType(dict(self._states)),
                self.metrics_error,
                self._version,
                tally,
                self._cost_total(),
            )
        return self._view

    def _cost_total(self) -> CostTotal:
        if self._fixed_total is None:
            self._fixed_total = CostTotal.of(self._fixed_lines.values(), ())
        if self._growing_total is None:
            self._growing_total = CostTotal.of((), self._growing_lines.values())
        fixed, growing = self._fixed_total, self._growing_total
        return replace(growing, fixed=fixed.fixed + growing.fixed, unpriced=fixed.unpriced)

    def _cost(self, name: str, state: JobState | None) -> None:
        """Keep ``name``'s cost line (``state``: its new state; None: it is no longer watched)."""
        line = cost_line(state.snapshot.response, state.price) if state and state.snapshot is not None else None
        fixed = line if line is not None and line.since is None and (line.fixed or line.unpriced) else None
        growing = line if line is not None and line.since is not None else None
        if self._fixed_lines.get(name) != fixed:
            _keep(self._fixed_lines, name, fixed)
            self._fixed_total = None
        if self._growing_lines.get(name) != growing:
            _keep(self._growing_lines, name, growing)
            self._growing_total = None

    def _changed(self) -> None:
        self._version += 1
        self._view = None

    def _count(self, state: JobState, sign: int) -> None:
        """Add (``sign`` 1) or take away (-1) what ``state`` counts for in the tallies."""
        self._phases[state.phase] += sign
        if state.failing:
            self._failing += sign
        if not state.is_terminal:
            self._polled += sign
            if state.error is not None:
                self._polled_errors[state.error.kind] += sign

    def _put(self, state: JobState) -> JobState:
        self._count(self._states[state.name], -1)
        self._count(state, 1)
        self._states[state.name] = state
        self._cost(state.name, state)
        self._changed()
        return state

    # -- the watched set --------------------------------------------------------------

    def add(self, names: Iterable[str], *, at_top: bool = False, at: int | None = None) -> list[str]:
        """Watch the jobs not watched yet, after the others (or above them, or from position ``at``); returns
        those added."""
        new = [name for name in dict.fromkeys(names) if name not in self._states]
        if new:
            at = min(max(at, 0), len(self._names)) if at is not None else 0 if at_top else len(self._names)
            self._names[at:at] = new
            for name in new:
                self._states[name] = JobState(name)
                self._count(self._states[name], 1)
            self._changed()
        return new

    def remove(self, name: str) -> bool:
        """Forget a job and all that is known of it; returns False if it was not watched."""
        if name not in self._states:
            return False
        self._count(self._states.pop(name), -1)
        self._cost(name, None)
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
        updated = replace(state, snapshot=snapshot, error=None)
        if updated.price is None and updated.price_key in self._prices:
            updated = replace(updated, price=self._prices[updated.price_key])
        return self._put(updated), events

    def record_summary(self, summary: Mapping, now: datetime) -> JobState | None:
        """A listing's summary of a watched job: its status, stage and times, shown at once.

        A description already held stays when the summary's LastModifiedTime is
        not newer (nothing changed since); otherwise the summary goes over it,
        marked partial, until the job is described again. Returns the new state,
        or None when nothing changed (or the job is not watched).
        """
        name = summary.get("TrainingJobName")
        state = self._states.get(name) if isinstance(name, str) else None
        if state is None:
            return None
        held = state.snapshot
        if held is not None:
            modified = summary.get("LastModifiedTime")
            known = held.last_modified
            if not isinstance(modified, datetime) or (known is not None and modified <= known):
                return None
        snapshot = JobSnapshot.from_summary(name, summary, now, described=held)
        return self._put(replace(state, snapshot=snapshot))

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
            merged = merged[len(merged) - self.points_limit + self.points_limit // 10 :]
        self._put(replace(state, series=MappingProxyType({**state.series, metric: merged})))
        return MetricPointsAdded(name, metric, added)

    def merge_host_points(self, name: str, host: str, metric: str, points: Iterable[MetricPoint]) -> bool:
        """Add one instance series' points not known yet, keeping the newest :data:`HOST_POINTS`; returns
        whether any was new."""
        state = self._states.get(name)
        if state is None:
            return False
        known = state.hosts.get(host, {}).get(metric, ())
        stamps = {point.timestamp for point in known}
        fresh = [point for point in points if point.timestamp not in stamps]
        if not fresh:
            return False
        merged = tuple(sorted((*known, *fresh), key=lambda p: p.timestamp))[-HOST_POINTS:]
        metrics = MappingProxyType({**state.hosts.get(host, {}), metric: merged})
        self._put(replace(state, hosts=MappingProxyType({**state.hosts, host: metrics})))
        return True

    def latest_host_timestamp(self, name: str) -> datetime | None:
        """The newest point of any of ``name``'s instance series."""
        state = self._states.get(name)
        stamps = [p[-1].timestamp for m in state.hosts.values() for p in m.values() if p] if state else []
        return max(stamps) if stamps else None

    def record_price(self, key: tuple[str, str], price: PriceAnswer) -> list[str]:
        """The price for (region, instance type): kept for every job that runs on it, now or later; returns
        the jobs whose price changed."""
        self._prices[key] = price
        changed = [s.name for s in self._states.values() if s.price_key == key and s.price != price]
        for name in changed:
            self._put(replace(self._states[name], price=price))
        return changed

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


def _keep(lines: dict[str, CostLine], name: str, line: CostLine | None) -> None:
    if line is None:
        lines.pop(name, None)
    else:
        lines[name] = line
