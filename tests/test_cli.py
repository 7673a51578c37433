"""The command line: help, version, and one clear line for bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from smtui import __version__
from smtui.cli import main
from smtui.commands.args import check_job_names
from smtui.commands.exits import UsageError


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smtui", *args], capture_output=True, text=True, timeout=60)


def test_help_and_version():
    assert "watch" in run("--help").stdout
    assert run("--version").stdout.strip() == f"smtui {__version__}"
    for command in ("watch", "demo", "describe", "logs", "wait", "metrics", "sim"):
        result = run(command, "--help")
        assert result.returncode == 0 and "usage: smtui" in result.stdout


def call(args: list[str]) -> tuple[int, str]:
    """Run ``smtui ARGS`` in this process; (exit code, stderr)."""
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exit:  # argparse
            code = exit.code
    return code, err.getvalue()


@pytest.fixture(scope="module")
def sim_url():
    from smtui.clock import FrozenClock
    from smtui.sim import Simulator, start_in_thread
    from tests.conftest import ORIGIN, fixture_realism

    with start_in_thread(Simulator(FrozenClock(ORIGIN), origin=ORIGIN, realism=fixture_realism())) as running:
        yield running.url


JOB = "bert-base-finetune-imdb"
SIM = ["--endpoint-url", "{sim}", "--region", "us-east-1"]
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

#: (arguments, environment, exit code, what the one line says)
BAD_INPUT = [
    (["watch", "bad_name"], {}, 2, "'bad_name' is not a valid training job name"),
    (["watch", "good-job", "-bad-"], {}, 2, "unrecognized arguments: -bad-"),
    (["watch", ""], {}, 2, "'' is not a valid training job name"),
    (["watch", "ends-with-"], {}, 2, "'ends-with-' is not a valid training job name"),
    (["watch", "jöb"], {}, 2, "'jöb' is not a valid training job name"),
    (["watch", "ok", "two words"], {}, 2, "'two words' is not a valid training job name"),
    (["describe", "a" * 64], {}, 2, "is not a valid training job name"),
    (
        ["watch", "--status", "Running"],
        {},
        2,
        "argument --status: expected one of InProgress, Completed, Failed, Stopping, Stopped, got 'Running'",
    ),
    (
        ["watch", "--name-contains", "a b"],
        {},
        2,
        "argument --name-contains: expected 1-63 letters, digits and hyphens, got 'a b'",
    ),
    (
        ["watch", "--since", "yesterday"],
        {},
        2,
        "argument --since: expected a duration such as 90s, 30m, 2h or 1d, got 'yesterday'",
    ),
    (["watch", "--tuning-job", "t" * 33], {}, 2, "is not a valid tuning job name (1-32 letters"),
    (["demo", "--limit", "0"], {}, 2, "argument --limit: must be between 1 and 100000, got '0'"),
    (["watch", "--list-interval", "0.1"], {}, 2, "argument --list-interval: must be at least 1 second"),
    (["watch", "job-a", "--interval", "0"], {}, 2, "must be a positive number of seconds, got '0'"),
    (["watch", "job-a", "--interval", "-5"], {}, 2, "must be a positive number of seconds, got '-5'"),
    (["watch", "job-a", "--interval", "soon"], {}, 2, "expected a number of seconds, got 'soon'"),
    (["watch", "job-a", "--interval", "nan"], {}, 2, "must be a positive number of seconds"),
    (["watch", "job-a", "--interval", "inf"], {}, 2, "must be a positive number of seconds"),
    (["watch", "job-a", "--interval", "0.2"], {}, 2, "must be at least 1 second"),
    (["watch", "job-a", "--region", "mars-north-1"], {}, 2, "'mars-north-1' is not an AWS region"),
    (["watch", "job-a", "--region", "us east 1"], {}, 2, "'us east 1' is not an AWS region"),
    (["describe", "job-a"], {"AWS_REGION": "us_east_1"}, 2, "AWS_REGION='us_east_1' is not an AWS region"),
    (["watch", "job-a", "--endpoint-url", "localhost:4566"], {}, 2, "'localhost:4566' is not an endpoint URL"),
    (["watch", "job-a", "--endpoint-url", "ftp://host"], {}, 2, "'ftp://host' is not an endpoint URL"),
    (["describe", "job-a", "--endpoint-url", "http://host:port"], {}, 2, "'http://host:port' is not an endpoint URL"),
    (["watch", "job-a", "--profile", " "], {}, 2, "--profile is empty"),
    (
        ["describe", "job-a", "--profile", "nobody-has-this"],
        {},
        2,
        "--profile 'nobody-has-this': no such profile in ~/.aws/config or ~/.aws/credentials (none is defined)",
    ),
    (["watch", "job-a"], {"AWS_PROFILE": "nobody-has-this"}, 2, "AWS_PROFILE='nobody-has-this': no such profile"),
    # Credentials in the endpoint URL: refused, and the password never shown.
    (
        ["watch", "job-a", "--endpoint-url", "http://user:pa55word@localhost:4566"],
        {},
        2,
        "--endpoint-url 'http://***@localhost:4566' has a user name and password in it",
    ),
    (
        ["describe", "job-a", "--endpoint-url", "http://user:pa55word@localhost:port"],
        {},
        2,
        "--endpoint-url 'http://***@localhost:port' is not an endpoint URL",
    ),
    (
        ["logs", "job-a"],
        {"AWS_ENDPOINT_URL_SAGEMAKER": "https://me:pa55word@vpce.example.com"},
        2,
        "AWS_ENDPOINT_URL_SAGEMAKER='https://***@vpce.example.com' has a user name and password in it",
    ),
    # The endpoint variables get the checks --endpoint-url gets.
    (
        ["wait", "job-a"],
        {"AWS_ENDPOINT_URL": "http://127.0.0.1:99999"},
        2,
        "AWS_ENDPOINT_URL='http://127.0.0.1:99999' is not an endpoint URL",
    ),
    (["describe", "job-a"], {"AWS_ENDPOINT_URL": "::not a url::"}, 2, "AWS_ENDPOINT_URL='::not a url::' is not an"),
    (
        ["watch", "job-a"],
        {"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "localhost:4566"},
        2,
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS='localhost:4566' is not an endpoint URL",
    ),
    # Durations out of range, and a negative one.
    (["watch", "--since", "999999d"], {}, 2, "argument --since: must be at most 3650d (ten years), got '999999d'"),
    (["wait", "job-a", "--timeout", "999999999d"], {}, 2, "argument --timeout: must be at most 3650d (ten years)"),
    (["watch", "--since", "-1h"], {}, 2, "argument --since: must be a positive duration, got '-1h'"),
    (["wait", "job-a", "--timeout", "-90s"], {}, 2, "argument --timeout: must be a positive duration, got '-90s'"),
    (["watch", "job-a", "--interval", "1e300"], {}, 2, "must be at most 86400 seconds (1 day), got '1e300'"),
    (["watch", "--list-interval", "-5s"], {}, 2, "argument --list-interval: expected a number of seconds, got '-5s'"),
    (["logs", "job-a", "--filter", "--follow"], {}, 2, "argument --filter: expected one argument"),
    # What the user typed is cut when it is echoed.
    (["describe", "a" * 120_000], {}, 2, "… (120,000 characters) is not a valid training job name"),
    (["watch", "--name-contains", "b" * 120_000], {}, 2, "… (120,000 characters)"),
    (["c" * 120_000], {}, 2, "… (120,000 characters)"),
    (["describe", JOB, *SIM], {}, 1, "no AWS credentials found: set AWS_PROFILE"),
    (
        ["describe", JOB, "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"],
        KEYS,
        1,
        "cannot reach the endpoint",
    ),
    (["describe", "no-such-job", *SIM], KEYS, 1, "job not found: check the name and the region"),
    (
        ["describe", JOB, *SIM],
        {"AWS_ACCESS_KEY_ID": "expired-key", "AWS_SECRET_ACCESS_KEY": "x"},
        1,
        "credentials rejected (ExpiredTokenException): refresh them",
    ),
    (
        ["describe", JOB, *SIM],
        {"AWS_ACCESS_KEY_ID": "denied-key", "AWS_SECRET_ACCESS_KEY": "x"},
        1,
        "access denied: the credentials lack a permission",
    ),
    (["demo", "--speed", "-1"], {}, 2, "argument --speed: must be a positive number"),
    (["demo", "--throttle-rate", "2"], {}, 2, "argument --throttle-rate: must be between 0 and 1"),
    (["demo", "--throttle-rate", "0.6", "--error-rate", "0.6"], {}, 2, "the fault rates add up to 1.2"),
    (["sim", "--latency-ms", "-5"], {}, 2, "argument --latency-ms: must be between 0 and 600000"),
    (["sim", "--port", "99999"], {}, 2, "argument --port: must be between 0 and 65535"),
    (["describe", JOB, "--latency-ms", "5"], {}, 2, "unrecognized arguments: --latency-ms 5"),
    (["frobnicate"], {}, 2, "invalid choice: 'frobnicate'"),
    (["logs", "bad_name"], {}, 2, "'bad_name' is not a valid training job name"),
    (["logs"], {}, 2, "the following arguments are required: JOB"),
    (["demo", "--log-lines", "0"], {}, 2, "argument --log-lines: must be between 1 and 1000000, got '0'"),
    (["wait"], {}, 2, "the following arguments are required: JOB"),
    (
        ["wait", "job-a", "--timeout", "soon"],
        {},
        2,
        "argument --timeout: expected a duration such as 90s, 30m, 2h or 1d, got 'soon'",
    ),
    (["wait", "job-a", "--timeout", "0s"], {}, 2, "argument --timeout: must be a positive duration, got '0s'"),
    (["wait", "no-such-job", *SIM], KEYS, 1, "no-such-job: job not found: check the name and the region"),
    (["logs", "job-a", "--lines", "0"], {}, 2, "argument -n/--lines: must be between 1 and 1000000, got '0'"),
    (["logs", "job-a", "-n", "abc"], {}, 2, "argument -n/--lines: expected a number of lines, got 'abc'"),
    (["logs", "job-a", "--lines", "2000000"], {}, 2, "must be between 1 and 1000000, got '2000000'"),
    (["logs", "job-a", "--interval", "0"], {}, 2, "must be a positive number of seconds, got '0'"),
    (["logs", "job-a", "--interval", "0.5"], {}, 2, "must be at least 1 second"),
    (["logs", "job-a", "--region", "mars-north-1"], {}, 2, "'mars-north-1' is not an AWS region"),
    (["logs", JOB, *SIM], {}, 1, "no AWS credentials found: set AWS_PROFILE"),
    (["logs", "no-such-job", *SIM], KEYS, 1, "job not found: check the name and the region"),
    (
        ["logs", JOB, "--follow", *SIM],
        {"AWS_ACCESS_KEY_ID": "expired-key", "AWS_SECRET_ACCESS_KEY": "x"},
        1,
        "credentials rejected (ExpiredTokenException): refresh them",
    ),
    (
        ["logs", JOB, *SIM],
        {"AWS_ACCESS_KEY_ID": "denied-key", "AWS_SECRET_ACCESS_KEY": "x"},
        1,
        "access denied to CloudWatch Logs (logs:FilterLogEvents): allow logs:FilterLogEvents and",
    ),
    (
        ["logs", JOB, "--filter", "loss", *SIM],
        {"AWS_ACCESS_KEY_ID": "nologs-key", "AWS_SECRET_ACCESS_KEY": "x"},
        1,
        "access denied to CloudWatch Logs (logs:FilterLogEvents): allow logs:FilterLogEvents and",
    ),
    (
        ["logs", JOB, "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"],
        KEYS,
        1,
        "cannot reach the endpoint",
    ),
]


@pytest.mark.parametrize("args, env, code, message", BAD_INPUT, ids=[" ".join(row[0])[:40] for row in BAD_INPUT])
def test_bad_input_gets_one_clear_line(args, env, code, message, sim_url, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    got, err = call([a.replace("{sim}", sim_url) for a in args])
    assert (got, err.count("\n")) == (code, 1), err
    assert err.startswith("smtui") and ": error: " in err
    assert message in err
    assert "Traceback" not in err and "pa55word" not in err and len(err) < 400


def test_bad_input_in_a_real_process():
    result = run("watch", "job-a", "--interval", "0")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_job_names_are_checked_and_merged():
    assert check_job_names(["a", "b-1", "a"]) == ["a", "b-1"]
    with pytest.raises(UsageError, match="'x--' is not"):
        check_job_names(["x--"])


# -- where the output goes -------------------------------------------------------------------------


def test_the_full_screen_needs_a_terminal(tmp_path):
    # Output to a file: refused at once, pointing to the commands that print.
    with open(tmp_path / "out", "w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "smtui", "watch", "job-a"],
            stdout=out,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "needs a terminal, and standard output is not one" in done.stderr and "smtui describe" in done.stderr
    assert (tmp_path / "out").read_text() == ""


def in_a_terminal(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """``smtui ARGS`` with a pseudo-terminal for its input and output: (exit code, what it wrote)."""
    import os
    import pty

    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env)
        os.execv(sys.executable, [sys.executable, "-m", "smtui", *args])
    import select
    import signal
    import time

    output = b""
    deadline = time.monotonic() + 30  # a full screen that started anyway is stopped, and the test fails
    while time.monotonic() < deadline:
        if not select.select([fd], [], [], 0.1)[0]:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    done, status = os.waitpid(pid, os.WNOHANG)
    while not done and time.monotonic() < deadline + 5:  # the output ended: the program is ending
        time.sleep(0.05)
        done, status = os.waitpid(pid, os.WNOHANG)
    if not done:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


@pytest.mark.parametrize("command", ["watch", "demo"])
def test_a_dumb_terminal_is_refused(command):
    code, output = in_a_terminal(command, env={"TERM": "dumb"})
    assert code == 2 and "cannot be drawn with TERM=dumb" in output and "\x1b[" not in output, output


@pytest.mark.parametrize("how", ["closed", "full"])
def test_describe_with_nowhere_to_print_says_so_in_one_line(how, sim_url):
    env = {**__import__("os").environ, **KEYS}
    command = [sys.executable, "-m", "smtui", "describe", JOB, "--endpoint-url", sim_url, "--region", "us-east-1"]
    if how == "closed":
        done = subprocess.run(
            ["sh", "-c", '"$@" >&-', "sh", *command], capture_output=True, text=True, env=env, timeout=60
        )
        expected = "standard output is closed, so there is nowhere to print to"
    else:
        with open("/dev/full", "w") as full:
            done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=60)
        expected = "cannot write to standard output: No space left on device"
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and expected in done.stderr, done.stderr


def test_a_reader_that_goes_away_ends_describe_quietly(sim_url):
    env = {**__import__("os").environ, **KEYS}
    # `true` has exited long before the job's fields come: the write meets a closed pipe.
    done = subprocess.run(
        [
            "bash",
            "-c",
            'set -o pipefail; "$@" | true',
            "bash",
            sys.executable,
            "-m",
            "smtui",
            "describe",
            JOB,
            "--endpoint-url",
            sim_url,
            "--region",
            "us-east-1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == ""
