"""``smtui logs``: the newest N lines of every scripted job, following, filtering and printing (in-process)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from smtui.aws.log_tail import SETTLE, training_started
from smtui.aws.source import AwsJobSource, AwsOptions
from smtui.commands.exits import CommandFailed
from smtui.commands.log_printer import Printer, clean, format_time
from smtui.commands.logs import DESCRIBE_EVERY, RETRY_DELAYS, LogsCommand, Request
from tests.conftest import CREDENTIALS, ORIGIN
from tests.log_oracle import newest_events

BIG = "llama2-70b-pretrain-trn1"
MISTRAL = "mistral-7b-sft-distributed"
OOM = "llama3-8b-lora-oom"
WHISPER = "whisper-small-finetune-cv"
#: The standalone scripted jobs.
JOBS = (
    "bert-base-finetune-imdb",
    OOM,
    "resnet50-spot-imagenet",
    "xgboost-churn-stopped",
    "gpt2-pretrain-maxruntime",
    MISTRAL,
    "llama-finetune-full-config",
    WHISPER,
    BIG,
    "t5-base-summarize-xsum",
)
#: When the OOM job fails, and when its containers' streams start (it enters Training).
OOM_FAILS = ORIGIN + timedelta(seconds=900)
WHISPER_TRAINS = ORIGIN + timedelta(seconds=540)
#: A moment when every scripted job has logged, some of them ended, the rest still writing.
EVERY_JOB_LOGS = ORIGIN + timedelta(seconds=1500)


def options(url: str, key: str = CREDENTIALS[0]) -> AwsOptions:
    return AwsOptions(region="us-east-1", endpoint_url=url, static_credentials=(key, CREDENTIALS[1]))


def host_of(stream: str) -> str:
    tail = stream.split("/", 1)[1]
    return tail.rsplit("-", 1)[0] if tail.startswith("algo-") else tail


def as_printed(events: list[tuple[int, str, str]]) -> list[str]:
    """The oracle's events as ``smtui logs --timestamps`` prints them, hosts padded to the widest."""
    width = max((len(host_of(stream)) for _, stream, _ in events), default=0)
    return [
        f"{format_time(t)} {host_of(stream):<{width}} | {clean(message.rstrip(chr(10)))}"
        for t, stream, message in events
    ]


async def run_command(
    sim, clock, request: Request, key: str = CREDENTIALS[0], source=None, timestamps: bool = False
) -> tuple[int, str, str, list]:
    """LogsCommand in this process, each wait moving the simulator's clock instead of sleeping."""
    waits = []

    async def sleep(seconds):
        waits.append(seconds)
        clock.advance(seconds)

    out, err = io.StringIO(), io.StringIO()
    async with AwsJobSource(options(sim.url, key)) as aws:
        command = LogsCommand(
            source(aws) if source else aws,
            request,
            Printer(out, timestamps=timestamps),
            err=err,
            sleep=sleep,
            clock=clock,
        )
        code = await command.run()
    return code, out.getvalue(), err.getvalue(), waits


# -- the newest N lines ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("job", JOBS)
async def test_the_newest_n_lines_of_every_job(sim, clock, job):
    clock.set(EVERY_JOB_LOGS)
    everything = newest_events(sim, job, 5000)
    for n in (50, 400, 5000):
        code, out, err, _ = await run_command(sim, clock, Request(job, lines=n), timestamps=True)
        want = as_printed(everything[-n:])
        assert code == 0 and err == ""
        # In time order; lines of one millisecond may be in another order than the oracle's (by stream name).
        lines = out.splitlines()
        assert len(lines) == len(want) and sorted(lines) == sorted(want)
        assert [line[:24] for line in lines] == [line[:24] for line in want]


async def test_verbose_says_what_it_cost(sim, clock):
    code, out, err, _ = await run_command(sim, clock, Request(BIG, lines=400, verbose=True))
    # The command prints the summary from its main function; here, the command's own count.
    assert code == 0 and len(out.splitlines()) == 400
    async with AwsJobSource(options(sim.url)) as aws:
        command = LogsCommand(aws, Request(BIG, lines=400), Printer(io.StringIO()), err=io.StringIO(), clock=clock)
        await command.run()
    # A listing is not needed to print lines: one description, one search.
    assert command.calls == {"DescribeTrainingJob": 1, "FilterLogEvents": 1}
    assert command.summary() == "smtui: 2 calls: DescribeTrainingJob 1, FilterLogEvents 1"


# -- following ------------------------------------------------------------------------------------------------


async def test_follow_prints_every_line_once_until_the_job_has_ended(sim, clock):
    clock.set(OOM_FAILS - timedelta(seconds=40))
    code, out, err, waits = await run_command(sim, clock, Request(OOM, lines=5, follow=True, interval=5))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[-1].endswith("sagemaker-training-toolkit ERROR    Encountered exit_code 1")
    assert any(line.startswith("algo-1 | torch.OutOfMemoryError: CUDA out of memory.") for line in lines)
    assert lines == [f"algo-1 | {clean(m.rstrip(chr(10)))}" for _, _, m in newest_events(sim, OOM, len(lines))]
    assert len(lines) > 30
    # It failed at +900; seen at the next description (every DESCRIBE_EVERY rounds), then one read after it
    # settled.
    assert sum(waits) <= 40 + 5 * DESCRIBE_EVERY + SETTLE + 1


async def test_follow_with_a_filter_prints_each_match_once(sim, clock):
    clock.set(OOM_FAILS - timedelta(seconds=3))
    code, out, err, waits = await run_command(
        sim, clock, Request(OOM, follow=True, interval=1, pattern='"CUDA out of memory"')
    )
    assert code == 0
    assert err == f"No events of {OOM} match '\"CUDA out of memory\"' (1 log stream searched).\n"
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("algo-1 | torch.OutOfMemoryError: CUDA out of memory.")
    assert lines[1].startswith('algo-1 | ErrorMessage "torch.OutOfMemoryError')


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
            await LogsCommand(
                aws,
                Request(MISTRAL, lines=2, follow=True, interval=5, pattern="step"),
                Printer(out, timestamps=True),
                err=io.StringIO(),
                sleep=sleep,
                clock=clock,
            ).run()
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
            await LogsCommand(
                aws, Request(WHISPER, follow=True, interval=5), Printer(out), err=err, sleep=sleep, clock=clock
            ).run()
    assert err.getvalue() == (
        "The job has not started its containers yet: SageMaker creates the log streams when training starts.\n"
    )
    assert out.getvalue().startswith("algo-1 | bash: cannot set terminal process group")


class Flaky:
    """A whole source (SageMaker and Logs) whose chosen FilterLogEvents calls (counted from 1) are throttled."""

    def __init__(self, source, fail: set[int]) -> None:
        self.source, self.fail, self.filters = source, fail, 0

    async def describe_training_job(self, name):
        return await self.source.describe_training_job(name)

    async def describe_log_streams(self, *args, **kwargs):
        return await self.source.describe_log_streams(*args, **kwargs)

    async def filter_log_events(self, *args, **kwargs):
        self.filters += 1
        if self.filters in self.fail:
            raise ClientError(
                {
                    "Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                "FilterLogEvents",
            )
        return await self.source.filter_log_events(*args, **kwargs)


async def test_a_throttled_first_read_is_tried_again(sim, clock):
    expected = (await run_command(sim, clock, Request(MISTRAL, lines=50)))[1]
    code, out, err, waits = await run_command(
        sim, clock, Request(MISTRAL, lines=50), source=lambda aws: Flaky(aws, {1})
    )
    assert (code, out, err, waits) == (0, expected, "", [RETRY_DELAYS[0]])
    with pytest.raises(CommandFailed, match="^throttled by AWS"):
        await run_command(sim, clock, Request(MISTRAL, lines=50), source=lambda aws: Flaky(aws, set(range(1, 9))))
    assert len(expected.splitlines()) == 50


async def test_a_throttled_follow_says_so_once_and_loses_nothing(sim, clock):
    clock.set(OOM_FAILS - timedelta(seconds=60))
    code, out, err, waits = await run_command(
        sim, clock, Request(OOM, lines=5, follow=True, interval=2), source=lambda aws: Flaky(aws, {3, 4, 5})
    )
    assert code == 0 and err == "smtui: warning: throttled by AWS: retrying with back-off\n"
    assert waits[:6] == [2, 2, 4, 8, 16, 2]  # backing off while throttled
    lines = out.splitlines()
    assert lines == [f"algo-1 | {clean(m.rstrip(chr(10)))}" for _, _, m in newest_events(sim, OOM, len(lines))]


# -- printing -------------------------------------------------------------------------------------------------


def test_printing_is_safe_and_aligned():
    out = io.StringIO()
    printer = Printer(out, timestamps=True)
    printer.know(["algo-1", "algo-12"])
    printer.write(
        [
            (1795687200123, "algo-1", 0, "a\tb\x1b]0;title\x07 \x1b[2J\rc\nd \u202eevil"),
            (1795687201000, "algo-12", 11, "ok\n"),
        ]
    )
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
    assert (
        training_started(
            {
                "SecondaryStatus": "Failed",
                "SecondaryStatusTransitions": [{"Status": "Starting"}, {"Status": "Downloading"}, {"Status": "Failed"}],
            }
        )
        is False
    )
    assert (
        training_started(
            {
                "SecondaryStatus": "Failed",
                "SecondaryStatusTransitions": [{"Status": "Starting"}, {"Status": "Training"}, {"Status": "Failed"}],
            }
        )
        is True
    )
    assert training_started({}) is None
