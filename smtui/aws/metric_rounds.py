"""The poller's CloudWatch rounds: one GetMetricData round for the training metrics of every job, and the host
series of their instances riding along (a mixin of :class:`~smtui.aws.poller.Poller`, whose state it uses)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from smtui.aws.errors import PollError, explain
from smtui.aws.host_metrics import calls_for
from smtui.aws.metric_windows import all_published, since_asked
from smtui.aws.places import place_of
from smtui.aws.poll_events import MetricsFailed, MetricsUpdate
from smtui.aws.snapshot import MetricPoint, MetricPointsAdded
from smtui.aws.source import MetricQuery, metric_period

#: Host series ride in the training metrics' call when that call reaches back no further than this before them.
SHARED_WINDOW = timedelta(minutes=10)


class MetricRounds:
    """GetMetricData rounds of a :class:`~smtui.aws.poller.Poller` (its store, budgets, clock, sink and source)."""

    def _init_metric_rounds(self) -> None:
        #: Jobs that ended and whose last points were fetched.
        self._metrics_done: set[str] = set()
        #: Where the last window answered ended, for each job's training metrics and for its hosts' series.
        self._metrics_asked: dict[str, datetime] = {}
        self._hosts_asked: dict[str, datetime] = {}
        self._metric_rounds_running = 0

    @property
    def metrics_pending(self) -> bool:
        """Whether a metrics round is under way, or asked for (:meth:`poke_metrics`) and about to start."""
        wake = self._metrics_wake
        return self._metric_rounds_running > 0 or (wake is not None and wake.is_set())

    def _forget_metrics(self, name: str) -> None:
        """Forget what was fetched of a job no longer watched."""
        self._metrics_done.discard(name)
        self._metrics_asked.pop(name, None)
        self._hosts_asked.pop(name, None)

    async def poll_metrics(self) -> None:
        """One GetMetricData round for every job that has metrics and may have new points.

        A query finer than what CloudWatch still keeps at its start time gets nothing: jobs are batched by
        the Period their start allows (:func:`~smtui.aws.source.metric_period`), one call per batch, so an
        old job never empties a young one's batch."""
        self._metric_rounds_running += 1
        try:
            await self._metrics_round()
        finally:
            self._metric_rounds_running -= 1

    async def _metrics_round(self) -> None:
        now = self.clock.now()
        batches: dict[tuple[str, int], tuple[list[MetricQuery], list[datetime]]] = {}
        for name, state in self.store.view().states.items():
            snapshot = state.snapshot
            if snapshot is None or not snapshot.metric_names or name in self._metrics_done:
                continue
            start = self.store.latest_timestamp(name) or snapshot.started_at
            if start is None:
                continue
            start = since_asked(start, self._metrics_asked.get(name))
            # One batch per place (each its own budget) and Period.
            wanted, starts = batches.setdefault((place_of(name), metric_period(start, now)), ([], []))
            starts.append(start)
            wanted.extend(MetricQuery(name, metric) for metric in snapshot.metric_names)
            if snapshot.is_terminal and all_published(snapshot.ended_at, now):
                self._metrics_done.add(name)  # this round fetches its last points
        live, ended = self.host_windows(now, SHARED_WINDOW)
        alone = [window for window in (ended,) if window is not None]
        for window in live:
            # (Only with the minute batch of the place the hosts are in.)
            minute = batches.get((_place_of_all(window.queries), 60))
            # Windows a few minutes apart share one call; hours of history (a first round's, a newly selected
            # job's hosts') do not drag the other's few minutes along.
            if minute is not None and abs(min(minute[1]) - timedelta(seconds=1) - window.start) <= SHARED_WINDOW:
                minute[0].extend(window.queries)
                minute[1].append(window.start)
            else:
                alone.append(window)
        events: list[MetricPointsAdded] = []
        failed = False
        windows = [
            (place, wanted, min(starts) - timedelta(seconds=1), now + timedelta(seconds=1), period)
            for (place, period), (wanted, starts) in sorted(batches.items())
        ]
        windows += [(_place_of_all(w.queries), w.queries, w.start, w.end, 60) for w in alone]
        for place, wanted, start, end, period in windows:
            got = await self._metric_batch(place, wanted, start, end, period)
            if got is None:
                failed = True
            else:
                events += got
        recovered = bool(windows) and not failed and self.store.record_metrics(None, self.clock.now())
        if events or recovered:
            self.sink(MetricsUpdate(tuple(events)))
        self.hosts_round_done()

    async def _metric_batch(
        self, place: str, wanted: list[MetricQuery], start: datetime, end: datetime, period: int
    ) -> list[MetricPointsAdded] | None:
        """One GetMetricData call per 500 series; the points they added, or None when one failed (said to the sink)."""
        calls = calls_for(len(wanted))
        await self.budgets.acquire(place, calls)
        self.calls += calls
        try:
            results = await self._patiently(
                self.source.get_metric_data(wanted, start, end, period), self._metrics_failed
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._metrics_done.difference_update(q.job for q in wanted)
            self._hosts_done.difference_update(q.job for q in wanted if q.host is not None)
            self._whole_hour.difference_update(q.job for q in wanted if q.host is not None)
            self._metrics_failed(explain(exc))
            return None
        for query in wanted:
            (self._hosts_asked if query.host is not None else self._metrics_asked)[query.job] = end
        events = []
        for query, points in results.items():
            if query.host is not None:
                self.merge_hosts(query, points)
                continue
            event = self.store.merge_points(query.job, query.metric, [MetricPoint(t, float(v)) for t, v in points])
            if event is not None:
                events.append(event)
        return events

    def _metrics_failed(self, error: PollError) -> None:
        self.store.record_metrics(error, self.clock.now())
        if self.store.metrics_error is not None:
            self.sink(MetricsFailed(self.store.metrics_error))


def _place_of_all(queries: list[MetricQuery]) -> str:
    """The place whose budget a batch of queries is counted against: that of its first job."""
    return place_of(queries[0].job) if queries else ""
