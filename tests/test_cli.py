"""The command line: help, version, and one clear line for bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from smtui import __version__
from smtui.cli import check_job_names, main, UsageError


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smtui", *args], capture_output=True, text=True, timeout=60)


def test_help_and_version():
    assert "watch" in run("--help").stdout
    assert run("--version").stdout.strip() == f"smtui {__version__}"
    for command in ("watch", "demo", "describe", "sim"):
        result = run(command, "--help")
        assert result.returncode == 0 and "usage: smtui" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["watch", "bad_name"], "'bad_name' is not a valid training job name"),
        (["watch", "ok-job", "-bad"], "arguments"),
        (["watch", "job-a", "--interval", "0"], "must be a positive number"),
        (["watch", "job-a", "--interval", "soon"], "expected a number of seconds"),
        (["describe", "a" * 64], "is not a valid training job name"),
        (["demo", "--speed", "-1"], "must be a positive number"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_job_names_are_checked_and_merged():
    assert check_job_names(["a", "b-1", "a"]) == ["a", "b-1"]
    with pytest.raises(UsageError, match="'x--' is not"):
        check_job_names(["x--"])


def test_describe_unreachable_endpoint(capsys, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    code = main(["describe", "job-a", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("smtui: error: cannot reach the endpoint") and err.count("\n") == 1


def test_describe_unknown_profile(capsys):
    code = main(["describe", "job-a", "--profile", "nobody-has-this"])
    err = capsys.readouterr().err
    assert code == 2 and "nobody-has-this" in err and err.count("\n") == 1
