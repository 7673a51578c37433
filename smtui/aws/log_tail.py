"""A training job's CloudWatch Logs, merged across its instances, without Textual.

SageMaker writes each container's output to log group
``/aws/sagemaker/TrainingJobs``, one stream per instance and attempt, named
``JOB/algo-N-EPOCH``. :class:`LogTail` finds a job's streams (every page of
DescribeLogStreams), reads each one with GetLogEvents and follows it with
``nextForwardToken`` until the token comes back unchanged, and merges the
events by timestamp into a :class:`LogBuffer` that keeps the newest lines
only. Tokens carry each stream's position, so no event is read twice and
none is skipped.
"""

from __future__ import annotations

import asyncio
import bisect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from typing import Any, Protocol

from smtui.aws.errors import NOT_FOUND, PollError, explain
from smtui.aws.source import every_page
from smtui.present.secrets import PrivateKeyLines

#: Where SageMaker sends training containers' output.
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
#: Lines a buffer keeps unless told otherwise.
DEFAULT_CAPACITY = 10_000
#: Pages one stream may take in one round before the others get their turn.
MAX_PAGES_PER_ROUND = 20
#: Most events asked for when a stream is first read from its newest end (GetLogEvents' own limit).
FIRST_READ = 10_000
#: A page this large may have been cut by GetLogEvents' 1 MB limit (events count 26 bytes each besides their text).
_CUT_PAGE_BYTES = 1024 * 1024 - 256 * 1024
#: Secondary statuses before the training containers (and with them the log streams) start.
BEFORE_TRAINING = frozenset({"Pending", "Starting", "LaunchingMLInstances", "PreparingTrainingStack", "Downloading",
                             "DownloadingTrainingImage"})
#: Secondary statuses that only a job whose containers ran reaches.
REACHED_TRAINING = frozenset({"Training", "Uploading", "Completed", "Interrupted", "Restarting", "MaxRuntimeExceeded",
                              "Updating"})
_STREAM = re.compile(r"(?P<host>.+?)-(?P<epoch>\d{9,})$")


class LogsSource(Protocol):
    """The CloudWatch Logs calls a tail makes (see :class:`smtui.aws.source.AwsJobSource`)."""

    async def describe_log_streams(self, group: str, prefix: str, token: str | None = None) -> dict: ...

    async def get_log_events(self, group: str, stream: str, *, token: str | None = None, newest: bool = False,
                             limit: int | None = None) -> dict: ...


@dataclass(frozen=True, order=True)
class LogLine:
    """One event of one stream. Lines sort by time, then stream, then their order in the stream."""

    timestamp: int  # milliseconds since the epoch
    host_index: int
    sequence: int
    host: str = field(compare=False)
    message: str = field(compare=False)
    #: The line is inside a private key printed over several lines: shown hidden as a whole unless secrets are.
    hidden: bool = field(default=False, compare=False)

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, timezone.utc)


def training_started(description: dict) -> bool | None:
    """Whether a job's containers have started (so it has log streams), from its DescribeTrainingJob answer.

    SageMaker sets TrainingStartTime when the instances start downloading,
    before the containers (and their streams) exist, so the secondary status
    and its transitions decide first.
    """
    secondary = description.get("SecondaryStatus")
    if secondary in BEFORE_TRAINING:
        return False
    if secondary in REACHED_TRAINING:
        return True
    transitions = description.get("SecondaryStatusTransitions")
    if isinstance(transitions, list) and transitions:
        return any(isinstance(t, dict) and t.get("Status") in REACHED_TRAINING for t in transitions)
    if description.get("TrainingStartTime"):
        return True
    return None if secondary is None else False


def split_stream_name(job: str, stream: str) -> tuple[str, int]:
    """(host, attempt epoch) of ``JOB/algo-2-1732000000``; other names keep their whole tail as the host."""
    tail = stream[len(job) + 1:] if stream.startswith(job + "/") else stream
    match = _STREAM.match(tail)
    if match is None:
        return tail, 0
    return match.group("host"), int(match.group("epoch"))


class LogBuffer:
    """The newest ``capacity`` lines of a job, in time order; a line arriving late goes in its place."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("a log buffer keeps at least one line")
        self.capacity = capacity
        self.lines: list[LogLine] = []
        #: Lines dropped from the old end to stay within capacity.
        self.dropped = 0
        #: Bumped on every change, so views know to redraw.
        self.version = 0

    def __len__(self) -> int:
        return len(self.lines)

    def add(self, new: list[LogLine]) -> int:
        """Merge ``new`` in; returns the index of the first line that changed (``len`` if none)."""
        if not new:
            return len(self.lines)
        new = sorted(new)
        lines = self.lines
        first = len(lines)
        if not lines or new[0] >= lines[-1]:
            lines.extend(new)
        else:
            first = bisect.bisect_left(lines, new[0])
            lines[first:] = sorted(lines[first:] + new)
        excess = len(lines) - self.capacity
        if excess > 0:
            del lines[:excess]
            self.dropped += excess
            first = max(first - excess, 0)
        self.version += 1
        return first

    def drop_before(self, timestamp: int) -> None:
        """Forget lines older than ``timestamp`` (where some streams were not read that far back)."""
        cut = bisect.bisect_left(self.lines, LogLine(timestamp, -1, -1, "", ""))
        if cut:
            del self.lines[:cut]
            self.dropped += cut
            self.version += 1


@dataclass
class StreamState:
    """How far one stream has been read."""

    name: str
    host: str
    epoch: int
    host_index: int
    token: str | None = None
    #: Events read so far (orders a stream's lines that share a millisecond).
    count: int = 0
    #: The stream was read to its end at least once.
    caught_up: bool = False
    #: The oldest timestamp read, when older events were left unread; None when read from its start.
    floor: int | None = None
    #: Whether the lines read are inside a private key printed line by line.
    keys: PrivateKeyLines = field(default_factory=PrivateKeyLines, repr=False)


@dataclass(frozen=True)
class LogStatus:
    """What the tail knows, for a status line: streams, lines, and why there are none."""

    streams: int
    following: int
    calls: int
    error: PollError | None = None
    #: Older lines exist that were not loaded (the buffer starts after them).
    truncated: bool = False


class LogTail:
    """Follows one training job's log streams into a :class:`LogBuffer`.

    ``read_round`` lists the streams and reads what is new in each; call it
    again to follow. A stream of an earlier attempt stops being read once it
    has been read to its end.
    """

    def __init__(self, source: LogsSource, job: str, *, capacity: int = DEFAULT_CAPACITY,
                 budget: Callable[[], Any] | None = None, group: str = LOG_GROUP) -> None:
        self.source = source
        self.job = job
        self.group = group
        self.buffer = LogBuffer(capacity)
        self.streams: dict[str, StreamState] = {}
        self.error: PollError | None = None
        self.calls = 0
        self.listed = False
        self._budget = budget
        self._hosts: dict[str, int] = {}

    @property
    def status(self) -> LogStatus:
        following = sum(1 for s in self.streams.values() if self._live(s))
        truncated = self.buffer.dropped > 0 or any(s.floor is not None for s in self.streams.values())
        return LogStatus(len(self.streams), following, self.calls, self.error, truncated)

    def host_index(self, host: str) -> int:
        """A stable small number per host (algo-1 → 0), for colours."""
        if host not in self._hosts:
            match = re.search(r"(\d+)$", host)
            self._hosts[host] = int(match.group(1)) - 1 if match else 1000 + len(self._hosts)
        return self._hosts[host]

    async def _call(self, call: Callable[[], Awaitable[dict]]) -> dict:
        """``call()`` once the budget allows. The call is made only then: a coroutine made before the wait
        would never be awaited when the wait is cancelled (the screen closing), and Python warns of that."""
        if self._budget is not None:
            await self._budget()
        self.calls += 1
        return await call()

    async def list_streams(self) -> None:
        """Every page of DescribeLogStreams for the job's prefix; new streams are added."""
        async for page in every_page(
                lambda token: self._call(partial(self.source.describe_log_streams, self.group, self.job + "/", token)),
                key="nextToken"):
            for stream in page.get("logStreams", ()):
                name = stream.get("logStreamName")
                if isinstance(name, str) and name not in self.streams:
                    host, epoch = split_stream_name(self.job, name)
                    self.streams[name] = StreamState(name, host, epoch, self.host_index(host))
        self.listed = True

    def _live(self, state: StreamState) -> bool:
        """Whether a stream can still grow: it belongs to the newest attempt, or was never read to its end."""
        newest = max((s.epoch for s in self.streams.values()), default=0)
        return state.epoch == newest or not state.caught_up

    async def read_stream(self, state: StreamState, first_read: int = FIRST_READ) -> int:
        """Add what is new in one stream: its newest ``first_read`` events the first time, then what
        follows its token. Each page goes into the buffer as it arrives, so a failure on a later
        page loses nothing: the token has moved exactly as far as the lines kept."""
        added = 0
        for _ in range(MAX_PAGES_PER_ROUND):
            first = state.token is None
            response = await self._call(partial(
                self.source.get_log_events, self.group, state.name, token=state.token, newest=first,
                limit=first_read if first else None))
            events = response.get("events") or []
            lines = []
            for event in events:
                message = str(event.get("message", "")).rstrip("\n")
                lines.append(LogLine(_timestamp(event), state.host_index, state.count, state.host, message,
                                     state.keys.hidden(message)))
                state.count += 1
            if first and events and (len(events) >= first_read or _page_bytes(events) >= _CUT_PAGE_BYTES):
                # Older events were left unread. Those sharing the oldest read millisecond may be among
                # them, so the floor is the millisecond after it.
                state.floor = _timestamp(events[0]) + 1
            self.buffer.add(lines)
            self._apply_floors()
            added += len(lines)
            token = response.get("nextForwardToken")
            unchanged = not token or token == state.token
            if first and not events:
                # An empty stream's forward token is read differently by different implementations
                # (moto's skips the first event to come); the next round reads its newest end again.
                token = None
            if token:
                state.token = token
            if first:
                # The newest events, up to now: the forward token takes it from here next round.
                state.caught_up = True
                break
            # An empty page can still carry a new token: only a token that comes back unchanged ends it.
            if unchanged:
                state.caught_up = True
                break
        return added

    async def read_round(self, changed: Callable[[], None] | None = None) -> int:
        """List the streams, then read every stream that can have something new; returns lines added.

        The buffer takes each stream's lines as soon as they are read, and
        ``changed`` is called then, so a job with hundreds of streams fills
        the screen progressively.
        """
        added = 0
        try:
            await self.list_streams()
            live = [s for s in self.streams.values() if self._live(s)]
            # A first read takes each stream's share of the buffer, so hundreds of streams cost no more.
            first_read = min(max(self.buffer.capacity // max(len(live), 1), 50), FIRST_READ)
            for state in sorted(live, key=lambda s: (-s.epoch, s.host_index)):
                count = await self.read_stream(state, first_read)
                if count:
                    added += count
                    if changed is not None:
                        changed()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.error = explain(exc)
            if changed is not None:
                changed()
            return added
        self.error = None
        return added

    def _apply_floors(self) -> None:
        # Where a stream's older events were left unread, every stream is shown from that moment
        # on, so the merged view has no hole in one host's output.
        floors = [s.floor for s in self.streams.values() if s.floor is not None]
        if floors:
            self.buffer.drop_before(max(floors))

    def why_empty(self, started: bool | None) -> str:
        """Why there is nothing to show yet, for a person; ``started``: whether the job reached training."""
        if self.error is not None:
            if self.error.kind == NOT_FOUND:
                return f"No log group {self.group} in this account and region: the job has not written any logs."
            return self.error.message
        if not self.listed:
            return "Reading the job's log streams…"
        if not self.streams:
            if started is False:
                return ("The job has not started its containers yet: SageMaker creates the log streams "
                        "when training starts.")
            return f"No log streams for {self.job} in {self.group}: its logs may have expired or been deleted."
        return "The job's log streams have no events yet."


def _page_bytes(events: list[dict]) -> int:
    # A message can hold a lone surrogate (JSON allows "\ud800"), which strict UTF-8 cannot encode.
    return sum(len(str(event.get("message", "")).encode("utf-8", "surrogatepass")) + 26 for event in events)


def _timestamp(event: dict) -> int:
    value = event.get("timestamp")
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
