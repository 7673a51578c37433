"""The groups of options several commands share: the app's, finding jobs, the simulator's faults and AWS."""

from __future__ import annotations

import argparse

from smtui.commands.args import (
    duration,
    interval,
    job_count,
    line_count,
    milliseconds,
    name_fragment,
    positive_number,
    rate,
    status,
    tuning_job,
)


def add_watch_options(parser: argparse.ArgumentParser) -> None:
    """The full-screen app's options (watch and demo): request rate, log lines kept, read-only, bell."""
    parser.add_argument(
        "--max-rps",
        type=positive_number,
        default=5.0,
        metavar="N",
        help="requests a second all polls share (default: 5); with many jobs each job's "
        "interval stretches to stay within it, and the title shows the interval in effect",
    )
    parser.add_argument(
        "--log-lines",
        type=line_count,
        default=10_000,
        metavar="N",
        help="lines the logs view (l) keeps, the newest (default: 10000)",
    )
    parser.add_argument("--read-only", action="store_true", help="no actions on jobs: the stop key (x) is gone")
    parser.add_argument(
        "--no-bell",
        dest="bell",
        action="store_false",
        help="no terminal bell when a job ends (the notification still shows)",
    )


def add_discovery_options(parser: argparse.ArgumentParser, *, default: str) -> None:
    """How to find the jobs to watch by listing them; ``default`` says what is listed without a filter."""
    group = parser.add_argument_group(
        "finding jobs",
        f"list the jobs to watch instead of naming them ({default}); the listing is repeated, "
        "so new jobs that match appear as they are created",
    )
    group.add_argument(
        "--status",
        type=status,
        metavar="STATUS",
        help="jobs in this status: InProgress, Completed, Failed, Stopping or Stopped",
    )
    group.add_argument(
        "--name-contains", type=name_fragment, metavar="TEXT", help="jobs whose name contains TEXT (any case)"
    )
    group.add_argument(
        "--since", type=duration, metavar="DURATION", help="jobs created in the last DURATION: 90m, 2h, 1d or seconds"
    )
    group.add_argument(
        "--tuning-job",
        type=tuning_job,
        metavar="NAME",
        help="the training jobs of a hyperparameter tuning job, with its objective metric",
    )
    group.add_argument(
        "--list-interval",
        type=interval,
        default=60.0,
        metavar="SECONDS",
        help="seconds between two listings (default: 60, at least 1)",
    )
    group.add_argument(
        "--limit",
        type=job_count,
        default=1000,
        metavar="N",
        help="the most jobs a listing brings in, the newest (default: 1000)",
    )


def add_fault_options(parser: argparse.ArgumentParser) -> None:
    """The faults the simulator injects (demo and sim): throttling, errors, resets, garbage, latency."""
    group = parser.add_argument_group("faults", "make the simulator misbehave as AWS and networks do")
    group.add_argument(
        "--throttle-rate",
        type=rate,
        default=0.0,
        metavar="P",
        help="fraction of requests throttled (HTTP 400 ThrottlingException)",
    )
    group.add_argument(
        "--error-rate",
        type=rate,
        default=0.0,
        metavar="P",
        help="fraction of requests failing with InternalFailure (500) or ServiceUnavailable (503)",
    )
    group.add_argument(
        "--reset-rate",
        type=rate,
        default=0.0,
        metavar="P",
        help="fraction of requests whose connection is dropped before the answer",
    )
    group.add_argument(
        "--garbage-rate",
        type=rate,
        default=0.0,
        metavar="P",
        help="fraction of requests answered with a body that is not valid JSON",
    )
    group.add_argument(
        "--latency-ms",
        type=milliseconds,
        default=0.0,
        metavar="MS",
        help="mean latency added to every request (each waits 0.5 to 1.5 times this)",
    )
    group.add_argument(
        "--fault-seed", type=int, default=None, metavar="N", help="seed for the fault rolls, to repeat a run exactly"
    )


def add_aws_options(parser: argparse.ArgumentParser, *, several: bool = False) -> None:
    """Where and as whom to call AWS; with ``several``, regions and profiles separated by commas."""
    group = parser.add_argument_group("AWS")
    if several:
        group.add_argument(
            "--region",
            metavar="REGION[,REGION...]",
            help="AWS region, or several separated by commas, all in one list with their own request "
            "budgets (default: from the profile or AWS_REGION)",
        )
        group.add_argument(
            "--profile",
            metavar="PROFILE[,PROFILE...]",
            help="named profile from ~/.aws/config, or several separated by commas (accounts), each "
            "in every region given (default: AWS_PROFILE)",
        )
    else:
        group.add_argument("--region", help="AWS region (default: from the profile or AWS_REGION)")
        group.add_argument("--profile", help="named profile from ~/.aws/config (default: AWS_PROFILE)")
    group.add_argument("--endpoint-url", help="call this endpoint instead of AWS (AWS_ENDPOINT_URL works too)")
