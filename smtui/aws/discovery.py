"""Finding the jobs to watch: ListTrainingJobs with filters, or the training jobs of a tuning job.

A :class:`JobFinder` lists once at start and then again every so often; each
call of :meth:`JobFinder.find` returns only the jobs it has not returned
before, so new jobs that match keep appearing while the app runs. A job that
stops matching (it was running and has ended) is not taken back: the user
wants to see how it ended.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from smtui.aws.budget import RequestBudget
from smtui.aws.calls import ListingSource
from smtui.aws.errors import NOT_FOUND, NotFound, explain
from smtui.aws.source import LIST_PAGE, every_page
from smtui.clock import Clock, SystemClock

#: The statuses ListTrainingJobs can filter on (``Deleting`` is left out: nothing to watch).
STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")
#: With no job names and no filter: the jobs running now, and those created in the last day.
DEFAULT_SINCE = 86400.0
#: The most jobs one listing brings in, newest first; beyond it the user is asked to narrow the filter.
DEFAULT_LIMIT = 1000
#: The tuning statuses after which no new training job appears.
TUNING_ENDED = ("Completed", "Failed", "Stopped")
#: Listing calls a second at most: SageMaker allows ListTrainingJobs 2 a second per account and region, shared
#: by every client of the account.
LIST_RPS = 1.0


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
        parameters = tuple(
            dict.fromkeys(
                str(entry["Name"])
                for kind in ("IntegerParameterRanges", "ContinuousParameterRanges", "CategoricalParameterRanges")
                for entry in ranges.get(kind) or ()
                if isinstance(entry, dict) and entry.get("Name")
            )
        )
        return cls(
            name=str(response.get("HyperParameterTuningJobName", "")),
            status=str(response.get("HyperParameterTuningJobStatus", "")),
            objective=objective,
            best_job=best.get("TrainingJobName") if isinstance(best.get("TrainingJobName"), str) else None,
            best_value=float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None,
            counts={k: v for k, v in counters.items() if isinstance(v, int)},
            max_jobs=(
                limits.get("MaxNumberOfTrainingJobs")
                if isinstance(limits.get("MaxNumberOfTrainingJobs"), int)
                else None
            ),
            parameters=parameters,
        )

    @property
    def ended(self) -> bool:
        return self.status in TUNING_ENDED

    @property
    def launched(self) -> int:
        """Training jobs launched so far."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class _Listing:
    """One ListTrainingJobs listing: the filters the service applies, and those checked here."""

    filters: dict[str, Any] = field(default_factory=dict)
    #: Only jobs created after this; the listing ends at the first page that reaches older ones.
    bound: datetime | None = None
    status: str | None = None
    name: str | None = None

    def matches(self, summary: dict) -> bool:
        created = summary.get("CreationTime")
        if self.bound is not None and isinstance(created, datetime) and created <= self.bound:
            return False
        if self.status and summary.get("TrainingJobStatus") != self.status:
            return False
        return not self.name or self.name.lower() in str(summary.get("TrainingJobName", "")).lower()


def listing_budget(shared: Callable[[], Awaitable[Any]] | None = None) -> Callable[[], Awaitable[None]]:
    """What a :class:`JobFinder` awaits before each call: a slot at LIST_RPS, then one of ``shared`` (the
    request budget every poll shares)."""
    own = RequestBudget(LIST_RPS)

    async def acquire() -> None:
        await own.acquire()
        if shared is not None:
            await shared()

    return acquire


class JobFinder:
    """Lists the jobs a :class:`JobQuery` asks for, every page, and reports each job once.

    Args:
        source: the AWS calls.
        query: which jobs.
        clock: tells the time ``since`` counts back from.
        limit: the most jobs a listing brings in (the newest); :attr:`truncated` says when it cut.
        budget: awaited before each call (by default, :func:`listing_budget` without a shared budget).
        place: the account and region listed, when several are (see :mod:`smtui.aws.places`).
    """

    def __init__(
        self,
        source: ListingSource,
        query: JobQuery,
        *,
        clock: Clock | None = None,
        limit: int = DEFAULT_LIMIT,
        budget: Callable[[], Awaitable[Any]] | None = None,
        place: str = "",
    ) -> None:
        self.source = source
        self.query = query
        self.place = place
        self.clock = clock or SystemClock()
        self.limit = limit
        #: Every job reported so far.
        self.seen: set[str] = set()
        #: The newest CreationTime among the jobs seen: later listings ask only for jobs after it.
        self.newest: datetime | None = None
        self.tuning: TuningState | None = None
        #: Whether the last listing had more matching jobs than ``limit``.
        self.truncated = False
        self.budget = budget if budget is not None else listing_budget()
        #: Calls made; whether the service was seen to sort newest first, as asked (None: not known yet).
        self.calls = 0
        self.descending: bool | None = None
        self._started: datetime | None = None
        self._on_page: Callable[[list[dict]], None] | None = None
        self._reported: set[str] = set()

    @property
    def newest_first(self) -> bool:
        """Whether :meth:`find` returns jobs newest first (a listing) or oldest first (a tuning job's)."""
        return not self.query.tuning_job

    @property
    def done(self) -> bool:
        """Whether no new job can appear any more: the tuning job had ended when its jobs were last listed."""
        return self.tuning is not None and self.tuning.ended

    async def find(self, on_page: Callable[[list[dict]], None] | None = None) -> list[str]:
        """The matching jobs not reported before, in the order :attr:`newest_first` says.

        ``on_page`` hears each page's matching summaries (ListTrainingJobs' own:
        status, stage, creation, end and modification times) as it comes, up to
        ``limit`` jobs, jobs reported before included, so that rows show before
        the listing ends. A tuning job's training jobs are said once, in launch
        order, when all are listed.
        """
        if self._started is None:
            self._started = self.clock.now()
        self._on_page, self._reported = on_page, set()
        try:
            if self.query.tuning_job:
                summaries = await self._tuning_jobs()
                self._report(summaries)
            else:
                summaries = await self._listed_jobs()
        finally:
            self._on_page = None
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

    def _listings(self) -> list[_Listing]:
        """The ListTrainingJobs listings whose union is the query.

        A listing with a creation bound asks only for CreationTimeAfter and
        checks the other filters itself: sorted newest first, as it asks, a
        page the service filtered after cutting it (as SageMaker documents
        for StatusEquals) is short only where the bound cut it, so the
        listing ends there instead of paging through every older job. One
        without a bound passes its filters on and follows every page.
        """
        query = self.query
        assert self._started is not None
        # Nothing about an older job that did not match can change, unless a status is asked for that a job
        # reaches later (InProgress is only ever left): then only newer jobs are news. The bound is exclusive,
        # and jobs created in the same second as the newest are seen already.
        newer = (
            self.newest - timedelta(seconds=1)
            if self.newest is not None and query.status in (None, "InProgress")
            else None
        )
        if query.is_default:
            day = self._started - timedelta(seconds=DEFAULT_SINCE)
            if newer is not None:
                return [_Listing(bound=max(newer, day))]  # a new job is running or of the last day, or both
            return [_Listing({"StatusEquals": "InProgress"}), _Listing(bound=day)]
        since = self._started - timedelta(seconds=query.since) if query.since else None
        bounds = [b for b in (since, newer) if b is not None]
        if bounds:
            return [_Listing(bound=max(bounds), status=query.status, name=query.name_contains)]
        filters: dict[str, Any] = {}
        if query.status:
            filters["StatusEquals"] = query.status
        if query.name_contains:
            filters["NameContains"] = query.name_contains
        return [_Listing(filters)]

    async def _listed_jobs(self) -> list[dict]:
        found: dict[str, dict] = {}
        self.truncated = False
        for listing in self._listings():
            for summary in await self._pages(listing):
                found.setdefault(summary.get("TrainingJobName"), summary)
        summaries = sorted(found.values(), key=_created, reverse=True)
        if len(summaries) > self.limit:
            self.truncated = True
            summaries = summaries[: self.limit]
        return summaries

    async def _pages(self, listing: _Listing) -> list[dict]:
        """The pages of one listing, newest first, up to ``limit`` jobs, each call within the budget."""
        request = {**listing.filters, "SortBy": "CreationTime", "SortOrder": "Descending"}
        if listing.bound is not None:
            request["CreationTimeAfter"] = listing.bound
        out: list[dict] = []
        async for page in every_page(lambda token: self._call(self.source.list_training_jobs(request, token))):
            summaries = page_summaries(page)
            self._note_order(summaries)
            matching = [s for s in summaries if listing.matches(s)]
            out.extend(matching)
            self._report(matching)
            if len(out) > self.limit:
                break
            if listing.bound is not None and self.descending and reaches_bound(summaries, listing.bound):
                break  # the rest is older than the bound
        return out

    def _report(self, summaries: list[dict]) -> None:
        """Tell ``on_page`` of summaries not told yet in this round, up to ``limit`` jobs."""
        if self._on_page is None:
            return
        room = self.limit - len(self._reported)
        told = []
        for summary in summaries:
            name = summary.get("TrainingJobName")
            if room <= 0:
                break
            if isinstance(name, str) and name not in self._reported:
                self._reported.add(name)
                told.append(summary)
                room -= 1
        if told:
            self._on_page(told)

    def _note_order(self, summaries: list[dict]) -> None:
        """Learn from a page whether the service sorts as asked (moto's server, for one, does not)."""
        order = newest_first(summaries)
        if order is not None and self.descending is not False:
            self.descending = order

    async def _call(self, call: Awaitable[dict]) -> dict:
        try:
            await self.budget()
        except BaseException:
            call.close()  # type: ignore[attr-defined]
            raise
        self.calls += 1
        return await call

    # -- a tuning job's training jobs --------------------------------------------------

    async def _tuning_jobs(self) -> list[dict]:
        query = self.query
        assert query.tuning_job is not None and self._started is not None
        try:
            response = await self._call(self.source.describe_tuning_job(query.tuning_job))
        except Exception as exc:
            if explain(exc).kind == NOT_FOUND:
                raise NotFound(f"tuning job {query.tuning_job} not found: check the name and the region") from exc
            raise
        self.tuning = TuningState.from_response(response)
        out: list[dict] = []
        async for page in every_page(
            lambda token: self._call(self.source.list_tuning_training_jobs(query.tuning_job, token, query.status))
        ):
            out.extend(page_summaries(page))
        if query.name_contains:
            out = [s for s in out if query.name_contains.lower() in str(s.get("TrainingJobName", "")).lower()]
        if query.since:
            floor = self._started - timedelta(seconds=query.since)
            out = [s for s in out if isinstance(s.get("CreationTime"), datetime) and s["CreationTime"] > floor]
        return sorted(out, key=_created)


def page_summaries(page: dict) -> list[dict]:
    return [s for s in page.get("TrainingJobSummaries") or () if isinstance(s, dict)]


def newest_first(summaries: list[dict]) -> bool | None:
    """Whether a page is sorted newest first, by its first and last creation times (None: it cannot tell)."""
    times = [s["CreationTime"] for s in summaries if isinstance(s.get("CreationTime"), datetime)]
    return times[0] > times[-1] if len(set(times)) > 1 else None


def reaches_bound(summaries: list[dict], bound: datetime) -> bool:
    """Whether a page of a listing sorted newest first and bounded by ``bound`` is its last: short (SageMaker
    filters a page after cutting it: the bound cut this one) or holding a job as old as the bound."""
    if len(summaries) < LIST_PAGE:
        return True
    return any(isinstance(s.get("CreationTime"), datetime) and s["CreationTime"] <= bound for s in summaries)


def _created(summary: dict) -> tuple:
    created = summary.get("CreationTime")
    return (created.timestamp() if isinstance(created, datetime) else 0.0, str(summary.get("TrainingJobName", "")))
