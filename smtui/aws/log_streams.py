"""A job's log streams, as DescribeLogStreams lists them and events name them, and when listing them is worth
a call: until every instance has its stream, then only when the secondary status changes, at most once a minute."""

from __future__ import annotations

from dataclasses import dataclass

from smtui.aws.log_buffer import HostNumbers, split_stream_name
from smtui.aws.log_job import LogJob

#: Seconds between listings while some instance has no stream yet, and per page of the last listing (a job
#: with hundreds of streams takes a page per 50).
LIST_INCOMPLETE = 15.0
LIST_PER_PAGE = 10.0
#: The least seconds between two listings once every instance has its stream.
LIST_COMPLETE = 60.0


@dataclass
class StreamInfo:
    """One stream of the job: its host, and which attempt (the epoch second its containers started)."""

    name: str
    host: str
    epoch: int
    host_index: int
    created_ms: int | None = None


class StreamBook:
    """The streams of ``job`` known so far, and when they were last listed."""

    def __init__(self, job: str) -> None:
        self.job = job
        self.streams: dict[str, StreamInfo] = {}
        self.host_index = HostNumbers()
        self.listed = False
        self._listed_at: float | None = None
        self._pages = 0
        self._secondary: str | None = None

    @property
    def hosts(self) -> int:
        return len({s.host for s in self.streams.values()})

    def know(self, name: str, created_ms: int | None = None) -> StreamInfo:
        """The stream called ``name``, added if new."""
        stream = self.streams.get(name)
        if stream is None:
            host, epoch = split_stream_name(self.job, name)
            stream = self.streams[name] = StreamInfo(name, host, epoch, self.host_index(host), created_ms)
        elif created_ms is not None:
            stream.created_ms = created_ms
        return stream

    def add_page(self, page: dict) -> None:
        """The streams of one DescribeLogStreams page."""
        for stream in page.get("logStreams", ()):
            name = stream.get("logStreamName") if isinstance(stream, dict) else None
            if isinstance(name, str):
                created = stream.get("creationTime")
                self.know(name, created if isinstance(created, int) and not isinstance(created, bool) else None)

    def listed_now(self, at: float, pages: int, info: LogJob | None) -> None:
        """A listing of ``pages`` pages ended at ``at`` (epoch seconds), while the job was as ``info`` says."""
        self.listed = True
        self._listed_at, self._pages = at, pages
        self._secondary = info.secondary if info is not None else None

    def complete(self, info: LogJob | None) -> bool:
        """Whether every instance of the job's newest attempt has its stream (``JOB/ssm`` is not an instance)."""
        if info is None or info.instances is None:
            return False
        newest = max((s.epoch for s in self.streams.values() if s.epoch), default=None)
        hosts = {s.host for s in self.streams.values() if s.epoch and s.epoch == newest}
        return len(hosts) >= info.instances

    def due(self, info: LogJob | None, at: float) -> bool:
        """Whether to list the streams at ``at`` (epoch seconds)."""
        if not self.listed or self._listed_at is None:
            return True
        if info is not None and info.ended:
            return False  # the streams it will ever have are there; events name any one missed
        since = at - self._listed_at
        if not self.complete(info):
            return since >= max(LIST_INCOMPLETE, LIST_PER_PAGE * self._pages)
        return info is not None and info.secondary != self._secondary and since >= LIST_COMPLETE
