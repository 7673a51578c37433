"""``smtui logs``: the newest N lines of every scripted job, following, filtering, and the command line."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from smtui.aws.log_tail import LOG_GROUP, SETTLE, training_started
from smtui.aws.source import AwsJobSource, AwsOptions
from smtui.clock import FrozenClock, SystemClock
from smtui.commands.exits import CommandFailed
from smtui.commands.log_printer import Printer, clean, format_time
from smtui.commands.logs import DESCRIBE_EVERY, RETRY_DELAYS, LogsCommand, Request
from smtui.sim import Simulator, start_in_thread
from tests.conftest import CREDENTIALS, ORIGIN, fixture_realism
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


# -- the command line, in its own process ------------------------------------------------------------


@pytest.fixture(scope="module")
def ended_url():
    """A simulator whose clock stands a minute after the OOM job failed."""
    clock = FrozenClock(OOM_FAILS + timedelta(seconds=60))
    with start_in_thread(Simulator(clock, origin=ORIGIN, realism=fixture_realism())) as running:
        yield running.url


def environment(key: str = CREDENTIALS[0]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=CREDENTIALS[1])
    return env


def moto_logs(url: str):
    """A boto3 Logs client for ``url``."""
    return boto3.client(
        "logs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    )


def launch(url: str, *args: str, key: str = CREDENTIALS[0]) -> subprocess.Popen:
    """``smtui logs ARGS`` against ``url``, started; :func:`finish` waits for it."""
    return subprocess.Popen(
        [sys.executable, "-m", "smtui", "logs", *args, "--endpoint-url", url, "--region", "us-east-1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(key),
    )


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def smtui_logs(url: str, *args: str, key: str = CREDENTIALS[0]) -> subprocess.CompletedProcess:
    return finish(launch(url, *args, key=key))


def start_logs(url: str, *args: str) -> subprocess.Popen:
    # Unbuffered: what readline() takes is all it takes, and communicate() reads the rest.
    return subprocess.Popen(
        [sys.executable, "-m", "smtui", "logs", *args, "--endpoint-url", url, "--region", "us-east-1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(),
        bufsize=0,
    )


def test_logs_help():
    result = subprocess.run(
        [sys.executable, "-m", "smtui", "logs", "--help"], capture_output=True, text=True, timeout=60
    )
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
    result, nologs = map(
        finish, [launch(ended_url, MISTRAL, key="denied-role"), launch(ended_url, MISTRAL, key="nologs-readonly")]
    )
    assert result.returncode == 1 and result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("smtui: error: access denied to CloudWatch Logs (logs:FilterLogEvents)")
    assert nologs.returncode == 1 and nologs.stderr.count("\n") == 1
    assert nologs.stderr.startswith(
        "smtui: error: access denied to CloudWatch Logs (logs:FilterLogEvents): allow "
        "logs:FilterLogEvents and logs:DescribeLogStreams"
    )


def test_follow_ends_with_the_job_and_a_closed_pipe_ends_it_too():
    # The simulator on the command's clock (the real one), ten times faster: the OOM job fails 4 s from now.
    origin = datetime.now(timezone.utc) - timedelta(seconds=(900 - 40) / 10)
    with start_in_thread(Simulator(SystemClock(), speed=10, origin=origin, realism=fixture_realism())) as running:
        following = start_logs(running.url, OOM, "--follow", "--interval", "1", "--lines", "3")
        closing = start_logs(running.url, OOM, "--follow", "--interval", "1", "--lines", "3")
        first = following.stdout.readline()
        closing.stdout.readline()
        closing.stdout.close()  # `smtui logs JOB --follow | head -1`
        out, err = following.communicate(timeout=60)
        assert closing.wait(timeout=60) == 0 and closing.stderr.read() == b""
        client = moto_logs(running.url)
        [stream] = client.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=f"{OOM}/")["logStreams"]
        everything = client.get_log_events(
            logGroupName=LOG_GROUP, logStreamName=stream["logStreamName"], startFromHead=True
        )["events"]
    assert following.returncode == 0 and err == b""
    lines = (first + out).decode().splitlines()
    assert any(line.startswith("algo-1 | torch.OutOfMemoryError: CUDA out of memory.") for line in lines)
    # Every line once: the stream's last lines, from the third newest when the command started.
    assert len(lines) > 30 and lines == [f"algo-1 | {clean(e['message'])}" for e in everything[-len(lines) :]]
