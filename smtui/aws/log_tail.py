"""A training job's CloudWatch Logs, merged across its instances, at a cost that does not grow with them.

SageMaker writes each container's output to log group
``/aws/sagemaker/TrainingJobs``, one stream per instance and attempt
(``JOB/algo-N-EPOCH``), plus ``JOB/ssm`` for a job with remote debugging.

How the lines are read, and why
-------------------------------
Every read is one FilterLogEvents search over the prefix ``JOB/`` (see
:mod:`smtui.aws.log_search`), for a job on one instance and for one on 128
(256 streams after a restart) alike:

- **The newest N lines** are a search newest first (``startFromHead``
  false, as the SageMaker SDK v3 tails HyperPod jobs) bounded by the job's
  creation and, once it has ended, its end; it stops as soon as it holds N
  events. The service merges the streams, so N events cost the calls their
  time span needs (a page holds up to 10,000 events, and the service cuts
  pages by the time they cover too), whatever the number of streams. Reading
  each stream backwards with GetLogEvents and merging (the SDK's stream mode)
  costs at least one call per stream: 256 calls before the first line of the
  big job, for the same result. For a one-stream job both cost the same, so
  one way serves both, and the quirks of a single API are handled once.
- **Following** is a search oldest first from a little before the newest
  event held (``aws logs tail --follow`` does this, from the newest event's
  millisecond): one call a round while fewer than a page's worth arrive, so
  5 s rounds cost 12 calls a minute for any instance count. The window
  reaches ``LOOKBACK_MS`` back, for events the service takes in after newer
  ones; eventIds keep those already held from coming twice. While nothing
  comes (a job uploading, or hung), the window still starts at most
  ``QUIET_REACH_MS`` before the clock, so a long silence costs no more pages.
- A token that expires inside a search is replaced by a new search from the
  timestamp reached (see :class:`~smtui.aws.log_search.Scan`).
- **Streams** are listed (DescribeLogStreams, every page) only for what a
  person is told: which hosts there are, and why there are no lines. They are
  listed until every instance has its stream (InstanceCount of the
  description; ``JOB/ssm`` is not an instance), then again only when the
  secondary status changes, at most once a minute. A job whose containers
  have not started is only listed (every 15 s) until its first stream comes.
- **Once the job has ended**, a read that starts ``SETTLE`` seconds after its
  end (so the last lines have reached the service) is the last one:
  :attr:`LogTail.done` turns true and no call is made after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from smtui.aws.budget import operation_budget
from smtui.aws.calls import LogsSource
from smtui.aws.errors import ACCESS_DENIED, NOT_FOUND, PollError, explain
from smtui.aws.log_buffer import DEFAULT_CAPACITY, LogBuffer, LogLine, split_stream_name
from smtui.aws.log_job import LogJob, training_started
from smtui.aws.log_lines import EventLines
from smtui.aws.log_search import NEWEST_FIRST_SINCE, Scan
from smtui.aws.log_streams import StreamBook, StreamInfo
from smtui.aws.source import every_page
from smtui.clock import Clock, SystemClock

__all__ = [
    "DEFAULT_CAPACITY",
    "LOG_GROUP",
    "LogBuffer",
    "LogLine",
    "LogStatus",
    "LogTail",
    "operation_budget",
    "split_stream_name",
    "training_started",
]

#: Where SageMaker sends training containers' output.
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
#: How far back each follow-up search reaches before the newest event held, for events taken in late.
LOOKBACK_MS = 30_000
#: Seconds after a job's end from which a read is its last: the last lines have reached the service by then.
SETTLE = 10.0
#: An ended job's newest events are looked for up to this long after its end (clocks differ a little).
END_MARGIN_MS = 10 * 60_000
#: While no event came, a search still reaches this far back from the moment it starts (clock skew).
QUIET_REACH_MS = 5 * 60_000
#: The longest wait between rounds while the service keeps throttling or failing.
MAX_BACKOFF = 60.0
#: Requests a second a tail makes of each operation (the service's quotas: FilterLogEvents 5 a second,
#: DescribeLogStreams 25, per account and region, shared with every other client).
RATES = {"FilterLogEvents": 3.0, "DescribeLogStreams": 5.0}
#: The permissions reading logs needs, for the message that says one is missing.
PERMISSIONS = ("logs:FilterLogEvents", "logs:DescribeLogStreams")


@dataclass(frozen=True)
class LogStatus:
    """What the tail knows, for a status line."""

    streams: int
    hosts: int
    calls: int
    error: PollError | None = None
    #: Older lines exist that were not loaded (the buffer starts after them).
    truncated: bool = False
    #: The newest lines have been loaded; ``done``: the job has ended and everything was read.
    loaded: bool = False
    done: bool = False


class LogTail:
    """Follows one training job's logs into a :class:`LogBuffer` of its newest ``capacity`` lines.

    Call :meth:`read_round` every few seconds (and :meth:`set_job` with each
    DescribeTrainingJob answer); it does what is due and returns the lines
    added. ``pattern`` narrows every search to the events matching a
    CloudWatch filter pattern. ``budget(operation)`` is awaited before each
    call (see :func:`operation_budget`).
    """

    def __init__(
        self,
        source: LogsSource,
        job: str,
        *,
        capacity: int = DEFAULT_CAPACITY,
        pattern: str | None = None,
        budget: Callable[[str], Awaitable[Any]] | None = None,
        clock: Clock | None = None,
        group: str = LOG_GROUP,
    ) -> None:
        self.source = source
        self.job = job
        self.prefix = job + "/"
        self.pattern = pattern or ""
        self.group = group
        self.clock: Clock = clock or SystemClock()
        self.buffer = LogBuffer(capacity)
        self.book = StreamBook(job)
        self.info: LogJob | None = None
        self.error: PollError | None = None
        #: Calls made, in all and by operation.
        self.calls = 0
        self.calls_by: dict[str, int] = {}
        #: Whether rounds list the streams (a single read that found lines has no use for the listing).
        self.listing = True
        self.loaded = False
        self.done = False
        #: Access to the logs was refused: nothing more is tried until :meth:`retry`.
        self.denied = False
        #: Rounds in a row that failed, and rounds finished in all.
        self.failures = 0
        self.rounds = 0
        self._budget = budget
        self._scan: Scan | None = None
        self._scan_began = 0
        #: The events made lines so far, and those left out on purpose.
        self._seen = EventLines(self.book)
        #: Where the next search starts (before the lookback), and the newest event seen.
        self._cursor: int | None = None
        self._older_left = False

    @property
    def streams(self) -> dict[str, StreamInfo]:
        """The job's streams known so far, by name."""
        return self.book.streams

    @property
    def listed(self) -> bool:
        return self.book.listed

    def host_index(self, host: str) -> int:
        """A stable small number per host (algo-1 → 0), for colours."""
        return self.book.host_index(host)

    # -- what the job is doing -----------------------------------------------------------

    def set_job(self, description: dict | None) -> None:
        """The job's latest DescribeTrainingJob answer (None: not known)."""
        self.info = LogJob.from_description(description) if description else None
        if self.info is not None and self.info.ended and self.info.started is False and not self.streams:
            self.done = True  # it ended before its containers started: it has no logs, and never will

    @property
    def status(self) -> LogStatus:
        truncated = self.buffer.dropped > 0 or self._older_left
        return LogStatus(len(self.streams), self.book.hosts, self.calls, self.error, truncated, self.loaded, self.done)

    def retry(self) -> None:
        """Try again after access was denied (the permission may have been added since)."""
        self.denied = False

    def wait(self, interval: float) -> float:
        """Seconds to wait before the next round: ``interval``, longer while the service keeps failing
        (doubling up to MAX_BACKOFF), shorter when the settling read of an ended job falls sooner."""
        if self.error is not None and self.error.retryable and self.failures:
            return min(interval * 2 ** min(self.failures, 6), max(MAX_BACKOFF, interval))
        info = self.info
        if info is not None and info.ended and info.ended_ms is not None and not self.done:
            until = (info.ended_ms + SETTLE * 1000 - self._now_ms()) / 1000
            return max(min(interval, until), 0.0)
        return interval

    # -- reading -------------------------------------------------------------------------

    async def read_round(self, changed: Callable[[], None] | None = None) -> int:
        """List the streams if due, then read what is new; returns the lines added.

        Lines go into the buffer as each page arrives, and ``changed`` is
        called then, so a view fills progressively. A failure ends the round;
        the next one goes on from where it stopped.
        """
        if self.done or self.denied:
            return 0
        try:
            return await self._round(changed)
        finally:
            self.rounds += 1

    async def _round(self, changed: Callable[[], None] | None) -> int:
        added = 0
        try:
            if self._listing_due():
                await self.list_streams()
            if not self._readable():
                self.error = None
                return 0
            if self._scan is None:
                self._scan = self._next_scan()
            scan = self._scan
            while not scan.done:
                lines = self._seen.take(scan, await scan.step())
                if lines:
                    self.buffer.add(lines)
                    added += len(lines)
                    if changed is not None:
                        changed()
            self._scan = None
            self._finished(scan)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(exc)
            if changed is not None:
                changed()
            return added
        self.error = None
        self.failures = 0
        return added

    async def list_streams(self) -> None:
        """Every page of DescribeLogStreams for the job's prefix; new streams are added."""
        pages = 0
        async for page in every_page(
            lambda token: self._call(
                "DescribeLogStreams", self.source.describe_log_streams(self.group, self.prefix, token)
            ),
            key="nextToken",
        ):
            pages += 1
            self.book.add_page(page)
        self.book.listed_now(self.clock.now().timestamp(), pages, self.info)

    async def _call(self, operation: str, call: Awaitable[dict]) -> dict:
        try:
            if self._budget is not None:
                await self._budget(operation)
        except BaseException:
            call.close()  # type: ignore[attr-defined]
            raise
        self.calls += 1
        self.calls_by[operation] = self.calls_by.get(operation, 0) + 1
        return await call

    def _fetch(
        self, token: str | None, start: int | None, end: int | None, newest: bool, limit: int | None
    ) -> Awaitable[dict]:
        return self._call(
            "FilterLogEvents",
            self.source.filter_log_events(
                self.group, self.prefix, self.pattern, token, start, end_ms=end, newest=newest, limit=limit
            ),
        )

    def _listing_due(self) -> bool:
        return self.listing and self.book.due(self.info, self.clock.now().timestamp())

    def _readable(self) -> bool:
        """Whether there can be events: not before the containers started, unless a stream says otherwise."""
        return bool(self.streams) or self.info is None or self.info.started is not False

    def _now_ms(self) -> int:
        return int(self.clock.now().timestamp() * 1000)

    def _next_scan(self) -> Scan:
        self._scan_began = self._now_ms()
        if not self.loaded:
            start = self._start_bound()
            end = self._end_bound()
            newest_first = start is None or start >= NEWEST_FIRST_SINCE
            return Scan(
                self._fetch, self.prefix, start=start, end=end, newest_first=newest_first, want=self.buffer.capacity
            )
        assert self._cursor is not None
        return Scan(self._fetch, self.prefix, start=max(self._cursor - LOOKBACK_MS, 0), end=None, newest_first=False)

    def _start_bound(self) -> int | None:
        if self.info is not None and self.info.created_ms is not None:
            return max(self.info.created_ms - 60_000, 0)
        created = [s.created_ms for s in self.streams.values() if s.created_ms is not None]
        return max(min(created) - 3_600_000, 0) if created else None

    def _end_bound(self) -> int | None:
        info = self.info
        if info is None or not info.ended or info.ended_ms is None:
            return None
        end = info.ended_ms + END_MARGIN_MS
        return end if end < self._now_ms() else None

    def _finished(self, scan: Scan) -> None:
        newest = self._seen.newest
        if not self.loaded:
            self.loaded = True
            if not scan.complete or len(self.buffer) >= self.buffer.capacity:
                # Older events were left unread (or dropped): the floor keeps a follow-up search that
                # reaches back before the oldest line held from bringing them in.
                self._seen.floor = self.buffer.lines[0].timestamp if self.buffer.lines else None
                self._older_left = not scan.complete
        reach = [self._scan_began - QUIET_REACH_MS]
        if newest is not None:
            reach.append(newest)
        if self._cursor is not None:
            reach.append(self._cursor)
        self._cursor = max(reach)
        self._seen.forget_before(self._cursor - LOOKBACK_MS - 1)
        info = self.info
        if info is not None and info.ended and info.ended_ms is not None:
            # This read started after the last lines had time to arrive: it was the last one.
            if self._scan_began >= info.ended_ms + SETTLE * 1000:
                self.done = True

    def _failed(self, exc: Exception) -> None:
        error = explain(exc)
        if error.kind == ACCESS_DENIED:
            operation = getattr(exc, "operation_name", None)
            missing = f"logs:{operation}" if isinstance(operation, str) and operation else PERMISSIONS[0]
            needed = " and ".join(PERMISSIONS)
            error = PollError(
                ACCESS_DENIED,
                f"access denied to CloudWatch Logs ({missing}): allow {needed} on "
                f"log group {self.group} for these credentials",
            )
            self.denied = True
        self.error = error
        self.failures += 1

    # -- for people ------------------------------------------------------------------------

    def why_empty(self, started: bool | None) -> str:
        """Why there is nothing to show yet, for a person; ``started``: whether the job reached training."""
        if self.error is not None:
            if self.error.kind == NOT_FOUND:
                return f"No log group {self.group} in this account and region: the job has not written any logs."
            return self.error.message
        if self.done and not self.streams and started is False:
            return f"{self.job} ended before its containers started, so it wrote no logs."
        if not self.streams and started is False:
            return "The job has not started its containers yet: SageMaker creates the log streams when training starts."
        if not self.listed and not self.loaded:
            return "Reading the job's log streams…"
        if self.pattern and self.loaded:
            count = len(self.streams)
            return (
                f"No events of {self.job} match {self.pattern!r} "
                f"({count} log stream{'' if count == 1 else 's'} searched)."
            )
        if not self.streams:
            return f"No log streams for {self.job} in {self.group}: its logs may have expired or been deleted."
        return "The job's log streams have no events yet."
