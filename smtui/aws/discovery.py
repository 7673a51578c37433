"""Finding the jobs to watch: ListTrainingJobs with filters, or the training jobs of a tuning job.

A :class:`JobFinder` lists once at start and then again every so often; each
call of :meth:`JobFinder.find` returns only the jobs it has not returned
before, so new jobs that match keep appearing while the app runs. A job that
stops matching (it was running and has ended) is not taken back: the user
wants to see how it ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from smtui.aws.errors import NOT_FOUND, NotFound, explain
from smtui.aws.source import every_page
from smtui.clock import Clock, SystemClock

#: The statuses ListTrainingJobs can filter on (``Deleting`` is left out: nothing to watch).
STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")
#: With no job names and no filter: the jobs running now, and those created in the last day.
DEFAULT_SINCE = 86400.0
#: The most jobs one listing brings in, newest first; beyond it the user is asked to narrow the filter.
DEFAULT_LIMIT = 1000
#: The tuning statuses after which no new training job appears.
TUNING_ENDED = ("Completed", "Failed", "Stopped")


class ListingSource(Protocol):
    """What the finder needs from AWS (an :class:`~smtui.aws.source.AwsJobSource`)."""

    async def list_training_jobs(self, filters: dict[str, Any], token: str | None = None) -> dict: ...

    async def describe_tuning_job(self, name: str) -> dict: ...

    async def list_tuning_training_jobs(self, name: str, token: str | None = None,
                                        status: str | None = None) -> dict: ...


@dataclass(frozen=True)
class JobQuery:
    """Which jobs to find. No field set means: running now, or created in the last day."""

    status: str | None = None
    name_contains: str | None = None
    #: Created at most this many seconds before the first listing.
    since: float | None = None
    tuning_job: str | None = None

    @property
    def is_default(self) -> bool:
        return self == JobQuery()

    def label(self) -> str:
        """What the title bar says is being watched: ``running or created in the last 1d``."""
        from smtui.present.durations import compact_duration

        if self.is_default:
            return f"running or created in the last {compact_duration(DEFAULT_SINCE)}"
        parts = []
        if self.tuning_job:
            parts.append(f"tuning job {self.tuning_job}")
        if self.status:
            parts.append(f"status {self.status}")
        if self.name_contains:
            parts.append(f"name has {self.name_contains}")
        if self.since:
            parts.append(f"created in the last {compact_duration(self.since)}")
        return " · ".join(parts)


@dataclass(frozen=True)
class Objective:
    """A tuning job's objective metric and which way is better."""

    metric: str
    maximize: bool


@dataclass(frozen=True)
class TuningState:
    """What DescribeHyperParameterTuningJob said, in the terms the list shows."""

    name: str
    status: str
    objective: Objective | None
    #: The best training job so far and its objective value.
    best_job: str | None = None
    best_value: float | None = None
    #: Training jobs by status (TrainingJobStatusCounters), and the most there will be.
    counts: dict[str, int] = field(default_factory=dict)
    max_jobs: int | None = None
    #: The names of the hyperparameters it tunes (its ParameterRanges), in the order given.
    parameters: tuple[str, ...] = ()

    @classmethod
    def from_response(cls, response: dict) -> TuningState:
        config = response.get("HyperParameterTuningJobConfig") or {}
        target = config.get("HyperParameterTuningJobObjective") or {}
        objective = None
        if isinstance(target.get("MetricName"), str):
            objective = Objective(target["MetricName"], target.get("Type") != "Minimize")
        best = response.get("BestTrainingJob") or {}
        final = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
        value = final.get("Value")
        counters = response.get("TrainingJobStatusCounters") or {}
        limits = config.get("ResourceLimits") or {}
        ranges = config.get("ParameterRanges") or {}
        parameters = tuple(dict.fromkeys(
            str(entry["Name"]) for kind in ("IntegerParameterRanges", "ContinuousParameterRanges",
                                            "CategoricalParameterRanges")
            for entry in ranges.get(kind) or () if isinstance(entry, dict) and entry.get("Name")))
        return cls(
            name=str(response.get("HyperParameterTuningJobName", "")),
            status=str(response.get("HyperParameterTuningJobStatus", "")),
            objective=objective,
            best_job=best.get("TrainingJobName") if isinstance(best.get("TrainingJobName"), str) else None,
            best_value=float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None,
            counts={k: v for k, v in counters.items() if isinstance(v, int)},
            max_jobs=limits.get("MaxNumberOfTrainingJobs") if isinstance(limits.get("MaxNumberOfTrainingJobs"), int) else None,
            parameters=parameters,
        )

    @property
    def ended(self) -> bool:
        return self.status in TUNING_ENDED

    @property
    def launched(self) -> int:
        """Training jobs launched so far."""
        return sum(self.counts.values())


class JobFinder:
    """Lists the jobs a :class:`JobQuery` asks for, every page, and reports each job once.

    Args:
        source: the AWS calls.
        query: which jobs.
        clock: tells the time ``since`` counts back from.
        limit: the most jobs a listing brings in (the newest); :attr:`truncated` says when it cut.
    """

    def __init__(self, source: ListingSource, query: JobQuery, *, clock: Clock | None = None,
                 limit: int = DEFAULT_LIMIT) -> None:
        self.source = source
        self.query = query
        self.clock = clock or SystemClock()
        self.limit = limit
        #: Every job reported so far.
        self.seen: set[str] = set()
        #: The newest CreationTime among the jobs seen: later listings ask only for jobs after it.
        self.newest: datetime | None = None
        self.tuning: TuningState | None = None
        #: Whether the last listing had more matching jobs than ``limit``.
        self.truncated = False
        self._started: datetime | None = None

    @property
    def newest_first(self) -> bool:
        """Whether :meth:`find` returns jobs newest first (a listing) or oldest first (a tuning job's)."""
        return not self.query.tuning_job

    @property
    def done(self) -> bool:
        """Whether no new job can appear any more: the tuning job had ended when its jobs were last listed."""
        return self.tuning is not None and self.tuning.ended

    async def find(self) -> list[str]:
        """The matching jobs not reported before, in the order :attr:`newest_first` says."""
        if self._started is None:
            self._started = self.clock.now()
        if self.query.tuning_job:
            summaries = await self._tuning_jobs()
        else:
            summaries = await self._listed_jobs()
        fresh = []
        for summary in summaries:
            name = summary.get("TrainingJobName")
            if not isinstance(name, str) or name in self.seen:
                continue
            fresh.append(name)
            self.seen.add(name)
            created = summary.get("CreationTime")
            if isinstance(created, datetime) and (self.newest is None or created > self.newest):
                self.newest = created
        return fresh

    # -- ListTrainingJobs ----------------------------------------------------------------

    def _filters(self) -> list[dict[str, Any]]:
        """The ListTrainingJobs requests (one, or two for the default) whose union is the query."""
        query = self.query
        assert self._started is not None
        if query.is_default:
            return [{"StatusEquals": "InProgress"},
                    {"CreationTimeAfter": self._started - timedelta(seconds=DEFAULT_SINCE)}]
        filters: dict[str, Any] = {}
        if query.status:
            filters["StatusEquals"] = query.status
        if query.name_contains:
            filters["NameContains"] = query.name_contains
        if query.since:
            filters["CreationTimeAfter"] = self._started - timedelta(seconds=query.since)
        return [filters]

    async def _listed_jobs(self) -> list[dict]:
        found: dict[str, dict] = {}
        self.truncated = False
        for filters in self._filters():
            if "StatusEquals" not in filters and self.newest is not None:
                # Nothing about an older job that did not match can change: only newer jobs are news.
                # The bound is exclusive, and jobs created in the same second as the newest are seen already.
                after = self.newest - timedelta(seconds=1)
                filters["CreationTimeAfter"] = max(filters.get("CreationTimeAfter", after), after)
            for summary in await self._pages(filters):
                found.setdefault(summary.get("TrainingJobName"), summary)
        summaries = sorted(found.values(), key=_created, reverse=True)
        if len(summaries) > self.limit:
            self.truncated = True
            summaries = summaries[: self.limit]
        return summaries

    async def _pages(self, filters: dict[str, Any]) -> list[dict]:
        """Every page of one listing (newest first, ListTrainingJobs' default), up to ``limit`` jobs."""
        out: list[dict] = []
        async for page in every_page(lambda token: self.source.list_training_jobs(filters, token)):
            out.extend(_summaries(page))
            if len(out) > self.limit:
                break
        return out

    # -- a tuning job's training jobs --------------------------------------------------

    async def _tuning_jobs(self) -> list[dict]:
        query = self.query
        assert query.tuning_job is not None and self._started is not None
        try:
            response = await self.source.describe_tuning_job(query.tuning_job)
        except Exception as exc:
            if explain(exc).kind == NOT_FOUND:
                raise NotFound(f"tuning job {query.tuning_job} not found: check the name and the region") from exc
            raise
        self.tuning = TuningState.from_response(response)
        out: list[dict] = []
        async for page in every_page(
                lambda token: self.source.list_tuning_training_jobs(query.tuning_job, token, query.status)):
            out.extend(_summaries(page))
        if query.name_contains:
            out = [s for s in out if query.name_contains.lower() in str(s.get("TrainingJobName", "")).lower()]
        if query.since:
            floor = self._started - timedelta(seconds=query.since)
            out = [s for s in out if isinstance(s.get("CreationTime"), datetime) and s["CreationTime"] > floor]
        return sorted(out, key=_created)


def _summaries(page: dict) -> list[dict]:
    return [s for s in page.get("TrainingJobSummaries") or () if isinstance(s, dict)]


def _created(summary: dict) -> tuple:
    created = summary.get("CreationTime")
    return (created.timestamp() if isinstance(created, datetime) else 0.0, str(summary.get("TrainingJobName", "")))
