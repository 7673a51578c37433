"""CloudWatch Logs' DescribeLogStreams, GetLogEvents and FilterLogEvents over the streams of :mod:`smtui.sim.logs`.

Requests and responses are botocore's shapes (times are longs of epoch
milliseconds). The rules are the service's:

- DescribeLogStreams lists up to ``limit`` (at most 50) streams by name or
  by last event time; its nextToken pins the moment of the first page.
- GetLogEvents pages through one stream with ``f/…/s`` and ``b/…/s`` tokens
  that are positions in the stream: a forward token returns the events after
  the last one seen, so a client that keeps calling with the token it got
  sees every event once, including those logged since. When there is
  nothing newer the token comes back unchanged. Without a token,
  ``startFromHead`` false (the default) returns the newest events.
- FilterLogEvents interleaves the matching streams' events by time; its
  nextToken remembers the last event looked at and the moment of the first
  page. A call looks at no more than ``SCAN_BUDGET`` events, so a rare
  pattern over days of logs can answer with few events and a nextToken.
- A page holds at most 10,000 events and 1 MB (a message's UTF-8 bytes
  plus 26 per event).
"""

from __future__ import annotations

import hashlib
import heapq
import re
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping

from smtui.sim.logs import GROUP, LogBook, Stream, group_arn
from smtui.sim.wire import BadToken, SimError, decode_token, encode_token, page_fingerprint, resume_point

MAX_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_EVENTS = 10_000
STREAMS_PAGE = 50
SCAN_BUDGET = 20_000
#: FilterLogEvents reads newest first only from this startTime on (2024-01-01).
NEWEST_FIRST_SINCE = 1_704_067_200_000
BAD_TOKEN = "The specified nextToken is invalid."
_TOKEN = re.compile(r"([fb])/(\d{16})(\d{40})/s")


def invalid(message: str) -> SimError:
    return SimError("InvalidParameterException", message)


def _check_group(params: dict, book: LogBook) -> None:
    name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
    if (name is None) == (identifier is None):
        raise invalid("Exactly one of logGroupName or logGroupIdentifier must be specified.")
    arn = group_arn(book.world.region, book.world.account)
    # An identifier is the group's name or its ARN.
    if (name != GROUP) if name is not None else (identifier not in (GROUP, arn, f"{arn}:*")):
        raise SimError("ResourceNotFoundException", "The specified log group does not exist.")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# -- DescribeLogStreams ------------------------------------------------------------------


def describe_log_streams(params: dict, book: LogBook, stops: Mapping[str, float], now: datetime) -> dict:
    """DescribeLogStreams."""
    _check_group(params, book)
    order = params.get("orderBy", "LogStreamName")
    prefix = params.get("logStreamNamePrefix")
    if order == "LastEventTime" and prefix:
        raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
    fingerprint = page_fingerprint(params, ignore=("nextToken", "limit"))
    try:
        resumed = resume_point(params, "logs-streams", fingerprint, key="nextToken")
    except BadToken:
        raise invalid(BAD_TOKEN) from None
    offset, moment = (resumed[0], datetime.fromtimestamp(resumed[1], timezone.utc)) if resumed else (0, now)
    at = _ms(moment)
    entries = [_describe(stream, at, book) for stream in book.streams(stops, at, prefix or "")]
    if order == "LastEventTime":
        entries.sort(key=lambda e: (e.get("lastEventTimestamp", 0), e["logStreamName"]))
    if params.get("descending", False):
        entries.reverse()
    limit = params.get("limit", STREAMS_PAGE)
    result: dict[str, Any] = {"logStreams": entries[offset: offset + limit]}
    if offset + limit < len(entries):
        result["nextToken"] = encode_token("logs-streams", {"o": offset + limit, "t": moment.timestamp(),
                                                            "h": fingerprint})
    return result


def _describe(stream: Stream, at: int, book: LogBook) -> dict[str, Any]:
    count = stream.visible(at)
    entry: dict[str, Any] = {"logStreamName": stream.name, "creationTime": stream.creation_ms}
    if count:
        last = stream.timestamp(count - 1)
        entry.update({"firstEventTimestamp": stream.timestamp(0), "lastEventTimestamp": last,
                      "lastIngestionTime": stream.ingestion(last)})
    entry.update({"uploadSequenceToken": stream.sequence_token(count),
                  "arn": stream.arn(book.world.region, book.world.account), "storedBytes": 0})
    return entry


# -- GetLogEvents ------------------------------------------------------------------------


def _position_token(direction: str, stream: Stream, position: int) -> str:
    check = int(hashlib.sha256(stream.name.encode()).hexdigest(), 16) % 10 ** 16
    return f"{direction}/{check:016d}{position:040d}/s"


def _read_token(token: str, stream: Stream) -> tuple[str, int]:
    match = _TOKEN.fullmatch(token)
    if match is None or _position_token(match.group(1), stream, 0)[2:18] != match.group(2):
        raise invalid(BAD_TOKEN)
    return match.group(1), int(match.group(3))


def _event(stream: Stream, timestamp: int, message: str) -> dict[str, Any]:
    return {"timestamp": timestamp, "message": message, "ingestionTime": stream.ingestion(timestamp)}


def _size(message: str) -> int:
    return len(message.encode("utf-8", "surrogatepass")) + EVENT_OVERHEAD  # a message may carry "\ud800"


def get_log_events(params: dict, book: LogBook, stops: Mapping[str, float], now: datetime) -> dict:
    """GetLogEvents."""
    _check_group(params, book)
    at = _ms(now)
    stream = book.stream(params["logStreamName"], stops, at)
    if stream is None:
        raise SimError("ResourceNotFoundException", "The specified log stream does not exist.")
    limit = params.get("limit", MAX_EVENTS)
    visible = stream.visible(at)
    lo = stream.index_at(params["startTime"]) if params.get("startTime") is not None else 0
    hi = min(visible, stream.index_at(params["endTime"])) if params.get("endTime") is not None else visible
    token = params.get("nextToken")
    if token:
        direction, position = _read_token(token, stream)
    else:
        direction = "f" if params.get("startFromHead", False) else "b"
        position = lo if direction == "f" else hi
    taken: list[tuple[int, int, str]] = []
    size = 0
    source: Iterator[tuple[int, int, str]] = (
        stream.events(max(position, lo), hi) if direction == "f" else stream.events(lo, min(position, hi), True))
    for item in source:
        if len(taken) >= limit or size + _size(item[2]) > MAX_BYTES:
            break
        taken.append(item)
        size += _size(item[2])
    if direction == "b":
        taken.reverse()
    if taken:
        forward = _position_token("f", stream, taken[-1][0] + 1)
        backward = _position_token("b", stream, taken[0][0])
    else:
        forward = token if token and direction == "f" else _position_token("f", stream, position)
        backward = token if token and direction == "b" else _position_token("b", stream, position)
    return {"events": [_event(stream, ts, message) for _, ts, message in taken],
            "nextForwardToken": forward, "nextBackwardToken": backward}


# -- FilterLogEvents ---------------------------------------------------------------------


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
            raise invalid("Invalid filter pattern: the simulator matches terms, \"quoted phrases\", ?alternatives, "
                          "-exclusions and %regular expressions%, not JSON or space-delimited patterns.")
        index = 0
        while index < len(text):
            if text[index].isspace():
                index += 1
                continue
            kind = text[index] if text[index] in "?-" else ""
            index += len(kind)
            if text[index:index + 1] in ('"', "%"):
                close = text.find(text[index], index + 1)
                if close < 0:
                    raise invalid(f"Invalid filter pattern: unterminated {text[index]} in {text!r}.")
                term, index, quoted = text[index + 1:close], close + 1, text[close]
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
        return (all(t in message for t in self.required)
                and (not self.optional or any(t in message for t in self.optional))
                and not any(t in message for t in self.excluded)
                and all(r.search(message) for r in self.regexes))


def _event_id(stream: Stream, index: int, timestamp: int) -> str:
    digits = str(int(hashlib.sha256(f"{stream.name}/{index}".encode()).hexdigest(), 16))[:43]
    return f"{timestamp:013d}{digits.rjust(43, '0')}"


def filter_log_events(params: dict, book: LogBook, stops: Mapping[str, float], now: datetime) -> dict:
    """FilterLogEvents."""
    _check_group(params, book)
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names and prefix:
        raise invalid("logStreamNames and logStreamNamePrefix cannot both be specified.")
    pattern = FilterPattern(params.get("filterPattern") or "")
    start, end = params.get("startTime"), params.get("endTime")
    limit = params.get("limit", MAX_EVENTS)
    fingerprint = page_fingerprint(params, ignore=("nextToken", "limit", "startFromHead"))
    after: tuple[int, str, int] | None = None
    if params.get("nextToken"):
        state = decode_token(params["nextToken"], "logs-events")
        point = state.get("p") if state else None
        if (state is None or state.get("h") != fingerprint or not isinstance(state.get("t"), int)
                or not isinstance(point, list) or len(point) != 3):
            raise invalid(BAD_TOKEN)
        cutoff, newest_first, after = state["t"], bool(state.get("d")), (point[0], point[1], point[2])
    else:
        cutoff, newest_first = _ms(now), params.get("startFromHead", True) is False
    if newest_first and start is not None and start < NEWEST_FIRST_SINCE:
        raise invalid("startFromHead can be false only when startTime is on or after Jan 1, 2024 00:00:00 UTC.")

    streams = book.streams(stops, cutoff, prefix or "")
    if names:
        wanted = set(names)
        streams = [s for s in streams if s.name in wanted]
    # Entries: (order key, rank of the stream, index, timestamp, message, the stream's remaining events).
    heap: list[tuple[tuple[int, int, int], int, int, int, str, Iterator[tuple[int, int, str]]]] = []
    sign = -1 if newest_first else 1
    for rank, stream in enumerate(streams):
        lo = stream.index_at(start) if start is not None else 0
        hi = stream.visible(cutoff)
        if end is not None:
            hi = min(hi, stream.index_at(end + 1))
        lo, hi = _resume(stream, lo, hi, after, newest_first)
        _push(heap, stream.events(lo, hi, newest_first), rank, sign)

    found: list[dict[str, Any]] = []
    size, scanned, last = 0, 0, after
    while heap and len(found) < limit and scanned < SCAN_BUDGET:
        _, rank, index, timestamp, message, events = heap[0]
        stream = streams[rank]
        if pattern.matches(message):
            if size + _size(message) > MAX_BYTES:
                break
            size += _size(message)
            found.append({"logStreamName": stream.name, "timestamp": timestamp, "message": message,
                          "ingestionTime": stream.ingestion(timestamp),
                          "eventId": _event_id(stream, index, timestamp)})
        scanned += 1
        last = (timestamp, stream.name, index)
        heapq.heappop(heap)
        _push(heap, events, rank, sign)
    result: dict[str, Any] = {"events": found, "searchedLogStreams": []}
    if heap and last is not None:
        result["nextToken"] = encode_token("logs-events", {"h": fingerprint, "t": cutoff, "d": newest_first,
                                                           "p": list(last)})
    return result


def _push(heap: list, events: Iterator[tuple[int, int, str]], rank: int, sign: int) -> None:
    """Put the next event of ``events`` (if any) on the heap."""
    for index, timestamp, message in events:
        heapq.heappush(heap, ((sign * timestamp, sign * rank, sign * index), rank, index, timestamp, message, events))
        return


def _resume(stream: Stream, lo: int, hi: int, after: tuple[int, str, int] | None,
            newest_first: bool) -> tuple[int, int]:
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
