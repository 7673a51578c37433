"""Which per-host instance metrics to fetch, as GetMetricData queries, and what they cost in calls.

SageMaker publishes each training instance's utilisation to CloudWatch
namespace ``/aws/sagemaker/TrainingJobs`` with the one dimension ``Host`` =
``JOB/algo-N`` (N from 1 to the instance count), at a one-minute period:
CPUUtilization, MemoryUtilization, DiskUtilization, GPUUtilization and
GPUMemoryUtilization.

What is fetched, every metrics round, in the same batched GetMetricData calls
as the training metrics:

- the selected job: all five metrics of every host (the three that are not
  the GPUs' for a type without GPUs), for the per-host view;
- every other running job: GPUUtilization and CPUUtilization of every host
  (CPUUtilization alone for a type without GPUs), for the job list's
  utilisation column and its warnings.

GetMetricData takes 500 queries a call, so a round costs
``ceil(queries / 500)`` calls (:func:`calls_for`): one a minute for a few
dozen running jobs of a few instances each.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from smtui.aws.source import MetricQuery
from smtui.present.cost import instance_count, instance_type
from smtui.present.instance_types import instance_spec
from smtui.present.utilisation import CPU, GPU, GPU_MEMORY, HOST_METRICS

#: GetMetricData accepts at most this many queries in one call.
MAX_QUERIES = 500


def host_names(response: Mapping[str, Any]) -> tuple[str, ...]:
    """The hosts a job runs on: ``algo-1`` to ``algo-N`` for its N instances."""
    return tuple(f"algo-{i}" for i in range(1, instance_count(response) + 1))


def list_metrics(response: Mapping[str, Any]) -> tuple[str, ...]:
    """What the job list reads of a job's hosts: GPUUtilization and CPUUtilization (together they tell idle
    GPUs from GPUs starved by the CPUs), or CPUUtilization alone for a type without GPUs."""
    spec = instance_spec(instance_type(response))
    return (CPU,) if spec is not None and not spec.has_gpus else (GPU, CPU)


def selected_metrics(response: Mapping[str, Any]) -> tuple[str, ...]:
    """What the per-host view reads of the selected job's hosts: all five metrics, or the three a type without
    GPUs publishes (a Trainium job of 128 instances: 384 series, one call, instead of 640 and two)."""
    spec = instance_spec(instance_type(response))
    return (
        tuple(m for m in HOST_METRICS if m not in (GPU, GPU_MEMORY))
        if spec is not None and not spec.has_gpus
        else HOST_METRICS
    )


def host_queries(job: str, hosts: Iterable[str], metrics: Iterable[str] = HOST_METRICS) -> list[MetricQuery]:
    """A query for each metric of each host."""
    metrics = tuple(metrics)
    return [MetricQuery(job, metric, host) for host in hosts for metric in metrics]


def calls_for(queries: int) -> int:
    """GetMetricData calls a round of ``queries`` series takes (500 a call)."""
    return math.ceil(queries / MAX_QUERIES) if queries > 0 else 0


#: How far back the selected job's host utilisation is fetched at first: a sparkline's worth of minutes.
HOST_WINDOW = timedelta(hours=1)
#: How far back the other running jobs' is fetched at first: enough to see five idle minutes.
LIST_WINDOW = timedelta(minutes=10)
