"""The simulator's state and its answers to each operation, without HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from smtui.clock import Clock, SystemClock
from smtui.names import JOB_NAME
from smtui.sim import prices
from smtui.sim.cwlogs import describe_log_streams
from smtui.sim.jobs import describe as describe_job
from smtui.sim.jobs import listed as job_summary
from smtui.sim.jobs import tags as job_tags
from smtui.sim.lifecycle import Playback, World, play
from smtui.sim.log_filter import filter_log_events
from smtui.sim.log_pages import get_log_events
from smtui.sim.log_streams import LogBook
from smtui.sim.metric_queries import get_metric_statistics, list_metrics
from smtui.sim.metrics import get_metric_data
from smtui.sim.quotas import RequestQuotas
from smtui.sim.realism import Realism
from smtui.sim.scenarios import Scenario, default_scenarios
from smtui.sim.tuning import TuningJob, default_tuning_jobs
from smtui.sim.tuningjobs import created_at
from smtui.sim.tuningjobs import describe as describe_tuning_job
from smtui.sim.tuningjobs import list_training_jobs as list_tuning_children
from smtui.sim.tuningjobs import not_found as tuning_job_not_found
from smtui.sim.wire import SageMakerPage, SimError, parse_timestamp, validation_error

#: What SageMaker says about a job it does not know.
NOT_FOUND = "Requested resource not found."
_SORT_KEYS = {"Name": "TrainingJobName", "CreationTime": "CreationTime", "Status": "TrainingJobStatus"}


class Simulator:
    """Scripted training jobs on a clock, answering SageMaker's, CloudWatch's and CloudWatch Logs' operations.

    Scripts are in script seconds relative to ``origin`` (default: the
    clock's time at construction); at ``speed`` X a script second lasts 1/X
    real seconds. Reported timestamps are real clock times, so an app on the
    same clock sees consistent ages. The operation methods take and return
    Python values in botocore's shapes, as boto3 calls do.

    ``scenarios`` are the standalone jobs and ``tuning`` the hyperparameter
    tuning jobs, whose training jobs join them (see :mod:`smtui.sim.tuning`).
    Without ``scenarios`` the world is the default one: the jobs of
    :func:`~smtui.sim.scenarios.default_scenarios` and, unless ``tuning`` says
    otherwise, the tuning job of :func:`~smtui.sim.tuning.default_tuning_jobs`.
    With ``scenarios`` there is no tuning job but those ``tuning`` names.
    ``realism`` says which of the services' rough edges it reproduces
    (default: every one, as AWS does; :meth:`Realism.gentle` none).

    The only state is which jobs were asked to stop, and when. Every
    operation takes a lock, so a server thread can answer while other
    threads read.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        speed: float = 1.0,
        origin: datetime | None = None,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        scenarios: Iterable[Scenario] | None = None,
        tuning: Iterable[TuningJob] | None = None,
        realism: Realism | None = None,
    ) -> None:
        if not speed > 0:
            raise ValueError("speed must be positive")
        self.clock: Clock = clock or SystemClock()
        self.speed = float(speed)
        self.origin = origin if origin is not None else self.clock.now()
        if self.origin.tzinfo is None:
            raise ValueError("origin must be an aware datetime")
        self.region = region
        self.account_id = account_id
        #: The services' rough edges this simulator reproduces (all of them unless told otherwise).
        self.realism = realism if realism is not None else Realism()
        #: Request quotas, which the HTTP server applies per operation, account and region.
        self.quotas = RequestQuotas(self.realism.quotas)
        self.world = World(self.origin, self.speed, region, account_id)
        listed = list(default_scenarios() if scenarios is None else scenarios)
        self._standalone = [s.name for s in listed]
        tunings = list(tuning if tuning is not None else default_tuning_jobs() if scenarios is None else ())
        #: Tuning job name → its script.
        self.tuning_jobs: dict[str, TuningJob] = {t.name: t for t in tunings}
        if len(self.tuning_jobs) != len(tunings):
            raise ValueError("tuning job names must be unique")
        listed += [child for t in tunings for child in t.children]
        for scenario in listed:
            if not JOB_NAME.fullmatch(scenario.name):
                raise ValueError(f"{scenario.name!r} is not a valid training job name")
        self.scenarios: dict[str, Scenario] = {s.name: s for s in listed}
        if len(self.scenarios) != len(listed):
            raise ValueError("scenario names must be unique")
        #: Job name → script seconds after its creation at which StopTrainingJob was accepted.
        self._stops: dict[str, float] = {}
        self._scripted_stops_issued: set[str] = set()
        self._lock = threading.RLock()
        #: Ended jobs' ListTrainingJobs entries, and the moment they were seen ended.
        self._settled: dict[str, tuple[datetime, dict]] = {}
        self._logs = LogBook(self.scenarios, self.world, ssm_streams=self.realism.ssm_streams)

    # -- time ------------------------------------------------------------------------

    def _playback(self, scenario: Scenario, moment: datetime) -> Playback | None:
        return play(scenario, self.world.offset(scenario, moment), self._stops.get(scenario.name))

    def _find(self, name: Any, moment: datetime) -> tuple[Scenario, Playback]:
        scenario = self.scenarios.get(name) if isinstance(name, str) else None
        playback = self._playback(scenario, moment) if scenario is not None else None
        if scenario is None or playback is None:
            raise validation_error(NOT_FOUND)
        return scenario, playback

    def _advance(self) -> datetime:
        """The current moment, after issuing the scripted stops that are due by then."""
        now = self.clock.now()
        for scenario in self.scenarios.values():
            due = scenario.stop_after
            if due is None or scenario.name in self._scripted_stops_issued:
                continue
            if self.world.offset(scenario, now) >= due:
                self._scripted_stops_issued.add(scenario.name)
                try:
                    self._stop(scenario, due)
                except SimError:
                    pass  # the job ended on its own before its scripted stop
        return now

    def _stop(self, scenario: Scenario, at: float) -> None:
        """StopTrainingJob, accepted ``at`` script seconds after the job's creation."""
        playback = play(scenario, at, self._stops.get(scenario.name))
        if playback is None:
            raise validation_error(NOT_FOUND)
        if playback.status != "InProgress":
            raise validation_error(f"The request was rejected because the training job is in status {playback.status}.")
        self._stops[scenario.name] = at

    def route(self, access_key: str, region: str | None) -> Simulator:
        """The simulator answering a request signed with ``access_key`` for ``region``: this one, whatever they
        are (its jobs are in every region; :class:`~smtui.sim.regions.Regions` keeps regions apart)."""
        return self

    # -- what there is -----------------------------------------------------------------

    def job_names(self) -> list[str]:
        """Every scripted standalone job, in script order: not the training jobs of tuning jobs."""
        return list(self._standalone)

    def tuning_job_names(self) -> list[str]:
        """Every scripted hyperparameter tuning job."""
        return list(self.tuning_jobs)

    def training_job_names(self, tuning_job: str) -> list[str]:
        """The training jobs a tuning job launches, in launch order, created yet or not (empty for an unknown one)."""
        tuning = self.tuning_jobs.get(tuning_job)
        return [child.name for child in tuning.children] if tuning else []

    def metric_names(self, job_name: str) -> list[str]:
        """The metric names a job's MetricDefinitions declare (empty for an unknown job)."""
        scenario = self.scenarios.get(job_name)
        return [m.name for m in scenario.metrics] if scenario else []

    # -- SageMaker ---------------------------------------------------------------------

    def describe_training_job(self, params: dict) -> dict:
        """DescribeTrainingJob."""
        with self._lock:
            now = self._advance()
            scenario, playback = self._find(params.get("TrainingJobName"), now)
            return describe_job(scenario, playback, self.world)

    def stop_training_job(self, params: dict) -> dict:
        """StopTrainingJob: an in-progress job goes through Stopping to Stopped."""
        with self._lock:
            now = self._advance()
            scenario, _ = self._find(params.get("TrainingJobName"), now)
            self._stop(scenario, self.world.offset(scenario, now))
            return {}

    def list_training_jobs(self, params: dict) -> dict:
        """ListTrainingJobs with its filters, sorting and pagination (see :class:`~smtui.sim.wire.SageMakerPage`).

        Its filters apply to each page after it is cut, unless the realism says otherwise.
        """
        with self._lock:
            page = SageMakerPage(params, "sm", self._advance())
            summaries = []
            for scenario in self.scenarios.values():
                settled = self._settled.get(scenario.name)
                if settled is not None and page.moment >= settled[0]:
                    summaries.append(settled[1])
                    continue
                playback = self._playback(scenario, page.moment)
                if playback is not None:
                    summary = job_summary(scenario, playback, self.world)
                    summaries.append(summary)
                    if playback.terminal and not scenario.keep_alive:
                        # An ended job's entry never changes again: worked out once, not once per page.
                        self._settled[scenario.name] = (page.moment, summary)
        key = _SORT_KEYS[params.get("SortBy", "CreationTime")]
        descending = params.get("SortOrder", "Descending") == "Descending"
        summaries.sort(key=lambda s: (s[key], s["TrainingJobName"]), reverse=descending)
        keep = lambda s: _matches(s, params)  # noqa: E731
        if self.realism.filter_after_cut:
            # SageMaker takes the page of MaxResults first and filters it afterwards.
            return page.cut("TrainingJobSummaries", summaries, keep)
        return page.cut("TrainingJobSummaries", [s for s in summaries if keep(s)])

    def describe_hyper_parameter_tuning_job(self, params: dict) -> dict:
        """DescribeHyperParameterTuningJob (see :mod:`smtui.sim.tuningjobs`)."""
        with self._lock:
            now = self._advance()
            name = params.get("HyperParameterTuningJobName")
            tuning = self.tuning_jobs.get(name) if isinstance(name, str) else None
            if tuning is None:
                raise tuning_job_not_found(name)
            return describe_tuning_job(tuning, self._lookup, self.world, now)

    def list_training_jobs_for_hyper_parameter_tuning_job(self, params: dict) -> dict:
        """ListTrainingJobsForHyperParameterTuningJob, paged like ListTrainingJobs."""
        with self._lock:
            now = self._advance()
            name = params.get("HyperParameterTuningJobName")
            tuning = self.tuning_jobs.get(name) if isinstance(name, str) else None
            return list_tuning_children(
                tuning, params, self._lookup, self.world, now, filter_after_cut=self.realism.filter_after_cut
            )

    def _lookup(self, name: str, moment: datetime) -> tuple[Scenario, Playback] | None:
        """A job and where it stands at ``moment``; None if there is no such job yet."""
        scenario = self.scenarios.get(name)
        playback = self._playback(scenario, moment) if scenario is not None else None
        return (scenario, playback) if playback is not None else None

    def list_tags(self, params: dict) -> dict:
        """ListTags of a training job or tuning job (what ``Estimator.attach`` reads)."""
        with self._lock:
            now = self._advance()
            arn = params.get("ResourceArn", "")
            prefix = f"arn:aws:sagemaker:{self.region}:{self.account_id}:"
            kind, _, name = arn.removeprefix(prefix).partition("/") if arn.startswith(prefix) else ("", "", "")
            if kind == "training-job" and self._lookup(name, now) is not None:
                return {"Tags": job_tags(self.scenarios[name])}
            tuning = self.tuning_jobs.get(name) if kind == "hyper-parameter-tuning-job" else None
            if tuning is not None and now >= created_at(tuning, self.world):
                return {"Tags": job_tags(self.scenarios[tuning.children[0].name])}
            raise validation_error(NOT_FOUND)

    # -- CloudWatch --------------------------------------------------------------------

    def get_metric_statistics(self, params: dict) -> dict:
        """GetMetricStatistics (see :mod:`smtui.sim.metric_queries`)."""
        with self._lock:
            now = self._advance()
            return get_metric_statistics(
                params, self._lookup, self.world, now, tiers=self.realism.retention_tiers, lag=self.realism.metric_lag
            )

    def list_metrics(self, params: dict) -> dict:
        """ListMetrics over every job's training metrics."""
        with self._lock:
            now = self._advance()
            return list_metrics(
                params, self.scenarios, self._lookup, self.world, now, tiers=self.realism.retention_tiers
            )

    def get_metric_data(self, params: dict) -> dict:
        """GetMetricData over the jobs' training metrics and their hosts' (see :mod:`smtui.sim.metrics`)."""
        with self._lock:
            now = self._advance()
            return get_metric_data(
                params, self._lookup, self.world, now, tiers=self.realism.retention_tiers, lag=self.realism.metric_lag
            )

    # -- the Price List -----------------------------------------------------------------

    def get_products(self, params: dict) -> dict:
        """The Price List's GetProducts over SageMaker's ML instances (see :mod:`smtui.sim.prices`)."""
        return prices.get_products(params)

    # -- CloudWatch Logs ---------------------------------------------------------------

    def describe_log_streams(self, params: dict) -> dict:
        """DescribeLogStreams over the jobs' log streams (see :mod:`smtui.sim.log_streams`)."""
        with self._lock:
            now = self._advance()
            return describe_log_streams(params, self._logs, self._stops, now, lag=self.realism.stream_lag)

    def get_log_events(self, params: dict) -> dict:
        """GetLogEvents from one of the jobs' log streams."""
        with self._lock:
            now = self._advance()
            return get_log_events(params, self._logs, self._stops, now, self.realism)

    def filter_log_events(self, params: dict) -> dict:
        """FilterLogEvents across the jobs' log streams."""
        with self._lock:
            now = self._advance()
            return filter_log_events(params, self._logs, self._stops, now, self.realism)


def _matches(summary: dict, params: dict) -> bool:
    """Whether a job summary passes ListTrainingJobs' filters (time bounds are exclusive)."""
    contains = params.get("NameContains")
    if contains and contains.lower() not in summary["TrainingJobName"].lower():
        return False
    for param, member in (("StatusEquals", "TrainingJobStatus"), ("TrainingPlanArnEquals", "TrainingPlanArn")):
        if params.get(param) and summary.get(member) != params[param]:
            return False
    if (
        params.get("WarmPoolStatusEquals")
        and summary.get("WarmPoolStatus", {}).get("Status") != params["WarmPoolStatusEquals"]
    ):
        return False
    for param, member, after in (
        ("CreationTimeAfter", "CreationTime", True),
        ("CreationTimeBefore", "CreationTime", False),
        ("LastModifiedTimeAfter", "LastModifiedTime", True),
        ("LastModifiedTimeBefore", "LastModifiedTime", False),
    ):
        if params.get(param) is not None:
            bound = parse_timestamp(params[param])
            if not (summary[member] > bound if after else summary[member] < bound):
                return False
    return True
