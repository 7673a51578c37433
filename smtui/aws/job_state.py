"""One watched job's state (its last answer, why its last poll failed, its series, its hosts and price), and
the facts derived from it: how it counts, how it sorts, what its row shows. Held by the
:class:`~smtui.aws.store.JobStore`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from types import MappingProxyType

from smtui.aws.discovery import Objective
from smtui.aws.errors import NOT_FOUND, PollError
from smtui.aws.snapshot import JobSnapshot, MetricPoint
from smtui.present.cost import Billing, PriceAnswer, billing, instance_type
from smtui.present.instance_types import instance_spec
from smtui.present.metric_kinds import UP, direction
from smtui.present.summary import JobSummary, MetricGlance, metric_glances, summarize
from smtui.present.utilisation import Utilisation, stages_of, utilisation

_NO_SERIES: Mapping[str, tuple[MetricPoint, ...]] = MappingProxyType({})
_NO_HOSTS: Mapping[str, Mapping[str, tuple[MetricPoint, ...]]] = MappingProxyType({})
#: Points kept per host and metric: a sparkline's worth of minutes.
HOST_POINTS = 60

#: How a job counts in the title, in the order the counts are said. A job whose poll failed
#: before any answer is "waiting"; one SageMaker does not know is "not found".
PHASES = ("running", "stopping", "failed", "stopped", "completed", "other", "waiting", "not found")
_PHASE_OF_STATUS = {
    "InProgress": "running",
    "Stopping": "stopping",
    "Failed": "failed",
    "Stopped": "stopped",
    "Completed": "completed",
}

#: How the job list can be sorted: as given, by name, by status (running first, then failed,
#: stopped, completed), by elapsed time (longest first), by metric (lowest first; for a tuning
#: job's objective, best first), by utilisation (the idlest running job first), by cost (highest first).
SORTS = ("given", "name", "status", "elapsed", "metric", "util", "cost")
#: The status sort's order; other statuses, and jobs with no answer, go after these.
STATUS_ORDER = {"InProgress": 0, "Stopping": 1, "Failed": 2, "Stopped": 3, "Completed": 4}


@dataclass(frozen=True)
class JobState:
    """Everything known about one watched job: its last answer, why the last poll failed, its metric series."""

    name: str
    #: The last good DescribeTrainingJob answer (kept when a later poll fails).
    snapshot: JobSnapshot | None = None
    #: Why the last poll failed; None once a poll succeeds.
    error: PollError | None = None
    #: Each CloudWatch series of the job, oldest point first.
    series: Mapping[str, tuple[MetricPoint, ...]] = field(default_factory=lambda: _NO_SERIES)
    #: Each instance's utilisation series (host → metric → the newest points, oldest first).
    hosts: Mapping[str, Mapping[str, tuple[MetricPoint, ...]]] = field(default_factory=lambda: _NO_HOSTS)
    #: The on-demand price of the job's instance type in its region, or why there is none (None: not asked yet).
    price: PriceAnswer | None = None

    @property
    def price_key(self) -> tuple[str, str] | None:
        """(region, instance type) the job's price depends on; None before its first answer."""
        if self.snapshot is None:
            return None
        kind = instance_type(self.snapshot.response)
        parts = str(self.snapshot.response.get("TrainingJobArn", "")).split(":")
        region = parts[3] if len(parts) >= 6 else ""
        return (region, kind) if kind and region else None

    def utilisation(self) -> Utilisation:
        """Its hosts' utilisation, per core and per GPU, with the spread and the warnings."""
        response = self.snapshot.response if self.snapshot is not None else {}
        series = {
            host: {metric: [(p.timestamp, p.value) for p in points] for metric, points in metrics.items()}
            for host, metrics in self.hosts.items()
        }
        return utilisation(series, instance_spec(instance_type(response)), stages_of(response))

    def list_utilisation(self) -> tuple[str, float, bool] | None:
        """What the job list says of a running job's instances: GPUUtilization (or CPUUtilization where there is
        no GPU figure), averaged over its hosts, and whether something is wrong with them; None otherwise."""
        return self._list_utilisation

    @cached_property
    def _list_utilisation(self) -> tuple[str, float, bool] | None:
        # Worked out once per state: a row's clock ticks every second, its hosts' points change once a minute.
        if not self.hosts or self.is_terminal:
            return None
        view = self.utilisation()
        head = view.headline
        return None if head is None else (head[0], head[1], bool(view.warnings))

    def cost(self, now: datetime) -> Billing:
        """Its billable time and cost at ``now`` (the cost None, with the reason, when there is no price)."""
        return billing(self.snapshot.response if self.snapshot is not None else {}, now, self.price)

    def summary(self, now: datetime) -> JobSummary | None:
        """The job at a glance at ``now`` (None before its first answer)."""
        if self.snapshot is None:
            return None
        return summarize(self.snapshot.response, now, self.price, metrics=self._metric_glances)

    @cached_property
    def _metric_glances(self) -> tuple[MetricGlance, ...]:
        """Each metric's latest and best value: once per state, not once a second (a week of points is 10,080)."""
        series = {name: [(p.timestamp, p.value) for p in points] for name, points in self.series.items()}
        return metric_glances(self.snapshot.response if self.snapshot is not None else {}, series)

    @property
    def not_found(self) -> bool:
        """SageMaker does not know the job (and never answered for it)."""
        return self.snapshot is None and self.error is not None and self.error.kind == NOT_FOUND

    @property
    def failing(self) -> bool:
        """The last poll failed for a reason other than the job not existing: what is shown is not current."""
        return self.error is not None and not self.not_found

    @property
    def stale(self) -> bool:
        """The job has an answer, but the last poll failed: what is shown is the last answer."""
        return self.snapshot is not None and self.error is not None

    @property
    def phase(self) -> str:
        """How the job counts: one of :data:`PHASES`."""
        if self.not_found:
            return "not found"
        status = self.snapshot.status if self.snapshot is not None else None
        if status is None:
            return "waiting"
        return _PHASE_OF_STATUS.get(status, "other")

    @property
    def is_terminal(self) -> bool:
        """The job has ended: it will not change again."""
        return self.snapshot is not None and self.snapshot.is_terminal

    def points(self, metric: str) -> tuple[MetricPoint, ...]:
        """The known points of one series, oldest first."""
        return self.series.get(metric, ())

    def latest(self, metric: str) -> float | None:
        """The metric's value now: the final value SageMaker reports once there is one, else the newest point."""
        if self.snapshot is not None and metric in self.snapshot.final_metrics:
            return self.snapshot.final_metrics[metric]
        points = self.series.get(metric)
        return points[-1].value if points else None

    def shown_metric(self, objective: Objective | None = None, metric: str | None = None) -> tuple[str, float] | None:
        """The metric the job list shows, with its value: the one chosen (``metric``), the tuning objective, or
        else the job's first metric (or, when that has no value yet, its first final metric)."""
        if metric is not None:
            value = self.latest(metric)
            return None if value is None else (metric, value)
        if objective is not None:
            value = self.latest(objective.metric)
            return None if value is None else (objective.metric, value)
        snapshot = self.snapshot
        if snapshot is None:
            return None
        if snapshot.metric_names:
            first = snapshot.metric_names[0]
            value = self.latest(first)
            if value is not None:
                return first, value
        return next(iter(snapshot.final_metrics.items()), None)

    def sort_key(
        self, by: str, now: datetime | None, objective: Objective | None = None, metric: str | None = None
    ) -> tuple:
        """What the job list sorts on for each of :data:`SORTS` but "given"; ties go by name. By metric: the
        one chosen (``metric``, best first when its name says which way is better, else lowest first), or the
        tuning objective (best first), or each job's first metric (lowest first)."""
        if by == "status":
            status = self.snapshot.status if self.snapshot is not None else None
            return STATUS_ORDER.get(status or "", len(STATUS_ORDER)), self.name
        if by == "elapsed":
            elapsed = self.snapshot.elapsed(now) if self.snapshot is not None and now is not None else None
            return -elapsed.total_seconds() if elapsed is not None else 0.0, self.name
        if by == "util":
            util = self.list_utilisation()
            return (util is None, util[1] if util else 0.0, self.name)
        if by == "cost":
            cost = self.cost(now).cost_usd if self.snapshot is not None and now is not None else None
            return (cost is None, -(cost or 0.0), self.name)
        if by == "metric":
            shown = self.shown_metric(objective, metric)
            if shown is None or math.isnan(shown[1]):
                return True, 0.0, self.name
            sign = -1.0 if maximize_first(objective, metric) else 1.0
            return False, sign * shown[1], self.name
        return (self.name,)


def maximize_first(objective: Objective | None, metric: str | None = None) -> bool:
    """Whether sorting by metric puts the highest first: for a chosen metric whose name says higher is better
    (or that is the objective of a tuning job maximizing it), or for a tuning job's objective it maximizes."""
    if metric is not None:
        if objective is not None and objective.metric == metric:
            return objective.maximize
        return direction(metric) == UP
    return objective is not None and objective.maximize
