"""What the at-a-glance summary and the per-host view need beyond DescribeTrainingJob, fetched at once.

For ``smtui describe``: the job's hourly price (the Price List, or the disk
cache), its metric series over its whole run (for the best values), and each
host's utilisation over the last hour of the run. Three calls at most, made
together, each given :data:`TIMEOUT` seconds; none can fail the command: what
did not come is said in the summary instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from smtui.aws.host_metrics import HOST_WINDOW, host_names, host_queries, selected_metrics
from smtui.aws.pricing import PriceBook
from smtui.aws.source import AwsJobSource, MetricQuery
from smtui.present.cost import NoPrice, PriceAnswer, instance_type
from smtui.present.formatting import as_datetime
from smtui.present.summary import metric_names

#: Seconds each extra call may take before the summary goes without it.
TIMEOUT = 10.0

Points = list[tuple[datetime, float]]


@dataclass(frozen=True)
class GlanceInputs:
    """The price (or why there is none), the metric series and the hosts' series of one job."""

    price: PriceAnswer
    series: Mapping[str, Points] = field(default_factory=dict)
    #: host → metric → points; empty when the call failed or the job never ran.
    hosts: Mapping[str, Mapping[str, Points]] = field(default_factory=dict)


def job_region(response: Mapping[str, Any], default: str | None) -> str | None:
    """The job's region, from its ARN (``arn:aws:sagemaker:REGION:...``), else ``default``."""
    parts = str(response.get("TrainingJobArn", "")).split(":")
    return parts[3] if len(parts) >= 6 and parts[3] else default


async def glance_inputs(source: AwsJobSource, response: Mapping[str, Any], now: datetime) -> GlanceInputs:
    """Fetch the price, the metric series and the hosts' utilisation of the job ``response`` describes."""
    name = str(response.get("TrainingJobName", ""))
    start = as_datetime(response.get("TrainingStartTime")) or as_datetime(response.get("CreationTime"))
    # A point is stamped with the start of its minute: the last one is a minute before the end.
    end = (as_datetime(response.get("TrainingEndTime")) or now) + timedelta(minutes=1)

    async def price() -> PriceAnswer:
        book = PriceBook(source.pricing_client)
        try:
            return await asyncio.wait_for(
                book.price(instance_type(response), job_region(response, source.region)), TIMEOUT
            )
        except asyncio.TimeoutError:
            return NoPrice("the AWS Price List did not answer in time")

    async def fetch(queries: list[MetricQuery], since: datetime | None) -> dict[MetricQuery, Points]:
        if not queries or since is None:
            return {}
        try:
            return await asyncio.wait_for(source.get_metric_data(queries, since, end), TIMEOUT)
        except Exception:  # without them, the summary shows the final values and the hosts say nothing yet
            return {}

    series_queries = [MetricQuery(name, metric) for metric in metric_names(response)]
    host_start = max(start, end - HOST_WINDOW) if start is not None else None
    hosts_queries = host_queries(name, host_names(response), selected_metrics(response))
    answers = await asyncio.gather(price(), fetch(series_queries, start), fetch(hosts_queries, host_start))
    found_price, found_series, found_hosts = answers
    hosts: dict[str, dict[str, Points]] = {}
    for query, points in found_hosts.items():
        if points and query.host is not None:
            hosts.setdefault(query.host, {})[query.metric] = points
    return GlanceInputs(found_price, {q.metric: p for q, p in found_series.items() if p}, hosts)
