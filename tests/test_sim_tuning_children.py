"""The simulated tuning job's children: ListTrainingJobsForHyperParameterTuningJob, and each child as a training job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from smtui.clock import FrozenClock
from smtui.sim import Simulator
from smtui.sim.log_streams import GROUP
from smtui.sim.metrics import NAMESPACE
from smtui.sim.tuning import churn_auc
from smtui.sim.validate import output_problems
from tests.conftest import ORIGIN, fixture_realism
from tests.test_sim_tuning import (
    COMPLETED,
    CREATED,
    DESCRIBE_TUNING,
    HPO,
    KEYS,
    STATIC,
    TUNED,
    at,
    client,
    describe,
    error_of,
    listing,
    names,
    plain,
    value,
)

# -- ListTrainingJobsForHyperParameterTuningJob ----------------------------------------------------


def test_pages_list_every_child_once(full_sim, clock):
    sm = client(full_sim)
    at(clock, 2400)
    whole = plain(sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=HPO, MaxResults=100))
    assert "NextToken" not in whole
    for size in (1, 5, 11, 12):
        pages = list(
            sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
                HyperParameterTuningJobName=HPO, PaginationConfig={"PageSize": size}
            )
        )
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
        page = sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=HPO, MaxResults=3, NextToken=token
        )
        rest += page["TrainingJobSummaries"]
        token = page.get("NextToken")
    at(clock, 0)
    at_once = listing(sm)
    assert first["TrainingJobSummaries"] + rest == at_once and len(at_once) == 8
    # A token only continues the listing it came from.
    code, _ = error_of(
        sm.list_training_jobs_for_hyper_parameter_tuning_job,
        HyperParameterTuningJobName=HPO,
        MaxResults=3,
        NextToken=first["NextToken"],
        StatusEquals="Completed",
    )
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
        ((s["TrainingJobStatus"], s["TrainingJobName"]) for s in every), reverse=descending
    )
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
    assert message == (
        "1 validation error detected: Value '500' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100"
    )
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
    assert (
        error_of(sm.list_training_jobs_for_hyper_parameter_tuning_job, HyperParameterTuningJobName="no-such-hpo")
        == expected
    )
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="no-such-hpo")
    # Before its creation the tuning job does not exist either; a training job name is not a tuning job's.
    at(clock, CREATED - 1)
    assert error_of(sm.describe_hyper_parameter_tuning_job, HyperParameterTuningJobName=HPO)[0] == "ResourceNotFound"
    assert (
        error_of(sm.list_training_jobs_for_hyper_parameter_tuning_job, HyperParameterTuningJobName=HPO)[0]
        == "ResourceNotFound"
    )
    at(clock, 0)
    code, _ = error_of(sm.describe_hyper_parameter_tuning_job, HyperParameterTuningJobName="xgboost-churn-stopped")
    assert code == "ResourceNotFound"
    # DescribeTrainingJob keeps its own answer for a job it does not know.
    assert error_of(sm.describe_training_job, TrainingJobName=HPO) == (
        "ValidationException",
        "Requested resource not found.",
    )


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
        assert (
            job["CreationTime"] == summary["CreationTime"] and job["TrainingJobStatus"] == summary["TrainingJobStatus"]
        )
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
            target = churn_auc(
                float(tuned["eta"]),
                int(tuned["max_depth"]),
                float(tuned["min_child_weight"]),
                float(tuned["subsample"]),
            )
            assert abs(finals["validation:auc"] - target) < 0.004
            assert finals["train:auc"] > finals["validation:auc"]
    values = [value(s) for s in summaries if s["TrainingJobStatus"] == "Completed"]
    assert len(set(values)) == len(values) == 10 and max(values) - min(values) > 0.05


@pytest.mark.gentle("metric-lag")  # every point as it is logged
def test_get_metric_data_for_a_running_child(full_sim, clock):
    sm, cw = client(full_sim), client(full_sim, "cloudwatch")
    running = listing(sm, StatusEquals="InProgress")
    assert len(running) == 3

    def objective(job):
        query = {
            "Id": "auc",
            "MetricStat": {
                "Metric": {
                    "Namespace": NAMESPACE,
                    "MetricName": "validation:auc",
                    "Dimensions": [{"Name": "TrainingJobName", "Value": job}],
                },
                "Period": 60,
                "Stat": "Average",
            },
        }
        return cw.get_metric_data(
            MetricDataQueries=[query],
            StartTime=ORIGIN - timedelta(hours=1),
            EndTime=ORIGIN + timedelta(hours=2),
            ScanBy="TimestampAscending",
        )["MetricDataResults"][0]

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
    assert final["Values"][-1] == next(
        m["Value"] for m in job["FinalMetricDataList"] if m["MetricName"] == "validation:auc"
    )
    assert full_sim.metric_names(name) == ["train:auc", "validation:auc"]


def test_children_write_xgboost_logs(full_sim, clock):
    logs = client(full_sim, "logs")
    order = full_sim.training_job_names(HPO)
    streams = logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=f"{HPO}-")["logStreams"]
    # The eight created by the origin trained (the failed one briefly); the others have no stream yet.
    assert sorted(s["logStreamName"].split("/")[0] for s in streams) == order[:8]
    found = logs.filter_log_events(
        logGroupName=GROUP, logStreamNamePrefix=f"{order[1]}/", filterPattern='"#011validation-auc"'
    )["events"]
    assert found and all("#011train-auc:" in e["message"] for e in found)
    failure = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix=f"{order[3]}/", filterPattern="ERROR")[
        "events"
    ]
    assert [e["message"].split("] ", 1)[1] for e in failure][:2] == ["Reporting training FAILURE", "framework error: "]
    assert any(
        "_tuning_objective_metric value validation:auc" in e["message"]
        for e in logs.filter_log_events(
            logGroupName=GROUP, logStreamNamePrefix=f"{order[0]}/", filterPattern="Failed to parse"
        )["events"]
    )


async def test_through_aiobotocore(full_sim, clock):
    options = {"endpoint_url": full_sim.url, "region_name": "us-east-1", **KEYS}
    async with AioSession().create_client("sagemaker", **options) as sm:
        tuning = await sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=HPO)
        assert output_problems(plain(tuning), DESCRIBE_TUNING) == []
        paginator = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job")
        summaries = [
            s
            async for page in paginator.paginate(HyperParameterTuningJobName=HPO, PaginationConfig={"PageSize": 3})
            for s in page["TrainingJobSummaries"]
        ]
        assert names(summaries) == sorted(full_sim.training_job_names(HPO)[:8])
        assert tuning["BestTrainingJob"] in summaries
        with pytest.raises(ClientError) as caught:
            await sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="missing")
        assert caught.value.response["Error"]["Code"] == "ResourceNotFound"


def test_in_process_at_any_speed():
    fast = Simulator(
        FrozenClock(ORIGIN + timedelta(seconds=COMPLETED / 10 + 0.01)),
        origin=ORIGIN,
        speed=10,
        realism=fixture_realism(),
    )
    tuning = fast.describe_hyper_parameter_tuning_job({"HyperParameterTuningJobName": HPO})
    assert tuning["HyperParameterTuningJobStatus"] == "Completed"
    assert tuning["CreationTime"] == ORIGIN + timedelta(seconds=CREATED / 10)
    assert tuning["ConsumedResources"]["RuntimeInSeconds"] == round((COMPLETED - CREATED) / 10)
    page = fast.list_training_jobs_for_hyper_parameter_tuning_job({"HyperParameterTuningJobName": HPO})
    assert len(page["TrainingJobSummaries"]) == 10 and page["NextToken"]
    assert output_problems(tuning, DESCRIBE_TUNING) == []
