"""Per-host instance utilisation: figures per core and per GPU, the spread over many hosts, and what is wrong.

SageMaker publishes, per host (``Host`` = ``JOB/algo-N``) and per minute,
CPUUtilization and GPUUtilization / GPUMemoryUtilization as 0–100 % times the
number of cores or GPUs, and MemoryUtilization and DiskUtilization as 0–100 %.
:func:`utilisation` divides the first three by what the instance type has
(:mod:`smtui.present.instance_types`), so every figure reads 0–100 %; for a
type the table does not have they stay raw, and :attr:`Utilisation.raw` says so.

The warnings are the ones an ML engineer acts on: GPUs idle while the job
trains, GPUs starved by a CPU-bound input pipeline, GPU memory or disk nearly
full, one host far from the others.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from smtui.present.formatting import as_datetime
from smtui.present.instance_types import InstanceSpec

GPU, GPU_MEMORY, CPU, MEMORY, DISK = (
    "GPUUtilization",
    "GPUMemoryUtilization",
    "CPUUtilization",
    "MemoryUtilization",
    "DiskUtilization",
)
#: The host metrics, in the order they are shown.
HOST_METRICS = (GPU, GPU_MEMORY, CPU, MEMORY, DISK)
#: Short names for narrow columns.
SHORT_NAMES = {GPU: "GPU", GPU_MEMORY: "GPU mem", CPU: "CPU", MEMORY: "Mem", DISK: "Disk"}
_PER_CORE = frozenset({CPU})
_PER_GPU = frozenset({GPU, GPU_MEMORY})

#: GPUs under this share, per GPU, for IDLE_WINDOW while Training, are idle.
IDLE_GPU = 20.0
IDLE_WINDOW = timedelta(minutes=5)
#: GPUs under this share while the CPUs are over CPU_BOUND are starved by the input pipeline.
STARVED_GPU = 50.0
CPU_BOUND = 90.0
#: GPU memory or disk over this is nearly full.
FULL = 95.0
#: A host this many points from the others' median is far from them.
FAR = 30.0
#: Hosts listed as the furthest from the median in a spread.
OUTLIERS = 3
#: Values kept per host and metric for a sparkline.
HISTORY = 60

Points = Sequence[tuple[datetime, float]]


@dataclass(frozen=True)
class HostView:
    """One host: its latest value of each metric and the recent ones, per core / per GPU."""

    host: str
    latest: Mapping[str, float]
    history: Mapping[str, tuple[float, ...]]


@dataclass(frozen=True)
class Spread:
    """A metric over many hosts: lowest, median, highest, and the hosts furthest from the median."""

    metric: str
    low: float
    median: float
    high: float
    outliers: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class UtilisationWarning:
    """Something wrong, said plainly: ``GPUs under 20% for 5 minutes while Training``."""

    text: str
    metric: str
    host: str | None = None


@dataclass(frozen=True)
class Utilisation:
    """A job's hosts, the spread of each metric over them, and the warnings."""

    spec: InstanceSpec | None
    #: True when CPU and GPU figures are raw (0–100 × cores or GPUs): the type is not in the table.
    raw: bool
    hosts: tuple[HostView, ...]
    spreads: tuple[Spread, ...]
    warnings: tuple[UtilisationWarning, ...]

    def mean(self, metric: str) -> float | None:
        """The metric's latest value averaged over the hosts that report it."""
        values = [h.latest[metric] for h in self.hosts if metric in h.latest]
        return statistics.fmean(values) if values else None

    @property
    def headline(self) -> tuple[str, float] | None:
        """What the job list shows: mean GPU utilisation, or mean CPU where there is no GPU figure."""
        for metric in (GPU, CPU):
            value = self.mean(metric)
            if value is not None:
                return metric, value
        return None


def stages_of(response: Mapping[str, Any]) -> list[tuple[str, datetime, datetime | None]]:
    """A DescribeTrainingJob response's SecondaryStatusTransitions as (status, start, end or None)."""
    out = []
    for item in response.get("SecondaryStatusTransitions") or ():
        if isinstance(item, Mapping):
            start = as_datetime(item.get("StartTime"))
            if start is not None:
                out.append((str(item.get("Status", "")), start, as_datetime(item.get("EndTime"))))
    return out


def per_unit(metric: str, value: float, spec: InstanceSpec | None) -> float | None:
    """``value`` per core (CPUUtilization) or per GPU (GPUUtilization, GPUMemoryUtilization); None if unknown."""
    if metric in _PER_CORE:
        return value / spec.vcpus if spec and spec.vcpus else None
    if metric in _PER_GPU:
        return value / spec.accelerators if spec and spec.accelerators else None
    return value


def utilisation(
    series: Mapping[str, Mapping[str, Points]],
    spec: InstanceSpec | None,
    stages: Sequence[tuple[str, datetime, datetime | None]] = (),
) -> Utilisation:
    """Read the raw series of each host (host → metric → points, oldest first).

    ``stages`` are the job's secondary-status transitions as (status, start,
    end or None), which say when it was Training.
    """
    raw = spec is None
    scaled: dict[str, dict[str, list[tuple[datetime, float]]]] = {}
    for host, metrics in series.items():
        for metric, points in metrics.items():
            if metric not in HOST_METRICS:
                continue
            values = []
            for moment, value in points:
                unit = per_unit(metric, value, spec) if not raw else value
                if unit is not None:
                    values.append((moment, unit))
            if values:
                scaled.setdefault(host, {})[metric] = values
    hosts = tuple(
        HostView(
            host, {m: p[-1][1] for m, p in metrics.items()}, {m: _with_gaps(p)[-HISTORY:] for m, p in metrics.items()}
        )
        for host, metrics in sorted(scaled.items(), key=lambda item: _host_order(item[0]))
    )
    spreads = tuple(s for s in (_spread(hosts, m) for m in HOST_METRICS) if s is not None)
    warnings = () if raw else tuple(_warnings(scaled, hosts, spec, stages))
    return Utilisation(spec, raw, hosts, spreads, warnings)


def _with_gaps(points: Sequence[tuple[datetime, float]]) -> tuple[float, ...]:
    """The values, with NaN for each point missing from the regular spacing (an instance that was gone: a spot
    interruption), so a sparkline shows the gap instead of closing it up."""
    if len(points) < 3:
        return tuple(v for _, v in points)
    steps = sorted((b[0] - a[0]).total_seconds() for a, b in zip(points, points[1:]))
    step = steps[len(steps) // 2] or 1.0
    out: list[float] = [points[0][1]]
    for (before, _), (moment, value) in zip(points, points[1:]):
        missing = round((moment - before).total_seconds() / step) - 1
        out.extend([math.nan] * min(max(missing, 0), HISTORY))
        out.append(value)
    return tuple(out)


def _spread(hosts: Sequence[HostView], metric: str) -> Spread | None:
    values = [(h.host, h.latest[metric]) for h in hosts if metric in h.latest]
    if not values:
        return None
    numbers = [v for _, v in values]
    median = statistics.median(numbers)
    furthest = sorted(values, key=lambda hv: (-abs(hv[1] - median), _host_order(hv[0])))[:OUTLIERS]
    return Spread(metric, min(numbers), median, max(numbers), tuple(furthest))


def _warnings(
    scaled: Mapping[str, Mapping[str, list[tuple[datetime, float]]]],
    hosts: Sequence[HostView],
    spec: InstanceSpec | None,
    stages: Sequence[tuple[str, datetime, datetime | None]],
):
    training = [(start, end) for status, start, end in stages if status == "Training"]
    gpu = _job_mean(scaled, GPU)
    cpu = _job_mean(scaled, CPU)
    if spec is not None and spec.has_gpus and gpu:
        last = gpu[-1][0]
        window = [(t, v) for t, v in gpu if t > last - IDLE_WINDOW]
        # Points a minute apart: a window of five that all fall in Training and all idle.
        if (
            len(window) >= IDLE_WINDOW // timedelta(minutes=1)
            and all(_in(t, training) for t, _ in window)
            and all(v < IDLE_GPU for _, v in window)
        ):
            mean = statistics.fmean(v for _, v in window)
            yield UtilisationWarning(f"GPUs under {IDLE_GPU:.0f}% for 5 minutes while Training (mean {mean:.0f}%)", GPU)
        elif (
            cpu and cpu[-1][0] == last and _in(last, training) and gpu[-1][1] < STARVED_GPU and cpu[-1][1] >= CPU_BOUND
        ):
            yield UtilisationWarning(
                f"GPUs at {gpu[-1][1]:.0f}% while the CPUs are at {cpu[-1][1]:.0f}%: "
                "the input pipeline (data loading) is holding them back",
                GPU,
            )
    for metric, what in ((GPU_MEMORY, "GPU memory"), (DISK, "Disk")):
        for host in hosts:
            value = host.latest.get(metric)
            if value is not None and value > FULL:
                yield UtilisationWarning(f"{what} at {value:.0f}% on {host.host}", metric, host.host)
    yield from _far_hosts(hosts, GPU if any(GPU in h.latest for h in hosts) else CPU)


def _far_hosts(hosts: Sequence[HostView], metric: str):
    values = [(h.host, h.latest[metric]) for h in hosts if metric in h.latest]
    if len(values) < 3:
        return  # with two hosts, neither is "the odd one out"
    median = statistics.median(v for _, v in values)
    far = sorted((hv for hv in values if abs(hv[1] - median) >= FAR), key=lambda hv: -abs(hv[1] - median))
    for host, value in far[:OUTLIERS]:
        yield UtilisationWarning(
            f"{host} far from the others: {SHORT_NAMES[metric]} {value:.0f}%, median {median:.0f}%", metric, host
        )


def _job_mean(
    scaled: Mapping[str, Mapping[str, list[tuple[datetime, float]]]], metric: str
) -> list[tuple[datetime, float]]:
    """The metric averaged over the hosts at each moment, oldest first."""
    by_time: dict[datetime, list[float]] = {}
    for metrics in scaled.values():
        for moment, value in metrics.get(metric, ()):
            by_time.setdefault(moment, []).append(value)
    return [(t, statistics.fmean(v)) for t, v in sorted(by_time.items())]


def _in(moment: datetime, windows: Sequence[tuple[datetime, datetime | None]]) -> bool:
    # A point stamped t covers the minute from t; it is Training's if that minute starts in Training.
    return any(start <= moment and (end is None or moment < end) for start, end in windows)


def _host_order(host: str) -> tuple[int, str]:
    """``algo-2`` before ``algo-10``."""
    head, _, number = host.rpartition("-")
    return (int(number), head) if number.isdigit() else (0, host)
