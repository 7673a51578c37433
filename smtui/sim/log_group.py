"""The training jobs' log group, and what every stream in it offers the CloudWatch Logs operations.

A stream's events are numbered from 0 in time order (timestamps never
decrease with the index). An event is visible once ingested, at most
``MAX_DELAY_MS`` after its timestamp, so no visible event is dated after
the clock's now.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterator

from smtui.sim.loglines import unit

GROUP = "/aws/sagemaker/TrainingJobs"
#: The most real milliseconds between an event's timestamp and its ingestion.
MAX_DELAY_MS = 2000


def group_arn(region: str, account: str) -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:{GROUP}"


def resource_arn(region: str, account: str, params: object) -> str:
    """The resource a Logs request acts on, as an access-denied message names it: the stream, or all of the group's."""
    stream = params.get("logStreamName") if isinstance(params, dict) else None
    return f"{group_arn(region, account)}:log-stream:{stream if isinstance(stream, str) else ''}"


def ingestion_ms(name: str, timestamp: int) -> int:
    """When an event of stream ``name`` dated ``timestamp`` was ingested.

    The agent uploads what a second brought a little after it ends, so
    ingestion never goes back as timestamps go forward.
    """
    second = timestamp // 1000
    return (second + 1) * 1000 + 100 + int(unit(name, second) * (MAX_DELAY_MS - 1100))


class LogStream:
    """What the Logs operations need of a stream; subclasses say which events it has.

    Subclasses set ``name``, ``creation_ms`` and ``total``, and implement
    :meth:`index_at`, :meth:`timestamp` and :meth:`events`.
    """

    name: str
    creation_ms: int
    #: Events over the stream's whole life (not all of them visible yet).
    total: int

    def index_at(self, ms: int) -> int:
        """How many events have a timestamp before ``ms``."""
        raise NotImplementedError

    def timestamp(self, index: int) -> int:
        """The timestamp of event ``index``."""
        raise NotImplementedError

    def events(self, lo: int, hi: int, reverse: bool = False) -> Iterator[tuple[int, int, str]]:
        """(index, timestamp, message) of events ``lo`` ≤ index < ``hi``, oldest first or newest first."""
        raise NotImplementedError

    def visible(self, now_ms: int) -> int:
        """How many events have been ingested by ``now_ms``."""
        return self.index_at(now_ms - MAX_DELAY_MS + 1)

    def ingestion(self, timestamp: int) -> int:
        """When an event dated ``timestamp`` was ingested."""
        return ingestion_ms(self.name, timestamp)

    def arn(self, region: str, account: str) -> str:
        return f"{group_arn(region, account)}:log-stream:{self.name}"

    def sequence_token(self, count: int) -> str:
        """An uploadSequenceToken: 56 digits that change as the stream grows."""
        digest = hashlib.sha256(f"{self.name}/{count}".encode()).hexdigest()
        return "49" + str(int(digest, 16))[:54].rjust(54, "0")


class ListedStream(LogStream):
    """A stream whose few events are all computed up front: (timestamp, message), in time order."""

    def __init__(self, name: str, creation_ms: int, lines: list[tuple[int, str]]) -> None:
        self.name, self.creation_ms = name, creation_ms
        self._times = [ts for ts, _ in lines]
        self._messages = [message for _, message in lines]
        self.total = len(lines)

    def index_at(self, ms: int) -> int:
        return bisect.bisect_left(self._times, ms)

    def timestamp(self, index: int) -> int:
        return self._times[index]

    def events(self, lo: int, hi: int, reverse: bool = False) -> Iterator[tuple[int, int, str]]:
        lo, hi = max(0, lo), min(hi, self.total)
        order = range(hi - 1, lo - 1, -1) if reverse else range(lo, hi)
        for index in order:
            yield index, self._times[index], self._messages[index]
