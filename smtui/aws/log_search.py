"""One FilterLogEvents search over a job's streams, a page at a time, that survives failures and expired tokens.

A :class:`Scan` walks a time range of every stream whose name starts with the
job's prefix, newest first (``startFromHead`` false) or oldest first, and can
stop once it holds ``want`` events. Each :meth:`Scan.step` is one call; the
scan keeps its place between steps, so a call that fails (throttled, the
network) is simply made again later.

What the API reference says, and how the scan takes it:

- "Partially full or empty pages don't necessarily mean that pagination is
  finished": only a missing ``nextToken`` (or one that comes back unchanged)
  ends the scan.
- Tokens expire. A token refused with InvalidParameterException is not
  retried: the scan starts again from the time it had reached (``endTime``
  at the oldest event taken, newest first; ``startTime`` at the newest, oldest
  first), and the events it already took at that millisecond are recognised by
  their eventId, so nothing is taken twice and nothing is skipped.
- ``startFromHead`` false is honoured only from ``startTime`` 2024-01-01 on,
  and some implementations ignore it (moto's server answers oldest first).
  A page that comes back in ascending order turns the scan into a full read
  of the range, and the caller keeps the newest ``want``.
- ``logStreamNamePrefix`` is also ignored by some implementations: events of
  other streams are dropped here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

#: FilterLogEvents reads newest first only from this startTime on (2024-01-01T00:00:00Z).
NEWEST_FIRST_SINCE = 1_704_067_200_000
#: The most events one FilterLogEvents page holds.
MAX_PAGE = 10_000
#: Restarts after refused tokens, in a row without an event taken in between, before the scan gives up.
MAX_RESTARTS = 3

#: fetch(token, start_ms, end_ms, newest_first, limit) → one FilterLogEvents answer.
Fetch = Callable[[str | None, int | None, int | None, bool, int | None], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Event:
    """One event a search found."""

    timestamp: int
    stream: str
    message: str
    #: The service's eventId (or what tells apart an event that has none).
    key: str


class TokenRefused(Exception):
    """The service refused a scan's token again and again, although the scan restarted each time."""


def refused_token(exc: BaseException) -> bool:
    """Whether ``exc`` is the service refusing a pagination token (expired, or not one it issued)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    code = str((response.get("Error") or {}).get("Code", ""))
    return code in ("InvalidParameterException", "InvalidNextTokenException", "InvalidTokenException")


class Scan:
    """A FilterLogEvents search of ``prefix``'s streams over [``start``, ``end``] (ms; None: unbounded).

    Args:
        fetch: makes the call (the caller counts it and keeps it within its budget).
        prefix: the job's stream prefix, ``JOB/``.
        newest_first: newest events first; the scan ends once it has ``want`` of them.
        want: the most events wanted (None: all of the range).
    """

    def __init__(
        self,
        fetch: Fetch,
        prefix: str,
        *,
        start: int | None,
        end: int | None,
        newest_first: bool,
        want: int | None = None,
    ) -> None:
        if newest_first and start is not None and start < NEWEST_FIRST_SINCE:
            newest_first = False  # the service refuses it: read the range oldest first and keep the newest
        self.fetch = fetch
        self.prefix = prefix
        self.start, self.end = start, end
        self.newest_first = newest_first
        self.want = want
        self.token: str | None = None
        #: Whether the service answers oldest first although asked for the newest first.
        self.ascending: bool | None = None if newest_first else True
        #: Events taken so far, and the calls made.
        self.taken = 0
        self.calls = 0
        self.done = False
        self._keys: set[str] = set()
        #: The oldest (newest first) or newest (oldest first) timestamp taken: where a restart resumes, and how
        #: many events of that millisecond were taken (a restarted search meets them again first).
        self._edge: int | None = None
        self._at_edge = 0
        self._again = 0
        self._restarts = 0

    @property
    def reversed(self) -> bool:
        """Whether events come newest first (so a caller numbering them counts down)."""
        return not self.ascending

    @property
    def complete(self) -> bool:
        """Whether the scan read its whole range (not stopped early at ``want``)."""
        return self.done and (self.want is None or self.taken < self.want or bool(self.ascending))

    async def step(self) -> list[Event]:
        """One call: the events of the next page not taken before, in the order the service gave them."""
        if self.done:
            return []
        sent = self.token
        limit = None
        if self.want is not None and not self.ascending:
            limit = max(1, min(MAX_PAGE, self.want - self.taken + self._again))
        try:
            self.calls += 1
            page = await self.fetch(sent, self.start, self.end, self.newest_first, limit)
        except Exception as exc:
            if sent is None or not refused_token(exc):
                raise
            self._restart()
            return []
        events = [_event(raw) for raw in page.get("events") or () if isinstance(raw, dict)]
        events = [e for e in events if e.stream.startswith(self.prefix)]
        if self.ascending is None:
            times = [e.timestamp for e in events]
            if len(set(times)) > 1:
                self.ascending = times[0] < times[-1]
        fresh = [e for e in events if e.key not in self._keys]
        if self.want is not None and not self.ascending:
            fresh = fresh[: self.want - self.taken]
        if fresh:
            self._restarts = 0
            self._again = 0
            self._keys.update(e.key for e in fresh)
            self.taken += len(fresh)
            farther = min if self.reversed else max
            edge = farther(e.timestamp for e in fresh)
            if self._edge is None or farther(self._edge, edge) != self._edge:
                self._edge, self._at_edge = edge, 0
            self._at_edge += sum(1 for e in fresh if e.timestamp == self._edge)
        token = page.get("nextToken")
        self.token = token if isinstance(token, str) and token else None
        if self.token is None or self.token == sent:
            self.done = True
        elif self.want is not None and not self.ascending and self.taken >= self.want:
            self.done = True
        return fresh

    def _restart(self) -> None:
        """Start again without a token from where the events taken so far reach."""
        self._restarts += 1
        if self._restarts > MAX_RESTARTS:
            raise TokenRefused("CloudWatch Logs kept refusing the search's pagination token")
        self.token = None
        self._again = self._at_edge
        if self._edge is not None:
            if self.reversed:
                self.end = self._edge  # endTime is inclusive: the events of that millisecond not yet taken
            else:
                self.start = self._edge


def _event(raw: dict) -> Event:
    value = raw.get("timestamp")
    timestamp = int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
    stream = str(raw.get("logStreamName", ""))
    message = str(raw.get("message", ""))
    key = raw.get("eventId")
    if not isinstance(key, str) or not key:
        key = f"{stream}\n{timestamp}\n{message}"
    return Event(timestamp, stream, message, key)
