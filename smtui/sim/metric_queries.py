"""CloudWatch's older metric reads: GetMetricStatistics and ListMetrics, as the SageMaker Python SDK uses them.

``TrainingJobAnalytics(...).dataframe()`` asks GetMetricStatistics for each
metric a job's MetricDefinitions name; other clients discover the metrics
first with ListMetrics. The rules are CloudWatch's:

- GetMetricStatistics answers at most 1,440 datapoints a call, refuses a
  request that could return more, and returns the points in no particular
  order (here: oldest first); each carries the statistics asked for and its
  Unit. The retention tiers of :mod:`smtui.sim.metrics` apply.
- ListMetrics returns up to 500 metrics a page, leaves out metrics that have
  not reported data in the past two weeks (when the retention tiers are on),
  and with ``RecentlyActive=PT3H`` only those that reported in three hours.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from smtui.sim import hosts
from smtui.sim.lifecycle import Playback, World
from smtui.sim.metrics import DIMENSION, NAMESPACE, Lookup, buckets, published_by, retained, series, stat_function
from smtui.sim.scenarios import Scenario
from smtui.sim.wire import BadToken, cloudwatch_error, encode_token, page_fingerprint, parse_timestamp, resume_point

MAX_DATAPOINTS = 1440
METRICS_PAGE = 500
#: ListMetrics leaves out metrics without data in this long.
LISTED_FOR = timedelta(days=14)
RECENT = {"PT3H": timedelta(hours=3)}
#: The unit SageMaker publishes training metrics with.
UNIT = "None"


def get_metric_statistics(
    params: dict, lookup: Lookup, world: World, now: datetime, tiers: bool = True, lag: float = 0.0
) -> dict:
    """GetMetricStatistics over the jobs ``lookup`` finds; with ``lag``, each series' points up to
    :func:`~smtui.sim.metrics.published_by` only."""
    statistics, extended = params.get("Statistics") or [], params.get("ExtendedStatistics") or []
    if not statistics and not extended:
        raise cloudwatch_error(
            "InvalidParameterCombination",
            "At least one of the parameters Statistics and ExtendedStatistics must be specified.",
        )
    if statistics and extended:
        raise cloudwatch_error(
            "InvalidParameterCombination", "The parameters Statistics and ExtendedStatistics are mutually exclusive."
        )
    for name in extended:
        if stat_function(name) is None or name[:1] != "p":
            raise cloudwatch_error(
                "InvalidParameterValue", f"The value {name} for parameter ExtendedStatistics is not supported."
            )
    start, end = parse_timestamp(params["StartTime"]), parse_timestamp(params["EndTime"])
    if start >= end:
        raise cloudwatch_error(
            "InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime."
        )
    period = params["Period"]
    if period not in (1, 5, 10, 20, 30) and period % 60:
        raise cloudwatch_error("InvalidParameterValue", "The parameter Period must be a multiple of 60.")
    span = world.seconds(period)
    requested = math.ceil((end - start).total_seconds() / span)
    if requested > MAX_DATAPOINTS:
        raise cloudwatch_error(
            "InvalidParameterCombination",
            f"You have requested up to {requested:,} datapoints, which exceeds the limit of "
            f"{MAX_DATAPOINTS:,}. You may reduce the datapoints requested by increasing Period, "
            "or decreasing the time range.",
        )
    metric = {
        "Namespace": params.get("Namespace"),
        "MetricName": params.get("MetricName"),
        "Dimensions": params.get("Dimensions") or [],
    }
    # Training metrics carry no unit; SageMaker publishes its instance metrics in Percent.
    unit = hosts.UNIT if {d.get("Name") for d in metric["Dimensions"]} == {hosts.HOST_DIMENSION} else UNIT
    if params.get("Unit") not in (None, unit) or (tiers and not retained(period, start, now)):
        grouped = []
    else:
        # CloudWatch rounds StartTime down to a whole Period (here: of script time).
        first = datetime.fromtimestamp(math.floor(start.timestamp() / span + 1e-9) * span, start.tzinfo)
        grouped = [
            (at, values)
            for at, values in buckets(metric, period, lookup, world, published_by(metric, now, lag), first.timestamp())
            if first <= at < end
        ]
    points = []
    for at, values in grouped:
        point: dict[str, Any] = {"Timestamp": at, "Unit": unit}
        for name in statistics:
            point[name] = stat_function(name)(values)  # type: ignore[misc]
        if extended:
            point["ExtendedStatistics"] = {name: stat_function(name)(values) for name in extended}  # type: ignore
        points.append(point)
    return {"Label": params.get("MetricName", ""), "Datapoints": points}


def list_metrics(
    params: dict, jobs: Iterable[str], lookup: Lookup, world: World, now: datetime, tiers: bool = True
) -> dict:
    """ListMetrics over the training metrics of ``jobs`` (every job name the simulator has) and their hosts'."""
    fingerprint = page_fingerprint(params)
    try:
        resumed = resume_point(params, "cw-list", fingerprint)
    except BadToken:
        raise cloudwatch_error("InvalidNextToken", "The specified NextToken is not valid.") from None
    offset, moment = (resumed[0], datetime.fromtimestamp(resumed[1], now.tzinfo)) if resumed else (0, now)
    recent = params.get("RecentlyActive")
    if recent is not None and recent not in RECENT:
        raise cloudwatch_error(
            "InvalidParameterValue", f"The value {recent} for parameter RecentlyActive is not valid."
        )
    since = moment - RECENT[recent] if recent else moment - LISTED_FOR if tiers else None
    wanted = _dimension_filter(params.get("Dimensions") or [])
    found = []
    if params.get("Namespace") in (None, NAMESPACE):
        for name in sorted(jobs):
            if not wanted({DIMENSION: name}):
                continue
            last = _last_points(name, lookup, world, moment)
            for metric, at in last.items():
                if params.get("MetricName") not in (None, metric) or (since is not None and at < since):
                    continue
                found.append(
                    {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": [{"Name": DIMENSION, "Value": name}]}
                )
        for name in sorted(jobs):
            found += _host_metrics(name, params.get("MetricName"), since, wanted, lookup, world, moment)
    result: dict[str, Any] = {"Metrics": found[offset : offset + METRICS_PAGE]}
    if offset + METRICS_PAGE < len(found):
        result["NextToken"] = encode_token(
            "cw-list", {"o": offset + METRICS_PAGE, "t": moment.timestamp(), "h": fingerprint}
        )
    return result


def _host_metrics(
    job: str,
    metric_name: str | None,
    since: datetime | None,
    wanted: Callable[[dict[str, str]], bool],
    lookup: Lookup,
    world: World,
    moment: datetime,
) -> list[dict[str, Any]]:
    """The utilisation metrics each host of ``job`` has reported (see :mod:`smtui.sim.hosts`)."""
    found = lookup(job, moment)
    if found is None:
        return []
    scenario, playback = found
    last = hosts.last_point(scenario, playback, world)
    if last is None or (since is not None and last < since):
        return []
    out = []
    for host in range(1, scenario.instance_count + 1):
        value = f"{job}/algo-{host}"
        if not wanted({hosts.HOST_DIMENSION: value}):
            continue
        for metric in hosts.published(scenario):
            if metric_name in (None, metric):
                out.append(
                    {
                        "Namespace": NAMESPACE,
                        "MetricName": metric,
                        "Dimensions": [{"Name": hosts.HOST_DIMENSION, "Value": value}],
                    }
                )
    return out


def _dimension_filter(filters: list[dict]) -> Callable[[dict[str, str]], bool]:
    """A metric's dimensions match when each filter's name is among them, with its value if one is given."""

    def matches(dimensions: dict[str, str]) -> bool:
        return all(f["Name"] in dimensions and f.get("Value") in (None, dimensions[f["Name"]]) for f in filters)

    return matches


def _last_points(job: str, lookup: Lookup, world: World, moment: datetime) -> dict[str, datetime]:
    """Each metric the job has reported by ``moment``, with the time of its newest point."""
    found: tuple[Scenario, Playback] | None = lookup(job, moment)
    if found is None:
        return {}
    return {metric: points[-1].time for metric, points in series(*found, world).items() if points}
