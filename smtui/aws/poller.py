"""Polling training jobs and their metrics, without any UI.

The :class:`Poller` runs one loop per job plus one for CloudWatch metrics, all
on the caller's event loop. Every result goes into its
:class:`~smtui.aws.store.JobStore` first and is then handed to a ``sink``
callback, so whoever the sink tells can read the store's new view at once. The
UI turns the events into messages; the tests read them directly. Each job's
next poll is armed only when the previous one finished, so polls of one job
never overlap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, TypeVar

from smtui.aws.budget import RequestBudget
from smtui.aws.errors import NETWORK, PollError, explain
from smtui.aws.snapshot import JobEvent, JobSnapshot, MetricPoint, MetricPointsAdded
from smtui.aws.source import MetricQuery, metric_period
from smtui.aws.store import JobStore
from smtui.clock import Clock, SystemClock


class PollSource(Protocol):
    """What the poller needs from AWS (part of :class:`~smtui.aws.source.JobSource`)."""

    async def describe_training_job(self, name: str) -> dict: ...

    async def get_metric_data(
        self, queries: Sequence[MetricQuery], start: datetime, end: datetime, period: int = 60
    ) -> dict[MetricQuery, list[tuple[datetime, float]]]: ...


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


PollerEvent = JobUpdate | JobFailed | MetricsUpdate | MetricsFailed | Loaded
T = TypeVar("T")

#: Requests per second all polls share unless told otherwise: a few, well inside SageMaker's rate limits.
DEFAULT_MAX_RPS = 5.0


class Poller:
    """Polls DescribeTrainingJob for each job and GetMetricData for all of them.

    Args:
        source: the AWS calls.
        names: the jobs to follow (added to ``store``).
        sink: called with every :data:`PollerEvent`, on the event loop, once the store has it.
        interval: seconds between two polls of a running job.
        metrics_interval: seconds between two GetMetricData rounds.
        clock: tells the time stamped on snapshots and metric windows.
        max_rps: requests a second all calls share (None: no limit). When the
            jobs still running need more than that at ``interval``, each
            job's interval stretches to :attr:`effective_interval`.
        open_ended: keep running when every job has ended, for jobs that
            :meth:`add` brings in later (an app); otherwise :meth:`run` returns
            then (a command waiting for jobs to end).
        store: where what is learnt goes (a new one by default).
        patience: seconds a call may take before its job is reported as not
            answering (the call goes on, and its own answer or error follows);
            by default the source's ``call_timeout``. botocore's retries of a
            dead or hung endpoint can take minutes: this bounds how late a job
            shows an outage, to an interval plus one call's timeout.
    """

    def __init__(
        self,
        source: PollSource,
        names: Iterable[str],
        sink: Callable[[PollerEvent], None],
        *,
        interval: float = 30.0,
        metrics_interval: float = 60.0,
        clock: Clock | None = None,
        max_rps: float | None = DEFAULT_MAX_RPS,
        open_ended: bool = False,
        store: JobStore | None = None,
        patience: float | None = None,
    ) -> None:
        self.source = source
        self.store = store if store is not None else JobStore()
        self.store.add(names)
        self.sink = sink
        self.interval = interval
        self.metrics_interval = metrics_interval
        self.clock = clock or SystemClock()
        self.max_rps = max_rps
        self._budget = RequestBudget(max_rps) if max_rps else None
        self.open_ended = open_ended
        self.patience = patience if patience is not None else getattr(source, "call_timeout", None)
        #: Jobs still being polled (they have not ended).
        self._live: set[str] = set(self.store.names)
        self.calls = 0
        self._wake: dict[str, asyncio.Event] = {}
        #: The polling task of each job, while :meth:`run` runs.
        self._tasks: dict[str, asyncio.Task] = {}
        self._opening: asyncio.Semaphore | None = None
        self._changed: asyncio.Event | None = None
        self._metrics_wake: asyncio.Event | None = None
        self._metrics_done: set[str] = set()
        self._first_pending = len(self.store)
        self._first_round: asyncio.Event | None = None
        #: Set once every job has had its first answer and the first metrics round is done.
        self.loaded = asyncio.Event()

    async def run(self) -> None:
        """Poll until cancelled (or until every job has ended and been polled for the last time)."""
        self._metrics_wake = asyncio.Event()
        self._first_round = asyncio.Event()
        names = self.store.names
        self._first_pending = len(names)
        if not names:
            self._first_round.set()
        count = max(len(names), 1)
        # The first poll of every job goes out at once (a few at a time) so the
        # screen fills fast; after it, each job keeps its own phase so polls
        # spread evenly over the interval instead of bursting.
        self._opening = asyncio.Semaphore(8)
        self._changed = asyncio.Event()
        for i, name in enumerate(names):
            self._start(name, phase=self.interval * i / count)
        metrics_task = asyncio.create_task(self._follow_metrics(), name="poll:metrics")
        try:
            while self._tasks or self.open_ended:
                # Each job's task leaves _tasks as it ends; look again when one does, or one is added.
                self._changed.clear()
                await self._changed.wait()
            # Every job has ended: one last metrics round picks up the tail of each series.
            metrics_task.cancel()
            await self.poll_metrics()
            self.set_loaded()
        finally:
            tasks = [*self._tasks.values(), metrics_task]
            self._tasks.clear()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._opening = self._changed = None

    def _start(self, name: str, phase: float = 0.0) -> None:
        assert self._opening is not None
        task = asyncio.create_task(self._follow(name, self._opening, phase=phase), name=f"poll:{name}")
        self._tasks[name] = task
        task.add_done_callback(partial(self._ended, name))

    def _ended(self, name: str, task: asyncio.Task) -> None:
        if self._tasks.get(name) is task:
            del self._tasks[name]
        if self._changed is not None:
            self._changed.set()

    def set_loaded(self) -> None:
        """Say that the first round is done (once): :attr:`loaded` is set and the sink told."""
        if not self.loaded.is_set():
            self.loaded.set()
            self.sink(Loaded())

    def add(self, *names: str, at_top: bool = False) -> list[str]:
        """Follow more jobs, from now on, after the others (or above them); returns those not followed already."""
        new = self.store.add(names, at_top=at_top)
        for name in new:
            self._live.add(name)
            if self._opening is not None:
                if self._first_round is not None and not self._first_round.is_set():
                    self._first_pending += 1  # the first round waits for it too
                self._start(name)
        if new and self._changed is not None:
            self._changed.set()
        return new

    def remove(self, name: str) -> bool:
        """Stop following a job and forget what is known of it; returns False if it was not followed."""
        if not self.store.remove(name):
            return False
        self._live.discard(name)
        task = self._tasks.pop(name, None)
        if task is not None:
            task.cancel()
        self._wake.pop(name, None)
        self._metrics_done.discard(name)
        if self._changed is not None:
            self._changed.set()
        return True

    @property
    def effective_interval(self) -> float:
        """Seconds between two polls of a running job: ``interval``, or longer to stay within ``max_rps``."""
        if not self.max_rps:
            return self.interval
        # The metrics round takes its share of the budget too.
        describe_rps = max(self.max_rps - 1 / max(self.metrics_interval, 1e-9), self.max_rps / 2)
        return max(self.interval, len(self._live) / describe_rps)

    async def acquire(self) -> None:
        """Wait for a slot of the request budget, for a call the poller does not make itself (a listing)."""
        if self._budget is not None:
            await self._budget.acquire()

    def poke(self, name: str | None = None) -> None:
        """Poll ``name`` (or every job) now instead of at its next turn."""
        for job, event in self._wake.items():
            if name is None or job == name:
                event.set()
        if self._metrics_wake is not None:
            self._metrics_wake.set()

    def poke_metrics(self) -> None:
        """Fetch metrics now instead of at the next round."""
        if self._metrics_wake is not None:
            self._metrics_wake.set()

    async def poll_job(self, name: str) -> JobSnapshot | None:
        """One DescribeTrainingJob call for ``name``; reports the result to the sink."""
        if self._budget is not None:
            await self._budget.acquire()
        self.calls += 1
        try:
            response = await self._patiently(self.source.describe_training_job(name), partial(self._job_failed, name))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every failure is a state of the job, never a crash
            self._job_failed(name, explain(exc))
            return None
        snapshot = JobSnapshot.from_response(name, response, self.clock.now())
        known = self.store.get(name)
        recorded = self.store.record_answer(snapshot)
        if known is None or recorded is None:
            return None  # removed while the call was out
        self.sink(JobUpdate(name, snapshot, tuple(recorded[1]), first=known.snapshot is None))
        return snapshot

    def _job_failed(self, name: str, error: PollError) -> None:
        state = self.store.record_failure(name, error, self.clock.now())
        if state is not None and state.error is not None:  # else removed while the call was out
            self.sink(JobFailed(name, state.error))

    async def _patiently(self, call: Awaitable[T], late: Callable[[PollError], None]) -> T:
        """``await call``; should it take longer than :attr:`patience`, ``late`` hears so once, meanwhile."""
        task = asyncio.ensure_future(call)
        try:
            if self.patience is not None:
                await asyncio.wait({task}, timeout=self.patience)
                if not task.done():
                    late(PollError(NETWORK, f"no answer after {self.patience:g}s: the endpoint may be down "
                                            "or unreachable; still waiting"))
            return await task
        finally:
            task.cancel()  # a no-op once it is done; stops the call when the poll itself is cancelled

    async def poll_metrics(self) -> None:
        """One GetMetricData round for every job that has metrics and may have new points.

        A query finer than what CloudWatch still keeps at its start time gets nothing: jobs are batched by
        the Period their start allows (:func:`~smtui.aws.source.metric_period`), one call per batch, so an
        old job never empties a young one's batch."""
        now = self.clock.now()
        batches: dict[int, tuple[list[MetricQuery], list[datetime]]] = {}
        for name, state in self.store.view().states.items():
            snapshot = state.snapshot
            if snapshot is None or not snapshot.metric_names or name in self._metrics_done:
                continue
            start = self.store.latest_timestamp(name) or snapshot.started_at
            if start is None:
                continue
            wanted, starts = batches.setdefault(metric_period(start, now), ([], []))
            starts.append(start)
            wanted.extend(MetricQuery(name, metric) for metric in snapshot.metric_names)
            if snapshot.is_terminal:
                self._metrics_done.add(name)  # this round fetches its last points
        events: list[MetricPointsAdded] = []
        failed = False
        for period, (wanted, starts) in sorted(batches.items()):
            got = await self._metric_batch(wanted, min(starts) - timedelta(seconds=1),
                                           now + timedelta(seconds=1), period)
            if got is None:
                failed = True
            else:
                events += got
        recovered = bool(batches) and not failed and self.store.record_metrics(None, self.clock.now())
        if events or recovered:
            self.sink(MetricsUpdate(tuple(events)))

    async def _metric_batch(self, wanted: list[MetricQuery], start: datetime, end: datetime,
                            period: int) -> list[MetricPointsAdded] | None:
        """One GetMetricData call; the points it added, or None when it failed (said to the sink)."""
        if self._budget is not None:
            await self._budget.acquire()
        self.calls += 1
        try:
            results = await self._patiently(self.source.get_metric_data(wanted, start, end, period),
                                            self._metrics_failed)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._metrics_done.difference_update(q.job for q in wanted)
            self._metrics_failed(explain(exc))
            return None
        events = []
        for query, points in results.items():
            event = self.store.merge_points(query.job, query.metric, [MetricPoint(t, float(v)) for t, v in points])
            if event is not None:
                events.append(event)
        return events

    def _metrics_failed(self, error: PollError) -> None:
        self.store.record_metrics(error, self.clock.now())
        if self.store.metrics_error is not None:
            self.sink(MetricsFailed(self.store.metrics_error))

    async def _follow(self, name: str, opening: asyncio.Semaphore, phase: float) -> None:
        wake = self._wake.setdefault(name, asyncio.Event())
        async with opening:
            snapshot = await self.poll_job(name)
        self._first_pending -= 1
        if self._first_pending <= 0 and self._first_round is not None:
            if self._first_round.is_set() and snapshot is not None and snapshot.metric_names:
                self.poke_metrics()  # a job added later: its series need not wait for the next round
            self._first_round.set()
        try:
            if snapshot is not None and snapshot.is_terminal:
                return  # it had ended before we started watching: nothing will change
            if self.effective_interval <= self.interval:
                # Budget-bound polls are already spaced by the budget; others keep their phase.
                await self._nap(wake, phase)
            while True:
                await self._nap(wake, self.effective_interval)
                snapshot = await self.poll_job(name)
                if snapshot is not None and snapshot.is_terminal:
                    # It ended while we watched: one more poll picks up what settles after the
                    # status (FinalMetricDataList, ModelArtifacts), then it is never polled again.
                    self._live.discard(name)
                    await self._nap(wake, self.effective_interval)
                    while await self.poll_job(name) is None:
                        await self._nap(wake, self.effective_interval)
                    return
        finally:
            self._live.discard(name)
            self._wake.pop(name, None)

    async def _follow_metrics(self) -> None:
        assert self._metrics_wake is not None and self._first_round is not None
        # Metric names come from the describe responses: wait for the first round.
        await self._first_round.wait()
        await self.poll_metrics()
        self.set_loaded()
        while True:
            await self._nap(self._metrics_wake, self.metrics_interval)
            await self.poll_metrics()

    @staticmethod
    async def _nap(wake: asyncio.Event, seconds: float) -> None:
        """Sleep ``seconds`` or until woken, whichever comes first."""
        try:
            await asyncio.wait_for(wake.wait(), timeout=max(seconds, 0))
        except asyncio.TimeoutError:
            pass
        wake.clear()
