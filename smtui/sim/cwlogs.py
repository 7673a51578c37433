"""CloudWatch Logs' DescribeLogStreams, and what the simulator's three Logs operations share.

Requests and responses are botocore's shapes (times are longs of epoch
milliseconds). GetLogEvents is in :mod:`smtui.sim.log_pages` and
FilterLogEvents in :mod:`smtui.sim.log_filter`. The rules are the service's:

- DescribeLogStreams lists up to ``limit`` (at most 50) streams by name or
  by last event time; its nextToken pins the moment of the first page.
- Its ``firstEventTimestamp``, ``lastEventTimestamp`` and
  ``lastIngestionTime`` are updated "on an eventual consistency basis":
  they describe the events ingested ``stream_lag`` seconds ago (the service
  says up to an hour), so a stream can show no events, or old ones, while
  GetLogEvents already returns newer ones.
- A page holds at most 10,000 events and 1 MB (a message's UTF-8 bytes plus
  26 per event).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from smtui.sim.log_group import GROUP, LogStream, group_arn
from smtui.sim.log_streams import LogBook
from smtui.sim.wire import BadToken, SimError, encode_token, page_fingerprint, resume_point

MAX_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_EVENTS = 10_000
STREAMS_PAGE = 50
BAD_TOKEN = "The specified nextToken is invalid."


def invalid(message: str) -> SimError:
    """Logs' InvalidParameterException."""
    return SimError("InvalidParameterException", message)


def check_group(params: dict, book: LogBook) -> None:
    """The request names the training jobs' group, by name or by ARN, and only one way."""
    name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
    if (name is None) == (identifier is None):
        raise invalid("Exactly one of logGroupName or logGroupIdentifier must be specified.")
    arn = group_arn(book.world.region, book.world.account)
    # An identifier is the group's name or its ARN.
    if (name != GROUP) if name is not None else (identifier not in (GROUP, arn, f"{arn}:*")):
        raise SimError("ResourceNotFoundException", "The specified log group does not exist.")


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def event_size(message: str) -> int:
    """What an event counts against a page's megabyte."""
    return len(message.encode("utf-8", "surrogatepass")) + EVENT_OVERHEAD  # a message may carry "\ud800"


# -- DescribeLogStreams ------------------------------------------------------------------


def describe_log_streams(
    params: dict, book: LogBook, stops: Mapping[str, float], now: datetime, lag: float = 0.0
) -> dict:
    """DescribeLogStreams; its event times describe the events ingested ``lag`` seconds before ``now``."""
    check_group(params, book)
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
    at = epoch_ms(moment)
    entries = [_describe(stream, at, at - int(lag * 1000), book) for stream in book.streams(stops, at, prefix or "")]
    if order == "LastEventTime":
        entries.sort(key=lambda e: (e.get("lastEventTimestamp", 0), e["logStreamName"]))
    if params.get("descending", False):
        entries.reverse()
    limit = params.get("limit", STREAMS_PAGE)
    result: dict[str, Any] = {"logStreams": entries[offset : offset + limit]}
    if offset + limit < len(entries):
        result["nextToken"] = encode_token(
            "logs-streams", {"o": offset + limit, "t": moment.timestamp(), "h": fingerprint}
        )
    return result


def _describe(stream: LogStream, at: int, summarized: int, book: LogBook) -> dict[str, Any]:
    count = stream.visible(summarized)
    entry: dict[str, Any] = {"logStreamName": stream.name, "creationTime": stream.creation_ms}
    if count:
        last = stream.timestamp(count - 1)
        entry.update(
            {
                "firstEventTimestamp": stream.timestamp(0),
                "lastEventTimestamp": last,
                "lastIngestionTime": stream.ingestion(last),
            }
        )
    entry.update(
        {
            "uploadSequenceToken": stream.sequence_token(stream.visible(at)),
            "arn": stream.arn(book.world.region, book.world.account),
            "storedBytes": 0,
        }
    )
    return entry
