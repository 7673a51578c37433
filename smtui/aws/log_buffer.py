"""A job's log lines in time order: :class:`LogLine` and the :class:`LogBuffer` that keeps the newest of them."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

#: Lines a buffer keeps unless told otherwise.
DEFAULT_CAPACITY = 10_000
_STREAM = re.compile(r"(?P<host>.+?)-(?P<epoch>\d{9,})$")
_NUMBER = re.compile(r"(\d+)$")


@dataclass(frozen=True, order=True)
class LogLine:
    """One event of one stream. Lines sort by time, then host, then the order the service gave them in."""

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


def split_stream_name(job: str, stream: str) -> tuple[str, int]:
    """(host, attempt epoch) of ``JOB/algo-2-1732000000``; other names (``JOB/ssm``) keep their whole tail as
    the host, with epoch 0."""
    tail = stream[len(job) + 1 :] if stream.startswith(job + "/") else stream
    match = _STREAM.match(tail)
    if match is None:
        return tail, 0
    return match.group("host"), int(match.group("epoch"))


class HostNumbers:
    """A stable small number per host, for colours and ordering: ``algo-1`` → 0, ``algo-12`` → 11, and
    hosts without a number (``ssm``) after every instance, in the order first met."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}

    def __call__(self, host: str) -> int:
        number = self._numbers.get(host)
        if number is None:
            match = _NUMBER.search(host)
            number = int(match.group(1)) - 1 if match else 1_000_000 + len(self._numbers)
            self._numbers[host] = number
        return number


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
