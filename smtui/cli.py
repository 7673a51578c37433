"""The ``smtui`` command line.

Only argparse is imported at start-up; each command imports what it needs, so
``smtui --help`` answers at once.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Sequence

from smtui import __version__
from smtui.sim.options import add_realism_options, realism_from_args

DEMO_CREDENTIALS = ("smtui-demo", "smtui-demo-secret")


#: Exit codes: bad input, and a command that could not do its job (job not found, no credentials, ...).
EXIT_USAGE = 2
EXIT_FAILED = 1
#: The shortest interval between two polls of one job that --interval accepts.
MIN_INTERVAL = 1.0


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit code 2."""

    exit_code = EXIT_USAGE


class CommandFailed(UsageError):
    """The command could not do its job (AWS said no, the network failed): one line, exit code 1."""

    exit_code = EXIT_FAILED


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line: ``smtui watch: error: ... (see smtui watch --help)``."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _positive(noun: str):
    """An argparse type: a finite number above zero; ``noun`` names it in the error (``a number of seconds``)."""

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None
        if not value > 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be a positive {noun.removeprefix('a ')}, got {text!r}")
        return value

    return convert


_positive_float = _positive("a number")
_seconds = _positive("a number of seconds")


def _interval(text: str) -> float:
    value = _seconds(text)
    if value < MIN_INTERVAL:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_INTERVAL:g} second, got {text!r}: "
                                         "faster polling only eats into the account's API rate limit")
    return value


def _within(parse, expected: str, low: float, high: float):
    """An argparse type: ``parse``d text between ``low`` and ``high``, each failure in one line."""

    def convert(text: str):
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {_plain(low)} and {_plain(high)}, got {text!r}")
        return value

    return convert


def _plain(number: float) -> str:
    """``1000000`` → ``1000000``, ``0.5`` → ``0.5``: no exponent in a message."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


_port = _within(int, "a port number", 0, 65535)
_rate = _within(float, "a fraction between 0 and 1", 0.0, 1.0)
_milliseconds = _within(float, "milliseconds", 0.0, 600_000)
_count = _within(int, "a number of jobs", 1, 100_000)
#: The most lines ``smtui logs --lines`` keeps in memory.
MAX_LINES = 1_000_000
_line_count = _within(int, "a number of lines", 1, MAX_LINES)


def _add_watch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-rps", type=_positive_float, default=5.0, metavar="N",
                        help="requests a second all polls share (default: 5); with many jobs each job's "
                             "interval stretches to stay within it, and the title shows the interval in effect")
    parser.add_argument("--log-lines", type=_line_count, default=10_000, metavar="N",
                        help="lines the logs view (l) keeps, the newest (default: 10000)")
    parser.add_argument("--read-only", action="store_true",
                        help="no actions on jobs: the stop key (x) is gone")
    parser.add_argument("--no-bell", dest="bell", action="store_false",
                        help="no terminal bell when a job ends (the notification still shows)")


def _status(text: str) -> str:
    from smtui.aws.discovery import STATUSES

    for status in STATUSES:
        if text.lower() == status.lower():
            return status
    raise argparse.ArgumentTypeError(f"expected one of {', '.join(STATUSES)}, got {text!r}")


def _name_fragment(text: str) -> str:
    from smtui.aws.names import NAME_FRAGMENT

    if not NAME_FRAGMENT.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected 1-63 letters, digits and hyphens, got {text!r}")
    return text


def _tuning_job(text: str) -> str:
    from smtui.aws.names import TUNING_JOB_NAME

    if not TUNING_JOB_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid tuning job name (1-32 letters, digits and "
                                         "hyphens, starting and ending with a letter or digit)")
    return text


def _add_discovery_options(parser: argparse.ArgumentParser, *, default: str) -> None:
    group = parser.add_argument_group(
        "finding jobs", f"list the jobs to watch instead of naming them ({default}); the listing is repeated, "
                        "so new jobs that match appear as they are created")
    group.add_argument("--status", type=_status, metavar="STATUS",
                       help="jobs in this status: InProgress, Completed, Failed, Stopping or Stopped")
    group.add_argument("--name-contains", type=_name_fragment, metavar="TEXT",
                       help="jobs whose name contains TEXT (any case)")
    group.add_argument("--since", type=_duration, metavar="DURATION",
                       help="jobs created in the last DURATION: 90m, 2h, 1d or seconds")
    group.add_argument("--tuning-job", type=_tuning_job, metavar="NAME",
                       help="the training jobs of a hyperparameter tuning job, with its objective metric")
    group.add_argument("--list-interval", type=_interval, default=60.0, metavar="SECONDS",
                       help="seconds between two listings (default: 60, at least 1)")
    group.add_argument("--limit", type=_count, default=1000, metavar="N",
                       help="the most jobs a listing brings in, the newest (default: 1000)")


def _job_query(args: argparse.Namespace, *, named: bool):
    """The JobQuery of the discovery options, or None when the named jobs are all there is to watch."""
    from smtui.aws.discovery import JobQuery

    query = JobQuery(status=args.status, name_contains=args.name_contains, since=args.since,
                     tuning_job=args.tuning_job)
    if named and query.is_default:
        return None
    return query


def _add_fault_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("faults", "make the simulator misbehave as AWS and networks do")
    group.add_argument("--throttle-rate", type=_rate, default=0.0, metavar="P",
                       help="fraction of requests throttled (HTTP 400 ThrottlingException)")
    group.add_argument("--error-rate", type=_rate, default=0.0, metavar="P",
                       help="fraction of requests failing with InternalFailure (500) or ServiceUnavailable (503)")
    group.add_argument("--reset-rate", type=_rate, default=0.0, metavar="P",
                       help="fraction of requests whose connection is dropped before the answer")
    group.add_argument("--garbage-rate", type=_rate, default=0.0, metavar="P",
                       help="fraction of requests answered with a body that is not valid JSON")
    group.add_argument("--latency-ms", type=_milliseconds, default=0.0, metavar="MS",
                       help="mean latency added to every request (each waits 0.5 to 1.5 times this)")
    group.add_argument("--fault-seed", type=int, default=None, metavar="N",
                       help="seed for the fault rolls, to repeat a run exactly")


def _injector(args: argparse.Namespace):
    from smtui.sim.faults import FaultInjector, Faults

    try:
        faults = Faults(throttle_rate=args.throttle_rate, error_rate=args.error_rate, reset_rate=args.reset_rate,
                        garbage_rate=args.garbage_rate, latency_ms=args.latency_ms, seed=args.fault_seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return FaultInjector(faults) if faults.active else None


def _add_aws_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AWS")
    group.add_argument("--region", help="AWS region (default: from the profile or AWS_REGION)")
    group.add_argument("--profile", help="named profile from ~/.aws/config (default: AWS_PROFILE)")
    group.add_argument("--endpoint-url", help="call this endpoint instead of AWS (AWS_ENDPOINT_URL works too)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _Parser(
        prog="smtui",
        description="Follow Amazon SageMaker training jobs live in the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"smtui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    watch = commands.add_parser("watch", help="watch training jobs live", description="Watch training jobs live.")
    watch.add_argument("jobs", nargs="*", metavar="JOB",
                       help="training job names (none: the jobs running now or created in the last day)")
    watch.add_argument("--show-secrets", action="store_true",
                       help="start with secret-looking values shown (the s key toggles them)")
    watch.add_argument("--interval", type=_interval, default=30.0, metavar="SECONDS",
                       help="seconds between two polls of a running job (default: 30, at least 1)")
    _add_watch_options(watch)
    _add_discovery_options(watch, default="with no JOB and no filter: running now or created in the last day")
    _add_aws_options(watch)

    demo = commands.add_parser("demo", help="watch simulated jobs, no AWS account needed",
                               description="Run the built-in simulator and watch its jobs.")
    demo.add_argument("--speed", type=_positive_float, default=10.0, metavar="X",
                      help="how much faster than real time the jobs run (default: 10)")
    demo.add_argument("--jobs", type=_count, default=None, metavar="N",
                      help="watch a fleet of N simulated jobs (5%% running) instead of the eight scripted ones")
    _add_watch_options(demo)
    _add_discovery_options(demo, default="e.g. --status InProgress, or --tuning-job xgboost-churn-hpo")
    _add_fault_options(demo)
    add_realism_options(demo)

    describe = commands.add_parser("describe", help="print every field of a job once",
                                   description="Print every field of a training job, grouped by section.")
    describe.add_argument("job", metavar="JOB", help="training job name")
    describe.add_argument("--json", action="store_true", help="print the raw DescribeTrainingJob response as JSON")
    describe.add_argument("--show-secrets", action="store_true",
                          help="show values that look like secrets (tokens, passwords, keys) instead of hiding them")
    _add_aws_options(describe)

    logs = commands.add_parser(
        "logs", help="print a job's log lines, every instance merged",
        description="Print a training job's CloudWatch Logs, every instance's lines merged by time, each "
                    "prefixed by its host. Exit codes: 0 done (also when a follow is interrupted), 1 the job or "
                    "its logs could not be read (not found, no permission, no endpoint), 2 bad arguments.")
    logs.add_argument("job", metavar="JOB", help="training job name")
    logs.add_argument("-f", "--follow", action="store_true",
                      help="keep printing new lines until the job has ended (Ctrl+C stops)")
    logs.add_argument("-n", "--lines", type=_line_count, default=1000, metavar="N",
                      help="print the newest N lines first (default: 1000)")
    logs.add_argument("--filter", metavar="PATTERN",
                      help="only the events that match a CloudWatch Logs filter pattern (searched by the service), "
                           "e.g. --filter '\"CUDA out of memory\"'")
    logs.add_argument("--timestamps", action="store_true",
                      help="start each line with the event's time (UTC, ISO 8601, milliseconds)")
    logs.add_argument("--interval", type=_interval, default=5.0, metavar="SECONDS",
                      help="seconds between two reads with --follow (default: 5, at least 1)")
    _add_aws_options(logs)

    wait = commands.add_parser(
        "wait", help="wait until jobs end, one line per event (for scripts and CI)",
        description="Wait until training jobs end, printing one line per status change, stage and final metric. "
                    "Exit codes: 0 every job Completed, 3 a job Failed, 4 a job was Stopped, 5 --timeout passed "
                    "first, 1 a job could not be read (not found, no permission, no endpoint), 2 bad arguments.")
    wait.add_argument("jobs", nargs="+", metavar="JOB", help="training job names")
    wait.add_argument("--timeout", type=_duration, default=None, metavar="DURATION",
                      help="give up after this long: 90s, 30m, 2h, 1d or seconds (default: no limit)")
    wait.add_argument("--interval", type=_interval, default=30.0, metavar="SECONDS",
                      help="seconds between two polls of each job (default: 30, at least 1)")
    _add_aws_options(wait)

    sim = commands.add_parser("sim", help="run the SageMaker simulator on its own",
                              description="Serve simulated SageMaker and CloudWatch APIs for any AWS client.")
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    sim.add_argument("--port", type=_port, default=4566, help="port to listen on (default: 4566; 0 picks a free one)")
    sim.add_argument("--speed", type=_positive_float, default=1.0, metavar="X",
                     help="how much faster than real time the jobs run (default: 1)")
    sim.add_argument("--jobs", type=_count, default=None, metavar="N",
                     help="serve a fleet of N jobs (5%% running, the rest finished) instead of the eight scripted ones")
    _add_fault_options(sim)
    add_realism_options(sim)
    return parser


def check_job_names(names: Sequence[str]) -> list[str]:
    """Names in order with duplicates merged; raises UsageError naming the first invalid one."""
    from smtui.aws.names import job_name_problem

    for name in names:
        problem = job_name_problem(name)
        if problem:
            raise UsageError(problem)
    return list(dict.fromkeys(names))


def _is_region(name: str) -> bool:
    """Whether ``name`` is a region of some AWS partition, by botocore's own region patterns."""
    from botocore.loaders import create_loader

    for partition in create_loader().load_data("endpoints").get("partitions", ()):
        if name in partition.get("regions", {}) or re.match(partition.get("regionRegex", "$^"), name):
            return True
    return False


def _aws_options(args: argparse.Namespace):
    """AwsOptions from --region, --profile and --endpoint-url, each checked before any call."""
    from urllib.parse import urlsplit

    from smtui.aws.source import AwsOptions

    if args.region is not None and not _is_region(args.region):
        raise UsageError(f"{args.region!r} is not an AWS region: pass one such as --region us-east-1")
    if args.region is None:
        for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
            value = os.environ.get(variable)
            if value and not _is_region(value):
                raise UsageError(f"{variable}={value!r} is not an AWS region: set it to one such as us-east-1 "
                                 "or pass --region")
            if value:
                break
    if args.profile is not None and not args.profile.strip():
        raise UsageError("--profile is empty: pass a profile name from ~/.aws/config")
    url = args.endpoint_url
    if url is not None:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"{url!r} is not an endpoint URL: pass one such as --endpoint-url http://localhost:4566")
    return AwsOptions(region=args.region, profile=args.profile, endpoint_url=url)


def _finder(args: argparse.Namespace, source, *, named: bool):
    """The JobFinder the discovery options ask for, or None."""
    query = _job_query(args, named=named)
    if query is None:
        return None
    from smtui.aws.discovery import JobFinder

    return JobFinder(source, query, limit=args.limit)


def run_watch(args: argparse.Namespace) -> int:
    names = check_job_names(args.jobs)
    from smtui.aws.source import AwsJobSource
    from smtui.ui.app import SmtuiApp

    options = _aws_options(args)
    source = AwsJobSource(options)
    where = options.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or options.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "default region"
    if options.profile:
        where = f"{options.profile} @ {where}"
    app = SmtuiApp(source, names, interval=args.interval, subtitle=where,
                   reveal_secrets=args.show_secrets, max_rps=args.max_rps, log_lines=args.log_lines,
                   read_only=args.read_only, bell=args.bell, freeze_loaded=True,
                   finder=_finder(args, source, named=bool(names)), list_interval=args.list_interval)
    app.run()
    return app.return_code or 0


def run_demo(args: argparse.Namespace) -> int:
    from smtui.aws.source import AwsJobSource, AwsOptions
    from smtui.sim import start_in_thread
    from smtui.ui.app import SmtuiApp

    simulator = _simulator(args)
    injector = _injector(args)
    faults = f", {injector.faults.describe()}" if injector else ""
    with start_in_thread(simulator, injector=injector) as running:
        options = AwsOptions(region="us-east-1", endpoint_url=running.url, static_credentials=DEMO_CREDENTIALS)
        source = AwsJobSource(options)
        # With no filter, the scripted jobs; with one, whatever the simulator's listing finds.
        finder = _finder(args, source, named=False) if _job_query(args, named=True) else None
        app = SmtuiApp(
            source,
            [] if finder else simulator.job_names(),
            finder=finder,
            list_interval=min(args.list_interval, max(2.0, 60.0 / args.speed)),
            interval=3.0,
            metrics_interval=max(2.0, 60.0 / args.speed),
            max_rps=args.max_rps,
            subtitle=f"demo simulator at {running.url} ({args.speed:g}x{faults})",
            log_lines=args.log_lines,
            log_interval=2.0,
            read_only=args.read_only,
            bell=args.bell,
            freeze_loaded=True,
        )
        app.run()
    return app.return_code or 0


def _simulator(args: argparse.Namespace):
    """The simulator of ``demo`` and ``sim``: the scripted jobs, or a fleet of ``--jobs N``."""
    from smtui.sim import Simulator
    from smtui.sim.scenarios import fleet_scenarios

    return Simulator(speed=args.speed, scenarios=fleet_scenarios(args.jobs) if args.jobs else None,
                     realism=realism_from_args(args))


def run_describe(args: argparse.Namespace) -> int:
    import asyncio
    import dataclasses
    import json

    from smtui.aws.errors import explain
    from smtui.aws.source import AwsJobSource

    (name,) = check_job_names([args.job])
    # One call that someone is waiting on: fewer retries than a poller that tries again anyway.
    options = dataclasses.replace(_aws_options(args), max_attempts=2)

    async def fetch() -> dict:
        async with AwsJobSource(options) as source:
            return await source.describe_training_job(name)

    try:
        response = asyncio.run(fetch())
    except Exception as exc:
        raise CommandFailed(explain(exc).message) from None
    if args.json:
        from smtui.aws.secrets import masked

        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        if not args.show_secrets:
            body = masked(body)
        print(json.dumps(body, indent=2, default=_json_default))
        return 0
    from smtui.aws.sections import SECTION_TITLES, render_text
    from smtui.clock import SystemClock

    terminal = sys.stdout.isatty()
    width = os.get_terminal_size().columns if terminal else 100
    text = render_text(response, SystemClock().now(), width=min(max(width, 60), 160), reveal=args.show_secrets)
    if terminal and not os.environ.get("NO_COLOR"):
        # Bold section headings on a terminal; plain text when piped.
        titles = set(SECTION_TITLES)
        text = "\n".join(f"\x1b[1m{line}\x1b[0m" if line in titles else line for line in text.split("\n"))
    print(text, end="")
    return 0


def _json_default(value):
    from datetime import datetime

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)


def run_logs(args: argparse.Namespace) -> int:
    import dataclasses

    (name,) = check_job_names([args.job])
    # A command someone waits on: one retry per call, as describe; the command reads again where it stopped.
    options = dataclasses.replace(_aws_options(args), max_attempts=2)
    from smtui.logs_cli import Request, run

    request = Request(name, lines=args.lines, follow=args.follow, interval=args.interval, pattern=args.filter)
    return run(options, request, timestamps=args.timestamps)


def _duration(text: str) -> float:
    from smtui.wait_cli import parse_duration

    try:
        seconds = parse_duration(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a duration such as 90s, 30m, 2h or 1d, got {text!r}") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive duration, got {text!r}")
    return seconds


def run_wait(args: argparse.Namespace) -> int:
    names = check_job_names(args.jobs)
    from smtui.aws.errors import explain
    from smtui.wait_cli import WaitFailed, run

    try:
        return run(_aws_options(args), names, sys.stdout, interval=args.interval, timeout=args.timeout)
    except WaitFailed as failed:
        raise CommandFailed(str(failed)) from None
    except Exception as exc:  # opening the clients (profile, region): one line, as for a poll
        raise CommandFailed(explain(exc).message) from None


def run_sim(args: argparse.Namespace) -> int:
    import asyncio

    from smtui.sim import serve

    simulator = _simulator(args)
    injector = _injector(args)
    faults = f", {injector.faults.describe()}" if injector else ""

    def ready(url: str) -> None:
        names = simulator.job_names()
        print(f"smtui simulator listening on {url} ({args.speed:g}x{faults}, {simulator.realism.describe()})", flush=True)
        listed = ", ".join(names) if len(names) <= 10 else f"{', '.join(names[:3])}, … {names[-1]} ({len(names)} in all)"
        print(f"  jobs: {listed}", flush=True)
        for tuning in simulator.tuning_job_names():
            print(f"  tuning job: {tuning} ({len(simulator.training_job_names(tuning))} training jobs, launched "
                  "over time)", flush=True)
        print(f"  try: AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws --region us-east-1 --endpoint-url {url} "
              f"sagemaker describe-training-job --training-job-name {simulator.job_names()[0]}", flush=True)

    try:
        asyncio.run(serve(simulator, args.host, args.port, ready=ready, injector=injector))
    except OSError as exc:
        raise CommandFailed(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        if injector is not None:
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(injector.counts.items())) or "none"
            print(f"faults injected over {injector.requests} requests: {counts}", flush=True)
        raise
    return 0


COMMANDS = {"watch": run_watch, "demo": run_demo, "describe": run_describe, "logs": run_logs, "wait": run_wait,
            "sim": run_sim}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
        print(f"smtui: error: unexpected {type(exc).__name__}: {exc} (set SMTUI_DEBUG=1 for the details)",
              file=sys.stderr)
        return EXIT_FAILED
