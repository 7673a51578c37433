"""The simulator's state and its answers to each operation, without HTTP."""

from __future__ import annotations

import base64
import threading
from datetime import datetime
from typing import Any

from smtui.clock import Clock, SystemClock
from smtui.sim.jobs import describe, metric_points, play, to_time
from smtui.sim.maximal import fill
from smtui.sim.scenarios import Scenario, default_scenarios
from smtui.sim.wire import SimError, operation

NAMESPACE = "/aws/sagemaker/TrainingJobs"
MAX_QUERIES = 500
NOT_FOUND = "Requested resource not found."


class Simulator:
    """Scripted training jobs on a clock.

    Scripts are in script seconds relative to ``origin`` (default: the clock's
    time at construction); at ``speed`` X a script second lasts 1/X real
    seconds. Reported timestamps are real clock times.
    """

    def __init__(self, clock: Clock | None = None, *, speed: float = 1.0, origin: datetime | None = None,
                 region: str = "us-east-1", account_id: str = "123456789012",
                 scenarios: list[Scenario] | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.clock = clock or SystemClock()
        self.speed = speed
        self.origin = origin or self.clock.now()
        self.region = region
        self.account_id = account_id
        self.scenarios = {s.name: s for s in (scenarios if scenarios is not None else default_scenarios())}
        self._stops: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- time ----------------------------------------------------------------------

    def _elapsed(self, scenario: Scenario) -> float:
        """Script seconds since the job was created (negative before)."""
        return (self.clock.now() - self.origin).total_seconds() * self.speed - scenario.created

    def _job(self, name: Any) -> tuple[Scenario, float]:
        scenario = self.scenarios.get(name) if isinstance(name, str) else None
        if scenario is None:
            raise SimError("ValidationException", NOT_FOUND)
        elapsed = self._elapsed(scenario)
        if elapsed < 0:
            raise SimError("ValidationException", NOT_FOUND)
        return scenario, elapsed

    def _stop_at(self, scenario: Scenario) -> float | None:
        with self._lock:
            requested = self._stops.get(scenario.name)
        times = [t for t in (requested, scenario.stop_after) if t is not None]
        return min(times) if times else None

    def job_names(self) -> list[str]:
        """Every scripted job, in script order."""
        return list(self.scenarios)

    def metric_names(self, job_name: str) -> list[str]:
        """The metric names a job defines."""
        scenario = self.scenarios.get(job_name)
        return [m.name for m in scenario.metrics] if scenario else []

    # -- SageMaker -----------------------------------------------------------------

    def describe_training_job(self, params: dict) -> dict:
        """DescribeTrainingJob."""
        scenario, elapsed = self._job(params.get("TrainingJobName"))
        playback = play(scenario, elapsed, self._stop_at(scenario))
        response = describe(scenario, playback, elapsed, origin=self.origin, speed=self.speed,
                            region=self.region, account=self.account_id)
        if scenario.maximal:
            shape = operation("sagemaker", "DescribeTrainingJob").output_shape
            response = fill(response, shape, "", region=self.region, account=self.account_id,
                            moment=to_time(self.origin, scenario, 0, self.speed))
            # Fields that only make sense once the job is over stay truthful.
            for member in ("FailureReason", "TrainingEndTime", "FinalMetricDataList",
                           "TrainingTimeInSeconds", "BillableTimeInSeconds"):
                if not playback.terminal:
                    response.pop(member, None)
        return response

    def list_training_jobs(self, params: dict) -> dict:
        """ListTrainingJobs with its filters, sorting and pagination."""
        from smtui.sim.wire import parse_time

        max_results = params.get("MaxResults", 10)
        if not isinstance(max_results, int) or not 1 <= max_results <= 100:
            raise SimError("ValidationException", "MaxResults must be between 1 and 100")
        summaries = []
        for name in self.scenarios:
            try:
                job = self.describe_training_job({"TrainingJobName": name})
            except SimError:
                continue  # not created yet
            summaries.append({k: job[k] for k in ("TrainingJobName", "TrainingJobArn", "CreationTime",
                                                  "TrainingEndTime", "LastModifiedTime", "TrainingJobStatus",
                                                  "SecondaryStatus") if k in job})
        contains = params.get("NameContains")
        if contains:
            summaries = [s for s in summaries if contains.lower() in s["TrainingJobName"].lower()]
        if params.get("StatusEquals"):
            summaries = [s for s in summaries if s["TrainingJobStatus"] == params["StatusEquals"]]
        for key, member, after in (("CreationTimeAfter", "CreationTime", True), ("CreationTimeBefore", "CreationTime", False),
                                   ("LastModifiedTimeAfter", "LastModifiedTime", True),
                                   ("LastModifiedTimeBefore", "LastModifiedTime", False)):
            bound = parse_time(params.get(key))
            if bound is not None:
                summaries = [s for s in summaries if (s[member] > bound if after else s[member] < bound)]
        sort_by = {"Name": "TrainingJobName", "CreationTime": "CreationTime", "Status": "TrainingJobStatus"}.get(
            params.get("SortBy", "CreationTime"))
        if sort_by is None:
            raise SimError("ValidationException", "SortBy must be one of Name, CreationTime, Status")
        summaries.sort(key=lambda s: (s[sort_by], s["TrainingJobName"]), reverse=params.get("SortOrder", "Descending") == "Descending")
        start = _decode_token(params.get("NextToken"))
        page = summaries[start : start + max_results]
        result: dict[str, Any] = {"TrainingJobSummaries": page}
        if start + max_results < len(summaries):
            result["NextToken"] = _encode_token(start + max_results)
        return result

    def stop_training_job(self, params: dict) -> dict:
        """StopTrainingJob: an in-progress job goes through Stopping to Stopped."""
        scenario, elapsed = self._job(params.get("TrainingJobName"))
        playback = play(scenario, elapsed, self._stop_at(scenario))
        if playback.status != "InProgress":
            raise SimError("ValidationException",
                           f"The training job {scenario.name} is not in progress (status {playback.status}).")
        with self._lock:
            self._stops[scenario.name] = elapsed
        return {}

    # -- CloudWatch ----------------------------------------------------------------

    def get_metric_data(self, params: dict) -> dict:
        """GetMetricData over the training metrics of the scripted jobs."""
        from smtui.sim.wire import parse_time

        queries = params.get("MetricDataQueries") or []
        if len(queries) > MAX_QUERIES:
            raise SimError("ValidationError",
                           f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}.")
        start, end = parse_time(params.get("StartTime")), parse_time(params.get("EndTime"))
        if start is None or end is None or start >= end:
            raise SimError("ValidationError", "The parameter StartTime must be less than the parameter EndTime.")
        now = self.clock.now()
        descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        limit = params.get("MaxDatapoints") or 100800
        results = []
        for query in queries:
            stat = query.get("MetricStat") or {}
            metric = stat.get("Metric") or {}
            points: list[tuple[datetime, float]] = []
            dims = {d.get("Name"): d.get("Value") for d in metric.get("Dimensions") or []}
            scenario = self.scenarios.get(dims.get("TrainingJobName", ""))
            if metric.get("Namespace") == NAMESPACE and scenario is not None and self._elapsed(scenario) >= 0:
                elapsed = self._elapsed(scenario)
                playback = play(scenario, elapsed, self._stop_at(scenario))
                series = metric_points(scenario, playback, elapsed).get(metric.get("MetricName"), [])
                points = [(to_time(self.origin, scenario, t, self.speed), v) for t, v in series]
                points = [(t, v) for t, v in points if start <= t < end and t <= now]
            points.sort(key=lambda p: p[0], reverse=descending)
            points = points[:limit]
            if query.get("ReturnData", True):
                results.append({"Id": query.get("Id"), "Label": query.get("Label") or metric.get("MetricName", ""),
                                "Timestamps": [t for t, _ in points], "Values": [v for _, v in points],
                                "StatusCode": "Complete"})
        return {"MetricDataResults": results, "Messages": []}


def _encode_token(index: int) -> str:
    return base64.urlsafe_b64encode(f"smtui-sim:{index}".encode()).decode()


def _decode_token(token: Any) -> int:
    if not token:
        return 0
    try:
        prefix, index = base64.urlsafe_b64decode(str(token).encode()).decode().split(":")
        assert prefix == "smtui-sim"
        return int(index)
    except Exception:
        raise SimError("ValidationException", "Invalid pagination token") from None
