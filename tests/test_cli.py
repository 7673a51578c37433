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
    for command in ("watch", "demo", "describe", "sim"):
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
    (["watch", "--status", "Running"], {}, 2,
     "argument --status: expected one of InProgress, Completed, Failed, Stopping, Stopped, got 'Running'"),
    (["watch", "--name-contains", "a b"], {}, 2,
     "argument --name-contains: expected 1-63 letters, digits and hyphens, got 'a b'"),
    (["watch", "--since", "yesterday"], {}, 2,
     "argument --since: expected a duration such as 90s, 30m, 2h or 1d, got 'yesterday'"),
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
    (["describe", "job-a", "--profile", "nobody-has-this"], {}, 1,
     "The config profile (nobody-has-this) could not be found: check --profile and ~/.aws/config"),
    (["describe", JOB, *SIM], {}, 1, "no AWS credentials found: set AWS_PROFILE"),
    (["describe", JOB, "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"], KEYS, 1,
     "cannot reach the endpoint"),
    (["describe", "no-such-job", *SIM], KEYS, 1, "job not found: check the name and the region"),
    (["describe", JOB, *SIM], {"AWS_ACCESS_KEY_ID": "expired-key", "AWS_SECRET_ACCESS_KEY": "x"}, 1,
     "credentials rejected (ExpiredTokenException): refresh them"),
    (["describe", JOB, *SIM], {"AWS_ACCESS_KEY_ID": "denied-key", "AWS_SECRET_ACCESS_KEY": "x"}, 1,
     "access denied: the credentials lack a permission"),
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
    (["wait", "job-a", "--timeout", "soon"], {}, 2,
     "argument --timeout: expected a duration such as 90s, 30m, 2h or 1d, got 'soon'"),
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
    (["logs", JOB, "--follow", *SIM], {"AWS_ACCESS_KEY_ID": "expired-key", "AWS_SECRET_ACCESS_KEY": "x"}, 1,
     "credentials rejected (ExpiredTokenException): refresh them"),
    (["logs", JOB, *SIM], {"AWS_ACCESS_KEY_ID": "denied-key", "AWS_SECRET_ACCESS_KEY": "x"}, 1,
     "access denied to CloudWatch Logs (logs:FilterLogEvents): allow logs:FilterLogEvents and"),
    (["logs", JOB, "--filter", "loss", *SIM], {"AWS_ACCESS_KEY_ID": "nologs-key", "AWS_SECRET_ACCESS_KEY": "x"}, 1,
     "access denied to CloudWatch Logs (logs:FilterLogEvents): allow logs:FilterLogEvents and"),
    (["logs", JOB, "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"], KEYS, 1,
     "cannot reach the endpoint"),
]


@pytest.mark.parametrize("args, env, code, message", BAD_INPUT, ids=[" ".join(row[0])[:40] for row in BAD_INPUT])
def test_bad_input_gets_one_clear_line(args, env, code, message, sim_url, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    got, err = call([a.replace("{sim}", sim_url) for a in args])
    assert (got, err.count("\n")) == (code, 1), err
    assert err.startswith("smtui") and ": error: " in err
    assert message in err
    assert "Traceback" not in err


def test_bad_input_in_a_real_process():
    result = run("watch", "job-a", "--interval", "0")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_job_names_are_checked_and_merged():
    assert check_job_names(["a", "b-1", "a"]) == ["a", "b-1"]
    with pytest.raises(UsageError, match="'x--' is not"):
        check_job_names(["x--"])
