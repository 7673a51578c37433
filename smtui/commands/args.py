"""Checking what the user typed: argparse value types, job names, and the AWS options, each refused in one line.

Nothing here calls AWS; botocore is imported only to read its region list.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence

from smtui.commands.exits import UsageError

#: The shortest interval between two polls of one job that --interval accepts.
MIN_INTERVAL = 1.0


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


positive_number = _positive("a number")
seconds = _positive("a number of seconds")


def interval(text: str) -> float:
    value = seconds(text)
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
    raise argparse.ArgumentTypeError(f"expected one of {', '.join(STATUSES)}, got {text!r}")


def name_fragment(text: str) -> str:
    from smtui.names import NAME_FRAGMENT

    if not NAME_FRAGMENT.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected 1-63 letters, digits and hyphens, got {text!r}")
    return text


def tuning_job(text: str) -> str:
    from smtui.names import TUNING_JOB_NAME

    if not TUNING_JOB_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid tuning job name (1-32 letters, digits and "
                                         "hyphens, starting and ending with a letter or digit)")
    return text


def duration(text: str) -> float:
    from smtui.present.durations import parse_duration

    try:
        value = parse_duration(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a duration such as 90s, 30m, 2h or 1d, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive duration, got {text!r}")
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
    first = argparse.Namespace(**{**vars(args), "region": regions[0] if regions else None,
                                  "profile": profiles[0] if profiles else None})
    options = aws_options(first)
    for region in regions[1:]:
        if not is_region(region):
            raise UsageError(f"{region!r} is not an AWS region: pass regions such as --region us-east-1,us-west-2")
    return options, regions or [None], profiles or [None]


def aws_options(args: argparse.Namespace):
    """AwsOptions from --region, --profile and --endpoint-url, each checked before any call."""
    from urllib.parse import urlsplit

    from smtui.aws.source import AwsOptions

    if args.region is not None and not is_region(args.region):
        raise UsageError(f"{args.region!r} is not an AWS region: pass one such as --region us-east-1")
    if args.region is None:
        for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
            value = os.environ.get(variable)
            if value and not is_region(value):
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
