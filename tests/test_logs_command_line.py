"""``smtui logs`` as a user runs it, in its own process: its help, what it prints, and how it ends (a reader that
goes away, Ctrl+C and SIGTERM, refused keys, the job's end)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from smtui.clock import FrozenClock, SystemClock
from smtui.commands.log_printer import clean
from smtui.sim import Simulator, start_in_thread
from tests.conftest import CREDENTIALS, ORIGIN, fixture_realism
from tests.log_oracle import newest_events
from tests.test_logs import MISTRAL, OOM, OOM_FAILS


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
    simulator = Simulator(SystemClock(), speed=10, origin=origin, realism=fixture_realism())
    with start_in_thread(simulator) as running:
        following = start_logs(running.url, OOM, "--follow", "--interval", "1", "--lines", "3")
        closing = start_logs(running.url, OOM, "--follow", "--interval", "1", "--lines", "3")
        first = following.stdout.readline()
        closing.stdout.readline()
        closing.stdout.close()  # `smtui logs JOB --follow | head -1`
        out, err = following.communicate(timeout=60)
        assert closing.wait(timeout=60) == 0 and closing.stderr.read() == b""
        lines = (first + out).decode().splitlines()
        # The stream read backwards page by page (one page may be cut short by the time it covers).
        newest = newest_events(simulator, OOM, len(lines))
    assert following.returncode == 0 and err == b""
    assert any(line.startswith("algo-1 | torch.OutOfMemoryError: CUDA out of memory.") for line in lines)
    # Every line once: the stream's last lines, from the third newest when the command started.
    assert len(lines) > 30 and lines == [f"algo-1 | {clean(message)}" for _, _, message in newest]
