"""A job's logs merged across its instances: LogTail against the simulator and moto, and ``smtui logs``."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta

import boto3
import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

import smtui.aws.log_tail as logs_module
from smtui.aws.errors import ACCESS_DENIED, THROTTLED
from smtui.aws.log_tail import LOG_GROUP, LogTail, split_stream_name, training_started
from smtui.aws.source import AwsJobSource, AwsOptions
from smtui.clock import FrozenClock
from smtui.commands.exits import CommandFailed
from smtui.commands.log_printer import Printer, clean
from smtui.commands.logs import RETRY_DELAYS, SETTLE, LogsCommand, RecordingBuffer, Request
from smtui.sim import Simulator, start_in_thread
from tests.conftest import CREDENTIALS, ORIGIN, fixture_realism

BIG = "llama2-70b-pretrain-trn1"
MISTRAL = "mistral-7b-sft-distributed"
OOM = "llama3-8b-lora-oom"
WHISPER = "whisper-small-finetune-cv"
#: When the OOM job fails, and when its containers' streams start (it enters Training).
OOM_FAILS = ORIGIN + timedelta(seconds=900)
WHISPER_TRAINS = ORIGIN + timedelta(seconds=540)


def options(url: str, key: str = CREDENTIALS[0]) -> AwsOptions:
    return AwsOptions(region="us-east-1", endpoint_url=url, static_credentials=(key, CREDENTIALS[1]))


@contextlib.asynccontextmanager
async def logs_client(url: str):
    async with AioSession().create_client("logs", endpoint_url=url, region_name="us-east-1",
                                          aws_access_key_id=CREDENTIALS[0],
                                          aws_secret_access_key=CREDENTIALS[1]) as client:
        yield client


async def read_from_head(client, stream: str, **window) -> list[tuple[int, str]]:
    """(timestamp, message) of a stream's events from its head, following the forward token to its end."""
    events, token = [], None
    while True:
        params = {"nextToken": token} if token else {}
        page = await client.get_log_events(logGroupName=LOG_GROUP, logStreamName=stream, startFromHead=True,
                                           **window, **params)
        events += [(e["timestamp"], e["message"].rstrip("\n")) for e in page["events"]]
        if page["nextForwardToken"] == token:
            return events
        token = page["nextForwardToken"]


def throttled() -> ClientError:
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                        "ResponseMetadata": {"HTTPStatusCode": 400}}, "GetLogEvents")


class Counting:
    """A logs source around another that counts calls and pages, can force the size of forward pages,
    and can fail chosen GetLogEvents calls (counted from 1) with a ThrottlingException."""

    def __init__(self, source, *, page: int | None = None, fail: set[int] = frozenset()) -> None:
        self.source, self.page, self.fail = source, page, set(fail)
        self.stream_pages = 0
        self.event_calls = 0
        #: Forward pages (calls with a token) per stream since the last reset.
        self.forward: dict[str, int] = {}

    async def describe_log_streams(self, group, prefix, token=None):
        self.stream_pages += 1
        return await self.source.describe_log_streams(group, prefix, token)

    async def get_log_events(self, group, stream, *, token=None, newest=False, limit=None):
        self.event_calls += 1
        if self.event_calls in self.fail:
            raise throttled()
        if token is not None:
            self.forward[stream] = self.forward.get(stream, 0) + 1
            limit = self.page or limit
        return await self.source.get_log_events(group, stream, token=token, newest=newest, limit=limit)


class CheckedBuffer(RecordingBuffer):
    """Keeps every line added (see RecordingBuffer) and the most lines it ever held."""

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.most = 0

    def add(self, new):
        first = super().add(new)
        self.most = max(self.most, len(self.lines))
        return first

    def drop_before(self, timestamp):
        super().drop_before(timestamp)
        self.most = max(self.most, len(self.lines))


# -- LogTail against the simulator ------------------------------------------------------------------


async def test_256_streams_over_many_pages_merge_without_a_hole(sim):
    async with AwsJobSource(options(sim.url)) as aws, logs_client(sim.url) as client:
        source = Counting(aws)
        tail = LogTail(source, BIG, capacity=2000)
        buffer = tail.buffer = CheckedBuffer(2000)
        assert await tail.read_round() > 2000
        assert tail.error is None and len(tail.streams) == 256 and source.stream_pages > 5
        assert len({s.host for s in tail.streams.values()}) == 128
        assert len({s.epoch for s in tail.streams.values()}) == 2
        lines = buffer.lines
        assert buffer.most <= 2000 and len(lines) == 2000 and buffer.dropped > 0
        assert lines == sorted(lines) and tail.status.truncated
        hosts = {line.host for line in lines}
        assert len(hosts) > 100
        # The newest lines: all from the second attempt, which started when the first had long ended.
        newest = max(s.epoch for s in tail.streams.values())
        assert lines[0].timestamp > newest * 1000
        # No hole: every event of a host between the first and the last line shown is there.
        first, last = lines[0].timestamp, lines[-1].timestamp
        for host in ("algo-1", "algo-64", "algo-128", sorted(hosts)[len(hosts) // 2]):
            stream = f"{BIG}/{host}-{newest}"
            events = await read_from_head(client, stream, startTime=first, endTime=last + 1)
            assert events and [(line.timestamp, line.message) for line in lines if line.host == host] == events


async def follow_and_compare(sim, clock, source: Counting, rounds: int = 5) -> list:
    """Follow MISTRAL for ``rounds`` rounds, five minutes apart, then read until nothing is new; every line
    the tail read must be each stream's events from its first one read on, once each, in order.
    Returns the error of each round."""
    async with AwsJobSource(options(sim.url)) as aws, logs_client(sim.url) as client:
        source.source = aws
        tail = LogTail(source, MISTRAL, capacity=100_000)
        buffer = tail.buffer = RecordingBuffer(100_000)
        names = [s["logStreamName"] for s in (await client.describe_log_streams(
            logGroupName=LOG_GROUP, logStreamNamePrefix=f"{MISTRAL}/"))["logStreams"]]
        at_start = {name: len(await read_from_head(client, name)) for name in names}
        errors, got, paged = [], [], 0
        for round_ in range(rounds + 1):
            if round_:
                clock.advance(300)
            source.forward.clear()
            await tail.read_round()
            errors.append(tail.error)
            got += buffer.take()
            paged = max(paged, *source.forward.values()) if source.forward else paged
        for _ in range(20):  # what a round left for the next one, and what a failure left
            if not await tail.read_round() and tail.error is None:
                break
            got += buffer.take()
        assert tail.error is None
        # A stream needed every page a round allows: the next round went on from there.
        assert paged == logs_module.MAX_PAGES_PER_ROUND
        assert len({(line.timestamp, line.host_index, line.sequence) for line in got}) == len(got)
        for name in names:
            state = tail.streams[name]
            mine = sorted((line for line in got if line.host == state.host), key=lambda line: line.sequence)
            assert [line.sequence for line in mine] == list(range(len(mine)))
            everything = await read_from_head(client, name)
            # The first read took the newest FIRST_READ events; from there on, all of them once.
            skipped = len(everything) - len(mine)
            assert skipped > 0 and everything[skipped][0] <= state.floor <= everything[skipped][0] + 1
            assert [(line.timestamp, line.message) for line in mine] == everything[skipped:]
            assert len(everything) > at_start[name] + 30
            if errors[0] is None:  # the first round read every stream: at the start
                assert skipped == at_start[name] - logs_module.FIRST_READ
    return errors


async def test_following_reads_every_event_once(sim, clock, monkeypatch):
    monkeypatch.setattr(logs_module, "FIRST_READ", 40)
    monkeypatch.setattr(logs_module, "MAX_PAGES_PER_ROUND", 3)
    source = Counting(None, page=6)
    assert await follow_and_compare(sim, clock, source) == [None] * 6


@pytest.mark.parametrize("failing", [{2}, {9}, {7, 13, 40}])
async def test_a_throttled_read_resumes_where_it_stopped(sim, clock, monkeypatch, failing):
    monkeypatch.setattr(logs_module, "FIRST_READ", 40)
    monkeypatch.setattr(logs_module, "MAX_PAGES_PER_ROUND", 3)
    source = Counting(None, page=6, fail=failing)
    errors = await follow_and_compare(sim, clock, source)
    assert any(error is not None and error.kind == THROTTLED for error in errors)


async def test_a_stream_created_before_its_first_event_is_read_from_it(sim, clock):
    async with AwsJobSource(options(sim.url)) as aws:
        tail = LogTail(aws, WHISPER)
        await tail.read_round()
        description = await aws.describe_training_job(WHISPER)
        assert tail.error is None and tail.streams == {} and len(tail.buffer) == 0
        assert training_started(description) is False
        assert tail.why_empty(training_started(description)).startswith("The job has not started its containers")
        clock.set(WHISPER_TRAINS + timedelta(seconds=30))  # the container started; the image is being pulled
        await tail.read_round()
        assert len(tail.streams) == 1 and len(tail.buffer) == 0
        assert tail.why_empty(True) == "The job's log streams have no events yet."
        clock.set(WHISPER_TRAINS + timedelta(seconds=75))
        await tail.read_round()
        description = await aws.describe_training_job(WHISPER)
    assert training_started(description) is True
    messages = [line.message for line in tail.buffer.lines]
    assert messages[0].startswith("bash: cannot set terminal process group")
    assert "Invoking script with the following command:" in messages


async def test_keys_without_logs_permission_say_so(sim):
    async with AwsJobSource(options(sim.url, key="nologs-readonly")) as aws:
        tail = LogTail(aws, MISTRAL)
        assert await tail.read_round() == 0
        description = await aws.describe_training_job(MISTRAL)  # SageMaker still answers
    assert tail.error is not None and tail.error.kind == ACCESS_DENIED
    assert "logs:DescribeLogStreams" in tail.error.message
    assert tail.why_empty(training_started(description)) == tail.error.message
    assert tail.why_empty(True).startswith("access denied: the credentials lack a permission")


async def test_a_job_without_streams(sim):
    async with AwsJobSource(options(sim.url)) as aws:
        tail = LogTail(aws, "no-such-job")
        await tail.read_round()
    assert tail.error is None and tail.listed and tail.streams == {}
    assert tail.why_empty(None) == (f"No log streams for no-such-job in {LOG_GROUP}: "
                                    "its logs may have expired or been deleted.")


# -- known limits of LogTail, shown with a source in memory ----------------------------------------


class Memory:
    """Streams as lists of (timestamp, message), paged as the service does: ``f/N`` reads on from event N,
    and a page holds at most ``limit`` events and 1 MB (each message's bytes plus 26)."""

    def __init__(self, streams: dict[str, list[tuple[int, str]]]) -> None:
        self.streams = streams

    async def describe_log_streams(self, group, prefix, token=None):
        return {"logStreams": [{"logStreamName": n} for n in sorted(self.streams) if n.startswith(prefix)]}

    async def get_log_events(self, group, stream, *, token=None, newest=False, limit=None):
        events, limit = self.streams[stream], limit or 10_000
        backward = token is None and newest
        position = len(events) if backward else int(token[2:]) if token else 0
        order = range(position - 1, -1, -1) if backward else range(position, len(events))
        taken, size = [], 0
        for index in order:
            size += len(events[index][1].encode()) + 26
            if len(taken) == limit or size > 1_048_576:
                break
            taken.append(index)
        taken.sort()
        end = taken[-1] + 1 if taken else position
        return {"events": [{"timestamp": events[i][0], "message": events[i][1]} for i in taken],
                "nextForwardToken": f"f/{len(events) if backward else end}"}


def holes(tail: LogTail, streams: dict[str, list[tuple[int, str]]]) -> dict[str, int]:
    """Events of each stream between the buffer's first and last lines that the buffer lacks."""
    lines = tail.buffer.lines
    first, last = lines[0].timestamp, lines[-1].timestamp
    out = {}
    for name, events in streams.items():
        host, _ = split_stream_name("j", name)
        shown = {(line.timestamp, line.message) for line in lines if line.host == host}
        out[host] = len([e for e in events if first <= e[0] <= last and e not in shown])
    return out


async def test_no_hole_where_the_oldest_event_read_shares_its_millisecond():
    streams = {
        "j/algo-1-1700000000": [(1000 + i, f"a{i}") for i in range(100)],
        # The 50th and 51st newest events share a millisecond: the first read takes only the newer one.
        "j/algo-2-1700000000": [(2000 + i, f"b{i}") for i in range(50)] + [(2049, "b50")]
                               + [(2051 + i, f"b{51 + i}") for i in range(49)],
    }
    tail = LogTail(Memory(streams), "j", capacity=100)
    await tail.read_round()
    assert holes(tail, streams) == {"algo-1": 0, "algo-2": 0}


async def test_no_hole_when_the_newest_page_is_cut_short():
    # 40 kB lines: 25 fit in a page, where the tail asks for the newest 50.
    big = "x" * 40_000
    streams = {"j/algo-1-1700000000": [(1000 + i, f"a{i}") for i in range(100)],
               "j/algo-2-1700000000": [(1000 + 2 * i, f"b{i} {big}") for i in range(100)]}
    tail = LogTail(Memory(streams), "j", capacity=100)
    await tail.read_round()
    assert holes(tail, streams) == {"algo-1": 0, "algo-2": 0}


# -- moto -------------------------------------------------------------------------------------------


def moto_logs(url: str):
    """A boto3 Logs client for ``url`` (moto's server, or the simulator's)."""
    return boto3.client("logs", endpoint_url=url, region_name="us-east-1", aws_access_key_id=CREDENTIALS[0],
                        aws_secret_access_key=CREDENTIALS[1])


def put_interleaved(client, job: str, base: int, start: int, count: int) -> None:
    """``count`` events into each of the job's two streams, algo-1's and algo-2's alternating in time."""
    for host in (1, 2):
        client.put_log_events(logGroupName=LOG_GROUP, logStreamName=f"{job}/algo-{host}-1700000000", logEvents=[
            {"timestamp": base + 20 * i + 10 * (host - 1), "message": f"algo-{host} event {i}"}
            for i in range(start, start + count)])


async def test_moto_every_event_once_in_order(moto_url, monkeypatch):
    monkeypatch.setattr(logs_module, "FIRST_READ", 60)
    monkeypatch.setattr(logs_module, "MAX_PAGES_PER_ROUND", 4)
    client = moto_logs(moto_url)
    with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
        client.create_log_group(logGroupName=LOG_GROUP)
    job = "job-x"
    for host in (1, 2):
        client.create_log_stream(logGroupName=LOG_GROUP, logStreamName=f"{job}/algo-{host}-1700000000")
    # CloudWatch Logs refuses events older than 14 days: these are from the last hour.
    base = (int(time.time()) - 3600) * 1000
    put_interleaved(client, job, base, 0, 160)
    async with AwsJobSource(options(moto_url)) as aws:
        source = Counting(aws, page=25)
        tail = LogTail(source, job, capacity=10_000)
        buffer = tail.buffer = RecordingBuffer(10_000)
        await tail.read_round()
        first = buffer.take()
        assert tail.error is None and len(first) == 120  # the newest 60 of each
        put_interleaved(client, job, base, 160, 170)
        got, rounds = list(first), 0
        while await tail.read_round():
            got += buffer.take()
            rounds += 1
        assert tail.error is None
    assert rounds == 2 and source.forward and max(source.forward.values()) > 1
    expected = sorted([(base + 20 * i + 10 * (host - 1), f"algo-{host} event {i}")
                       for host in (1, 2) for i in range(100, 330)])
    assert [(line.timestamp, line.message) for line in sorted(got)] == expected
    assert len(got) == len(set(got)) == 460
    # The floors: shown from the later of the two first reads on, nothing of either host missing.
    shown = [(line.timestamp, line.message) for line in buffer.lines]
    assert shown == expected[-len(shown):] and len(shown) >= len(expected) - 2


async def test_moto_stream_created_before_its_first_event(moto_url):
    client = moto_logs(moto_url)
    with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
        client.create_log_group(logGroupName=LOG_GROUP)
    job = "job-empty-first"
    client.create_log_stream(logGroupName=LOG_GROUP, logStreamName=f"{job}/algo-1-1700000000")
    async with AwsJobSource(options(moto_url)) as aws:
        tail = LogTail(aws, job)
        await tail.read_round()
        base = (int(time.time()) - 60) * 1000
        client.put_log_events(logGroupName=LOG_GROUP, logStreamName=f"{job}/algo-1-1700000000",
                              logEvents=[{"timestamp": base + i, "message": f"e{i}"} for i in range(3)])
        await tail.read_round()
    assert [line.message for line in tail.buffer.lines] == ["e0", "e1", "e2"]


# -- the command, in this process -----------------------------------------------------------------------


def test_printing_is_safe_and_aligned():
    out = io.StringIO()
    printer = Printer(out, timestamps=True)
    printer.know(["algo-1", "algo-12"])
    printer.write([(1795687200123, "algo-1", 0, "a\tb\x1b]0;title\x07 \x1b[2J\rc\nd \u202eevil"),
                   (1795687201000, "algo-12", 11, "ok\n")])
    assert out.getvalue().split("\n")[:2] == [
        "2026-11-26T10:00:00.123Z algo-1  | a\tb\\x1b]0;title\\x07 \\x1b[2J ⏎ c ⏎ d \\u202eevil",
        "2026-11-26T10:00:01.000Z algo-12 | ok ⏎ ",
    ]
    colored = io.StringIO()
    Printer(colored, color=True).write([(0, "algo-2", 1, "x")])
    assert colored.getvalue() == "\x1b[33malgo-2 |\x1b[0m x\n"
    assert clean("\ttab\t") == "\ttab\t"


def test_training_started_from_the_description():
    assert training_started({"SecondaryStatus": "Downloading", "TrainingStartTime": 1}) is False
    assert training_started({"SecondaryStatus": "Training"}) is True
    assert training_started({"SecondaryStatus": "Failed", "SecondaryStatusTransitions": [
        {"Status": "Starting"}, {"Status": "Downloading"}, {"Status": "Failed"}]}) is False
    assert training_started({"SecondaryStatus": "Failed", "SecondaryStatusTransitions": [
        {"Status": "Starting"}, {"Status": "Training"}, {"Status": "Failed"}]}) is True
    assert training_started({}) is None


async def run_command(sim, clock, request: Request, key: str = CREDENTIALS[0]) -> tuple[int, str, str, list]:
    """LogsCommand in this process, each wait moving the simulator's clock instead of sleeping."""
    waits = []

    async def sleep(seconds):
        waits.append(seconds)
        clock.advance(seconds)

    out, err = io.StringIO(), io.StringIO()
    async with AwsJobSource(options(sim.url, key)) as aws:
        code = await LogsCommand(aws, request, Printer(out), err=err, sleep=sleep).run()
    return code, out.getvalue(), err.getvalue(), waits


async def test_follow_prints_the_last_lines_of_a_job_that_ends(sim, clock):
    clock.set(OOM_FAILS - timedelta(seconds=20))
    code, out, err, waits = await run_command(sim, clock, Request(OOM, lines=5, follow=True, interval=1))
    assert code == 0 and err == ""
    # Failed at +900, when its last lines were not in yet: one more read SETTLE seconds later.
    assert waits == [1.0] * 20 + [SETTLE]
    lines = out.splitlines()
    assert lines[-1].endswith("sagemaker-training-toolkit ERROR    Encountered exit_code 1")
    assert any(line.startswith("algo-1 | torch.OutOfMemoryError: CUDA out of memory.") for line in lines)
    async with logs_client(sim.url) as client:
        [name] = [s["logStreamName"] for s in (await client.describe_log_streams(
            logGroupName=LOG_GROUP, logStreamNamePrefix=f"{OOM}/"))["logStreams"]]
        everything = await read_from_head(client, name)
    assert lines == [f"algo-1 | {clean(message)}" for _, message in everything[-len(lines):]]
    assert len(lines) > 30


async def test_follow_with_a_filter_prints_each_match_once(sim, clock):
    clock.set(OOM_FAILS - timedelta(seconds=3))
    code, out, err, waits = await run_command(
        sim, clock, Request(OOM, follow=True, interval=1, pattern='"CUDA out of memory"'))
    assert code == 0
    assert err == f"No events of {OOM} match '\"CUDA out of memory\"' (1 log stream searched).\n"
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("algo-1 | torch.OutOfMemoryError: CUDA out of memory.")
    assert lines[1].startswith('algo-1 | ErrorMessage "torch.OutOfMemoryError')
    assert waits[-1] == SETTLE


async def test_filter_follow_starts_after_the_lines_printed(sim, clock):
    out = io.StringIO()
    rounds = []

    async def sleep(seconds):
        if len(rounds) == 3:
            raise KeyboardInterrupt
        rounds.append(out.getvalue().count("\n"))
        clock.advance(seconds)

    async with AwsJobSource(options(sim.url)) as aws:
        with pytest.raises(KeyboardInterrupt):
            await LogsCommand(aws, Request(MISTRAL, lines=2, follow=True, interval=5, pattern="step"),
                              Printer(out, timestamps=True), err=io.StringIO(), sleep=sleep).run()
    lines = out.getvalue().splitlines()
    # More than --lines events matched in the last ten seconds: the follow goes on from the newest two.
    assert rounds[0] == 2 and len(lines) > 2
    assert len(set(lines)) == len(lines) and [line[:24] for line in lines] == sorted(line[:24] for line in lines)
    assert all("step" in line for line in lines)


async def test_follow_waits_for_a_job_to_start(sim, clock):
    clock.set(WHISPER_TRAINS - timedelta(seconds=2))
    out, err = io.StringIO(), io.StringIO()

    async def sleep(seconds):
        if out.getvalue():
            raise KeyboardInterrupt  # stands in for Ctrl+C
        clock.advance(seconds)

    async with AwsJobSource(options(sim.url)) as aws:
        with pytest.raises(KeyboardInterrupt):
            await LogsCommand(aws, Request(WHISPER, follow=True, interval=5), Printer(out), err=err,
                              sleep=sleep).run()
    assert err.getvalue() == ("The job has not started its containers yet: SageMaker creates the log streams when "
                              "training starts.\n")
    assert out.getvalue().startswith("algo-1 | bash: cannot set terminal process group")


class Flaky(Counting):
    """A whole source (SageMaker and Logs) whose chosen GetLogEvents calls are throttled."""

    async def describe_training_job(self, name):
        return await self.source.describe_training_job(name)

    async def filter_log_events(self, *args, **kwargs):
        return await self.source.filter_log_events(*args, **kwargs)


async def test_a_throttled_first_read_is_tried_again(sim):
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    async def command(source) -> str:
        out = io.StringIO()
        assert await LogsCommand(source, Request(MISTRAL, lines=50), Printer(out), err=io.StringIO(),
                                 sleep=sleep).run() == 0
        return out.getvalue()

    async with AwsJobSource(options(sim.url)) as aws:
        expected = await command(aws)
        assert await command(Flaky(aws, fail={3})) == expected and waits == [RETRY_DELAYS[0]]
        waits.clear()
        with pytest.raises(CommandFailed, match="^throttled by AWS"):
            await command(Flaky(aws, fail=set(range(2, 100))))
    assert len(expected.splitlines()) == 50 and waits == list(RETRY_DELAYS)


# -- the command line, in its own process ------------------------------------------------------------


@pytest.fixture(scope="module")
def ended_url():
    """A simulator whose clock stands a minute after the OOM job failed."""
    with start_in_thread(Simulator(FrozenClock(OOM_FAILS + timedelta(seconds=60)), origin=ORIGIN, realism=fixture_realism())) as running:
        yield running.url


def environment(key: str = CREDENTIALS[0]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=CREDENTIALS[1])
    return env


def launch(url: str, *args: str, key: str = CREDENTIALS[0]) -> subprocess.Popen:
    """``smtui logs ARGS`` against ``url``, started; :func:`finish` waits for it."""
    return subprocess.Popen([sys.executable, "-m", "smtui", "logs", *args, "--endpoint-url", url,
                             "--region", "us-east-1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(key))


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def smtui_logs(url: str, *args: str, key: str = CREDENTIALS[0]) -> subprocess.CompletedProcess:
    return finish(launch(url, *args, key=key))


def start_logs(url: str, *args: str) -> subprocess.Popen:
    # Unbuffered: what readline() takes is all it takes, and communicate() reads the rest.
    return subprocess.Popen([sys.executable, "-m", "smtui", "logs", *args, "--endpoint-url", url,
                             "--region", "us-east-1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=environment(), bufsize=0)


def test_logs_help():
    result = subprocess.run([sys.executable, "-m", "smtui", "logs", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "--follow" in result.stdout and "--filter PATTERN" in result.stdout


def test_the_failed_job_s_traceback(ended_url):
    result, stamped = map(finish, [launch(ended_url, OOM), launch(ended_url, OOM, "--timestamps", "--lines", "5")])
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert 200 < len(lines) <= 1000 and all(line.startswith("algo-1 | ") for line in lines)
    start = lines.index("algo-1 | Traceback (most recent call last):")
    error = next(i for i, line in enumerate(lines) if line.startswith("algo-1 | torch.OutOfMemoryError: CUDA out"))
    assert start < error and any("trainer.train()" in line for line in lines[start:error])

    assert stamped.returncode == 0
    rows = stamped.stdout.splitlines()
    assert len(rows) == 5
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z algo-1 \| .*", row) for row in rows)
    assert rows[-1].startswith("2026-11-26T10:15:00.300Z algo-1 | ")
    assert [row.split(" ", 1)[1] for row in rows] == lines[-5:]
    assert [row[:24] for row in rows] == sorted(row[:24] for row in rows)


def test_filter_finds_the_oom_line(ended_url):
    result = smtui_logs(ended_url, OOM, "--filter", "OutOfMemoryError")
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("algo-1 | torch.OutOfMemoryError: CUDA out of memory.")


def test_a_reader_that_goes_away_ends_it_quietly(ended_url):
    # Four instances' lines, far more than a pipe holds: the writer meets the closed pipe.
    process = start_logs(ended_url, MISTRAL, "--lines", "5000")
    first = process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert first.startswith(b"algo-") and process.stderr.read() == b""


def test_ctrl_c_and_sigterm_end_a_follow_quietly(ended_url):
    running = [start_logs(ended_url, MISTRAL, "--follow", "--interval", "1", "--lines", "2") for _ in range(2)]
    for process, number in zip(running, (signal.SIGINT, signal.SIGTERM)):
        assert process.stdout.readline().startswith(b"algo-")
        process.send_signal(number)
    for process in running:
        out, err = process.communicate(timeout=30)
        assert (process.returncode, err) == (0, b"")


def test_denied_keys_one_line(ended_url):
    result, nologs = map(finish, [launch(ended_url, MISTRAL, key="denied-role"),
                                  launch(ended_url, MISTRAL, key="nologs-readonly")])
    assert result.returncode == 1 and result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("smtui: error: access denied: the credentials lack a permission")
    assert nologs.returncode == 1 and nologs.stderr.count("\n") == 1 and "logs:DescribeLogStreams" in nologs.stderr


def test_follow_ends_with_the_job_and_a_closed_pipe_ends_it_too(clock):
    clock.set(OOM_FAILS - timedelta(seconds=30))
    with start_in_thread(Simulator(clock, origin=ORIGIN, realism=fixture_realism())) as running:
        following = start_logs(running.url, OOM, "--follow", "--interval", "1", "--lines", "3")
        closing = start_logs(running.url, OOM, "--follow", "--interval", "1", "--lines", "3")
        first = following.stdout.readline()
        closing.stdout.readline()
        closing.stdout.close()  # `smtui logs JOB --follow | head -1`
        clock.set(OOM_FAILS + timedelta(seconds=60))
        out, err = following.communicate(timeout=60)
        assert closing.wait(timeout=60) == 0 and closing.stderr.read() == b""
        client = moto_logs(running.url)
        [stream] = client.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=f"{OOM}/")["logStreams"]
        everything = client.get_log_events(logGroupName=LOG_GROUP, logStreamName=stream["logStreamName"],
                                           startFromHead=True)["events"]
    assert following.returncode == 0 and err == b""
    lines = (first + out).decode().splitlines()
    assert any(line.startswith("algo-1 | torch.OutOfMemoryError: CUDA out of memory.") for line in lines)
    # Every line once: the stream's last lines, from the third newest when the command started.
    assert len(lines) > 30 and lines == [f"algo-1 | {clean(e['message'])}" for e in everything[-len(lines):]]
