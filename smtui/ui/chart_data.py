"""The metrics view's charts, worked out from the store's view and the fetched history: no Textual here.

A job's series are its fetched history (from the job's start) followed by the
poller's points (which keep it growing). x is either seconds since training
started, which lines several jobs up, or the wall clock (epoch seconds).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from smtui.aws.discovery import Objective
from smtui.aws.history import MetricHistory, merged
from smtui.aws.snapshot import MetricPoint
from smtui.aws.store import JobState, JobsView
from smtui.present.chart import Series
from smtui.present.metric_kinds import DOWN, UP, chart_groups, direction, group_title

#: Keys that name the jobs of a comparison on their lines and in the legend, in turn.
JOB_KEYS = "123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class ChartSpec:
    """One chart to draw: its title, its series, and the whole x range of its data."""

    title: str
    series: tuple[Series, ...]
    x_range: tuple[float, float]
    x_kind: str


def metric_direction(metric: str, objective: Objective | None = None) -> int:
    """Which way ``metric`` is better: as the tuning job says for its objective, else as its name says."""
    if objective is not None and metric == objective.metric:
        return UP if objective.maximize else DOWN
    return direction(metric)


def job_metrics(state: JobState) -> tuple[str, ...]:
    """The metrics a job defines, then any it reports only a final value of."""
    snapshot = state.snapshot
    if snapshot is None:
        return tuple(state.series)
    return tuple(dict.fromkeys([*snapshot.metric_names, *state.series, *snapshot.final_metrics]))


def reported_metrics(view: JobsView, names: Iterable[str] | None = None) -> list[str]:
    """The metrics the jobs report, those most jobs report first (then in the order first met)."""
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for name in view.names if names is None else names:
        state = view.get(name)
        if state is None:
            continue
        for metric in job_metrics(state):
            counts[metric] += 1
            order.setdefault(metric, len(order))
    return sorted(counts, key=lambda m: (-counts[m], order[m]))


def points_of(state: JobState, metric: str, history: MetricHistory | None) -> tuple[MetricPoint, ...]:
    """One series of a job: its fetched history, then what the poller holds."""
    fetched = history.points(state.name, metric) if history is not None else ()
    return merged(fetched, state.points(metric))


def training_start(state: JobState) -> datetime | None:
    """When the job's training started (its creation, before that is known)."""
    return state.snapshot.started_at if state.snapshot is not None else None


def _xy(points: Sequence[MetricPoint], start: datetime | None, clock: bool) -> tuple[tuple[float, float], ...]:
    if clock or start is None:
        return tuple((p.timestamp.timestamp(), p.value) for p in points)
    return tuple(((p.timestamp - start).total_seconds(), p.value) for p in points)


def _x_range(series: Sequence[Series], clock: bool, starts: Sequence[datetime | None]) -> tuple[float, float]:
    ends = [s.points[-1][0] for s in series if s.points]
    if clock:
        known = [s.timestamp() for s in starts if s is not None]
        firsts = [s.points[0][0] for s in series if s.points]
        low = min(known + firsts) if known or firsts else 0.0
        return low, max(ends + [low + 1.0])
    return 0.0, max(ends + [1.0])


def job_charts(
    state: JobState, history: MetricHistory | None, *, clock: bool, objective: Objective | None = None
) -> list[ChartSpec]:
    """A chart per metric of one job, the metrics that differ only in their data set (``train:loss`` and
    ``validation:loss``) on one; metrics with only a final value are left out (see :func:`final_only`)."""
    start = training_start(state)
    with_points = [m for m in job_metrics(state) if points_of(state, m, history)]
    charts = []
    for group in chart_groups(with_points):
        series = tuple(
            Series(
                metric,
                _xy(points_of(state, metric, history), start, clock),
                direction=metric_direction(metric, objective),
                style=index,
            )
            for index, metric in enumerate(group)
        )
        charts.append(
            ChartSpec(group_title(group), series, _x_range(series, clock, [start]), "clock" if clock else "elapsed")
        )
    return charts


def final_only(state: JobState, history: MetricHistory | None) -> list[tuple[str, float]]:
    """The metrics a job reports only a final value of (FinalMetricDataList, no CloudWatch points)."""
    snapshot = state.snapshot
    if snapshot is None:
        return []
    return [(m, v) for m, v in snapshot.final_metrics.items() if not points_of(state, m, history)]


def compare_chart(
    states: Sequence[JobState],
    metric: str,
    history: MetricHistory | None,
    *,
    clock: bool,
    objective: Objective | None = None,
) -> ChartSpec:
    """One metric of several jobs on one chart, a colour and a key each; lined up by time since each job's
    training started (or on the wall clock)."""
    series = []
    starts = []
    for index, state in enumerate(states):
        start = training_start(state)
        starts.append(start)
        series.append(
            Series(
                state.name,
                _xy(points_of(state, metric, history), start, clock),
                direction=metric_direction(metric, objective),
                style=index,
                key=JOB_KEYS[index % len(JOB_KEYS)],
            )
        )
    arrow = {UP: " ↑", DOWN: " ↓"}.get(metric_direction(metric, objective), "")
    return ChartSpec(
        f"{metric}{arrow} · {len(states)} jobs",
        tuple(series),
        _x_range(series, clock, starts),
        "clock" if clock else "elapsed",
    )


def launch_order(states: Iterable[JobState]) -> list[JobState]:
    """Jobs in the order they were created (those not described yet last, in the order given)."""
    indexed = list(enumerate(states))

    def key(item: tuple[int, JobState]) -> tuple:
        created = item[1].snapshot.time("CreationTime") if item[1].snapshot is not None else None
        return (created is None, created.timestamp() if created else 0.0, item[0])

    return [state for _, state in sorted(indexed, key=key)]


def objective_chart(states: Iterable[JobState], objective: Objective) -> ChartSpec:
    """A tuning job's objective: each training job's value against its launch order, and the best so far as a
    step line."""
    ordered = launch_order(states)
    points: list[tuple[float, float]] = []
    best: list[tuple[float, float]] = []
    so_far: float | None = None
    for index, state in enumerate(ordered, start=1):
        value = state.latest(objective.metric)
        if value is None or not math.isfinite(value):
            continue
        points.append((float(index), value))
        if so_far is None or (value > so_far if objective.maximize else value < so_far):
            so_far = value
        best.append((float(index), so_far))
    if best:
        best.append((len(ordered) + 0.5, best[-1][1]))  # the best so far holds to the last job launched
    way = UP if objective.maximize else DOWN
    series = (
        Series(f"{objective.metric} of each job", tuple(points), kind="points", direction=way, style=0),
        Series("best so far", tuple(best), kind="step", direction=way, style=1),
    )
    arrow = "↑" if objective.maximize else "↓"
    return ChartSpec(
        f"{objective.metric} {arrow} by launch order · best so far", series, (0.5, max(len(ordered), 1) + 0.5), "count"
    )
