"""The whole metric history of jobs, from CloudWatch, in the Period it still keeps for each job's age.

The poller keeps each series growing a minute at a time; a chart or a script
wants it from the job's start. :func:`fetch_history` asks GetMetricData for
every series of the jobs given, from their start, batched by the Period
CloudWatch still has points of at that start (:func:`~smtui.aws.source.metric_period`:
60 s up to 15 days, 300 s up to 63, 3,600 s after), at most 500 series a
call. :class:`MetricHistory` does that for the metrics view and keeps the
answer of a job that has ended, which will not change: opening its charts
again costs no call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from smtui.aws.calls import MetricSource
from smtui.aws.snapshot import JobSnapshot, MetricPoint
from smtui.aws.source import MAX_METRIC_QUERIES, MetricQuery, metric_period
from smtui.clock import Clock, SystemClock


@dataclass(frozen=True)
class HistoryRequest:
    """The series of one job to fetch: from when, and which metrics."""

    job: str
    start: datetime
    metrics: tuple[str, ...]


def requests_for(snapshots: Iterable[JobSnapshot], metric: str | None = None) -> list[HistoryRequest]:
    """What to fetch for each job that has started and defines metrics (only ``metric`` when given)."""
    out = []
    for snapshot in snapshots:
        start = snapshot.started_at
        names = snapshot.metric_names if metric is None else tuple(m for m in snapshot.metric_names if m == metric)
        if start is not None and names:
            out.append(HistoryRequest(snapshot.name, start, names))
    return out


def calls_needed(requests: Sequence[HistoryRequest], now: datetime) -> int:
    """How many GetMetricData calls :func:`fetch_history` makes for ``requests`` (without NextToken pages)."""
    batches: dict[int, int] = {}
    for request in requests:
        period = metric_period(request.start, now)
        batches[period] = batches.get(period, 0) + len(request.metrics)
    return sum(-(-count // MAX_METRIC_QUERIES) for count in batches.values())


async def fetch_history(
    source: MetricSource,
    requests: Sequence[HistoryRequest],
    now: datetime,
    acquire: Callable[[], Awaitable[None]] | None = None,
) -> dict[MetricQuery, list[tuple[datetime, float]]]:
    """Every series of ``requests`` from its job's start to ``now``, oldest point first.

    Jobs are batched by the Period their start allows, so an old job's query
    never empties a young one's; ``acquire`` waits for a slot of a request
    budget before each call.
    """
    batches: dict[int, list[HistoryRequest]] = {}
    for request in requests:
        batches.setdefault(metric_period(request.start, now), []).append(request)
    out: dict[MetricQuery, list[tuple[datetime, float]]] = {}
    for period, batch in sorted(batches.items()):
        queries = [MetricQuery(r.job, m) for r in batch for m in r.metrics]
        start = min(r.start for r in batch) - timedelta(seconds=1)
        for offset in range(0, len(queries), MAX_METRIC_QUERIES):
            if acquire is not None:
                await acquire()
            part = queries[offset : offset + MAX_METRIC_QUERIES]
            out.update(await source.get_metric_data(part, start, now + timedelta(seconds=1), period))
    return out


def merged(history: Sequence[MetricPoint], live: Sequence[MetricPoint]) -> tuple[MetricPoint, ...]:
    """One series from a fetched history and the poller's points: the history up to the poller's first point,
    then the poller's (which may be finer, and are newer)."""
    if not history:
        return tuple(live)
    if not live:
        return tuple(history)
    first = live[0].timestamp
    return tuple(p for p in history if p.timestamp < first) + tuple(live)


class MetricHistory:
    """The fetched history of the jobs the metrics view shows, kept for the app's life once a job has ended.

    Args:
        source: the CloudWatch calls.
        acquire: waits for a slot of the app's request budget before each call.
        clock: tells the time a history is fetched up to.
    """

    def __init__(
        self, source: MetricSource, acquire: Callable[[], Awaitable[None]] | None = None, clock: Clock | None = None
    ) -> None:
        self.source = source
        self.acquire = acquire
        self.clock = clock or SystemClock()
        self._series: dict[str, dict[str, tuple[MetricPoint, ...]]] = {}
        #: Jobs that had ended when their history was fetched: it is complete.
        self._complete: set[str] = set()
        #: GetMetricData calls made so far.
        self.calls = 0

    def needs(self, snapshots: Iterable[JobSnapshot]) -> list[HistoryRequest]:
        """What :meth:`fetch` would ask for: the jobs whose complete history is not held yet."""
        return [r for r in requests_for(snapshots) if r.job not in self._complete]

    async def fetch(self, snapshots: Iterable[JobSnapshot]) -> bool:
        """Fetch the history of the jobs not held complete (raises what the call raises); returns whether it
        made any call."""
        snapshots = list(snapshots)
        wanted = self.needs(snapshots)
        if not wanted:
            return False
        now = self.clock.now()
        self.calls += calls_needed(wanted, now)
        found = await fetch_history(self.source, wanted, now, self.acquire)
        ended = {s.name for s in snapshots if s.is_terminal}
        for request in wanted:
            self._series[request.job] = {
                metric: tuple(MetricPoint(t, float(v)) for t, v in found.get(MetricQuery(request.job, metric), ()))
                for metric in request.metrics
            }
            if request.job in ended:
                self._complete.add(request.job)
        return True

    def points(self, job: str, metric: str) -> tuple[MetricPoint, ...]:
        """The fetched history of one series (empty when none was fetched)."""
        return self._series.get(job, {}).get(metric, ())

    def held(self) -> Mapping[str, Mapping[str, tuple[MetricPoint, ...]]]:
        """Every fetched series, by job and metric."""
        return self._series
