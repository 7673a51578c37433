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
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import TypeVar

from smtui.aws.budget import Budgets
from smtui.aws.cadence import poll_interval
from smtui.aws.calls import PollSource
from smtui.aws.errors import NETWORK, PollError, explain
from smtui.aws.instance_rounds import InstanceRounds
from smtui.aws.metric_rounds import MetricRounds
from smtui.aws.on_demand import OnDemand
from smtui.aws.places import place_of
from smtui.aws.poll_events import JobFailed, JobUpdate, Loaded, MetricsFailed, MetricsUpdate, PollerEvent
from smtui.aws.pricing import PriceBook
from smtui.aws.snapshot import JobSnapshot
from smtui.aws.store import JobStore
from smtui.aws.sweeps import Sweeps
from smtui.clock import Clock, SystemClock

__all__ = [
    "DEFAULT_MAX_RPS",
    "JobFailed",
    "JobUpdate",
    "Loaded",
    "MetricsFailed",
    "MetricsUpdate",
    "Poller",
    "PollerEvent",
    "PollSource",
]

T = TypeVar("T")

#: Requests per second all polls share unless told otherwise: a few, well inside SageMaker's rate limits.
DEFAULT_MAX_RPS = 5.0


class Poller(OnDemand, Sweeps, InstanceRounds, MetricRounds):
    """Polls DescribeTrainingJob for each running job and GetMetricData for all of them.

    Jobs a listing found come with its summary (:meth:`add_listed`): their
    rows show that at once, and only those still running are polled. A job
    that had ended is described when the screen needs more (:meth:`want`).
    Running jobs too many to poll fast are swept (:mod:`~smtui.aws.sweeps`).

    Args:
        source: the AWS calls.
        names: the jobs to follow (added to ``store``).
        sink: called with every :data:`PollerEvent`, on the event loop, once the store has it.
        interval: seconds between two polls of a running job, at most (unless the budget needs more).
        metrics_interval: seconds between two GetMetricData rounds.
        clock: tells the time stamped on snapshots and metric windows.
        max_rps: requests a second the calls to each place (account and region) share (None: no limit).
        fast: poll running jobs this often while the budget allows it for all of them (None: every
            ``interval``); see :func:`~smtui.aws.cadence.poll_interval`.
        open_ended: keep running when every job has ended, for jobs :meth:`add` brings in later (an app);
            otherwise :meth:`run` returns then (a command waiting for jobs to end).
        store: where what is learnt goes (a new one by default).
        patience: seconds a call may take before its job is reported as not answering (the call goes on, and
            its answer or error follows); by default the source's ``call_timeout``. botocore's retries of a dead
            endpoint can take minutes: this bounds how late a job shows an outage.
        prices: looks up each job's hourly price (None: no prices).
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
        fast: float | None = None,
        open_ended: bool = False,
        store: JobStore | None = None,
        patience: float | None = None,
        prices: PriceBook | None = None,
    ) -> None:
        self.source = source
        self.store = store if store is not None else JobStore()
        self.store.add(names)
        self.sink = sink
        self.interval = interval
        self.metrics_interval = metrics_interval
        self.clock = clock or SystemClock()
        self.max_rps = max_rps
        self.fast = fast
        self.budgets = Budgets(max_rps)
        self.open_ended = open_ended
        self.patience = patience if patience is not None else getattr(source, "call_timeout", None)
        #: Jobs still being polled (they have not ended), and how many of them in each place.
        self._live: set[str] = set()
        self._live_in: Counter[str] = Counter()
        for name in self.store.names:
            self._go_live(name)
        self.calls = 0
        self._wake: dict[str, asyncio.Event] = {}
        #: The polling task of each job, while :meth:`run` runs.
        self._tasks: dict[str, asyncio.Task] = {}
        self._opening: asyncio.Semaphore | None = None
        self._changed: asyncio.Event | None = None
        self._metrics_wake: asyncio.Event | None = None
        self._init_metric_rounds()
        self._first_pending = 0
        self._first_round: asyncio.Event | None = None
        #: A listing still to finish before the first round is done (see :meth:`expect_listing`).
        self._listing = False
        self._init_on_demand()
        #: Set once every job has had its first answer and the first metrics round is done.
        self.loaded = asyncio.Event()
        self._init_instance_rounds(prices)
        self._init_sweeps()

    async def run(self) -> None:
        """Poll until cancelled (or until every job has ended and been polled for the last time)."""
        self._metrics_wake = asyncio.Event()
        self._first_round = asyncio.Event()
        self._want_wake = asyncio.Event()
        # The first poll of every job goes out at once (a few at a time) so the
        # screen fills fast; after it, each job keeps its own phase so polls
        # spread evenly over the interval instead of bursting. No more are let
        # through than the budget takes in a little under a second, so that a
        # listing sharing the budget is not queued behind a crowd of them.
        self._opening = asyncio.Semaphore(max(2, min(8, int(self.max_rps // 2))) if self.max_rps else 8)
        self._changed = asyncio.Event()
        followed = [name for name in self.store.names if name in self._live]
        self._first_pending = len(followed)
        count = max(len(followed), 1)
        for i, name in enumerate(followed):
            self._start(name, phase=i / count)
        self._want_first_screen()
        self._check_first_round()
        metrics_task = asyncio.create_task(self._follow_metrics(), name="poll:metrics")
        wanted_task = asyncio.create_task(self._describe_wanted(), name="poll:wanted")
        sweeps = self._sweep_tasks()
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
            tasks = [*self._tasks.values(), metrics_task, wanted_task, *sweeps]
            self._tasks.clear()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.stop_pricing()
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

    def _go_live(self, name: str) -> None:
        if name not in self._live:
            self._live.add(name)
            self._live_in[place_of(name)] += 1

    def _leave(self, name: str) -> None:
        if name in self._live:
            self._live.discard(name)
            self._live_in[place_of(name)] -= 1

    def set_loaded(self) -> None:
        """Say that the first round is done (once): :attr:`loaded` is set and the sink told."""
        if not self.loaded.is_set():
            self.loaded.set()
            self.sink(Loaded())

    def expect_listing(self) -> None:
        """Hold the first round until :meth:`listing_done`: the jobs a first listing brings are part of it."""
        self._listing = True

    def listing_done(self) -> None:
        """The first listing has brought its jobs: the first round ends once they have answered."""
        self._listing = False
        self._want_first_screen()
        self._check_first_round()

    def _check_first_round(self) -> None:
        if (
            self._first_round is not None
            and not self._first_round.is_set()
            and self._first_pending <= 0
            and not self._listing
            and not self._first_wanted
        ):
            self._first_round.set()

    def add(self, *names: str, at_top: bool = False, at: int | None = None) -> list[str]:
        """Follow more jobs, from now on, after the others (or above them, or from position ``at``); returns
        those not followed already."""
        new = self.store.add(names, at_top=at_top, at=at)
        for name in new:
            self._follow_from_now(name)
        if new and self._changed is not None:
            self._changed.set()
        return new

    def add_listed(self, summaries: Iterable[dict], *, at_top: bool = False, at: int | None = None) -> list[str]:
        """Jobs a listing found, with what it said of each (ListTrainingJobs' summaries): their rows show the
        summary at once, and only the jobs that have not ended are polled. Returns the jobs not watched already.

        A job watched already takes the summary when its LastModifiedTime is newer than what is held: then a
        description held is out of date, and the job is described again when wanted.
        """
        listed = [s for s in summaries if isinstance(s.get("TrainingJobName"), str)]
        new = self.store.add((s["TrainingJobName"] for s in listed), at_top=at_top, at=at)
        now = self.clock.now()
        for summary in listed:
            self.store.record_summary(summary, now)
        for name in new:
            state = self.store.get(name)
            if state is not None and not state.is_terminal:
                self._follow_from_now(name)
        if new and self._changed is not None:
            self._changed.set()
        return new

    def _follow_from_now(self, name: str) -> None:
        self._go_live(name)
        if self._opening is not None:
            if self._first_round is not None and not self._first_round.is_set():
                self._first_pending += 1  # the first round waits for it too
            self._start(name)

    def remove(self, name: str) -> bool:
        """Stop following a job and forget what is known of it; returns False if it was not followed."""
        if not self.store.remove(name):
            return False
        self._leave(name)
        task = self._tasks.pop(name, None)
        if task is not None:
            task.cancel()
        self._wake.pop(name, None)
        self._forget_metrics(name)
        self._wanted.pop(name, None)
        if self._changed is not None:
            self._changed.set()
        return True

    # -- how often -------------------------------------------------------------------

    def interval_in(self, place: str = "") -> float:
        """Seconds between two polls of a running job of ``place`` (see :func:`~smtui.aws.cadence.poll_interval`)."""
        return poll_interval(self._live_in[place], ceiling=self.interval, rate=self.max_rps, fast=self.fast)

    @property
    def effective_interval(self) -> float:
        """Seconds between two looks at a running job, in the place where they are furthest apart."""
        return max((self.checked_every(place) for place in self._live_in), default=self.checked_every())

    async def acquire(self, place: str = "") -> None:
        """Wait for a slot of ``place``'s request budget, for a call the poller does not make itself (a listing)."""
        await self.budgets.acquire(place)

    def poke(self, name: str | None = None) -> None:
        """Poll ``name`` (or every job) now instead of at its next turn; an ended job is described again."""
        for job, event in self._wake.items():
            if name is None or job == name:
                event.set()
        if name is not None and name not in self._tasks and name in self.store:
            self.want_now(name)
        if self._metrics_wake is not None:
            self._metrics_wake.set()

    def poke_metrics(self) -> None:
        """Fetch metrics now instead of at the next round."""
        if self._metrics_wake is not None:
            self._metrics_wake.set()

    # -- the calls --------------------------------------------------------------------

    async def poll_job(self, name: str) -> JobSnapshot | None:
        """One DescribeTrainingJob call for ``name``; reports the result to the sink."""
        await self.budgets.acquire(place_of(name))
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
        first = known.snapshot is None or known.snapshot.partial
        self.sink(JobUpdate(name, snapshot, tuple(recorded[1]), first=first))
        self.ask_price(name)
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
                    late(
                        PollError(
                            NETWORK,
                            f"no answer after {self.patience:g}s: the endpoint may be down "
                            "or unreachable; still waiting",
                        )
                    )
            return await task
        finally:
            task.cancel()  # a no-op once it is done; stops the call when the poll itself is cancelled

    async def _follow(self, name: str, opening: asyncio.Semaphore, phase: float) -> None:
        """Poll a job until it ends; ``phase`` (0 to 1) is where in each interval its polls fall."""
        wake = self._wake.setdefault(name, asyncio.Event())
        async with opening:
            snapshot = await self.poll_job(name)
        self._first_pending -= 1
        if self._first_round is not None:
            if self._first_round.is_set() and snapshot is not None and snapshot.metric_names and self.shown(name):
                self.poke_metrics()  # a job added later, in view: its series need not wait for the next round
            self._check_first_round()
        place = place_of(name)
        try:
            if snapshot is not None and snapshot.is_terminal:
                return  # it had ended before we started watching: nothing will change
            if self.interval_in(place) <= self.interval:
                # Budget-bound polls are already spaced by the budget; others keep their phase.
                await self._nap(wake, phase * self.interval_in(place))
            while True:
                # The interval is read again each time: it follows the number of running jobs.
                await self._nap(wake, self.interval_in(place))
                if not self._turn_needed(name):
                    continue  # swept, out of view, unchanged
                snapshot = await self.poll_job(name)
                if snapshot is not None and snapshot.is_terminal:
                    # It ended while we watched: one more poll picks up what settles after the
                    # status (FinalMetricDataList, ModelArtifacts), then it is never polled again.
                    self._leave(name)
                    await self._nap(wake, self.interval_in(place))
                    while await self.poll_job(name) is None:
                        await self._nap(wake, self.interval_in(place))
                    return
        finally:
            self._leave(name)
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
