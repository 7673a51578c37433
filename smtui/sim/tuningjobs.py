"""What SageMaker answers about a tuning job at a moment: DescribeHyperParameterTuningJob and its training jobs' list.

Every answer is computed from the children's playbacks at the moment asked
(see :mod:`smtui.sim.tuning`): only the children created by then exist, the
counters count them by status, and BestTrainingJob is the completed child
with the best objective value so far.

A child's objective value is its final ``validation:auc`` (the last value it
logged, as in its FinalMetricDataList). SageMaker reports one
(FinalHyperParameterTuningJobObjectiveMetric, ObjectiveStatus Succeeded) for
every job that ended with a value of the metric, including jobs stopped
early by the tuner; a job that failed or ended without one has ObjectiveStatus
Failed, and one still running Pending. The tuner's early stops count as
Stopped in TrainingJobStatusCounters, as a user's do; failures count as
NonRetryableError unless SageMaker's own error caused them (RetryableError).

ListTrainingJobsForHyperParameterTuningJob sorts by Name, Ascending unless told
otherwise. Sorted by FinalObjectiveMetricValue it leaves out the jobs that
have no objective value, as SageMaker documents it does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from smtui.sim.jobs import describe as describe_job
from smtui.sim.lifecycle import Playback, World, play
from smtui.sim.scenarios import Scenario
from smtui.sim.tuning import TuningJob
from smtui.sim.wire import SageMakerPage, SimError

#: name, moment → the child's scenario and playback then, or None before it exists.
Lookup = Callable[[str, datetime], "tuple[Scenario, Playback] | None"]
#: Failure reasons of errors on SageMaker's side, which the tuner may retry.
RETRYABLE = ("InternalServerError", "CapacityError")


def not_found(name: Any) -> SimError:
    """SageMaker's answer about a tuning job it does not know."""
    return SimError("ResourceNotFound", f"Amazon SageMaker can't find a tuning job called {name}. Type another name.")


def created_at(tuning: TuningJob, world: World) -> datetime:
    """The tuning job's CreationTime."""
    return world.origin + timedelta(seconds=tuning.created / world.speed)


def exists(tuning: TuningJob, world: World, moment: datetime) -> bool:
    return moment >= created_at(tuning, world)


# -- one child --------------------------------------------------------------------------


def objective_value(tuning: TuningJob, described: dict[str, Any]) -> float | None:
    """The child's final objective value, if it has ended with one."""
    for metric in described.get("FinalMetricDataList", []):
        if metric["MetricName"] == tuning.objective:
            return metric["Value"]
    return None


def summary(tuning: TuningJob, scenario: Scenario, playback: Playback, world: World) -> dict[str, Any]:
    """The HyperParameterTrainingJobSummary of a child as ``playback`` has it."""
    described = describe_job(scenario, playback, world)
    out: dict[str, Any] = {
        "TrainingJobName": described["TrainingJobName"],
        "TrainingJobArn": described["TrainingJobArn"],
        "TuningJobName": tuning.name,
        "CreationTime": described["CreationTime"],
        "TrainingJobStatus": described["TrainingJobStatus"],
        "TunedHyperParameters": {k: described["HyperParameters"][k] for k in tuning.tuned},
    }
    for key in ("TrainingStartTime", "TrainingEndTime", "FailureReason"):
        if key in described:
            out[key] = described[key]
    value = objective_value(tuning, described)
    if not playback.terminal:
        out["ObjectiveStatus"] = "Pending"
    elif value is None or playback.status == "Failed":
        out["ObjectiveStatus"] = "Failed"
    else:
        out["ObjectiveStatus"] = "Succeeded"
        out["FinalHyperParameterTuningJobObjectiveMetric"] = {
            "Type": tuning.objective_type,
            "MetricName": tuning.objective,
            "Value": value,
        }
    return out


def children(tuning: TuningJob, lookup: Lookup, world: World, moment: datetime) -> list[dict[str, Any]]:
    """The summaries of the children created by ``moment``, in launch order."""
    out = []
    for child in tuning.children:
        found = lookup(child.name, moment)
        if found is not None:
            out.append(summary(tuning, *found, world))
    return out


def _value(entry: dict[str, Any]) -> float | None:
    metric = entry.get("FinalHyperParameterTuningJobObjectiveMetric")
    return metric["Value"] if metric else None


# -- DescribeHyperParameterTuningJob ----------------------------------------------------


def describe(tuning: TuningJob, lookup: Lookup, world: World, moment: datetime) -> dict[str, Any]:
    """The DescribeHyperParameterTuningJob response at ``moment``."""
    if not exists(tuning, world, moment):
        raise not_found(tuning.name)
    created = created_at(tuning, world)
    summaries = children(tuning, lookup, world, moment)
    statuses = {"Completed": 0, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0, "Stopped": 0}
    objectives = {"Succeeded": 0, "Pending": 0, "Failed": 0}
    changes = [created]
    for entry in summaries:
        status = entry["TrainingJobStatus"]
        if status == "Failed":
            reason = entry.get("FailureReason", "")
            statuses["RetryableError" if reason.startswith(RETRYABLE) else "NonRetryableError"] += 1
        else:
            statuses["InProgress" if status == "Stopping" else status] += 1
        objectives[entry["ObjectiveStatus"]] += 1
        changes += [entry["CreationTime"], entry.get("TrainingEndTime", created)]
    done = len(summaries) == len(tuning.children) and not statuses["InProgress"]
    response: dict[str, Any] = {
        "HyperParameterTuningJobName": tuning.name,
        "HyperParameterTuningJobArn": arn(tuning, world),
        "HyperParameterTuningJobConfig": config(tuning),
        "TrainingJobDefinition": definition(tuning, world),
        "HyperParameterTuningJobStatus": "Completed" if done else "InProgress",
        "CreationTime": created,
        "LastModifiedTime": max(changes),
        "TrainingJobStatusCounters": statuses,
        "ObjectiveStatusCounters": objectives,
    }
    end = max(changes) if done else moment
    if done:
        response["HyperParameterTuningEndTime"] = end
    response["ConsumedResources"] = {"RuntimeInSeconds": max(0, int((end - created).total_seconds()))}
    best = best_job(tuning, summaries)
    if best is not None:
        response["BestTrainingJob"] = best
    return response


def arn(tuning: TuningJob, world: World) -> str:
    return f"arn:aws:sagemaker:{world.region}:{world.account}:hyper-parameter-tuning-job/{tuning.name}"


def best_job(tuning: TuningJob, summaries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The completed child with the best objective value (the earliest launched of equals), if any."""
    scored = [s for s in summaries if s["TrainingJobStatus"] == "Completed" and _value(s) is not None]
    if not scored:
        return None
    sign = 1 if tuning.maximize else -1
    return max(scored, key=lambda s: sign * _value(s))


def config(tuning: TuningJob) -> dict[str, Any]:
    """HyperParameterTuningJobConfig."""

    def ranges(kind: str) -> list[dict[str, str]]:
        return [
            {"Name": r.name, "MinValue": r.show(r.low), "MaxValue": r.show(r.high), "ScalingType": r.scaling}
            for r in tuning.ranges
            if r.kind == kind
        ]

    return {
        "Strategy": tuning.strategy,
        "HyperParameterTuningJobObjective": {"Type": tuning.objective_type, "MetricName": tuning.objective},
        "ResourceLimits": {"MaxNumberOfTrainingJobs": tuning.max_jobs, "MaxParallelTrainingJobs": tuning.max_parallel},
        "ParameterRanges": {
            "IntegerParameterRanges": ranges("Integer"),
            "ContinuousParameterRanges": ranges("Continuous"),
            "CategoricalParameterRanges": [],
        },
        "TrainingJobEarlyStoppingType": tuning.early_stopping,
    }


def definition(tuning: TuningJob, world: World) -> dict[str, Any]:
    """TrainingJobDefinition: what every child shares, as its first child's description has it."""
    template = tuning.children[0]
    described = describe_job(template, play(template, 0.0), world)
    algorithm = described["AlgorithmSpecification"]
    out: dict[str, Any] = {
        "StaticHyperParameters": {k: v for k, v in described["HyperParameters"].items() if k not in tuning.tuned},
        "AlgorithmSpecification": {
            "TrainingImage": algorithm["TrainingImage"],
            "TrainingInputMode": algorithm["TrainingInputMode"],
            "MetricDefinitions": algorithm["MetricDefinitions"],
        },
    }
    for key in (
        "RoleArn",
        "InputDataConfig",
        "VpcConfig",
        "OutputDataConfig",
        "ResourceConfig",
        "StoppingCondition",
        "EnableNetworkIsolation",
        "EnableInterContainerTrafficEncryption",
        "EnableManagedSpotTraining",
        "CheckpointConfig",
        "Environment",
    ):
        if key in described:
            out[key] = described[key]
    return out


# -- ListTrainingJobsForHyperParameterTuningJob -----------------------------------------

_SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Name": lambda s: s["TrainingJobName"],
    "CreationTime": lambda s: (s["CreationTime"], s["TrainingJobName"]),
    "Status": lambda s: (s["TrainingJobStatus"], s["TrainingJobName"]),
    "FinalObjectiveMetricValue": lambda s: (_value(s), s["TrainingJobName"]),
}


def list_training_jobs(
    tuning: TuningJob | None, params: dict, lookup: Lookup, world: World, now: datetime, filter_after_cut: bool = True
) -> dict[str, Any]:
    """ListTrainingJobsForHyperParameterTuningJob; ``tuning`` is None for a name the simulator does not know.

    A NextToken pins the moment of the first page, as ListTrainingJobs' do.
    With ``filter_after_cut``, StatusEquals applies to each page after it is
    cut, as it does in ListTrainingJobs.
    """
    page = SageMakerPage(params, "hpo", now)
    if tuning is None or not exists(tuning, world, page.moment):
        raise not_found(params.get("HyperParameterTuningJobName"))
    summaries = children(tuning, lookup, world, page.moment)
    status = params.get("StatusEquals")
    keep = (lambda s: s["TrainingJobStatus"] == status) if status else None
    if keep is not None and not filter_after_cut:
        summaries, keep = [s for s in summaries if keep(s)], None
    by = params.get("SortBy", "Name")
    if by == "FinalObjectiveMetricValue":
        summaries = [s for s in summaries if _value(s) is not None]
    summaries.sort(key=_SORT_KEYS[by], reverse=params.get("SortOrder", "Ascending") == "Descending")
    return page.cut("TrainingJobSummaries", summaries, keep)
