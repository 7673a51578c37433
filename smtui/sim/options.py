"""The command-line options of ``smtui sim`` and ``smtui demo`` that set the simulator's rough edges.

Only argparse and :mod:`smtui.sim.realism` are imported, so ``smtui --help``
stays quick. Every bad value is refused by argparse in one line, exit code 2.
"""

from __future__ import annotations

import argparse
import math

from smtui.sim.operations import OPERATIONS
from smtui.sim.realism import AWS_QUOTAS, EDGES, Realism


def _quota(text: str) -> tuple[str, float | None]:
    """``OPERATION=RATE`` (requests a second; ``off`` removes the quota)."""
    operation, sep, rate_text = text.partition("=")
    operation, rate_text = operation.strip(), rate_text.strip()
    if not sep or not operation or not rate_text:
        raise argparse.ArgumentTypeError(f"expected OPERATION=RATE, such as ListTrainingJobs=2, got {text!r}")
    if operation not in OPERATIONS:
        raise argparse.ArgumentTypeError(
            f"{operation!r} is not an operation the simulator answers; one of {', '.join(sorted(OPERATIONS))}"
        )
    if rate_text.lower() == "off":
        return operation, None
    try:
        rate = float(rate_text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of requests a second (or off) after {operation}=, got {rate_text!r}"
        ) from None
    if not (math.isfinite(rate) and rate > 0):
        raise argparse.ArgumentTypeError(
            f"the rate of {operation} must be a positive number of requests a second (or off), got {rate_text!r}"
        )
    return operation, rate


def _edges(text: str) -> tuple[str, ...]:
    """``all`` or a comma-separated list of edge names."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if names == ("all",):
        return tuple(EDGES)
    unknown = [name for name in names if name not in EDGES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown rough edge {', '.join(unknown) or repr(text)}: expected all, or some of {','.join(EDGES)}"
        )
    return names


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _lag(text: str) -> float:
    if text.strip() == "0":
        return 0.0
    return _seconds(text)


def add_realism_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--quota``, ``--token-ttl``, ``--stream-lag``, ``--metric-lag`` and ``--gentle`` to ``parser``."""
    quotas = ", ".join(f"{op} {rate:g}/s" for op, rate in AWS_QUOTAS.items())
    group = parser.add_argument_group(
        "AWS realism", "the simulator reproduces the services' documented rough edges; these change or remove them"
    )
    group.add_argument(
        "--quota",
        type=_quota,
        action="append",
        default=[],
        metavar="OPERATION=RATE",
        help=f"requests a second OPERATION accepts before it throttles (repeatable; RATE off removes "
        f"the quota). Defaults: {quotas} (a guess: SageMaker publishes none)",
    )
    group.add_argument(
        "--token-ttl",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="seconds after which a log token expires (default: 86400, as on AWS)",
    )
    group.add_argument(
        "--stream-lag",
        type=_lag,
        default=None,
        metavar="SECONDS",
        help="how far DescribeLogStreams' lastEventTimestamp lags behind the events (default: 300)",
    )
    group.add_argument(
        "--metric-lag",
        type=_lag,
        default=None,
        metavar="SECONDS",
        help="how late, at most, a metric point reaches GetMetricData; each series lags from a minute (or this, "
        "if less) up to it (default: 120)",
    )
    group.add_argument(
        "--gentle",
        type=_edges,
        nargs="?",
        const=tuple(EDGES),
        default=(),
        metavar="EDGE,...",
        help=f"turn rough edges off: all of them, or some of {','.join(EDGES)}",
    )


def realism_from_args(args: argparse.Namespace) -> Realism:
    """The :class:`Realism` that the options of :func:`add_realism_options` describe."""
    realism = Realism().without(args.gentle)
    if args.quota:
        realism = realism.with_quotas(dict(args.quota))
    if args.token_ttl is not None:
        realism = realism.with_changes(token_ttl=args.token_ttl)
    if args.stream_lag is not None:
        realism = realism.with_changes(stream_lag=args.stream_lag)
    if args.metric_lag is not None:
        realism = realism.with_changes(metric_lag=args.metric_lag)
    return realism
