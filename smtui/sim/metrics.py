"""Training metrics, and CloudWatch's GetMetricData over them.

SageMaker publishes what the MetricDefinitions' regexes find in the logs to
the ``/aws/sagemaker/TrainingJobs`` namespace with a ``TrainingJobName``
dimension. Here a job logs one value per metric every minute of script time
while it trains (validation metrics less often), on a grid of script minutes
aligned to the epoch: at speed 1 the points fall on whole minutes as
CloudWatch's do, at speed X they come X times as often. Values are a
deterministic function of how long the job has trained (checkpointed
progress carries over spot restarts) plus seeded noise.

CloudWatch's ``Period`` is read in script seconds too, so a client asking for
60-second periods gets one point per scripted minute at any speed.

CloudWatch keeps a metric's points at coarser resolutions as they age: at
60 seconds for 15 days, 300 seconds for 63 days, 3,600 seconds for 455 days.
A query whose StartTime is older than a tier gets no points unless its Period
is a multiple of the next tier's (see :func:`resolution`); the ages are real
time.
"""

from __future__ import annotations

import functools
import json
import math
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from smtui.sim import hosts
from smtui.sim.lifecycle import Playback, World
from smtui.sim.scenarios import Metric, Scenario
from smtui.sim.wire import BadToken, cloudwatch_error, encode_token, page_fingerprint, parse_timestamp, resume_point

NAMESPACE = "/aws/sagemaker/TrainingJobs"
DIMENSION = "TrainingJobName"
#: Script seconds between two logged values.
INTERVAL = 60
MAX_QUERIES = 500
DEFAULT_MAX_DATAPOINTS = 100_800
#: (age in seconds up to which, the Period a query must be a multiple of) for CloudWatch's retention tiers.
RETENTION = ((15 * 86400, 60), (63 * 86400, 300), (455 * 86400, 3600))
_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")
_PERCENTILE = re.compile(r"p(\d{1,2}(\.\d+)?|100)")


@dataclass(frozen=True)
class Point:
    """One logged value: ``slot`` counts INTERVALs of script time since the epoch."""

    slot: int
    time: datetime
    value: float


def series(scenario: Scenario, playback: Playback, world: World, since: float | None = None) -> dict[str, list[Point]]:
    """Every metric's values logged up to the playback's moment, oldest first; with ``since`` (epoch seconds),
    only the values logged from then on (a query's window: a week-old job has ten thousand points a metric).

    The answer is shared (do not change it): it is kept for the next asking of the same job, training windows
    and span, which every round on a frozen clock, and every simulator of the same world, asks again."""
    return _series(series_key(scenario, playback, world, since))


def series_key(scenario: Scenario, playback: Playback, world: World, since: float | None) -> tuple:
    """Everything a job's series depends on, as one hashable key."""
    windows = tuple(playback.training_windows())
    return (scenario.name, scenario.created, scenario.ago, scenario.metrics, windows, world, since)


@functools.lru_cache(maxsize=64)
def _series(key: tuple) -> dict[str, list[Point]]:
    name, created, ago, metrics, windows, world, since = key
    # World's mapping of script time needs only the job's creation and age.
    timing = _Timing(created, ago)
    out: dict[str, list[Point]] = {m.name: [] for m in metrics}
    step = world.seconds(INTERVAL)
    skipped = math.ceil(since / step - 1e-9) if since is not None else None
    trained = 0.0
    for start, end in windows:
        first = math.floor(world.epoch(timing, start) / step + 1e-9) + 1
        if skipped is not None:
            first = max(first, skipped)
        last = math.floor(world.epoch(timing, end) / step + 1e-9)
        for slot in range(first, last + 1):
            at = world.offset(timing, slot * step)
            progress = trained + (at - start)
            moment = datetime.fromtimestamp(slot * step, timezone.utc)
            for metric in metrics:
                if slot % metric.every == 0:
                    out[metric.name].append(Point(slot, moment, value_after(name, metric, progress)))
        trained += end - start
    return out


@dataclass(frozen=True)
class _Timing:
    """What :class:`World` reads of a scenario to place its script time."""

    created: float
    ago: float


def value_after(job: str, metric: Metric, progress: float) -> float:
    """The metric ``job`` logs after ``progress`` script seconds of training (over all its attempts)."""
    noise = _noise(job, metric.name, round(progress))
    value = metric.end + (metric.start - metric.end) * math.exp(-progress / metric.tau)
    return round(value * (1 + metric.noise * noise), metric.digits)


@functools.lru_cache(maxsize=1 << 16)
def _noise(job: str, metric: str, second: int) -> float:
    # A generator seeded by the value's identity: the same noise at every call. Seeding from a string hashes
    # it (SHA-512), tens of microseconds that every GetMetricData repeated for every point of its series.
    return random.Random(f"{job}/{metric}/{second}").gauss(0.0, 1.0)


def final_values(points: dict[str, list[Point]]) -> list[dict[str, Any]]:
    """FinalMetricDataList: the last value of each metric."""
    return [
        {"MetricName": name, "Value": float(p[-1].value), "Timestamp": p[-1].time} for name, p in points.items() if p
    ]


# -- GetMetricData ---------------------------------------------------------------------

Lookup = Callable[[str, datetime], "tuple[Scenario, Playback] | None"]


def resolution(start: datetime, now: datetime) -> int | None:
    """The Period a query from ``start`` must be a multiple of to get points; None once they have all expired."""
    age = (now - start).total_seconds()
    for oldest, period in RETENTION:
        if age <= oldest:
            return period
    return None


def retained(period: int, start: datetime, now: datetime) -> bool:
    """Whether CloudWatch still has points at ``period`` for a query starting at ``start``."""
    needed = resolution(start, now)
    return needed is not None and period % needed == 0


def published_by(metric: dict, now: datetime, lag: float) -> datetime:
    """The moment up to which ``metric``'s points have reached CloudWatch at ``now``: each series its own lag,
    from a minute up to ``lag`` seconds (fixed per series, so its points arrive in order)."""
    if lag <= 0:
        return now
    share = zlib.crc32(json.dumps(metric, sort_keys=True, default=str).encode()) % 1000 / 999
    least = min(60.0, lag)
    return now - timedelta(seconds=least + share * (lag - least))


def get_metric_data(
    params: dict, lookup: Lookup, world: World, now: datetime, tiers: bool = True, lag: float = 0.0
) -> dict:
    """CloudWatch's GetMetricData over the jobs ``lookup`` finds (name, moment → scenario and playback).

    With ``tiers``, a query whose Period is finer than the retention tier of its StartTime gets no points; with
    ``lag``, each series shows its points up to :func:`published_by` only.
    """
    queries = params.get("MetricDataQueries") or []
    if len(queries) > MAX_QUERIES:
        raise cloudwatch_error(
            "ValidationError", f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}."
        )
    _check_queries(queries)
    start, end = parse_timestamp(params.get("StartTime")), parse_timestamp(params.get("EndTime"))
    if start >= end:
        raise cloudwatch_error("ValidationError", "The parameter StartTime must be less than the parameter EndTime.")
    descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    budget = params.get("MaxDatapoints", DEFAULT_MAX_DATAPOINTS)
    if budget < 1:
        raise cloudwatch_error("InvalidParameterValue", "The parameter MaxDatapoints must be greater than 0.")
    fingerprint = page_fingerprint(params)
    offset, cutoff = 0, now
    try:
        resumed = resume_point(params, "cw", fingerprint)
    except BadToken:
        raise cloudwatch_error("InvalidNextToken", "The specified NextToken is not valid.") from None
    if resumed is not None:
        # Later pages see the data as it was at the first: points keep their places.
        offset, cutoff = resumed[0], datetime.fromtimestamp(resumed[1], timezone.utc)
    # CloudWatch rounds StartTime down to a whole minute: here a whole script minute.
    step = world.seconds(INTERVAL)
    start_epoch = math.floor(start.timestamp() / step + 1e-9) * step

    results, seen = [], 0
    for query in queries:
        if not query.get("ReturnData", True):
            continue
        stat = query["MetricStat"]
        points = [
            p
            for p in _datapoints(stat, lookup, world, published_by(stat["Metric"], cutoff, lag), start_epoch)
            if start_epoch <= p[0].timestamp() < end.timestamp()
        ]
        if tiers and not retained(stat["Period"], start, now):
            points = []
        points.sort(key=lambda p: p[0], reverse=descending)
        # Points are numbered across all queries; a page is the next ``budget`` of them.
        base = seen
        shown = points[max(0, offset - base) : max(0, offset + budget - base)]
        seen += len(points)
        results.append(
            {
                "Id": query["Id"],
                "Label": query.get("Label") or stat["Metric"].get("MetricName", query["Id"]),
                "Timestamps": [t for t, _ in shown],
                "Values": [v for _, v in shown],
                "StatusCode": "PartialData" if base + len(points) > offset + budget else "Complete",
            }
        )
    response: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if seen > offset + budget:
        response["NextToken"] = encode_token("cw", {"o": offset + budget, "t": cutoff.timestamp(), "h": fingerprint})
    return response


def _check_queries(queries: list[dict]) -> None:
    ids = set()
    for index, query in enumerate(queries, 1):
        qid = query.get("Id", "")
        if not _ID.fullmatch(qid):
            raise cloudwatch_error(
                "ValidationError",
                f"The value {qid} for parameter MetricDataQueries.member.{index}"
                ".Id is not valid: it must start with a lowercase letter and "
                "contain only letters, numbers and underscores.",
            )
        if qid in ids:
            raise cloudwatch_error(
                "ValidationError", "The values for parameter id in MetricDataQueries are not unique."
            )
        ids.add(qid)
        if ("MetricStat" in query) == ("Expression" in query):
            raise cloudwatch_error(
                "ValidationError",
                f"Exactly one of MetricStat and Expression must be set in MetricDataQueries.member.{index}.",
            )
        if "Expression" in query:
            raise cloudwatch_error(
                "InvalidParameterValue",
                "Metric math expressions and Metrics Insights queries are not available in the simulator.",
            )
        stat = query["MetricStat"]
        if not stat_function(stat["Stat"]):
            raise cloudwatch_error(
                "InvalidParameterValue",
                f"The value {stat['Stat']} for parameter "
                f"MetricDataQueries.member.{index}.MetricStat.Stat is not valid.",
            )
        period = stat["Period"]
        if period not in (1, 5, 10, 20, 30) and period % 60:
            raise cloudwatch_error(
                "ValidationError",
                f"The parameter MetricDataQueries.member.{index}.MetricStat."
                "Period must be 1, 5, 10, 20, 30 or a multiple of 60.",
            )


def _datapoints(
    stat: dict, lookup: Lookup, world: World, cutoff: datetime, since: float | None
) -> list[tuple[datetime, float]]:
    """A MetricStat's datapoints: the metric's values up to ``cutoff``, aggregated per Period."""
    aggregate = stat_function(stat["Stat"])
    assert aggregate is not None  # checked with the request
    return [
        (time, aggregate(values))
        for time, values in buckets(stat["Metric"], stat["Period"], lookup, world, cutoff, since)
    ]


def buckets(
    metric: dict, period: int, lookup: Lookup, world: World, cutoff: datetime, since: float | None = None
) -> list[tuple[datetime, list[float]]]:
    """A metric's values up to ``cutoff`` in Period buckets, oldest first, each with the time it starts at.

    A job's training metrics have the dimension ``TrainingJobName``; its instances' utilisation has
    ``Host`` = ``JOB/algo-N`` (see :mod:`smtui.sim.hosts`), whose points are only worked out from
    ``since`` (epoch seconds) on: a week of a 128-host job is a lot of points. A job's training metrics are
    worked out from ``since`` too, and kept (see :func:`series`): the list returned is shared, not to be changed.
    """
    dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
    # A CloudWatch metric is its namespace, name and exact set of dimensions.
    if metric.get("Namespace") != NAMESPACE:
        return []
    if set(dimensions) == {hosts.HOST_DIMENSION}:
        return _host_buckets(
            dimensions[hosts.HOST_DIMENSION], metric.get("MetricName", ""), period, lookup, world, cutoff, since
        )
    if set(dimensions) != {DIMENSION}:
        return []
    found = lookup(dimensions[DIMENSION], cutoff)
    if found is None:
        return []
    scenario, playback = found
    return _training_buckets(series_key(scenario, playback, world, since), metric.get("MetricName", ""), period, cutoff)


@functools.lru_cache(maxsize=1024)
def _training_buckets(key: tuple, name: str, period: int, cutoff: datetime) -> list[tuple[datetime, list[float]]]:
    # Shared like the series it groups: each Period of each metric is grouped once.
    points = _series(key).get(name, [])
    return _grouped([(p.slot, p.time, p.value) for p in points if p.time <= cutoff], period, key[5])


def _host_buckets(
    value: str, name: str, period: int, lookup: Lookup, world: World, cutoff: datetime, since: float | None
) -> list[tuple[datetime, list[float]]]:
    host = hosts.host_of(value)
    found = lookup(host[0], cutoff) if host is not None else None
    if host is None or found is None:
        return []
    scenario, playback = found
    # Whole periods: the first bucket starts at or before ``since``.
    start = math.floor(since / world.seconds(period)) * world.seconds(period) if since is not None else 0.0
    points = hosts.host_series(scenario, playback, world, host[1], name, start, cutoff.timestamp())
    return _grouped(points, period, world)


def _grouped(
    points: list[tuple[int, datetime, float]], period: int, world: World
) -> list[tuple[datetime, list[float]]]:
    grouped: dict[int, list[float]] = {}
    for slot, _, value in points:
        grouped.setdefault(slot * INTERVAL // period, []).append(value)
    step = world.seconds(period)
    return [(datetime.fromtimestamp(bucket * step, timezone.utc), values) for bucket, values in sorted(grouped.items())]


def stat_function(stat: str) -> Callable[[list[float]], float] | None:
    """How CloudWatch computes the statistic ``stat`` (Average, p90, ...) over a bucket's values; None if unknown."""
    simple: dict[str, Callable[[list[float]], float]] = {
        "Average": lambda v: round(sum(v) / len(v), 6),
        "Sum": lambda v: round(sum(v), 6),
        "Minimum": min,
        "Maximum": max,
        "SampleCount": lambda v: float(len(v)),
    }
    if stat in simple:
        return simple[stat]
    match = _PERCENTILE.fullmatch(stat)
    if match:
        share = float(match.group(1)) / 100
        return lambda v: sorted(v)[min(len(v) - 1, max(0, math.ceil(share * len(v)) - 1))]
    return None
