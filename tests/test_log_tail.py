"""LogTail: the newest lines of a job and what follows them, against the simulator, moto, and a source in memory
that misbehaves as the API reference allows (empty pages, refused tokens, orders and prefixes ignored)."""

from __future__ import annotations

from datetime import timedelta

from botocore.exceptions import ClientError

from smtui.aws.errors import ACCESS_DENIED, THROTTLED
from smtui.aws.log_streams import LIST_COMPLETE, LIST_INCOMPLETE
from smtui.aws.log_tail import LOG_GROUP, LogTail
from smtui.aws.source import AwsJobSource, AwsOptions
from tests.conftest import CREDENTIALS, ORIGIN
from tests.log_oracle import newest_events

BIG = "llama2-70b-pretrain-trn1"
MISTRAL = "mistral-7b-sft-distributed"
OOM = "llama3-8b-lora-oom"
WHISPER = "whisper-small-finetune-cv"
WHISPER_TRAINS = ORIGIN + timedelta(seconds=540)


def options(url: str, key: str = CREDENTIALS[0]) -> AwsOptions:
    return AwsOptions(region="us-east-1", endpoint_url=url, static_credentials=(key, CREDENTIALS[1]))


def shown(tail: LogTail) -> list[tuple[str, str]]:
    return sorted((line.host, line.message) for line in tail.buffer.lines)


def expected(simulator, job: str, n: int) -> list[tuple[str, str]]:
    return sorted(
        (name.split("/", 1)[1].rsplit("-", 1)[0] if "/algo-" in name else name.split("/", 1)[1], message.rstrip("\n"))
        for _, name, message in newest_events(simulator, job, n)
    )


class Counted:
    """A source that counts calls by operation, and can throttle chosen FilterLogEvents calls (counted from 1)."""

    def __init__(self, source, throttle: set[int] = frozenset()) -> None:
        self.source, self.throttle = source, set(throttle)
        self.filters = 0
        self.listings = 0

    async def describe_log_streams(self, group, prefix, token=None):
        self.listings += 1
        return await self.source.describe_log_streams(group, prefix, token)

    async def filter_log_events(self, *args, **kwargs):
        self.filters += 1
        if self.filters in self.throttle:
            raise ClientError(
                {
                    "Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                "FilterLogEvents",
            )
        return await self.source.filter_log_events(*args, **kwargs)

    @property
    def calls(self) -> int:
        return self.filters + self.listings


# -- against the simulator ---------------------------------------------------------------------------------------


async def test_the_newest_lines_of_256_streams_in_one_or_two_searches(sim, clock):
    async with AwsJobSource(options(sim.url)) as aws:
        source = Counted(aws)
        tail = LogTail(source, BIG, capacity=5000, clock=clock)
        tail.set_job(await aws.describe_training_job(BIG))
        assert await tail.read_round() == 5000
    assert tail.error is None and tail.loaded and tail.status.truncated
    assert len(tail.streams) == 256 and tail.status.hosts == 128
    assert shown(tail) == expected(sim, BIG, 5000)
    # Whatever the number of streams: a listing of 256 (six pages) and a search or two.
    assert source.listings == 6 and source.filters <= 2
    assert tail.calls == source.calls and tail.calls_by == {"DescribeLogStreams": 6, "FilterLogEvents": source.filters}


async def follow(simulator, clock, aws, source, tail: LogTail, seconds: float, every: float = 5.0) -> list[int]:
    """Rounds every ``every`` seconds of the clock for ``seconds``, describing the job every 30; the calls of each."""
    calls, described = [], -30.0
    for step in range(int(seconds / every)):
        clock.advance(every)
        if step * every - described >= 30:
            tail.set_job(await aws.describe_training_job(tail.job))
            described = step * every
        before = source.calls
        await tail.read_round()
        assert tail.error is None
        calls.append(source.calls - before)
    return calls


async def test_following_128_instances_costs_a_call_a_round_and_nothing_once_ended(sim, clock):
    async with AwsJobSource(options(sim.url)) as aws:
        source = Counted(aws)
        tail = LogTail(source, BIG, capacity=2000, clock=clock)
        tail.set_job(await aws.describe_training_job(BIG))
        await tail.read_round()
        calls = await follow(sim, clock, aws, source, tail, 300)
        # Every stream of the attempt is there: one search a round, no listing.
        assert calls == [1] * len(calls) and sum(calls) / 5 <= 30
        printed = len(tail.buffer.lines) + tail.buffer.dropped
        assert printed > 2000 + 5 * 500
        await aws.stop_training_job(BIG)
        rounds = 0
        while not tail.done:
            rounds += 1
            assert rounds < 200
            clock.advance(tail.wait(5.0) or 0.001)
            tail.set_job(await aws.describe_training_job(BIG))
            await tail.read_round()
        before = source.calls
        for _ in range(5):
            clock.advance(60)
            assert await tail.read_round() == 0
        assert source.calls == before
    assert tail.status.done and shown(tail) == expected(sim, BIG, 2000)


async def test_following_reads_every_event_once(sim, clock):
    async with AwsJobSource(options(sim.url)) as aws:
        source = Counted(aws, throttle={3, 7, 8})
        tail = LogTail(source, MISTRAL, capacity=100_000, clock=clock)
        tail.set_job(await aws.describe_training_job(MISTRAL))
        await tail.read_round()
        start = len(tail.buffer)
        failures = []
        for _ in range(40):
            clock.advance(15)
            await tail.read_round()
            failures.append(tail.error)
        assert tail.error is None
    assert [e.kind for e in failures if e is not None] == [THROTTLED] * 3
    assert len(tail.buffer) > start + 100 and tail.buffer.dropped == 0
    lines = tail.buffer.lines
    assert len({(line.timestamp, line.host_index, line.sequence) for line in lines}) == len(lines)
    assert shown(tail) == expected(sim, MISTRAL, len(lines))


async def test_a_job_before_training_is_listed_until_its_stream_comes(sim, clock):
    async with AwsJobSource(options(sim.url)) as aws:
        source = Counted(aws)
        tail = LogTail(source, WHISPER, clock=clock)
        tail.set_job(await aws.describe_training_job(WHISPER))
        await tail.read_round()
        assert (source.listings, source.filters) == (1, 0) and tail.error is None
        assert tail.why_empty(False).startswith("The job has not started its containers")
        for _ in range(6):  # a round every 5 s lists every LIST_INCOMPLETE seconds, and reads nothing
            clock.advance(5)
            await tail.read_round()
        assert (source.listings, source.filters) == (1 + 30 // LIST_INCOMPLETE, 0)
        clock.set(WHISPER_TRAINS + timedelta(seconds=75))
        await tail.read_round()
        assert len(tail.streams) == 1 and source.filters == 1
        messages = [line.message for line in tail.buffer.lines]
        assert messages[0].startswith("bash: cannot set terminal process group")
        # Every instance has its stream: listed again only when the secondary status changes (it was
        # Pending at the last listing), at most once a minute.
        listed = source.listings
        status = await aws.describe_training_job(WHISPER)
        tail.set_job(status)
        for _ in range(60):
            clock.advance(5)
            await tail.read_round()
        assert source.listings == listed + 1
        tail.set_job({**status, "SecondaryStatus": "Uploading"})
        await tail.read_round()
        assert source.listings == listed + 2
        tail.set_job({**status, "SecondaryStatus": "Training"})
        clock.advance(LIST_COMPLETE - 1)
        await tail.read_round()
        assert source.listings == listed + 2


async def test_a_job_that_failed_before_training_costs_nothing(sim, clock):
    async with AwsJobSource(options(sim.url)) as aws:
        source = Counted(aws)
        tail = LogTail(source, OOM, clock=clock)
        tail.set_job(
            {
                "TrainingJobStatus": "Failed",
                "SecondaryStatus": "Failed",
                "SecondaryStatusTransitions": [{"Status": "Starting"}, {"Status": "Failed"}],
            }
        )
        assert tail.done and await tail.read_round() == 0 and source.calls == 0
    assert tail.why_empty(False) == f"{OOM} ended before its containers started, so it wrote no logs."


async def test_denied_logs_are_said_once_with_the_permission(sim, clock):
    async with AwsJobSource(options(sim.url, key="nologs-readonly")) as aws:
        tail = LogTail(aws, MISTRAL, clock=clock)
        tail.set_job(await aws.describe_training_job(MISTRAL))  # SageMaker still answers
        assert await tail.read_round() == 0
        calls = tail.calls
        for _ in range(3):
            assert await tail.read_round() == 0
        assert tail.calls == calls and tail.denied
    assert tail.error is not None and tail.error.kind == ACCESS_DENIED
    assert tail.error.message == (
        "access denied to CloudWatch Logs (logs:DescribeLogStreams): allow "
        f"logs:FilterLogEvents and logs:DescribeLogStreams on log group {LOG_GROUP} "
        "for these credentials"
    )
    assert tail.why_empty(True) == tail.error.message


async def test_a_job_without_streams(sim, clock):
    async with AwsJobSource(options(sim.url)) as aws:
        tail = LogTail(aws, "no-such-job", clock=clock)
        await tail.read_round()
    assert tail.error is None and tail.listed and tail.streams == {}
    assert tail.why_empty(None) == (
        f"No log streams for no-such-job in {LOG_GROUP}: its logs may have expired or been deleted."
    )
