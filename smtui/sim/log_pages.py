"""CloudWatch Logs' GetLogEvents: one stream's events, page by page, as the service cuts its pages.

The API reference says a page "might only be partially full, or even
empty", that only a token that comes back equal to the one passed in means
the end, and that tokens expire after 24 hours. Here that comes from how a
stream is read: its storage is split by time, and a page reads at most from
where its token points to the next split (``log_page_span`` seconds of event
time apart, at a phase of the stream's own, with a 1 ms slice at some splits
which a page finds empty). So:

- a page can be empty or short while events follow in its direction;
- ``startFromHead`` false (the default) without a token returns the newest
  events; true starts at the first event at or after ``startTime``;
- a forward token at the head of a stream still being written moves on with
  the clock, so it keeps changing while nothing new arrives (a stream that
  has all its events ends: its token then comes back unchanged);
- a token names its stream and the moment it was issued, and is refused with
  InvalidParameterException once ``token_ttl`` has passed.

A token is ``f/…/s`` or ``b/…/s`` around 56 digits: a check binding it to its
stream, when it was issued, and the read position (a time and an event index).
Without ``log_page_span`` a page reads as far as its limit allows, and the
head of a stream is a position, not a time: the gentle behaviour.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from smtui.sim.cwlogs import BAD_TOKEN, MAX_BYTES, MAX_EVENTS, check_group, epoch_ms, event_size, invalid
from smtui.sim.log_group import MAX_DELAY_MS, LogStream
from smtui.sim.log_streams import LogBook
from smtui.sim.loglines import unit
from smtui.sim.realism import Realism
from smtui.sim.wire import SimError

EXPIRED_TOKEN = "The specified nextToken has expired."
_TOKEN = re.compile(r"([fb])/(\d{9})(\d{13})(\d{13})(\d{21})/s")


class Splits:
    """Where a stream's storage is split in time: every ``span`` ms from a phase, with some 1 ms slices."""

    def __init__(self, name: str, span_ms: int, slices: float) -> None:
        self.name, self.span, self.slices = name, span_ms, slices
        self.phase = int(unit(name, "phase") * span_ms)

    def _block(self, ms: int) -> tuple[int, int]:
        k = math.floor((ms - self.phase) / self.span)
        return k, self.phase + k * self.span

    def _sliced(self, k: int) -> bool:
        return unit(self.name, "slice", k) < self.slices

    def after(self, ms: int) -> int:
        """The first split after ``ms``."""
        k, start = self._block(ms)
        if ms == start and self._sliced(k):
            return start + 1
        return start + self.span

    def before(self, ms: int) -> int:
        """The last split before ``ms``."""
        k, start = self._block(ms - 1)
        if self._sliced(k) and start + 1 < ms:
            return start + 1
        return start


def _token(direction: str, stream: LogStream, issued: int, at: int, index: int) -> str:
    body = f"{issued:013d}{max(0, at):013d}{index:021d}"
    check = int(hashlib.sha256(f"{stream.name}/{direction}/{body}".encode()).hexdigest(), 16) % 10**9
    return f"{direction}/{check:09d}{body}/s"


def _read_token(token: str, stream: LogStream, now: int, ttl: float | None) -> tuple[str, int, int]:
    """(direction, time, index) of a token this stream issued; InvalidParameterException otherwise."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise invalid(BAD_TOKEN)
    direction, _, issued, at, index = match.groups()
    if _token(direction, stream, int(issued), int(at), int(index)) != token:
        raise invalid(BAD_TOKEN)
    if ttl is not None and now - int(issued) > ttl * 1000:
        raise invalid(EXPIRED_TOKEN)
    return direction, int(at), int(index)


def get_log_events(
    params: dict, book: LogBook, stops: Mapping[str, float], now: datetime, realism: Realism | None = None
) -> dict:
    """GetLogEvents, with pages split as ``realism`` says (AWS's way by default)."""
    realism = realism or Realism()
    check_group(params, book)
    now_ms = epoch_ms(now)
    stream = book.stream(params["logStreamName"], stops, now_ms)
    if stream is None:
        raise SimError("ResourceNotFoundException", "The specified log stream does not exist.")
    limit = params.get("limit", MAX_EVENTS)
    visible = stream.visible(now_ms)
    timed = realism.log_page_span is not None
    splits = Splits(stream.name, max(1, int(realism.log_page_span * 1000)), realism.empty_log_pages) if timed else None
    lower = max(params.get("startTime") or 0, stream.creation_ms)
    # The head of the stream: all it will ever have, or what has been ingested by now.
    if visible == stream.total and visible:
        upper = stream.timestamp(visible - 1) + 1
    else:
        upper = now_ms - MAX_DELAY_MS + 1
    if params.get("endTime") is not None:
        upper = min(upper, params["endTime"])
    token = params.get("nextToken")
    if token:
        direction, at, index = _read_token(token, stream, now_ms, realism.token_ttl)
    elif params.get("startFromHead", False):
        direction, index = "f", stream.index_at(lower)
        at = stream.timestamp(index) if index < visible and stream.timestamp(index) < upper else lower
    else:
        direction, index = "b", min(visible, stream.index_at(upper))
        at = stream.timestamp(index - 1) + 1 if index and stream.timestamp(index - 1) >= lower else upper

    def issue(kind: str, moment: int, position: int) -> str:
        made = _token(kind, stream, now_ms, moment, position)
        # Only a position that did not move comes back as the very token passed in.
        if token and kind == direction and (moment, position) == (at, index):
            return token
        return made

    taken: list[tuple[int, int, str]] = []
    size = 0

    def take(item: tuple[int, int, str]) -> bool:
        nonlocal size
        if len(taken) >= limit or size + event_size(item[2]) > MAX_BYTES:
            return False
        taken.append(item)
        size += event_size(item[2])
        return True

    if direction == "f":
        at, index = max(at, lower), min(max(index, stream.index_at(lower)), stream.total)
        end = min(splits.after(at), upper) if splits else upper
        hi = min(visible, stream.index_at(end)) if end > at else index
        cut = next((item for item in stream.events(index, hi) if not take(item)), None)
        if cut is not None:
            forward = (cut[1], cut[0])
        elif splits is not None:
            forward = (max(at, end), max(index, hi))
        else:
            forward = (stream.timestamp(hi - 1) + 1 if hi > index else at, max(index, hi))
        if taken:
            backward = (taken[0][1] + 1, taken[0][0])
        else:
            backward = (max(at, stream.timestamp(index - 1) + 1) if index else at, index)
        return _page(stream, taken, issue("f", *forward), issue("b", *backward))

    at = min(at, max(upper, lower))
    index = min(index, stream.index_at(at), visible)
    start = max(splits.before(at), lower) if splits else lower
    lo = stream.index_at(start) if at > start else index
    cut = next((item for item in stream.events(lo, index, True) if not take(item)), None)
    backward = (cut[1] + 1, cut[0] + 1) if cut is not None else (min(at, start), min(index, lo))
    taken.reverse()
    forward = (taken[-1][1] + 1, taken[-1][0] + 1) if taken else (at, index)
    return _page(stream, taken, issue("f", *forward), issue("b", *backward))


def _page(stream: LogStream, taken: list[tuple[int, int, str]], forward: str, backward: str) -> dict[str, Any]:
    return {
        "events": [
            {"timestamp": ts, "message": message, "ingestionTime": stream.ingestion(ts)} for _, ts, message in taken
        ],
        "nextForwardToken": forward,
        "nextBackwardToken": backward,
    }
