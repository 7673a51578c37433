"""CloudWatch Logs' FilterLogEvents: the matching events of many streams, interleaved by time, a search at a time.

The API reference says a page "might only be partially full, or even empty"
and that only a response without nextToken ends the pagination. The service
searches a bounded amount per call and answers with what it found so far: here
each call searches at most ``filter_page_span`` seconds of event time (from
the first event still to search, so stretches without any event cost no
call) and looks at most ``filter_scan_events`` events. A rare pattern over a
long range therefore answers with empty pages and a nextToken while it
searches. ``startFromHead`` false searches newest first (only from a
``startTime`` on or after 2024-01-01, as the service requires). Tokens pin the
moment of the first page, say where the search stands, and expire after
``token_ttl`` seconds.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from smtui.sim.cwlogs import BAD_TOKEN, MAX_BYTES, MAX_EVENTS, check_group, epoch_ms, event_size, invalid
from smtui.sim.log_group import LogStream
from smtui.sim.log_pages import EXPIRED_TOKEN
from smtui.sim.log_streams import LogBook, Stream
from smtui.sim.realism import Realism
from smtui.sim.wire import decode_token, encode_token, page_fingerprint

#: FilterLogEvents reads newest first only from this startTime on (2024-01-01).
NEWEST_FIRST_SINCE = 1_704_067_200_000
#: Sorts after every stream name: a search frontier past every event of its millisecond.
_LAST_NAME = "\U0010ffff"


class FilterPattern:
    """A filter pattern of terms: ``ERROR`` and ``"exact phrase"`` must all appear (case-sensitive),
    ``?a ?b`` needs at least one of them, ``-term`` must not appear, ``%regex%`` must match.

    JSON (``{ $.x = 1 }``) and space-delimited (``[ip, user, ...]``) patterns are not supported.
    """

    def __init__(self, text: str) -> None:
        self.required: list[str] = []
        self.optional: list[str] = []
        self.excluded: list[str] = []
        self.regexes: list[re.Pattern] = []
        text = text.strip()
        if text[:1] in ("{", "["):
            raise invalid(
                'Invalid filter pattern: the simulator matches terms, "quoted phrases", ?alternatives, '
                "-exclusions and %regular expressions%, not JSON or space-delimited patterns."
            )
        index = 0
        while index < len(text):
            if text[index].isspace():
                index += 1
                continue
            kind = text[index] if text[index] in "?-" else ""
            index += len(kind)
            if text[index : index + 1] in ('"', "%"):
                close = text.find(text[index], index + 1)
                if close < 0:
                    raise invalid(f"Invalid filter pattern: unterminated {text[index]} in {text!r}.")
                term, index, quoted = text[index + 1 : close], close + 1, text[close]
            else:
                end = index
                while end < len(text) and not text[end].isspace():
                    end += 1
                term, index, quoted = text[index:end], end, ""
            if quoted == "%":
                try:
                    self.regexes.append(re.compile(term))
                except re.error:
                    raise invalid(f"Invalid filter pattern: {term!r} is not a valid regular expression.") from None
            elif term:
                {"?": self.optional, "-": self.excluded, "": self.required}[kind].append(term)

    def matches(self, message: str) -> bool:
        return (
            all(t in message for t in self.required)
            and (not self.optional or any(t in message for t in self.optional))
            and not any(t in message for t in self.excluded)
            and all(r.search(message) for r in self.regexes)
        )


def _event_id(stream: Stream, index: int, timestamp: int) -> str:
    digits = str(int(hashlib.sha256(f"{stream.name}/{index}".encode()).hexdigest(), 16))[:43]
    return f"{timestamp:013d}{digits.rjust(43, '0')}"


def filter_log_events(
    params: dict, book: LogBook, stops: Mapping[str, float], now: datetime, realism: Realism | None = None
) -> dict:
    """FilterLogEvents, searching as much per call as ``realism`` says (AWS's way by default)."""
    realism = realism or Realism()
    check_group(params, book)
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names and prefix:
        raise invalid("logStreamNames and logStreamNamePrefix cannot both be specified.")
    pattern = FilterPattern(params.get("filterPattern") or "")
    start, end = params.get("startTime"), params.get("endTime")
    limit = params.get("limit", MAX_EVENTS)
    fingerprint = page_fingerprint(params, ignore=("nextToken", "limit", "startFromHead"))
    now_ms = epoch_ms(now)
    after: tuple[int, str, int] | None = None
    if params.get("nextToken"):
        state = decode_token(params["nextToken"], "logs-events")
        point = state.get("p") if state else None
        if (
            state is None
            or state.get("h") != fingerprint
            or not isinstance(state.get("t"), int)
            or not isinstance(state.get("i"), int)
            or not isinstance(point, list)
            or len(point) != 3
        ):
            raise invalid(BAD_TOKEN)
        if realism.token_ttl is not None and now_ms - state["i"] > realism.token_ttl * 1000:
            raise invalid(EXPIRED_TOKEN)
        cutoff, newest_first, after = state["t"], bool(state.get("d")), (point[0], point[1], point[2])
    else:
        cutoff, newest_first = now_ms, params.get("startFromHead", True) is False
    if newest_first and start is not None and start < NEWEST_FIRST_SINCE:
        raise invalid("startFromHead can be false only when startTime is on or after Jan 1, 2024 00:00:00 UTC.")

    streams = book.streams(stops, cutoff, prefix or "")
    if names:
        wanted = set(names)
        streams = [s for s in streams if s.name in wanted]
    ranges = []
    for stream in streams:
        lo = stream.index_at(start) if start is not None else 0
        hi = stream.visible(cutoff)
        if end is not None:
            hi = min(hi, stream.index_at(end + 1))
        ranges.append(_resume(stream, lo, hi, after, newest_first))
    ranges, frontier, beyond = _window(streams, ranges, realism.filter_page_span, newest_first)

    # Entries: (order key, rank of the stream, index, timestamp, message, the stream's remaining events).
    heap: list[tuple[tuple[int, int, int], int, int, int, str, Iterator[tuple[int, int, str]]]] = []
    sign = -1 if newest_first else 1
    for rank, (stream, (lo, hi)) in enumerate(zip(streams, ranges)):
        _push(heap, stream.events(lo, hi, newest_first), rank, sign)
    found: list[dict[str, Any]] = []
    size, scanned, last = 0, 0, after
    while heap and len(found) < limit and scanned < realism.filter_scan_events:
        _, rank, index, timestamp, message, events = heap[0]
        stream = streams[rank]
        if pattern.matches(message):
            if size + event_size(message) > MAX_BYTES:
                break
            size += event_size(message)
            found.append(
                {
                    "logStreamName": stream.name,
                    "timestamp": timestamp,
                    "message": message,
                    "ingestionTime": stream.ingestion(timestamp),
                    "eventId": _event_id(stream, index, timestamp),
                }
            )
        scanned += 1
        last = (timestamp, stream.name, index)
        heapq.heappop(heap)
        _push(heap, events, rank, sign)
    result: dict[str, Any] = {"events": found, "searchedLogStreams": []}
    resume_at = last if heap and last is not None else frontier if beyond else None
    if resume_at is not None:
        result["nextToken"] = encode_token(
            "logs-events", {"h": fingerprint, "t": cutoff, "d": newest_first, "i": now_ms, "p": list(resume_at)}
        )
    return result


def _window(
    streams: list[LogStream], ranges: list[tuple[int, int]], span: float | None, newest_first: bool
) -> tuple[list[tuple[int, int]], tuple[int, str, int] | None, bool]:
    """The part of each stream's range this call searches, where the next call resumes, and whether anything is left.

    The window is ``span`` seconds of event time from the first event still
    to search in the search's direction.
    """
    live = [(stream, lo, hi) for stream, (lo, hi) in zip(streams, ranges) if lo < hi]
    if span is None or not live:
        return ranges, None, False
    span_ms = max(1, int(span * 1000))
    if newest_first:
        floor = max(stream.timestamp(hi - 1) for stream, _, hi in live) + 1 - span_ms
        cut = [(max(lo, stream.index_at(floor)), hi) for stream, (lo, hi) in zip(streams, ranges)]
        beyond = any(c[0] > lo for c, (lo, _) in zip(cut, ranges))
        return cut, (floor, "", -1), beyond
    ceiling = min(stream.timestamp(lo) for stream, lo, _ in live) + span_ms
    cut = [(lo, min(hi, stream.index_at(ceiling))) for stream, (lo, hi) in zip(streams, ranges)]
    beyond = any(c[1] < hi for c, (_, hi) in zip(cut, ranges))
    return cut, (ceiling - 1, _LAST_NAME, 10**18), beyond


def _push(heap: list, events: Iterator[tuple[int, int, str]], rank: int, sign: int) -> None:
    """Put the next event of ``events`` (if any) on the heap."""
    for index, timestamp, message in events:
        heapq.heappush(heap, ((sign * timestamp, sign * rank, sign * index), rank, index, timestamp, message, events))
        return


def _resume(
    stream: Stream, lo: int, hi: int, after: tuple[int, str, int] | None, newest_first: bool
) -> tuple[int, int]:
    """The part of [lo, hi) after ``after`` (timestamp, stream name, index) in the scan's order."""
    if after is None:
        return lo, hi
    if newest_first:
        top = min(hi, stream.index_at(after[0] + 1))
        while top > lo and (stream.timestamp(top - 1), stream.name, top - 1) >= after:
            top -= 1
        return lo, top
    bottom = max(lo, stream.index_at(after[0]))
    while bottom < hi and (stream.timestamp(bottom), stream.name, bottom) <= after:
        bottom += 1
    return bottom, hi
