"""The ``smtui`` command line.

Only argparse is imported at start-up; each command imports what it needs, so
``smtui --help`` answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from smtui import __version__
from smtui.commands.args import (
    aws_options,
    check_job_names,
    duration,
    host_name,
    interval,
    job_count,
    line_count,
    log_pattern,
    port,
    positive_number,
    region_list,
)
from smtui.commands.describe import run_describe
from smtui.commands.exits import EXIT_FAILED, CommandFailed, UsageError
from smtui.commands.metrics import add_parser as add_metrics_parser
from smtui.commands.option_groups import add_aws_options, add_discovery_options, add_fault_options, add_watch_options
from smtui.commands.parsing import Parser, option_values_joined
from smtui.commands.sim import run_sim
from smtui.launch import run_demo, run_watch
from smtui.sim.options import add_realism_options


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = Parser(prog="smtui", description="Follow Amazon SageMaker training jobs live in the terminal.")
    parser.add_argument("--version", action="version", version=f"smtui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True

    watch = commands.add_parser("watch", help="watch training jobs live", description="Watch training jobs live.")
    watch.add_argument(
        "jobs",
        nargs="*",
        metavar="JOB",
        help="training job names (none: the jobs running now or created in the last day)",
    )
    watch.add_argument(
        "--show-secrets", action="store_true", help="start with secret-looking values shown (the s key toggles them)"
    )
    watch.add_argument(
        "--interval",
        type=interval,
        default=30.0,
        metavar="SECONDS",
        help="the most seconds between two polls of a running job: a few running jobs are polled "
        "every 5 s while the request budget allows it (default: 30, at least 1)",
    )
    add_watch_options(watch)
    add_discovery_options(watch, default="with no JOB and no filter: running now or created in the last day")
    add_aws_options(watch, several=True)

    demo = commands.add_parser(
        "demo",
        help="watch simulated jobs, no AWS account needed",
        description="Run the built-in simulator and watch its jobs.",
    )
    demo.add_argument(
        "--speed",
        type=positive_number,
        default=10.0,
        metavar="X",
        help="how much faster than real time the jobs run (default: 10)",
    )
    demo.add_argument(
        "--jobs",
        type=job_count,
        default=None,
        metavar="N",
        help="watch a fleet of N simulated jobs (5%% running) instead of the eight scripted ones",
    )
    demo.add_argument(
        "--region",
        type=region_list,
        default=None,
        metavar="REGION,...",
        help="simulate these regions behind the one endpoint, each with the jobs (started a few "
        "minutes apart), and watch them all in one list",
    )
    add_watch_options(demo)
    add_discovery_options(demo, default="e.g. --status InProgress, or --tuning-job xgboost-churn-hpo")
    add_fault_options(demo)
    add_realism_options(demo)

    describe = commands.add_parser(
        "describe",
        help="print every field of a job once",
        description="Print every field of a training job, grouped by section.",
    )
    describe.add_argument("job", metavar="JOB", help="training job name")
    describe.add_argument("--json", action="store_true", help="print the raw DescribeTrainingJob response as JSON")
    describe.add_argument(
        "--show-secrets",
        action="store_true",
        help="show values that look like secrets (tokens, passwords, keys) instead of hiding them",
    )
    add_aws_options(describe)

    logs = commands.add_parser(
        "logs",
        help="print a job's log lines, every instance merged",
        description="Print a training job's CloudWatch Logs, every instance's lines merged by time, each "
        "prefixed by its host. Exit codes: 0 done (also when a follow is interrupted), 1 the job or "
        "its logs could not be read (not found, no permission, no endpoint), 2 bad arguments.",
    )
    logs.add_argument("job", metavar="JOB", help="training job name")
    logs.add_argument(
        "-f", "--follow", action="store_true", help="keep printing new lines until the job has ended (Ctrl+C stops)"
    )
    logs.add_argument(
        "-n",
        "--lines",
        type=line_count,
        default=1000,
        metavar="N",
        help="print the newest N lines first (default: 1000)",
    )
    logs.add_argument(
        "--filter",
        metavar="PATTERN",
        help="only the events that match a CloudWatch Logs filter pattern (searched by the service), "
        "e.g. --filter '\"CUDA out of memory\"'",
    )
    logs.add_argument(
        "--grep",
        metavar="PATTERN",
        type=log_pattern,
        help="only the lines read that match a regular expression (on this side; case-insensitive "
        "unless it has a capital)",
    )
    logs.add_argument(
        "--host",
        metavar="HOST",
        type=host_name,
        help="only the lines of one instance, e.g. --host algo-3 (on this side)",
    )
    logs.add_argument(
        "--timestamps", action="store_true", help="start each line with the event's time (UTC, ISO 8601, milliseconds)"
    )
    logs.add_argument(
        "--interval",
        type=interval,
        default=5.0,
        metavar="SECONDS",
        help="seconds between two reads with --follow (default: 5, at least 1)",
    )
    logs.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print on standard error how many AWS calls were made, by operation",
    )
    logs.add_argument(
        "--show-secrets",
        action="store_true",
        help="print what looks like a secret in a line (access keys, tokens, passwords, private keys) "
        "instead of hiding it",
    )
    add_aws_options(logs)

    wait = commands.add_parser(
        "wait",
        help="wait until jobs end, one line per event (for scripts and CI)",
        description="Wait until training jobs end, printing one line per status change, stage and final metric. "
        "Exit codes: 0 every job Completed, 3 a job Failed, 4 a job was Stopped, 5 --timeout passed "
        "first, 1 a job could not be read (not found, no permission, no endpoint), 2 bad arguments.",
    )
    wait.add_argument("jobs", nargs="+", metavar="JOB", help="training job names")
    wait.add_argument(
        "--timeout",
        type=duration,
        default=None,
        metavar="DURATION",
        help="give up after this long: 90s, 30m, 2h, 1d or seconds (default: no limit)",
    )
    wait.add_argument(
        "--interval",
        type=interval,
        default=30.0,
        metavar="SECONDS",
        help="seconds between two polls of each job (default: 30, at least 1)",
    )
    add_aws_options(wait)

    add_metrics_parser(commands, add_aws_options)

    sim = commands.add_parser(
        "sim",
        help="run the SageMaker simulator on its own",
        description="Serve simulated SageMaker and CloudWatch APIs for any AWS client.",
    )
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    sim.add_argument("--port", type=port, default=4566, help="port to listen on (default: 4566; 0 picks a free one)")
    sim.add_argument(
        "--speed",
        type=positive_number,
        default=1.0,
        metavar="X",
        help="how much faster than real time the jobs run (default: 1)",
    )
    sim.add_argument(
        "--jobs",
        type=job_count,
        default=None,
        metavar="N",
        help="serve a fleet of N jobs (5%% running, the rest finished) instead of the eight scripted ones",
    )
    sim.add_argument(
        "--region",
        type=region_list,
        default=None,
        metavar="REGION,...",
        help="serve these regions from the one endpoint, each with the jobs (started a few minutes "
        "apart); the region a request is signed for picks one, any other region has no jobs "
        "(default: every region answers with the same jobs)",
    )
    add_fault_options(sim)
    add_realism_options(sim)
    return parser


def run_logs(args: argparse.Namespace) -> int:
    import dataclasses

    (name,) = check_job_names([args.job])
    # A command someone waits on: one retry per call, as describe; the command reads again where it stopped.
    options = dataclasses.replace(aws_options(args), max_attempts=2)
    from smtui.commands.logs import Request, run

    request = Request(
        name,
        lines=args.lines,
        follow=args.follow,
        interval=args.interval,
        pattern=args.filter,
        verbose=args.verbose,
        grep=args.grep,
        host=args.host,
    )
    return run(options, request, timestamps=args.timestamps, reveal=args.show_secrets)


def run_metrics(args: argparse.Namespace) -> int:
    import dataclasses

    names = check_job_names(args.jobs)
    # One read someone waits on: one retry per call, as describe.
    options = dataclasses.replace(aws_options(args), max_attempts=2)
    from smtui.commands.metrics import run

    return run(options, names, metric=args.metric, form=args.form or "text")


def run_wait(args: argparse.Namespace) -> int:
    names = check_job_names(args.jobs)
    options = aws_options(args)
    from smtui.aws.errors import explain
    from smtui.commands.output import checked_stdout
    from smtui.commands.wait import WaitFailed, run

    out = checked_stdout()
    try:
        return run(options, names, out, interval=args.interval, timeout=args.timeout)
    except WaitFailed as failed:
        raise CommandFailed(str(failed)) from None
    except UsageError:
        raise  # standard output failed: its own line
    except Exception as exc:  # opening the clients (profile, region): one line, as for a poll
        raise CommandFailed(explain(exc).message) from None


COMMANDS = {
    "watch": run_watch,
    "demo": run_demo,
    "describe": run_describe,
    "logs": run_logs,
    "wait": run_wait,
    "metrics": run_metrics,
    "sim": run_sim,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(option_values_joined(parser, sys.argv[1:] if argv is None else argv))
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"smtui: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not bad input: still one line, with the details on request
        if os.environ.get("SMTUI_DEBUG"):
            raise
        print(
            f"smtui: error: unexpected {type(exc).__name__}: {exc} (set SMTUI_DEBUG=1 for the details)", file=sys.stderr
        )
        return EXIT_FAILED
