"""The simulator's hyperparameter tuning job through boto3 and aiobotocore over HTTP."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest
from aiobotocore.session import AioSession
from botocore.config import Config
from botocore.exceptions import ClientError

from smtui.clock import FrozenClock
from smtui.sim import Scenario, Simulator, Stage, default_scenarios, default_tuning_jobs
from smtui.sim.log_streams import GROUP
from smtui.sim.metrics import NAMESPACE
from smtui.sim.tuning import TuningJob, churn_auc
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
STATIC = {"_tuning_objective_metric": "validation:auc", "objective": "binary:logistic", "eval_metric": "auc",
          "num_round": "1000", "early_stopping_rounds": "30"}
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
        HyperParameterTuningJobName=HPO, **params)
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
        prefix, number, tail = name[:len(HPO)], name[len(HPO) + 1:len(HPO) + 4], name[len(HPO) + 5:]
        assert (prefix, number, name[len(HPO)], name[len(HPO) + 4]) == (HPO, f"{index:03d}", "-", "-")
        assert len(tail) == 8 and all(c in "0123456789abcdef" for c in tail), name
        assert simulator.scenarios[name].entry_point is None and simulator.scenarios[name].log_style == "xgboost"
    assert len(set(children)) == 12 and set(children).isdisjoint(simulator.job_names())
    assert default_tuning_jobs()[0].children == Simulator(clock, origin=ORIGIN, realism=fixture_realism()).tuning_jobs[HPO].children
    # Jobs given explicitly come without a tuning job, unless one is given too.
    assert Simulator(clock, origin=ORIGIN, scenarios=default_scenarios(), realism=fixture_realism()).tuning_job_names() == []
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
    plain_job = Scenario(name="plain", created=0, project="p", image="i", stages=(Stage("Training", 60),
                                                                                  Stage("Completed")))
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
        page = plain(sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=HPO,
                                                                            **params))
        assert output_problems(page, LIST_CHILDREN) == [], (moment, params)
    for summary in listing(sm):
        job = plain(sm.describe_training_job(TrainingJobName=summary["TrainingJobName"]))
        assert output_problems(job, DESCRIBE_JOB, may_omit=frozenset({"ModelArtifacts"})) == []


def test_describe_the_tuning_job(full_sim, clock):
    sm = client(full_sim)
    tuning = describe(sm)
    region_account = "us-east-1:123456789012"
    assert tuning["HyperParameterTuningJobArn"] == f"arn:aws:sagemaker:{region_account}:hyper-parameter-tuning-job/{HPO}"
    config = tuning["HyperParameterTuningJobConfig"]
    assert config["Strategy"] == "Bayesian" and config["TrainingJobEarlyStoppingType"] == "Auto"
    assert config["HyperParameterTuningJobObjective"] == {"Type": "Maximize", "MetricName": "validation:auc"}
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 12, "MaxParallelTrainingJobs": 3}
    ranges = config["ParameterRanges"]
    assert {r["Name"] for r in ranges["IntegerParameterRanges"]} == {"max_depth"}
    assert {r["Name"] for r in ranges["ContinuousParameterRanges"]} == {"eta", "min_child_weight", "subsample"}
    bounds = {r["Name"]: (float(r["MinValue"]), float(r["MaxValue"]))
              for kind in ("IntegerParameterRanges", "ContinuousParameterRanges") for r in ranges[kind]}
    definition = tuning["TrainingJobDefinition"]
    assert definition["StaticHyperParameters"] == STATIC
    assert definition["AlgorithmSpecification"]["TrainingImage"].endswith("/sagemaker-xgboost:1.7-1")
    assert [m["Name"] for m in definition["AlgorithmSpecification"]["MetricDefinitions"]] == [
        "train:auc", "validation:auc"]
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
    assert tuning["TrainingJobStatusCounters"] == {"Completed": 3, "InProgress": 3, "RetryableError": 0,
                                                   "NonRetryableError": 1, "Stopped": 1}
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


@pytest.mark.parametrize("moment, created, running, completed", [
    (CREATED, 0, 0, 0), (0, 8, 3, 3), (600, 9, 3, 4), (1500, 11, 3, 6), (2400, 12, 1, 9), (COMPLETED, 12, 0, 10)])
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
    assert tuning["TrainingJobStatusCounters"] == {"Completed": 10, "InProgress": 0, "RetryableError": 0,
                                                   "NonRetryableError": 1, "Stopped": 1}
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


# -- ListTrainingJobsForHyperParameterTuningJob ----------------------------------------------------


def test_pages_list_every_child_once(full_sim, clock):
    sm = client(full_sim)
    at(clock, 2400)
    whole = plain(sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=HPO,
                                                                        MaxResults=100))
    assert "NextToken" not in whole
    for size in (1, 5, 11, 12):
        pages = list(sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
            HyperParameterTuningJobName=HPO, PaginationConfig={"PageSize": size}))
        assert [len(p["TrainingJobSummaries"]) for p in pages][:-1] == [size] * (len(pages) - 1)
        paged = [s for p in pages for s in p["TrainingJobSummaries"]]
        assert paged == whole["TrainingJobSummaries"] and len(set(names(paged))) == 12
    default = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=HPO)
    assert len(default["TrainingJobSummaries"]) == 10 and default["NextToken"]  # ten by default


def test_paging_sees_the_moment_of_the_first_page(full_sim, clock):
    sm = client(full_sim)
    first = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=HPO, MaxResults=3)
    at(clock, 2400)  # four more jobs meanwhile, and three of the running ones ended
    rest, token = [], first["NextToken"]
    while token:
        page = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=HPO, MaxResults=3,
                                                                    NextToken=token)
        rest += page["TrainingJobSummaries"]
        token = page.get("NextToken")
    at(clock, 0)
    at_once = listing(sm)
    assert first["TrainingJobSummaries"] + rest == at_once and len(at_once) == 8
    # A token only continues the listing it came from.
    code, _ = error_of(sm.list_training_jobs_for_hyper_parameter_tuning_job, HyperParameterTuningJobName=HPO,
                       MaxResults=3, NextToken=first["NextToken"], StatusEquals="Completed")
    assert code == "ValidationException"
    code, _ = error_of(sm.list_training_jobs, NextToken=first["NextToken"])
    assert code == "ValidationException"


def test_status_equals(full_sim, clock):
    sm = client(full_sim)
    every = listing(sm)
    for status in ("InProgress", "Completed", "Failed", "Stopped", "Stopping"):
        filtered = listing(sm, StatusEquals=status)
        assert filtered == [s for s in every if s["TrainingJobStatus"] == status], status
    assert len(listing(sm, StatusEquals="InProgress")) == 3
    assert listing(sm, StatusEquals="Stopping") == []


@pytest.mark.parametrize("order", ["Ascending", "Descending"])
def test_sort_by_each_key(full_sim, clock, order):
    sm = client(full_sim)
    at(clock, 1500)
    every = listing(sm, MaxResults=100)
    descending = order == "Descending"
    by_name = listing(sm, SortBy="Name", SortOrder=order)
    assert names(by_name) == sorted(names(every), reverse=descending)
    by_time = listing(sm, SortBy="CreationTime", SortOrder=order)
    assert [s["CreationTime"] for s in by_time] == sorted((s["CreationTime"] for s in every), reverse=descending)
    assert sorted(names(by_time)) == sorted(names(every))
    by_status = listing(sm, SortBy="Status", SortOrder=order, PaginationConfig={"PageSize": 4})
    assert [(s["TrainingJobStatus"], s["TrainingJobName"]) for s in by_status] == sorted(
        ((s["TrainingJobStatus"], s["TrainingJobName"]) for s in every), reverse=descending)
    # Jobs without an objective value (running, failed) are left out, as SageMaker documents.
    by_value = listing(sm, SortBy="FinalObjectiveMetricValue", SortOrder=order, PaginationConfig={"PageSize": 3})
    scored = [s for s in every if value(s) is not None]
    assert len(scored) == 7 and sorted(names(by_value)) == sorted(names(scored))
    assert [value(s) for s in by_value] == sorted(map(value, scored), reverse=descending)
    # Without SortBy and SortOrder: by name, ascending.
    assert listing(sm) == listing(sm, SortBy="Name", SortOrder="Ascending")


def test_requests_are_checked_like_sagemaker_checks_them(full_sim):
    # botocore checks minimums but neither maximums nor enums; let everything through to the service.
    sm = client(full_sim, parameter_validation=False)
    call = sm.list_training_jobs_for_hyper_parameter_tuning_job
    for bad in (0, 101):
        code, message = error_of(call, HyperParameterTuningJobName=HPO, MaxResults=bad)
        assert code == "ValidationException" and "at 'maxResults' failed to satisfy constraint" in message
    code, message = error_of(call, HyperParameterTuningJobName=HPO, MaxResults=500)
    assert message == ("1 validation error detected: Value '500' at 'maxResults' failed to satisfy constraint: "
                       "Member must have value less than or equal to 100")
    for params in ({"SortBy": "Objective"}, {"SortOrder": "Up"}, {"StatusEquals": "Running"}):
        code, message = error_of(call, HyperParameterTuningJobName=HPO, **params)
        assert code == "ValidationException" and "Member must satisfy enum value set" in message, params
    code, _ = error_of(call, HyperParameterTuningJobName=HPO, NextToken="not-a-token")
    assert code == "ValidationException"
    code, message = error_of(sm.describe_hyper_parameter_tuning_job, HyperParameterTuningJobName="x" * 33)
    assert code == "ValidationException" and "hyperParameterTuningJobName" in message


def test_an_unknown_tuning_job(full_sim, clock):
    sm = client(full_sim)
    expected = ("ResourceNotFound", "Amazon SageMaker can't find a tuning job called no-such-hpo. Type another name.")
    assert error_of(sm.describe_hyper_parameter_tuning_job, HyperParameterTuningJobName="no-such-hpo") == expected
    assert error_of(sm.list_training_jobs_for_hyper_parameter_tuning_job,
                    HyperParameterTuningJobName="no-such-hpo") == expected
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="no-such-hpo")
    # Before its creation the tuning job does not exist either; a training job name is not a tuning job's.
    at(clock, CREATED - 1)
    assert error_of(sm.describe_hyper_parameter_tuning_job, HyperParameterTuningJobName=HPO)[0] == "ResourceNotFound"
    assert error_of(sm.list_training_jobs_for_hyper_parameter_tuning_job,
                    HyperParameterTuningJobName=HPO)[0] == "ResourceNotFound"
    at(clock, 0)
    code, _ = error_of(sm.describe_hyper_parameter_tuning_job, HyperParameterTuningJobName="xgboost-churn-stopped")
    assert code == "ResourceNotFound"
    # DescribeTrainingJob keeps its own answer for a job it does not know.
    assert error_of(sm.describe_training_job, TrainingJobName=HPO) == (
        "ValidationException", "Requested resource not found.")


# -- a child as a training job ------------------------------------------------------------------


def test_a_child_is_a_training_job_of_the_tuning_job(full_sim, clock):
    sm = client(full_sim)
    at(clock, COMPLETED)
    arn = describe(sm)["HyperParameterTuningJobArn"]
    summaries = listing(sm)
    listed = {s["TrainingJobName"] for s in sm.list_training_jobs(MaxResults=100)["TrainingJobSummaries"]}
    assert set(names(summaries)) <= listed  # ListTrainingJobs lists them too
    for summary in summaries:
        job = sm.describe_training_job(TrainingJobName=summary["TrainingJobName"])
        assert job["TuningJobArn"] == arn
        hyperparameters = job["HyperParameters"]
        assert set(hyperparameters) == set(STATIC) | TUNED
        assert {k: hyperparameters[k] for k in STATIC} == STATIC
        assert {k: hyperparameters[k] for k in TUNED} == summary["TunedHyperParameters"]
        assert all(isinstance(v, str) for v in summary["TunedHyperParameters"].values())
        assert job["CreationTime"] == summary["CreationTime"] and job["TrainingJobStatus"] == summary[
            "TrainingJobStatus"]
        assert job.get("TrainingStartTime") == summary.get("TrainingStartTime")
        assert job.get("TrainingEndTime") == summary.get("TrainingEndTime")
        assert job["AlgorithmSpecification"]["TrainingImage"].endswith("/sagemaker-xgboost:1.7-1")
        assert "DebugHookConfig" not in job and job["ProfilingStatus"] == "Disabled"  # a built-in algorithm
        # The objective value is the job's final validation:auc.
        finals = {m["MetricName"]: m["Value"] for m in job.get("FinalMetricDataList", [])}
        if summary["ObjectiveStatus"] == "Succeeded":
            assert value(summary) == finals["validation:auc"]
            assert summary["FinalHyperParameterTuningJobObjectiveMetric"]["MetricName"] == "validation:auc"
        else:
            assert "FinalHyperParameterTuningJobObjectiveMetric" not in summary
        tuned = summary["TunedHyperParameters"]
        if summary["TrainingJobStatus"] == "Completed":
            target = churn_auc(float(tuned["eta"]), int(tuned["max_depth"]), float(tuned["min_child_weight"]),
                               float(tuned["subsample"]))
            assert abs(finals["validation:auc"] - target) < 0.004
            assert finals["train:auc"] > finals["validation:auc"]
    values = [value(s) for s in summaries if s["TrainingJobStatus"] == "Completed"]
    assert len(set(values)) == len(values) == 10 and max(values) - min(values) > 0.05


def test_get_metric_data_for_a_running_child(full_sim, clock):
    sm, cw = client(full_sim), client(full_sim, "cloudwatch")
    running = listing(sm, StatusEquals="InProgress")
    assert len(running) == 3

    def objective(job):
        query = {"Id": "auc", "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": "validation:auc",
                                                        "Dimensions": [{"Name": "TrainingJobName", "Value": job}]},
                                             "Period": 60, "Stat": "Average"}}
        return cw.get_metric_data(MetricDataQueries=[query], StartTime=ORIGIN - timedelta(hours=1),
                                  EndTime=ORIGIN + timedelta(hours=2), ScanBy="TimestampAscending")[
            "MetricDataResults"][0]

    # The two launched first have trained a while; the third is still pulling the XGBoost image.
    first, second, third = (objective(s["TrainingJobName"]) for s in running)
    for result in (first, second):
        assert len(result["Values"]) > 5 and max(result["Timestamps"]) <= ORIGIN
        assert 0.5 < result["Values"][0] < result["Values"][-1] < 1
    assert third["Values"] == []
    name = running[-1]["TrainingJobName"]
    clock.advance(600)
    later = objective(name)
    assert len(later["Values"]) >= 9 and max(later["Timestamps"]) <= clock.now()
    assert later["Values"][0] < later["Values"][-1]  # the AUC goes up
    clock.advance(3600)
    job = sm.describe_training_job(TrainingJobName=name)
    final = objective(name)
    assert final["Values"][-1] == next(m["Value"] for m in job["FinalMetricDataList"]
                                       if m["MetricName"] == "validation:auc")
    assert full_sim.metric_names(name) == ["train:auc", "validation:auc"]


def test_children_write_xgboost_logs(full_sim, clock):
    logs = client(full_sim, "logs")
    order = full_sim.training_job_names(HPO)
    streams = logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=f"{HPO}-")["logStreams"]
    # The eight created by the origin trained (the failed one briefly); the others have no stream yet.
    assert sorted(s["logStreamName"].split("/")[0] for s in streams) == order[:8]
    found = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix=f"{order[1]}/",
                                   filterPattern='"#011validation-auc"')["events"]
    assert found and all("#011train-auc:" in e["message"] for e in found)
    failure = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix=f"{order[3]}/",
                                     filterPattern="ERROR")["events"]
    assert [e["message"].split("] ", 1)[1] for e in failure][:2] == ["Reporting training FAILURE",
                                                                      "framework error: "]
    assert any("_tuning_objective_metric value validation:auc" in e["message"] for e in logs.filter_log_events(
        logGroupName=GROUP, logStreamNamePrefix=f"{order[0]}/", filterPattern="Failed to parse")["events"])


async def test_through_aiobotocore(full_sim, clock):
    options = {"endpoint_url": full_sim.url, "region_name": "us-east-1", **KEYS}
    async with AioSession().create_client("sagemaker", **options) as sm:
        tuning = await sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=HPO)
        assert output_problems(plain(tuning), DESCRIBE_TUNING) == []
        paginator = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job")
        summaries = [s async for page in paginator.paginate(HyperParameterTuningJobName=HPO,
                                                            PaginationConfig={"PageSize": 3})
                     for s in page["TrainingJobSummaries"]]
        assert names(summaries) == sorted(full_sim.training_job_names(HPO)[:8])
        assert tuning["BestTrainingJob"] in summaries
        with pytest.raises(ClientError) as caught:
            await sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="missing")
        assert caught.value.response["Error"]["Code"] == "ResourceNotFound"


def test_in_process_at_any_speed():
    fast = Simulator(FrozenClock(ORIGIN + timedelta(seconds=COMPLETED / 10 + 0.01)), origin=ORIGIN, speed=10, realism=fixture_realism())
    tuning = fast.describe_hyper_parameter_tuning_job({"HyperParameterTuningJobName": HPO})
    assert tuning["HyperParameterTuningJobStatus"] == "Completed"
    assert tuning["CreationTime"] == ORIGIN + timedelta(seconds=CREATED / 10)
    assert tuning["ConsumedResources"]["RuntimeInSeconds"] == round((COMPLETED - CREATED) / 10)
    page = fast.list_training_jobs_for_hyper_parameter_tuning_job({"HyperParameterTuningJobName": HPO})
    assert len(page["TrainingJobSummaries"]) == 10 and page["NextToken"]
    assert output_problems(tuning, DESCRIBE_TUNING) == []
