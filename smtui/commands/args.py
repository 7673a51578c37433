"""Checking what the user typed: argparse value types, job names, and the AWS options, each refused in one line.

Nothing here calls AWS; botocore is imported only to read its region list.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence

from smtui.commands.exits import UsageError
from smtui.names import echo

#: The shortest interval between two polls of one job that --interval accepts.
MIN_INTERVAL = 1.0


def _positive(noun: str):
    """An argparse type: a finite number above zero; ``noun`` names it in the error (``a number of seconds``)."""

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, got {echo(text)}") from None
        if not value > 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be a positive {noun.removeprefix('a ')}, got {echo(text)}")
        return value

    return convert


positive_number = _positive("a number")
seconds = _positive("a number of seconds")


#: The longest interval between two polls or listings: a day (a longer one is not watching any more).
MAX_INTERVAL = 86400.0
#: The longest --since and --timeout: ten years, longer than SageMaker has existed.
MAX_DURATION = 3650 * 86400.0


def interval(text: str) -> float:
    value = seconds(text)
    if value < MIN_INTERVAL:
        raise argparse.ArgumentTypeError(
            f"must be at least {MIN_INTERVAL:g} second, got {echo(text)}: "
            "faster polling only eats into the account's API rate limit"
        )
    if value > MAX_INTERVAL:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_INTERVAL:g} seconds (1 day), got {echo(text)}")
    return value


def _within(parse, expected: str, low: float, high: float):
    """An argparse type: ``parse``d text between ``low`` and ``high``, each failure in one line."""

    def convert(text: str):
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {echo(text)}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {_plain(low)} and {_plain(high)}, got {echo(text)}")
        return value

    return convert


def _plain(number: float) -> str:
    """``1000000`` → ``1000000``, ``0.5`` → ``0.5``: no exponent in a message."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


port = _within(int, "a port number", 0, 65535)
rate = _within(float, "a fraction between 0 and 1", 0.0, 1.0)
milliseconds = _within(float, "milliseconds", 0.0, 600_000)
job_count = _within(int, "a number of jobs", 1, 100_000)
#: The most lines ``smtui logs --lines`` keeps in memory.
MAX_LINES = 1_000_000
line_count = _within(int, "a number of lines", 1, MAX_LINES)


def status(text: str) -> str:
    from smtui.aws.discovery import STATUSES

    for status in STATUSES:
        if text.lower() == status.lower():
            return status
    raise argparse.ArgumentTypeError(f"expected one of {', '.join(STATUSES)}, got {echo(text)}")


def name_fragment(text: str) -> str:
    from smtui.names import NAME_FRAGMENT

    if not NAME_FRAGMENT.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected 1-63 letters, digits and hyphens, got {echo(text)}")
    return text


def log_pattern(text: str):
    """``--grep``'s regular expression (smart case), or why it is not one."""
    from smtui.present.log_match import PatternError, compile_pattern

    if not text:
        raise argparse.ArgumentTypeError("expected a pattern, got an empty one")
    try:
        return compile_pattern(text)
    except PatternError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace(repr(text), echo(text), 1)) from None


def host_name(text: str) -> str:
    """``--host``: an instance's name as its log streams have it (``algo-3``)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", text):
        raise argparse.ArgumentTypeError(f"expected an instance name such as algo-3, got {echo(text)}")
    return text


def tuning_job(text: str) -> str:
    from smtui.names import TUNING_JOB_NAME

    if not TUNING_JOB_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{echo(text)} is not a valid tuning job name (1-32 letters, digits and "
            "hyphens, starting and ending with a letter or digit)"
        )
    return text


def duration(text: str) -> float:
    from smtui.present.durations import parse_duration

    try:
        value = parse_duration(text.removeprefix("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a duration such as 90s, 30m, 2h or 1d, got {echo(text)}") from None
    if value <= 0 or text.startswith("-"):
        raise argparse.ArgumentTypeError(f"must be a positive duration, got {echo(text)}")
    if value > MAX_DURATION:
        raise argparse.ArgumentTypeError(f"must be at most 3650d (ten years), got {echo(text)}")
    return value


def check_job_names(names: Sequence[str]) -> list[str]:
    """Names in order with duplicates merged; raises UsageError naming the first invalid one."""
    from smtui.names import job_name_problem

    for name in names:
        problem = job_name_problem(name)
        if problem:
            raise UsageError(problem)
    return list(dict.fromkeys(names))


def is_region(name: str) -> bool:
    """Whether ``name`` is a region of some AWS partition, by botocore's own region patterns."""
    from botocore.loaders import create_loader

    for partition in create_loader().load_data("endpoints").get("partitions", ()):
        if name in partition.get("regions", {}) or re.match(partition.get("regionRegex", "$^"), name):
            return True
    return False


def region_list(text: str) -> list[str]:
    """An argparse type: ``us-east-1,us-west-2``, each an AWS region, duplicates merged."""
    regions = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not regions:
        raise argparse.ArgumentTypeError(f"expected one or more regions separated by commas, got {text!r}")
    for region in regions:
        if not is_region(region):
            raise argparse.ArgumentTypeError(f"{region!r} is not an AWS region: pass one such as us-east-1")
    return regions


def several(text: str | None) -> list[str]:
    """``a,b`` → ``["a", "b"]``, spaces trimmed and duplicates merged; None → ``[]``."""
    return list(dict.fromkeys(part.strip() for part in (text or "").split(",") if part.strip()))


def watch_places(args: argparse.Namespace):
    """AwsOptions (of the first region and profile), and every region and profile named, each checked:
    ``--region us-east-1,us-west-2 --profile a,b`` watches every profile in every region."""
    regions, profiles = several(args.region), several(args.profile)
    if args.profile is not None and not profiles:
        raise UsageError("--profile is empty: pass a profile name from ~/.aws/config")
    first = argparse.Namespace(
        **{**vars(args), "region": regions[0] if regions else None, "profile": profiles[0] if profiles else None}
    )
    options = aws_options(first)
    for region in regions[1:]:
        if not is_region(region):
            raise UsageError(f"{region!r} is not an AWS region: pass regions such as --region us-east-1,us-west-2")
    return options, regions or [None], profiles or [None]


#: The variables botocore reads an endpoint URL from, for the services smtui calls (when --endpoint-url is not given).
ENDPOINT_VARIABLES = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SAGEMAKER",
    "AWS_ENDPOINT_URL_CLOUDWATCH",
    "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
)
# Everything up to the last @ (after the scheme): a user name and password, however malformed the URL.
_USER_INFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)?.*@", re.DOTALL)


def redacted(url: str) -> str:
    """``url`` with any user name and password in it replaced by ``***``: never printed."""
    return _USER_INFO.sub(lambda m: f"{m.group(1) or ''}***@", url)


def endpoint_problem(url: str, given_as: str) -> str | None:
    """Why ``url`` (from ``given_as``: ``--endpoint-url``, ``AWS_ENDPOINT_URL=``) cannot be an endpoint, or None."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        parts = None
    shown = echo(redacted(url))
    if parts is not None and (parts.username is not None or parts.password is not None):
        # Sent as an HTTP Authorization header, which the AWS signature then replaces: refused, never echoed.
        return (
            f"{given_as}{shown} has a user name and password in it: AWS endpoints take none, "
            "pass credentials through a profile or AWS_ACCESS_KEY_ID instead"
        )
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        example = "--endpoint-url http://localhost:4566" if given_as.startswith("-") else "http://localhost:4566"
        return f"{given_as}{shown} is not an endpoint URL: pass one such as {example}"
    return None


def _check_profile(profile: str | None) -> None:
    """Refuse a profile that no configuration file defines (given, or from AWS_PROFILE)."""
    source = "--profile "
    if profile is None:
        for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            profile = os.environ.get(variable) or None
            if profile is not None:
                source = f"{variable}="
                break
    if profile is None or profile == "default":
        return  # botocore's default profile may be empty: the credential chain goes on without it
    import botocore.session
    from botocore.exceptions import BotoCoreError

    try:
        known = botocore.session.Session().available_profiles
    except BotoCoreError as exc:  # a configuration file that does not parse
        raise UsageError(f"cannot read the AWS configuration: {exc}") from None
    if profile not in known:
        defined = f"those defined: {', '.join(sorted(known)[:8])}" if known else "none is defined"
        raise UsageError(f"{source}{echo(profile)}: no such profile in ~/.aws/config or ~/.aws/credentials ({defined})")


def aws_options(args: argparse.Namespace):
    """AwsOptions from --region, --profile and --endpoint-url (and the variables that stand for them),
    each checked before any call."""
    from smtui.aws.source import AwsOptions

    if args.region is not None and not is_region(args.region):
        raise UsageError(f"{echo(args.region)} is not an AWS region: pass one such as --region us-east-1")
    if args.region is None:
        for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
            value = os.environ.get(variable)
            if value and not is_region(value):
                raise UsageError(
                    f"{variable}={echo(value)} is not an AWS region: set it to one such as us-east-1 or pass --region"
                )
            if value:
                break
    if args.profile is not None and not args.profile.strip():
        raise UsageError("--profile is empty: pass a profile name from ~/.aws/config")
    _check_profile(args.profile)
    url = args.endpoint_url
    if url is not None:
        problem = endpoint_problem(url, "--endpoint-url ")
        if problem:
            raise UsageError(problem)
    elif os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() != "true":
        for variable in ENDPOINT_VARIABLES:
            value = os.environ.get(variable)
            problem = endpoint_problem(value, f"{variable}=") if value else None
            if problem:
                raise UsageError(problem)
    return AwsOptions(region=args.region, profile=args.profile, endpoint_url=url)


def endpoint_label(options) -> str:
    """Where the calls go, for the title bar: the endpoint (from the option or the environment), else the region."""
    url = options.endpoint_url
    if url is None and os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() != "true":
        url = os.environ.get("AWS_ENDPOINT_URL_SAGEMAKER") or os.environ.get("AWS_ENDPOINT_URL")
    where = (
        (redacted(url) if url else None)
        or options.region
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or "default region"
    )
    return f"{options.profile} @ {where}" if options.profile else where
