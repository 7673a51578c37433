"""LogTail against sources that do what the API reference allows (empty pages, refused and expiring tokens,
throttling, one millisecond shared), and against moto's server."""

from __future__ import annotations

import contextlib
import time
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from smtui.aws.errors import THROTTLED
from smtui.aws.log_tail import LOG_GROUP, LOOKBACK_MS, SETTLE, LogTail
from smtui.aws.source import AwsJobSource
from smtui.clock import FrozenClock
from smtui.sim import Realism, Simulator, start_in_thread
from tests.conftest import ORIGIN, logs_client
from tests.test_log_tail import MISTRAL, expected, options, shown

# -- a source in memory that does what the API reference allows -------------------------------------------------


class Memory:
    """FilterLogEvents over streams of (timestamp, message), ``page`` events a page. ``empty``: every that
    many calls the page is empty although more follow; ``refuse``: calls (from 1) whose token is refused as
    expired; ``descending``: whether startFromHead false is honoured; ``prefixes``: whether
    logStreamNamePrefix is."""

    def __init__(
        self,
        streams: dict[str, list[tuple[int, str]]],
        *,
        page: int = 7,
        empty: int = 0,
        refuse: set[int] = frozenset(),
        descending: bool = True,
        prefixes: bool = True,
    ) -> None:
        self.streams, self.page, self.empty, self.refuse = streams, page, empty, set(refuse)
        self.descending, self.prefixes = descending, prefixes
        self.calls = 0

    async def describe_log_streams(self, group, prefix, token=None):
        return {"logStreams": [{"logStreamName": name} for name in sorted(self.streams) if name.startswith(prefix)]}

    async def filter_log_events(
        self, group, prefix, pattern, token=None, start_ms=None, *, end_ms=None, newest=False, limit=None
    ):
        self.calls += 1
        if token and self.calls in self.refuse:
            raise ClientError(
                {
                    "Error": {"Code": "InvalidParameterException", "Message": "The specified nextToken is invalid."},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                "FilterLogEvents",
            )
        events = sorted(
            (t, name, i, message)
            for name, stream in self.streams.items()
            for i, (t, message) in enumerate(stream)
            if (name.startswith(prefix) or not self.prefixes)
            and pattern in message
            and (start_ms is None or t >= start_ms)
            and (end_ms is None or t <= end_ms)
        )
        if newest and self.descending:
            events.reverse()
        position = int(token.split(":")[0]) if token else 0
        if self.empty and self.calls % self.empty == 0:
            taken = []
        else:
            taken = events[position : position + min(self.page, limit or self.page)]
        after = position + len(taken)
        return {
            "events": [
                {"timestamp": t, "logStreamName": name, "message": message, "eventId": f"{name}/{i}"}
                for t, name, i, message in taken
            ],
            **({"nextToken": f"{after}:{self.calls}"} if after < len(events) else {}),
        }


def two_hosts(count: int, *, same_ms: bool = False) -> dict[str, list[tuple[int, str]]]:
    base = 1_795_680_000_000
    return {
        f"j/algo-{h}-1795680000": [(base + (i // 3 if same_ms else i) * 10 + h, f"h{h} e{i}") for i in range(count * h)]
        for h in (1, 2)
    }


def newest_of(streams: dict[str, list[tuple[int, str]]], n: int, prefix: str = "j/") -> list[tuple[int, str]]:
    every = sorted(
        (t, name, i, message)
        for name, s in streams.items()
        if name.startswith(prefix)
        for i, (t, message) in enumerate(s)
    )
    return [(t, message) for t, _, _, message in every[-n:]]


def clock_after(streams: dict[str, list[tuple[int, str]]], seconds: float = 5.0) -> FrozenClock:
    """A clock ``seconds`` after the newest event."""
    newest = max(t for s in streams.values() for t, _ in s)
    return FrozenClock(datetime.fromtimestamp(newest / 1000 + seconds, timezone.utc))


def lines_of(tail: LogTail) -> list[tuple[int, str]]:
    return [(line.timestamp, line.message) for line in tail.buffer.lines]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(dict(empty=2), id="empty pages"),
        pytest.param(dict(refuse={3, 5, 6}), id="refused tokens"),
        pytest.param(dict(descending=False), id="newest first ignored"),
        pytest.param(dict(prefixes=False), id="prefix ignored"),
        pytest.param(dict(empty=3, refuse={4}, descending=False, prefixes=False), id="all of them"),
    ],
)
@pytest.mark.parametrize("same_ms", [False, True])
async def test_the_newest_n_whatever_the_pages(source, same_ms):
    streams = {**two_hosts(40, same_ms=same_ms), "jk/algo-1-1795680000": [(1_795_680_000_500, "another job")]}
    memory = Memory(streams, **source)
    tail = LogTail(memory, "j", capacity=50, clock=clock_after(streams))
    await tail.read_round()
    assert tail.error is None and lines_of(tail) == newest_of(streams, 50)
    # What follows comes once, however the pages go.
    last = streams["j/algo-1-1795680000"][-1][0]
    streams["j/algo-1-1795680000"] += [(last + 1000 + i, f"h1 late {i}") for i in range(30)]
    await tail.read_round()
    await tail.read_round()
    assert tail.error is None and lines_of(tail) == newest_of(streams, 50)


async def test_an_event_taken_in_late_comes_once():
    streams = two_hosts(20)
    memory = Memory(streams)
    tail = LogTail(memory, "j", capacity=1000, clock=clock_after(streams))
    await tail.read_round()
    newest = max(t for s in streams.values() for t, _ in s)
    # Host 1 sends a line dated before host 2's newest, after it was read; and one too old to be looked for.
    streams["j/algo-1-1795680000"] += [(newest - LOOKBACK_MS // 2, "late"), (newest - 2 * LOOKBACK_MS, "lost")]
    await tail.read_round()
    await tail.read_round()
    messages = [line.message for line in tail.buffer.lines]
    assert messages.count("late") == 1 and "lost" not in messages and len(messages) == 61


async def test_a_token_refused_again_and_again_is_an_error():
    # Every event in one millisecond, two a page: a search started again from that millisecond gets
    # nothing new, and its token is refused again.
    memory = Memory(
        {"j/algo-1-1795680000": [(1_795_680_000_000, f"e{i}") for i in range(20)]}, page=2, refuse=set(range(2, 100))
    )
    tail = LogTail(memory, "j", capacity=50)
    await tail.read_round()
    assert tail.error is not None and "refusing" in tail.error.message and not tail.loaded


async def test_throttling_backs_off_and_the_search_goes_on():
    streams = two_hosts(40)

    class Throttled(Memory):
        async def filter_log_events(self, *args, **kwargs):
            if self.calls in (2, 3):
                self.calls += 1
                raise ClientError(
                    {
                        "Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                        "ResponseMetadata": {"HTTPStatusCode": 400},
                    },
                    "FilterLogEvents",
                )
            return await super().filter_log_events(*args, **kwargs)

    tail = LogTail(Throttled(streams), "j", capacity=50)
    await tail.read_round()
    assert tail.error.kind == THROTTLED and tail.wait(5) == 10
    await tail.read_round()
    assert tail.error.kind == THROTTLED and tail.wait(5) == 20
    await tail.read_round()
    assert tail.error is None and tail.wait(5) == 5 and lines_of(tail) == newest_of(streams, 50)


async def test_lines_of_one_millisecond_keep_the_service_s_order():
    streams = {"j/algo-1-1795680000": [(1_795_680_000_000, f"line {i}") for i in range(30)]}
    tail = LogTail(Memory(streams, page=4), "j", capacity=40, clock=clock_after(streams))
    await tail.read_round()
    streams["j/algo-1-1795680000"] += [(1_795_680_000_000, f"line {i}") for i in range(30, 33)]
    await tail.read_round()
    assert [line.message for line in tail.buffer.lines] == [f"line {i}" for i in range(33)]


async def test_an_ended_job_is_read_once_after_it_settles():
    streams = two_hosts(10)
    ended = max(t for s in streams.values() for t, _ in s)
    clock = FrozenClock(datetime.fromtimestamp(ended / 1000 + 2, timezone.utc))
    memory = Memory(streams)
    tail = LogTail(memory, "j", clock=clock)
    tail.set_job(
        {
            "TrainingJobStatus": "Completed",
            "SecondaryStatus": "Completed",
            "TrainingEndTime": datetime.fromtimestamp(ended / 1000, timezone.utc),
        }
    )
    await tail.read_round()
    assert not tail.done and tail.wait(5) == 5 and tail.wait(60) == pytest.approx(SETTLE - 2)
    clock.advance(tail.wait(60))
    await tail.read_round()
    calls = memory.calls
    assert tail.done and tail.wait(5) == 5 and await tail.read_round() == 0 and memory.calls == calls


# -- moto's server ------------------------------------------------------------------------------------------------


async def test_moto_the_newest_lines_and_what_follows(moto_url):
    client = logs_client(moto_url)
    with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
        client.create_log_group(logGroupName=LOG_GROUP)
    job = "job-moto-tail"
    names = [f"{job}/algo-1-1700000000", f"{job}/algo-2-1700000000", f"{job}x/algo-1-1700000000"]
    for name in names:
        client.create_log_stream(logGroupName=LOG_GROUP, logStreamName=name)
    # Events of the last minute, as a running job's are.
    base = (int(time.time()) - 60) * 1000

    def put(start: int, count: int) -> None:
        for index, name in enumerate(names):
            client.put_log_events(
                logGroupName=LOG_GROUP,
                logStreamName=name,
                logEvents=[
                    {"timestamp": base + 20 * i + 7 * index, "message": f"{name[-14:-11]} event {i}"}
                    for i in range(start, start + count)
                ],
            )

    put(0, 160)
    async with AwsJobSource(options(moto_url)) as aws:
        tail = LogTail(aws, job, capacity=100)
        await tail.read_round()
        assert tail.error is None and len(tail.streams) == 2
        first = [line.message for line in tail.buffer.lines]
        put(160, 20)
        await tail.read_round()
        assert tail.error is None
    assert first == [f"{h} event {i}" for i in range(110, 160) for h in ("o-1", "o-2")]
    assert [line.message for line in tail.buffer.lines] == [
        f"{h} event {i}" for i in range(130, 180) for h in ("o-1", "o-2")
    ]


class Expiring:
    """A source whose clock moves past the token lifetime before every call that carries a token."""

    def __init__(self, source, clock, ttl: float) -> None:
        self.source, self.clock, self.ttl = source, clock, ttl
        self.refused = 0

    async def describe_log_streams(self, *args, **kwargs):
        return await self.source.describe_log_streams(*args, **kwargs)

    async def filter_log_events(self, group, prefix, pattern, token=None, *args, **kwargs):
        if token:
            self.clock.advance(self.ttl + 1)
        try:
            return await self.source.filter_log_events(group, prefix, pattern, token, *args, **kwargs)
        except ClientError as error:
            self.refused += error.response["Error"]["Code"] == "InvalidParameterException"
            raise


async def test_expired_tokens_are_found_again_by_timestamp(clock):
    simulator = Simulator(clock, origin=ORIGIN, tuning=[], realism=Realism().with_changes(token_ttl=60.0))
    clock.set(ORIGIN + timedelta(seconds=1500))
    with start_in_thread(simulator) as running:
        async with AwsJobSource(options(running.url)) as aws:
            source = Expiring(aws, clock, 60.0)
            tail = LogTail(source, MISTRAL, capacity=1000, clock=clock, budget=None)
            tail.set_job(await aws.describe_training_job(MISTRAL))
            await tail.read_round()
            assert tail.error is None and tail.loaded and source.refused >= 2
            # Every token of the search expired: each page was searched again from the oldest event held, and
            # the lines are the newest 1000 when the search began.
            assert len(tail.buffer) == 1000
            refused = source.refused
            clock.advance(1800)  # half an hour without a read: the next one takes several pages
            await tail.read_round()
            assert tail.error is None and source.refused > refused
            lines = tail.buffer.lines
            assert len({(line.timestamp, line.host_index, line.sequence) for line in lines}) == len(lines) == 1000
            assert shown(tail) == expected(simulator, MISTRAL, 1000)


async def test_closing_while_a_call_waits_for_its_turn_leaves_no_coroutine_unawaited():
    # The logs screen closing (or the app quitting) cancels a read waiting on the request budget; the call
    # it was about to make must not have been created yet ("coroutine ... was never awaited" on quit).
    import asyncio
    import gc
    import warnings

    streams = two_hosts(5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for allowed in (0, 1):  # cancelled before listing the streams, then before reading one
            turns = asyncio.Semaphore(allowed)

            async def budget(operation: str, turns=turns) -> None:
                await turns.acquire()

            task = asyncio.create_task(
                LogTail(Memory(streams), "j", budget=budget, clock=clock_after(streams)).read_round()
            )
            await asyncio.sleep(0.05)
            assert not task.done()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            del task
        gc.collect()
    assert not [w for w in caught if "was never awaited" in str(w.message)]
