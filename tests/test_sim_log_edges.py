"""CloudWatch Logs' rough edges in the simulator, over HTTP through aiobotocore, and the same reads against moto.

GetLogEvents pages split by time (empty and short pages while events
follow, only an unchanged token ends), tokens that expire, FilterLogEvents'
empty pages while it searches, DescribeLogStreams' lagging event times and
the ``JOB/ssm`` stream of a job with remote debugging. Request quotas are
turned off here (they have their own tests), everything else is as on AWS.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime, timedelta

import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from smtui.clock import FrozenClock
from smtui.sim import Realism, Simulator, start_in_thread
from smtui.sim.log_group import GROUP
from smtui.sim.validate import output_problems
from smtui.sim.wire import service_model
from tests.conftest import CREDENTIALS, ORIGIN

LOGS = service_model("logs")
SHAPES = {op: LOGS.operation_model(op).output_shape for op in ("DescribeLogStreams", "GetLogEvents", "FilterLogEvents")}
MISTRAL = "mistral-7b-sft-distributed"
FULL = "llama-finetune-full-config"
BERT = "bert-base-finetune-imdb"
#: AWS-like in every way but the request quotas.
ROUGH = Realism().without(["quotas"])


def served(realism: Realism = ROUGH, clock: FrozenClock | None = None):
    simulator = Simulator(clock or FrozenClock(ORIGIN), origin=ORIGIN, tuning=[], realism=realism)
    running = start_in_thread(simulator)
    simulator.url = running.url
    return simulator, running


@pytest.fixture
def rough():
    simulator, running = served()
    with running:
        yield simulator


@pytest.fixture
def gentle():
    simulator, running = served(Realism.gentle())
    with running:
        yield simulator


@contextlib.asynccontextmanager
async def client(url: str):
    async with AioSession().create_client(
        "logs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    ) as made:
        yield made


def plain(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def page(logs, name: str, group: str = GROUP, **params) -> dict:
    answer = plain(await logs.get_log_events(logGroupName=group, logStreamName=name, **params))
    assert output_problems(answer, SHAPES["GetLogEvents"]) == []
    return answer


async def read(logs, name: str, forward: bool = True, group: str = GROUP, **params) -> tuple[list[dict], list[dict]]:
    """Every event of a stream, following one direction's token until it comes back unchanged: (events, pages)."""
    key = "nextForwardToken" if forward else "nextBackwardToken"
    events, pages, token = [], [], None
    while len(pages) < 2000:
        extra = {"nextToken": token} if token else {}
        answer = await page(logs, name, group, startFromHead=forward, **params, **extra)
        pages.append(answer)
        events = events + answer["events"] if forward else answer["events"] + events
        if answer[key] == token:
            return events, pages
        token = answer[key]
    raise AssertionError("the token never came back unchanged")


async def stream_names(logs, prefix: str) -> list[str]:
    answer = plain(await logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=prefix))
    assert output_problems(answer, SHAPES["DescribeLogStreams"]) == []
    return [s["logStreamName"] for s in answer["logStreams"]]


# -- GetLogEvents -----------------------------------------------------------------------------


async def test_pages_split_by_time_can_be_empty_or_short_while_events_follow(rough, gentle):
    async with client(rough.url) as logs, client(gentle.url) as kind:
        name = (await stream_names(logs, f"{MISTRAL}/algo-1"))[0]
        whole, one = await read(kind, name)
        assert len(one) == 2 and one[0]["events"] == whole  # gentle: one page, then the unchanged token
        forward, pages = await read(logs, name)
        backward, back_pages = await read(logs, name, forward=False)
    assert forward == whole == backward and len(whole) > 300
    for paged in (pages, back_pages):
        counts = [len(p["events"]) for p in paged[:-1]]
        # Every page but the last is short, and some are empty, although more events follow each of them.
        assert len(counts) >= 4 and all(count < 10_000 for count in counts) and 0 in counts
        for answer in paged:
            times = [e["timestamp"] for e in answer["events"]]
            assert not times or max(times) - min(times) < ROUGH.log_page_span * 1000
    tokens = [p["nextForwardToken"] for p in pages]
    assert len(set(tokens)) == len(tokens) - 1 and tokens[-1] == tokens[-2]


async def test_the_newest_events_first_and_a_limit_within_a_page(rough):
    async with client(rough.url) as logs:
        name = (await stream_names(logs, f"{MISTRAL}/algo-2"))[0]
        whole, _ = await read(logs, name)
        newest = await page(logs, name, limit=25)
        # startFromHead defaults to false: the newest events, as many as the newest split of the stream holds.
        count = len(newest["events"])
        assert 0 < count <= 25 and newest["events"] == whole[-count:]
        older, pages = await read(logs, name, forward=False, limit=25)
        assert older == whole and all(len(p["events"]) <= 25 for p in pages)
        # Nothing is newer; the token may move up to what has been ingested, then comes back unchanged.
        token, calls = newest["nextForwardToken"], 0
        while calls < 5:
            ahead = await page(logs, name, startFromHead=True, nextToken=token)
            assert ahead["events"] == []
            if ahead["nextForwardToken"] == token:
                break
            token, calls = ahead["nextForwardToken"], calls + 1
        assert calls < 5
        start, end = whole[100]["timestamp"], whole[150]["timestamp"]
        window, _ = await read(logs, name, startTime=start, endTime=end)
        assert window == [e for e in whole if start <= e["timestamp"] < end]


async def test_a_live_streams_head_moves_with_the_clock_and_a_finished_one_ends():
    clock = FrozenClock(ORIGIN)
    simulator, running = served(clock=clock)
    with running:
        async with client(running.url) as logs:
            live = (await stream_names(logs, f"{MISTRAL}/algo-3"))[0]
            done = (await stream_names(logs, f"{FULL}/algo-1"))[0]
            _, live_pages = await read(logs, live)
            finished, done_pages = await read(logs, done)
            clock.advance(30)
            head = live_pages[-1]["nextForwardToken"]
            moved = await page(logs, live, startFromHead=True, nextToken=head)
            assert moved["nextForwardToken"] != head  # the stream is still being written: no end yet
            clock.advance(3600)
            end = done_pages[-1]["nextForwardToken"]
            still = await page(logs, done, startFromHead=True, nextToken=end)
            assert still == {**still, "events": [], "nextForwardToken": end}
            again, _ = await read(logs, done)
            assert again == finished


async def test_tokens_expire_after_a_day_or_the_ttl_given():
    clock = FrozenClock(ORIGIN)
    simulator, running = served(clock=clock)
    with running:
        async with client(running.url) as logs:
            name = (await stream_names(logs, f"{FULL}/algo-2"))[0]
            first = await page(logs, name, startFromHead=True, limit=10)
            clock.advance(86_399)
            assert (await page(logs, name, startFromHead=True, nextToken=first["nextForwardToken"]))["events"]
            clock.advance(2)
            with pytest.raises(ClientError) as caught:
                await page(logs, name, startFromHead=True, nextToken=first["nextForwardToken"])
            assert caught.value.response["Error"] == {
                "Code": "InvalidParameterException",
                "Message": "The specified nextToken has expired.",
            }
            with pytest.raises(ClientError) as caught:
                await page(logs, name, nextToken=first["nextForwardToken"][:-4] + "0/s")
            assert caught.value.response["Error"]["Message"] == "The specified nextToken is invalid."
            other = (await stream_names(logs, f"{FULL}/algo-1"))[0]
            fresh = await page(logs, name, startFromHead=True, limit=10)
            with pytest.raises(ClientError):  # a token names its stream
                await page(logs, other, nextToken=fresh["nextForwardToken"])
    short = Simulator(clock, origin=ORIGIN, tuning=[], realism=ROUGH.with_changes(token_ttl=60))
    with start_in_thread(short) as running:
        async with client(running.url) as logs:
            first = await page(logs, name, startFromHead=True, limit=10)
            searched = plain(await logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix=f"{FULL}/", limit=5))
            clock.advance(61)
            for call in (
                page(logs, name, startFromHead=True, nextToken=first["nextForwardToken"]),
                logs.filter_log_events(
                    logGroupName=GROUP, logStreamNamePrefix=f"{FULL}/", limit=5, nextToken=searched["nextToken"]
                ),
            ):
                with pytest.raises(ClientError) as caught:
                    await call
                assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
                assert "expired" in caught.value.response["Error"]["Message"]


# -- FilterLogEvents ---------------------------------------------------------------------------


async def search(logs, **params) -> tuple[list[dict], list[dict]]:
    events, pages, token = [], [], None
    while len(pages) < 2000:
        extra = {"nextToken": token} if token else {}
        answer = plain(await logs.filter_log_events(logGroupName=GROUP, **params, **extra))
        assert output_problems(answer, SHAPES["FilterLogEvents"]) == []
        pages.append(answer)
        events += answer["events"]
        token = answer.get("nextToken")
        if not token:
            return events, pages
    raise AssertionError("the search never ended")


async def test_filter_answers_empty_pages_while_it_searches(rough, gentle):
    big = "llama2-70b-pretrain-trn1"
    since = ms(ORIGIN - timedelta(hours=6))
    async with client(rough.url) as logs, client(gentle.url) as kind:
        # The Neuron runtime's allocation warning comes about once an hour on a host.
        host = [f"{big}/algo-7-{int((ORIGIN - timedelta(seconds=124800)).timestamp())}"]
        for params in (
            {"logStreamNames": host, "filterPattern": "nrt_tensor_allocate", "startTime": since},
            {
                "logStreamNames": host,
                "filterPattern": "nrt_tensor_allocate",
                "startTime": since,
                "startFromHead": False,
            },
            {"logStreamNamePrefix": f"{MISTRAL}/", "startTime": since, "limit": 500},
        ):
            expected, one = await search(kind, **params)
            found, pages = await search(logs, **params)
            assert [e["eventId"] for e in found] == [e["eventId"] for e in expected] and expected
            if "filterPattern" in params:  # some pages came back empty with a nextToken: the search was not over
                assert len(pages) > len(one) and any(not p["events"] and "nextToken" in p for p in pages)
            times = [e["timestamp"] for e in found]
            assert times == sorted(times, reverse=params.get("startFromHead") is False)
            for answer in pages:
                stamps = [e["timestamp"] for e in answer["events"]]
                assert not stamps or max(stamps) - min(stamps) < ROUGH.filter_page_span * 1000


# -- DescribeLogStreams and the ssm stream ------------------------------------------------------


async def test_last_event_timestamp_lags_behind_the_events(rough, gentle):
    async with client(rough.url) as logs, client(gentle.url) as kind:
        lagging = {
            s["logStreamName"]: s
            for s in plain(await logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=f"{MISTRAL}/"))[
                "logStreams"
            ]
        }
        current = {
            s["logStreamName"]: s
            for s in plain(await kind.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=f"{MISTRAL}/"))[
                "logStreams"
            ]
        }
        for name, stream in lagging.items():
            newest = (await page(logs, name, limit=1))["events"][0]["timestamp"]
            assert current[name]["lastEventTimestamp"] == newest
            # What was ingested five minutes ago: the events since are already readable.
            assert newest - 360_000 <= stream["lastEventTimestamp"] <= ms(ORIGIN) - 300_000 < newest
            assert stream["lastIngestionTime"] <= ms(ORIGIN) - 300_000
            assert stream["firstEventTimestamp"] == current[name]["firstEventTimestamp"]
    lagless = Simulator(FrozenClock(ORIGIN), origin=ORIGIN, tuning=[], realism=ROUGH.with_changes(stream_lag=0))
    answer = lagless.describe_log_streams({"logGroupName": GROUP, "logStreamNamePrefix": f"{MISTRAL}/"})
    assert [s["lastEventTimestamp"] for s in answer["logStreams"]] == [
        current[s["logStreamName"]]["lastEventTimestamp"] for s in answer["logStreams"]
    ]


async def test_a_stream_younger_than_the_lag_shows_no_events_yet():
    clock = FrozenClock(ORIGIN)
    simulator, running = served(clock=clock)
    whisper = "whisper-small-finetune-cv"
    with running:
        async with client(running.url) as logs:
            clock.set(ORIGIN + timedelta(seconds=540 + 120))  # whisper's containers started two minutes ago
            [stream] = plain(await logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=f"{whisper}/"))[
                "logStreams"
            ]
            assert "lastEventTimestamp" not in stream and "firstEventTimestamp" not in stream
            assert (await page(logs, stream["logStreamName"]))["events"]


async def test_a_job_with_remote_debugging_has_an_ssm_stream(rough, gentle):
    sagemaker = rough.describe_training_job({"TrainingJobName": FULL})
    assert sagemaker["RemoteDebugConfig"] == {"EnableRemoteDebug": True}
    assert "RemoteDebugConfig" not in rough.describe_training_job({"TrainingJobName": MISTRAL})
    async with client(rough.url) as logs, client(gentle.url) as kind:
        names = await stream_names(logs, f"{FULL}/")
        assert f"{FULL}/ssm" in names and len(names) == 5  # two instances, two attempts, and the agent's
        assert f"{FULL}/ssm" not in await stream_names(kind, f"{FULL}/")
        assert not [n for n in await stream_names(logs, f"{MISTRAL}/") if n.endswith("/ssm")]
        agent, pages = await read(logs, f"{FULL}/ssm")
        messages = [e["message"] for e in agent]
        assert any("amazon-ssm-agent - v" in m for m in messages)
        assert any("Registered as managed instance mi-" in m for m in messages)
        assert any("Started session ml-engineer-" in m for m in messages)
        # Sparse: stretches of it hold nothing, so pages come back empty while lines follow.
        assert any(not p["events"] for p in pages[:-1])
        everything, _ = await search(logs, logStreamNamePrefix=f"{FULL}/")
        assert {e["logStreamName"] for e in everything} == set(names)


# -- the same reads against moto ----------------------------------------------------------------


@pytest.fixture
async def moto_stream(moto_url):
    """A stream on moto's server with 120 events a second apart: (group, stream, messages)."""
    group, name = f"/smtui/{uuid.uuid4().hex[:8]}", "job/algo-1-1795680000"
    async with client(moto_url) as logs:
        await logs.create_log_group(logGroupName=group)
        await logs.create_log_stream(logGroupName=group, logStreamName=name)
        start = ms(datetime.now().astimezone()) - 600_000
        await logs.put_log_events(
            logGroupName=group,
            logStreamName=name,
            logEvents=[{"timestamp": start + i * 1000, "message": f"line {i}"} for i in range(120)],
        )
    return group, name, [f"line {i}" for i in range(120)]


async def test_moto_agrees_on_what_a_reader_relies_on(moto_url, moto_stream, rough):
    """Newest first by default, paging either way reaches every event once, and the end is an unchanged token."""
    group, name, messages = moto_stream
    async with client(moto_url) as logs, client(rough.url) as sim:
        sim_name = (await stream_names(sim, f"{MISTRAL}/algo-4"))[0]
        sim_whole, _ = await read(sim, sim_name)
        for reader, stream, where, whole in ((logs, name, group, None), (sim, sim_name, GROUP, sim_whole)):
            newest = await page(reader, stream, where, limit=10)
            assert newest["events"]
            forward, _ = await read(reader, stream, group=where, limit=25)
            backward, _ = await read(reader, stream, forward=False, group=where, limit=25)
            expected = [e["message"] for e in (whole or forward)]
            assert [e["message"] for e in forward] == [e["message"] for e in backward] == expected
            assert [e["message"] for e in newest["events"]] == expected[-len(newest["events"]) :]
            with pytest.raises(ClientError) as caught:
                await page(reader, stream, where, nextToken="not-a-token")
            assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
        assert expected and [e["message"] for e in forward] == expected
        assert [m for m in (e["message"] for e in (await read(logs, name, group=group))[0])] == messages
