"""smtui wait: its lines and exit codes, against the simulator through aiobotocore."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from smtui.aws.source import AwsJobSource, AwsOptions
from smtui.clock import FrozenClock
from smtui.commands.wait import EXIT_COMPLETED, EXIT_JOB_FAILED, EXIT_JOB_STOPPED, EXIT_TIMEOUT, WaitFailed, wait_for
from smtui.present.durations import parse_duration
from smtui.sim import Simulator, start_in_thread
from tests.conftest import CREDENTIALS, ORIGIN, fixture_realism


async def wait(sim, clock, names, **options) -> tuple[int, list[str]]:
    """Run the wait with a sleep that moves the simulator's clock instead of waiting."""
    out = io.StringIO()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    source = AwsJobSource(
        AwsOptions(region="us-east-1", endpoint_url=sim.url, static_credentials=CREDENTIALS, max_attempts=2)
    )
    async with source:
        code = await wait_for(source, names, out, clock=clock, sleep=sleep, **options)
    return code, out.getvalue().splitlines()


async def test_a_completed_job_exits_0_after_reporting_every_stage(sim, clock):
    code, lines = await wait(sim, clock, ["bert-base-finetune-imdb"], interval=60)
    assert code == EXIT_COMPLETED
    text = "\n".join(lines)
    for stage in ("Starting", "Downloading", "Training", "Uploading", "Completed"):
        assert f"stage {stage}" in text
    # The first answer: the stages so far, in order, then the status.
    # Each line has the time it was seen; a stage also says when it started.
    assert [line.split("  ")[2] for line in lines[:4]] == [
        "stage Starting, started 2026-11-26T09:53:00Z: Preparing the instances for training",
        "stage Downloading, started 2026-11-26T09:55:30Z: Downloading input data",
        "stage Training, started 2026-11-26T09:57:30Z: Training image download completed. Training in progress.",
        "status InProgress (Training)",
    ]
    assert "status InProgress → Completed" in text
    assert "final metrics: " in text and "validation:accuracy=" in text
    assert lines[-1].endswith("ended Completed after 31m 00s")
    # Every line: UTC time, the job, the event.
    assert all(line.startswith("2026-11-26T") and "Z  bert-base-finetune-imdb  " in line for line in lines)


async def test_a_failed_job_exits_3_with_its_reason(sim, clock):
    code, lines = await wait(sim, clock, ["llama3-8b-lora-oom"], interval=120)
    assert code == EXIT_JOB_FAILED
    assert "ended Failed" in lines[-2]
    assert lines[-1].split("  ", 2)[2].startswith("reason: AlgorithmError: ExecuteUserScriptError")


async def test_a_stopped_job_exits_4(sim, clock):
    code, lines = await wait(sim, clock, ["xgboost-churn-stopped"], interval=120)
    assert code == EXIT_JOB_STOPPED
    assert any("stage Stopping" in line for line in lines)
    assert "ended Stopped" in lines[-1]


async def test_a_timeout_exits_5_and_names_what_still_runs(sim, clock):
    started = clock.now()
    code, lines = await wait(sim, clock, ["mistral-7b-sft-distributed"], interval=300, timeout=1800)
    assert code == EXIT_TIMEOUT
    assert "timed out after 30m 00s; still running: mistral-7b-sft-distributed" in lines[-1]
    assert clock.now() - started == timedelta(seconds=1800)  # the last nap ends on the deadline, not past it


async def test_a_failure_wins_over_a_completion_and_a_timeout(sim, clock):
    names = ["bert-base-finetune-imdb", "llama3-8b-lora-oom", "mistral-7b-sft-distributed"]
    code, lines = await wait(sim, clock, names, interval=120, timeout=3600)
    assert code == EXIT_JOB_FAILED
    # The job names are padded to one width, so the events line up.
    width = max(len(name) for name in names)
    assert {line[22 : 22 + width].rstrip() for line in lines} == set(names)
    assert all(line[22 + width : 24 + width] == "  " and line[24 + width] != " " for line in lines)
    # The lines of the three jobs are in time order, although their stages started in another order.
    stamps = [line[:20] for line in lines]
    assert stamps == sorted(stamps)
    started = [line.split("started ")[1][:20] for line in lines if ", started " in line]
    assert started != sorted(started)


async def test_a_job_that_does_not_exist_is_an_error(sim, clock):
    with pytest.raises(WaitFailed, match="no-such-job: job not found"):
        await wait(sim, clock, ["no-such-job"], interval=60)


def test_durations():
    assert [parse_duration(t) for t in ("90", "90s", "30m", "2h", "1d", "1h30m", "2.5")] == [
        90,
        90,
        1800,
        7200,
        86400,
        5400,
        2.5,
    ]
    for bad in ("", "m", "1x", "-5", "1h-3m"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_the_command_exits_0_for_a_job_that_had_already_completed():
    # The simulator on the wall clock: the full-config job completed before its origin.
    with start_in_thread(Simulator(realism=fixture_realism())) as running:
        env = {**os.environ, "AWS_ACCESS_KEY_ID": CREDENTIALS[0], "AWS_SECRET_ACCESS_KEY": CREDENTIALS[1]}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "smtui",
                "wait",
                "llama-finetune-full-config",
                "--endpoint-url",
                running.url,
                "--region",
                "us-east-1",
                "--timeout",
                "1m",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines()[-1].split("  ", 2)[2] == "ended Completed after 43m 50s"


@pytest.fixture
def clock():
    return FrozenClock(ORIGIN)


@pytest.mark.parametrize("length, whole", [(3000, True), (25_000, False)])
async def test_a_long_failure_reason_is_printed_whole_or_cut_visibly(clock, length, whole):
    import dataclasses

    from smtui.sim.scenarios import default_scenarios

    oom = next(s for s in default_scenarios() if s.name == "llama3-8b-lora-oom")
    reason = "AlgorithmError: " + " ".join(f"w{i:05d}" for i in range(length // 7)) + " THE-END"
    simulator = Simulator(clock, origin=ORIGIN, scenarios=[dataclasses.replace(oom, failure_reason=reason)])
    with start_in_thread(simulator) as running:
        simulator.url = running.url
        code, lines = await wait(simulator, clock, [oom.name], interval=120)
    assert code == EXIT_JOB_FAILED
    printed = lines[-1].split("  ", 2)[2]
    if whole:
        assert printed == f"reason: {reason}"
    else:
        assert printed.startswith(f"reason: {reason[:10_000]}… ") and "THE-END" not in printed
        assert printed.endswith(
            f"({len(reason) - 10_000:,} more characters: `smtui describe {oom.name}` prints them all)"
        )


def test_a_rows_duration_drops_the_seconds_past_ten_minutes():
    from smtui.present.durations import duration_step, row_duration

    readings = [(5, "5s"), (599, "9m 59s"), (600, "10m"), (3599, "59m"), (3720, "1h 02m"), (90061, "1d 01h")]
    assert [row_duration(seconds) for seconds, _ in readings] == [reading for _, reading in readings]
    assert [duration_step(seconds) for seconds in (5, 599, 600, 3599, 86399, 86400)] == [1, 1, 60, 60, 60, 3600]
    assert row_duration(-3) == "0s"
