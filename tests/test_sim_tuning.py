"""The simulator's hyperparameter tuning job through boto3 and aiobotocore over HTTP."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smtui.sim import Scenario, Simulator, Stage, default_scenarios, default_tuning_jobs
from smtui.sim.tuning import TuningJob
from smtui.sim.validate import output_problems
from smtui.sim.wire import service_model
from tests.conftest import ORIGIN, fixture_realism

SAGEMAKER = service_model("sagemaker")
DESCRIBE_TUNING = SAGEMAKER.operation_model("DescribeHyperParameterTuningJob").output_shape
LIST_CHILDREN = SAGEMAKER.operation_model("ListTrainingJobsForHyperParameterTuningJob").output_shape
DESCRIBE_JOB = SAGEMAKER.operation_model("DescribeTrainingJob").output_shape
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
SESSION = boto3.session.Session()
HPO = "xgboost-churn-hpo"
TUNED = {"eta", "max_depth", "min_child_weight", "subsample"}
STATIC = {
    "_tuning_objective_metric": "validation:auc",
    "objective": "binary:logistic",
    "eval_metric": "auc",
    "num_round": "1000",
    "early_stopping_rounds": "30",
}
#: Script seconds after the origin at which the tuning job was created and its last training job ends.
CREATED, COMPLETED = -2100, 3101


def client(sim, service="sagemaker", **config):
    return SESSION.client(service, endpoint_url=sim.url, region_name="us-east-1", config=Config(**config), **KEYS)


def plain(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def at(clock, seconds: float) -> None:
    clock.set(ORIGIN + timedelta(seconds=seconds))


def describe(sm, name=HPO) -> dict:
    return plain(sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name))


def listing(sm, **params) -> list[dict]:
    """Every child, through the paginator."""
    pages = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
        HyperParameterTuningJobName=HPO, **params
    )
    return [s for page in pages for s in page["TrainingJobSummaries"]]


def names(summaries: list[dict]) -> list[str]:
    return [s["TrainingJobName"] for s in summaries]


def value(summary: dict) -> float | None:
    metric = summary.get("FinalHyperParameterTuningJobObjectiveMetric")
    return metric["Value"] if metric else None


def error_of(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def states(summaries: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for summary in summaries:
        out[summary["TrainingJobStatus"]] = out.get(summary["TrainingJobStatus"], 0) + 1
    return out


# -- the world ---------------------------------------------------------------------------------


def test_the_default_world_adds_the_tuning_job_but_not_to_job_names(clock):
    simulator = Simulator(clock, origin=ORIGIN, realism=fixture_realism())
    assert simulator.job_names() == [s.name for s in default_scenarios()]
    assert simulator.tuning_job_names() == [HPO]
    children = simulator.training_job_names(HPO)
    assert len(children) == 12 and simulator.training_job_names("nope") == []
    for index, name in enumerate(children, 1):
        prefix, number, tail = name[: len(HPO)], name[len(HPO) + 1 : len(HPO) + 4], name[len(HPO) + 5 :]
        assert (prefix, number, name[len(HPO)], name[len(HPO) + 4]) == (HPO, f"{index:03d}", "-", "-")
        assert len(tail) == 8 and all(c in "0123456789abcdef" for c in tail), name
        assert simulator.scenarios[name].entry_point is None and simulator.scenarios[name].log_style == "xgboost"
    assert len(set(children)) == 12 and set(children).isdisjoint(simulator.job_names())
    assert (
        default_tuning_jobs()[0].children
        == Simulator(clock, origin=ORIGIN, realism=fixture_realism()).tuning_jobs[HPO].children
    )
    # Jobs given explicitly come without a tuning job, unless one is given too.
    assert (
        Simulator(clock, origin=ORIGIN, scenarios=default_scenarios(), realism=fixture_realism()).tuning_job_names()
        == []
    )
    assert Simulator(clock, origin=ORIGIN, tuning=[], realism=fixture_realism()).tuning_job_names() == []
    mine = Simulator(clock, origin=ORIGIN, scenarios=[], tuning=default_tuning_jobs(), realism=fixture_realism())
    assert mine.job_names() == [] and mine.tuning_job_names() == [HPO] and len(mine.scenarios) == 12
    with pytest.raises(ValueError):
        Simulator(clock, origin=ORIGIN, tuning=default_tuning_jobs() * 2, realism=fixture_realism())


def test_a_tuning_job_checks_its_script():
    child = default_tuning_jobs()[0].children[0]
    with pytest.raises(ValueError):
        TuningJob(name="x" * 33, created=0, children=(child,), ranges=())
    with pytest.raises(ValueError):
        TuningJob(name="other-hpo", created=0, children=(child,), ranges=())
    plain_job = Scenario(
        name="plain", created=0, project="p", image="i", stages=(Stage("Training", 60), Stage("Completed"))
    )
    with pytest.raises(ValueError):
        TuningJob(name="plain-hpo", created=0, children=(plain_job,), ranges=())


# -- DescribeHyperParameterTuningJob -----------------------------------------------------------------


@pytest.mark.parametrize("moment", [CREATED, -1500, 0, 600, 1500, 2400, COMPLETED - 1, COMPLETED, 90000])
def test_both_operations_validate_against_the_model(full_sim, clock, moment):
    sm = client(full_sim)
    at(clock, moment)
    tuning = describe(sm)
    assert output_problems(tuning, DESCRIBE_TUNING) == [], moment
    for params in ({}, {"MaxResults": 100}, {"StatusEquals": "Completed"}, {"SortBy": "FinalObjectiveMetricValue"}):
        page = plain(sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=HPO, **params))
        assert output_problems(page, LIST_CHILDREN) == [], (moment, params)
    for summary in listing(sm):
        job = plain(sm.describe_training_job(TrainingJobName=summary["TrainingJobName"]))
        assert output_problems(job, DESCRIBE_JOB, may_omit=frozenset({"ModelArtifacts"})) == []


def test_describe_the_tuning_job(full_sim, clock):
    sm = client(full_sim)
    tuning = describe(sm)
    region_account = "us-east-1:123456789012"
    assert (
        tuning["HyperParameterTuningJobArn"] == f"arn:aws:sagemaker:{region_account}:hyper-parameter-tuning-job/{HPO}"
    )
    config = tuning["HyperParameterTuningJobConfig"]
    assert config["Strategy"] == "Bayesian" and config["TrainingJobEarlyStoppingType"] == "Auto"
    assert config["HyperParameterTuningJobObjective"] == {"Type": "Maximize", "MetricName": "validation:auc"}
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 12, "MaxParallelTrainingJobs": 3}
    ranges = config["ParameterRanges"]
    assert {r["Name"] for r in ranges["IntegerParameterRanges"]} == {"max_depth"}
    assert {r["Name"] for r in ranges["ContinuousParameterRanges"]} == {"eta", "min_child_weight", "subsample"}
    bounds = {
        r["Name"]: (float(r["MinValue"]), float(r["MaxValue"]))
        for kind in ("IntegerParameterRanges", "ContinuousParameterRanges")
        for r in ranges[kind]
    }
    definition = tuning["TrainingJobDefinition"]
    assert definition["StaticHyperParameters"] == STATIC
    assert definition["AlgorithmSpecification"]["TrainingImage"].endswith("/sagemaker-xgboost:1.7-1")
    assert [m["Name"] for m in definition["AlgorithmSpecification"]["MetricDefinitions"]] == [
        "train:auc",
        "validation:auc",
    ]
    assert definition["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert definition["RoleArn"].startswith("arn:aws:iam::123456789012:role/")
    assert {c["ChannelName"] for c in definition["InputDataConfig"]} == {"train", "validation"}
    assert tuning["CreationTime"] == ORIGIN + timedelta(seconds=CREATED)
    assert tuning["CreationTime"] <= tuning["LastModifiedTime"] <= ORIGIN
    assert "HyperParameterTuningEndTime" not in tuning
    # Every child searches inside the ranges; their DescribeTrainingJob says so.
    for summary in listing(sm):
        for name, text in summary["TunedHyperParameters"].items():
            low, high = bounds[name]
            assert low <= float(text) <= high, (summary["TrainingJobName"], name)
        assert set(summary["TunedHyperParameters"]) == TUNED and summary["TuningJobName"] == HPO


def test_at_the_origin(full_sim):
    sm = client(full_sim)
    tuning = describe(sm)
    assert tuning["HyperParameterTuningJobStatus"] == "InProgress"
    assert tuning["TrainingJobStatusCounters"] == {
        "Completed": 3,
        "InProgress": 3,
        "RetryableError": 0,
        "NonRetryableError": 1,
        "Stopped": 1,
    }
    assert tuning["ObjectiveStatusCounters"] == {"Succeeded": 4, "Pending": 3, "Failed": 1}
    children = listing(sm, SortBy="CreationTime")
    assert names(children) == full_sim.training_job_names(HPO)[:8]
    assert states(children) == {"Completed": 3, "InProgress": 3, "Failed": 1, "Stopped": 1}
    assert [s["ObjectiveStatus"] for s in children if s["TrainingJobStatus"] == "InProgress"] == ["Pending"] * 3
    failed = next(s for s in children if s["TrainingJobStatus"] == "Failed")
    assert failed["ObjectiveStatus"] == "Failed" and value(failed) is None
    assert "XGBoostError: std::bad_alloc" in failed["FailureReason"] and len(failed["FailureReason"]) <= 1024
    # The tuner stopped one early: it reported its objective value all the same.
    early = next(s for s in children if s["TrainingJobStatus"] == "Stopped")
    assert early["ObjectiveStatus"] == "Succeeded" and value(early) is not None
    job = sm.describe_training_job(TrainingJobName=early["TrainingJobName"])
    assert [t["Status"] for t in job["SecondaryStatusTransitions"]][-2:] == ["Stopping", "Stopped"]
    assert "ModelArtifacts" in job
    best = tuning["BestTrainingJob"]
    completed = [s for s in children if s["TrainingJobStatus"] == "Completed"]
    assert best == max(completed, key=value) and value(best) > value(early)


@pytest.mark.parametrize(
    "moment, created, running, completed",
    [(CREATED, 0, 0, 0), (0, 8, 3, 3), (600, 9, 3, 4), (1500, 11, 3, 6), (2400, 12, 1, 9), (COMPLETED, 12, 0, 10)],
)
def test_children_over_time(full_sim, clock, moment, created, running, completed):
    sm = client(full_sim)
    at(clock, moment)
    children = listing(sm)
    tuning = describe(sm)
    expected = {"InProgress": running, "Completed": completed}
    if created >= 4:
        expected.update(Failed=1, Stopped=1)
    assert len(children) == created and states(children) == {k: v for k, v in expected.items() if v}
    counters = tuning["TrainingJobStatusCounters"]
    assert sum(counters.values()) == created == sum(tuning["ObjectiveStatusCounters"].values())
    assert (counters["InProgress"], counters["Completed"]) == (running, completed)
    assert tuning["ObjectiveStatusCounters"]["Pending"] == running
    assert tuning["HyperParameterTuningJobStatus"] == ("Completed" if moment >= COMPLETED else "InProgress")
    assert ("BestTrainingJob" in tuning) == (completed > 0)


def test_children_appear_as_slots_free_up_and_the_tuning_job_completes(full_sim, clock):
    sm = client(full_sim)
    seen, bests, appeared = 0, [], []
    for moment in range(0, COMPLETED + 600, 60):
        at(clock, moment)
        children = listing(sm)
        tuning = describe(sm)
        assert len(children) >= seen
        if len(children) > seen:
            appeared.append(moment)
        seen = len(children)
        assert states(children).get("InProgress", 0) <= 3
        if "BestTrainingJob" in tuning and (not bests or bests[-1] != tuning["BestTrainingJob"]["TrainingJobName"]):
            bests.append(tuning["BestTrainingJob"]["TrainingJobName"])
    assert seen == 12 and len(appeared) == 5  # the first listing, then the four jobs created after the origin
    assert 0 < appeared[1] and appeared[-1] <= 2400  # all within the first four real minutes at speed 10
    order = full_sim.training_job_names(HPO)
    assert bests == [order[4], order[6], order[8], order[11]]  # the best changes as better jobs finish

    tuning = describe(sm)
    children = listing(sm)
    assert tuning["HyperParameterTuningJobStatus"] == "Completed"
    last_end = max(s["TrainingEndTime"] for s in children)
    assert tuning["HyperParameterTuningEndTime"] == last_end == tuning["LastModifiedTime"]
    assert last_end == ORIGIN + timedelta(seconds=COMPLETED)
    assert tuning["TrainingJobStatusCounters"] == {
        "Completed": 10,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 1,
        "Stopped": 1,
    }
    assert tuning["ObjectiveStatusCounters"] == {"Succeeded": 11, "Pending": 0, "Failed": 1}
    best = tuning["BestTrainingJob"]
    assert best["TrainingJobName"] == order[11] and best["TrainingJobStatus"] == "Completed"
    assert best == max((s for s in children if s["TrainingJobStatus"] == "Completed"), key=value)
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["Type"] == "Maximize"
    assert tuning["ConsumedResources"]["RuntimeInSeconds"] == COMPLETED - CREATED
    at(clock, COMPLETED - 1)
    assert describe(sm)["HyperParameterTuningJobStatus"] == "InProgress"


def test_a_stop_on_a_child_stops_only_that_child(full_sim, clock):
    sm = client(full_sim)
    order = full_sim.training_job_names(HPO)
    at(clock, 3000)
    before = {s["TrainingJobName"]: s["CreationTime"] for s in listing(sm)}
    sm.stop_training_job(TrainingJobName=order[11])
    clock.advance(60)
    after = listing(sm)
    assert {s["TrainingJobName"]: s["CreationTime"] for s in after} == before
    stopped = next(s for s in after if s["TrainingJobName"] == order[11])
    assert stopped["TrainingJobStatus"] == "Stopped" and stopped["ObjectiveStatus"] == "Succeeded"
    tuning = describe(sm)
    assert tuning["HyperParameterTuningJobStatus"] == "Completed"
    assert tuning["HyperParameterTuningEndTime"] == ORIGIN + timedelta(seconds=3060)
    assert tuning["TrainingJobStatusCounters"]["Stopped"] == 2
    assert tuning["BestTrainingJob"]["TrainingJobName"] == order[8]  # a stopped job is never the best


def test_a_child_stopped_before_it_logged_anything_has_a_failed_objective(full_sim, clock):
    sm = client(full_sim)
    child = full_sim.training_job_names(HPO)[11]
    at(clock, 1763 + 30)  # just created: still starting
    sm.stop_training_job(TrainingJobName=child)
    clock.advance(60)
    summary = next(s for s in listing(sm) if s["TrainingJobName"] == child)
    assert (summary["TrainingJobStatus"], summary["ObjectiveStatus"], value(summary)) == ("Stopped", "Failed", None)
    assert describe(sm)["ObjectiveStatusCounters"]["Failed"] == 2
