"""The simulator's CloudWatch Logs through aiobotocore over HTTP: streams, events, filters, errors."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime, timedelta

import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from smtui.sim.cwlogs import MAX_BYTES, MAX_EVENTS
from smtui.sim.log_streams import GROUP
from smtui.sim.validate import output_problems
from smtui.sim.wire import service_model
from tests.conftest import ORIGIN

LOGS = service_model("logs")
SHAPES = {op: LOGS.operation_model(op).output_shape for op in ("DescribeLogStreams", "GetLogEvents", "FilterLogEvents")}
BIG = "llama2-70b-pretrain-trn1"
MISTRAL = "mistral-7b-sft-distributed"
OOM = "llama3-8b-lora-oom"
WHISPER = "whisper-small-finetune-cv"
#: Streams each job has at the origin: those in Training or past it, a stream per instance and attempt.
STREAMS_AT_ORIGIN = {
    "bert-base-finetune-imdb": 1,
    OOM: 0,
    "resnet50-spot-imagenet": 1,
    "xgboost-churn-stopped": 1,
    "gpt2-pretrain-maxruntime": 1,
    MISTRAL: 4,
    "llama-finetune-full-config": 4,
    WHISPER: 0,
    BIG: 256,
    "t5-base-summarize-xsum": 1,
}


@contextlib.asynccontextmanager
async def client(sim, service="logs", key="testing"):
    async with AioSession().create_client(
        service, endpoint_url=sim.url, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key="testing"
    ) as made:
        yield made


def plain(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def list_streams(logs, **params) -> list[dict]:
    pages = [page async for page in logs.get_paginator("describe_log_streams").paginate(logGroupName=GROUP, **params)]
    for page in pages:
        assert len(page["logStreams"]) <= 50
        assert output_problems(plain(page), SHAPES["DescribeLogStreams"]) == []
    return [s for page in pages for s in page["logStreams"]]


async def read_all(logs, name: str, token: str | None = None, limit: int = 10_000) -> tuple[list[dict], str, int]:
    """Events forward from ``token`` (the head without one) until the token repeats: (events, last token, calls)."""
    events, calls = [], 0
    while True:
        params = {"nextToken": token} if token else {}
        page = await logs.get_log_events(
            logGroupName=GROUP, logStreamName=name, startFromHead=True, limit=limit, **params
        )
        calls += 1
        assert output_problems(plain(page), SHAPES["GetLogEvents"]) == []
        events += page["events"]
        if page["nextForwardToken"] == token:
            return events, token, calls
        token = page["nextForwardToken"]


async def error_of(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        await call
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


# -- streams ---------------------------------------------------------------------------------


@pytest.mark.gentle
async def test_streams_at_the_origin_and_their_names(sim):
    async with client(sim) as logs:
        streams = await list_streams(logs)
    names = [s["logStreamName"] for s in streams]
    assert names == sorted(names) and len(set(names)) == len(names) == sum(STREAMS_AT_ORIGIN.values())
    for job, count in STREAMS_AT_ORIGIN.items():
        assert len([n for n in names if n.startswith(job + "/")]) == count, job
    for stream in streams:
        name = stream["logStreamName"]
        job, host, epoch = re.fullmatch(r"([a-z0-9-]+)/algo-(\d+)-(\d+)", name).groups()
        assert 1 <= int(host) <= sim.scenarios[job].instance_count
        assert stream["arn"] == f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}:log-stream:{name}"
        assert stream["storedBytes"] == 0 and stream["uploadSequenceToken"].isdigit()
        assert int(epoch) * 1000 <= stream["creationTime"] < stream["firstEventTimestamp"]
        assert stream["firstEventTimestamp"] <= stream["lastEventTimestamp"] <= stream["lastIngestionTime"]
        assert stream["lastIngestionTime"] <= ms(ORIGIN)
    # The restarted job: one set of streams per attempt, named after when each attempt's containers started.
    epochs = {int(n.rsplit("-", 1)[1]) for n in names if n.startswith(BIG)}
    assert epochs == {int((ORIGIN - timedelta(seconds=s)).timestamp()) for s in (256500, 124800)}


@pytest.mark.parametrize("descending", [False, True])
async def test_describe_log_streams_pages_past_fifty(sim, descending):
    async with client(sim) as logs:
        by_name = await list_streams(logs, logStreamNamePrefix=f"{BIG}/", descending=descending)
        first = await logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=f"{BIG}/")
        by_time = await list_streams(logs, orderBy="LastEventTime", descending=descending)
        small = await list_streams(logs, logStreamNamePrefix=f"{BIG}/algo-12", limit=7)
    names = [s["logStreamName"] for s in by_name]
    assert len(names) == len(set(names)) == 256
    assert names == sorted(names, reverse=descending)
    assert {re.search(r"algo-(\d+)-", n).group(1) for n in names} == {str(h) for h in range(1, 129)}
    assert len(first["logStreams"]) == 50 and first["nextToken"]
    timed = [s for s in by_time if s["logStreamName"].startswith(f"{BIG}/")]
    assert sorted(s["logStreamName"] for s in timed) == sorted(names)
    last = [(s.get("lastEventTimestamp", 0), s["logStreamName"]) for s in by_time]
    assert last == sorted(last, reverse=descending)
    # The first attempt's streams went quiet 35 hours ago: they all sort before (or after) the second's.
    epochs = [n.rsplit("-", 1)[1] for _, n in last if n.startswith(BIG)]
    assert epochs == sorted(epochs, reverse=descending)
    assert [s["logStreamName"] for s in small] == sorted(
        [n for n in names if n.startswith(f"{BIG}/algo-12")]
    )  # algo-12 and algo-120 to algo-128, twice
    assert len(small) == 20


@pytest.mark.gentle
async def test_paging_sees_one_moment(sim, clock):
    async with client(sim) as logs:
        first = await logs.describe_log_streams(logGroupName=GROUP, orderBy="LastEventTime", limit=50)
        clock.advance(3600)  # meanwhile the OOM job and the whisper job start, and the spot job restarts
        rest = await list_streams(logs, orderBy="LastEventTime", nextToken=first["nextToken"])
        everything = await list_streams(logs, orderBy="LastEventTime")
    names = [s["logStreamName"] for s in first["logStreams"] + rest]
    assert len(names) == len(set(names)) == sum(STREAMS_AT_ORIGIN.values())
    assert len(everything) == len(names) + 3  # the OOM job's, the whisper job's and the spot job's second


# -- GetLogEvents --------------------------------------------------------------------------------


async def test_forward_paging_sees_every_event_once_and_then_new_ones(sim, clock):
    name = f"{MISTRAL}/algo-2-{int((ORIGIN - timedelta(seconds=1440)).timestamp())}"
    async with client(sim) as logs:
        whole, token, _ = await read_all(logs, name)
        paged, paged_token, calls = await read_all(logs, name, limit=40)
        assert calls > 3 and paged_token == token
        # Page by page, the same events as in one read: none twice, none missing.
        assert paged == whole and len(paged) > 100
        assert [e["timestamp"] for e in whole] == sorted(e["timestamp"] for e in whole)

        clock.advance(600)
        again = await logs.get_log_events(
            logGroupName=GROUP, logStreamName=name, startFromHead=True, nextToken=token, limit=15
        )
        assert len(again["events"]) == 15 and again["nextForwardToken"] != token
        newer, last_token, _ = await read_all(logs, name, token, limit=15)
        now, _, _ = await read_all(logs, name)
        # Nothing skipped, nothing repeated: what was read plus what came since is what there is now.
        assert whole + newer == now and len(newer) > 20
        assert newer[0]["timestamp"] >= whole[-1]["timestamp"] and newer[-1]["timestamp"] <= ms(clock.now())
        quiet = await logs.get_log_events(
            logGroupName=GROUP, logStreamName=name, startFromHead=True, nextToken=last_token
        )
        assert quiet["events"] == [] and quiet["nextForwardToken"] == last_token


@pytest.mark.gentle
async def test_newest_first_without_a_token_and_backward_paging(sim):
    name = f"{MISTRAL}/algo-1-{int((ORIGIN - timedelta(seconds=1440)).timestamp())}"
    async with client(sim) as logs:
        whole, token, _ = await read_all(logs, name)
        newest = await logs.get_log_events(logGroupName=GROUP, logStreamName=name, limit=25)
        assert newest["events"] == whole[-25:]
        before = await logs.get_log_events(
            logGroupName=GROUP, logStreamName=name, limit=25, nextToken=newest["nextBackwardToken"]
        )
        assert before["events"] == whole[-50:-25]
        assert newest["nextForwardToken"] == token
        start, end = whole[100]["timestamp"], whole[150]["timestamp"]
        window = await logs.get_log_events(
            logGroupName=GROUP, logStreamName=name, startTime=start, endTime=end, startFromHead=True
        )
        assert window["events"] == [e for e in whole if start <= e["timestamp"] < end]
        head = await logs.get_log_events(logGroupName=GROUP, logStreamName=name, startFromHead=True, limit=3)
        assert [e["message"] for e in head["events"]] == [
            "bash: cannot set terminal process group (-1): Inappropriate ioctl for device",
            "bash: no job control in this shell",
            head["events"][2]["message"],
        ]
    messages = [e["message"] for e in whole]
    assert "Invoking script with the following command:" in messages
    assert any(m.startswith("torchrun --nnodes 4 --nproc_per_node 8 ") for m in messages)
    assert any(m.startswith("SM_HPS=") for m in messages) and any('"hyperparameters": {' in m for m in messages)
    assert any(m.startswith("[rank0]:{'loss': ") for m in messages)
    assert any(len(m) > 200 for m in messages) and any("\t" in m for m in messages)
    assert all(e["timestamp"] < e["ingestionTime"] <= e["timestamp"] + 2000 for e in whole)


@pytest.mark.gentle
async def test_a_page_holds_at_most_ten_thousand_events_and_one_megabyte(sim):
    name = f"{BIG}/algo-1-{int((ORIGIN - timedelta(seconds=256500)).timestamp())}"

    def size(events):
        return sum(len(e["message"].encode()) + 26 for e in events)

    async with client(sim) as logs:
        first = await logs.get_log_events(logGroupName=GROUP, logStreamName=name, startFromHead=True)
        after = await logs.get_log_events(
            logGroupName=GROUP, logStreamName=name, startFromHead=True, nextToken=first["nextForwardToken"], limit=1
        )
        newest = await logs.get_log_events(logGroupName=GROUP, logStreamName=name)
        code, message = await error_of(logs.get_log_events(logGroupName=GROUP, logStreamName=name, limit=10_001))
    events = first["events"]
    assert len(events) <= MAX_EVENTS and size(events) <= MAX_BYTES
    # Full by one measure or the other: the next event would not have fitted.
    assert len(events) == MAX_EVENTS or size(events) + size(after["events"]) > MAX_BYTES
    assert after["events"][0]["timestamp"] >= events[-1]["timestamp"]
    assert len(newest["events"]) <= MAX_EVENTS and size(newest["events"]) <= MAX_BYTES
    assert len(newest["events"]) > 1000
    assert code == "InvalidParameterException" and "less than or equal to 10000" in message


# -- FilterLogEvents -----------------------------------------------------------------------------


async def test_filter_interleaves_instances_by_time(sim):
    window = {"startTime": ms(ORIGIN - timedelta(minutes=10)), "endTime": ms(ORIGIN)}
    async with client(sim) as logs:
        pages = [
            p
            async for p in logs.get_paginator("filter_log_events").paginate(
                logGroupName=GROUP,
                logStreamNamePrefix=f"{MISTRAL}/",
                filterPattern="step",
                PaginationConfig={"PageSize": 40},
                **window,
            )
        ]
        whole = await logs.filter_log_events(
            logGroupName=GROUP, logStreamNamePrefix=f"{MISTRAL}/", filterPattern="step", **window
        )
        quoted = await logs.filter_log_events(logGroupName=GROUP, filterPattern='"Running Evaluation"', **window)
        either = await logs.filter_log_events(
            logGroupName=GROUP, logStreamNamePrefix=f"{MISTRAL}/", filterPattern="?max_allocated ?tokens/s", **window
        )
        without = await logs.filter_log_events(
            logGroupName=GROUP, logStreamNamePrefix=f"{MISTRAL}/", filterPattern="step -max_allocated", **window
        )
        named = await logs.filter_log_events(
            logGroupName=GROUP,
            filterPattern="step",
            **window,
            logStreamNames=[e["logStreamName"] for e in whole["events"][:2]],
        )
    for page in pages + [whole, quoted, either]:
        assert output_problems(plain(page), SHAPES["FilterLogEvents"]) == []
    events = [e for p in pages for e in p["events"]]
    assert len(pages) > 3 and events == whole["events"] and "nextToken" not in whole
    assert len({e["logStreamName"] for e in events}) == 4 and len({e["eventId"] for e in events}) == len(events)
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)
    assert all("step" in e["message"] and window["startTime"] <= e["timestamp"] <= window["endTime"] for e in events)
    # Trainer evaluations, from the two Hugging Face jobs that evaluated in those ten minutes.
    assert {e["logStreamName"].split("/")[0] for e in quoted["events"]} == {MISTRAL, "llama-finetune-full-config"}
    assert all(len(e["eventId"]) == 56 and e["eventId"].isdigit() for e in quoted["events"])
    assert all("Running Evaluation" in e["message"] for e in quoted["events"])
    assert {"/algo-1-" in e["logStreamName"] for e in either["events"]} == {True, False}
    assert without["events"] and all("/algo-1-" in e["logStreamName"] for e in without["events"])
    assert {e["logStreamName"] for e in named["events"]} <= {e["logStreamName"] for e in whole["events"][:2]}


async def test_filter_newest_first_and_tokens_bound_to_their_request(sim):
    window = {"startTime": ms(ORIGIN - timedelta(minutes=5)), "endTime": ms(ORIGIN)}
    async with client(sim) as logs:
        oldest = await logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix=f"{MISTRAL}/", **window)
        newest = await logs.filter_log_events(
            logGroupName=GROUP, logStreamNamePrefix=f"{MISTRAL}/", startFromHead=False, limit=30, **window
        )
        code, message = await error_of(
            logs.filter_log_events(
                logGroupName=GROUP, logStreamNamePrefix=f"{BIG}/", nextToken=newest["nextToken"], **window
            )
        )
    assert newest["events"] == oldest["events"][::-1][:30]
    assert (code, message) == ("InvalidParameterException", "The specified nextToken is invalid.")
