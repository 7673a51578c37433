"""The at-a-glance summary of a job, against values worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from smtui.present.cost import NoPrice, Price, billing, cost_usd, hourly, money, spot_savings
from smtui.present.summary import failure_headline, metric_direction, running_seconds, summarize
from smtui.present.summary_text import bar_text, render_summary_text, summary_lines, summary_rows

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def stage(status: str, start: float, end: float | None) -> dict:
    item = {"Status": status, "StartTime": at(start), "StatusMessage": ""}
    if end is not None:
        item["EndTime"] = at(end)
    return item


def spot_job() -> dict:
    """2 × ml.p3.2xlarge, managed spot, interrupted once, completed at 11:22."""
    return {
        "TrainingJobName": "spot",
        "TrainingJobStatus": "Completed",
        "SecondaryStatus": "Completed",
        "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 2, "VolumeSizeInGB": 50},
        "EnableManagedSpotTraining": True,
        "StoppingCondition": {"MaxRuntimeInSeconds": 7200, "MaxWaitTimeInSeconds": 14400},
        "CreationTime": at(0),
        "TrainingStartTime": at(5),
        "TrainingEndTime": at(82),
        "TrainingTimeInSeconds": 3600,
        "BillableTimeInSeconds": 930,
        "SecondaryStatusTransitions": [
            stage("Starting", 0, 5),
            stage("Downloading", 5, 10),
            stage("Training", 10, 40),
            stage("Interrupted", 40, 50),
            stage("Restarting", 50, 52),
            stage("Starting", 52, 55),
            stage("Training", 55, 80),
            stage("Uploading", 80, 82),
            stage("Completed", 82, 82),
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
        "ModelArtifacts": {"S3ModelArtifacts": "s3://bucket/out/spot/output/model.tar.gz"},
        "WarmPoolStatus": {"Status": "Terminated", "ResourceRetainedBillableTimeInSeconds": 1800},
    }


def running_job() -> dict:
    """1 × ml.g5.12xlarge on demand, training for 25 minutes at 10:40."""
    return {
        "TrainingJobName": "running",
        "TrainingJobStatus": "InProgress",
        "SecondaryStatus": "Training",
        "ResourceConfig": {"InstanceType": "ml.g5.12xlarge", "InstanceCount": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "CreationTime": at(7),
        "TrainingStartTime": at(10),
        "SecondaryStatusTransitions": [
            stage("Starting", 7, 10),
            stage("Downloading", 10, 15),
            stage("Training", 15, None),
        ],
        "AlgorithmSpecification": {
            "MetricDefinitions": [
                {"Name": "train:loss", "Regex": "x"},
                {"Name": "validation:accuracy", "Regex": "y"},
                {"Name": "custom_thing", "Regex": "z"},
            ]
        },
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
    }


def test_spot_savings_as_the_sdk_prints_them():
    # logs_for_job: saving = (1 - billable / training) * 100, printed with one decimal.
    assert f"{spot_savings(3600, 930) * 100:.1f}" == "74.2"
    assert spot_savings(0, 10) is None and spot_savings(None, 10) is None and spot_savings(100, None) is None


def test_cost_is_billable_seconds_times_instances_times_the_hourly_price():
    assert cost_usd(930, 2, 3.825) == pytest.approx(1.97625)
    assert money(1.97625) == "$1.98" and money(1234.5) == "$1,234.50" and money(0.0096) == "$0.0096"
    assert hourly(3.825) == "$3.825/h" and hourly(37.688) == "$37.688/h" and hourly(0.23) == "$0.23/h"


def test_a_finished_spot_job():
    summary = summarize(spot_job(), at(200), Price("ml.p3.2xlarge", "us-east-1", 3.825))
    assert summary.instance_count == 2 and summary.accelerators == 2
    assert summary.billing.seconds == 930 and not summary.billing.estimated
    assert summary.billing.instance_hours == pytest.approx(930 * 2 / 3600)
    assert summary.billing.cost_usd == pytest.approx(1.97625)
    # Running time is Downloading + Training + Uploading: 5 + 30 + 25 + 2 = 62 minutes.
    assert summary.runtime.used == 62 * 60 and summary.runtime.limit == 7200
    # The wait is counted from creation to the end: 82 minutes of 4 hours.
    assert summary.wait.used == 82 * 60 and summary.wait.fraction == pytest.approx(4920 / 14400)
    rows = {row.label: row for row in summary_rows(summary)}
    assert rows["Instances"].value == "2 × ml.p3.2xlarge · 2 × V100 GPUs, 32 GiB · 16 vCPUs"
    assert rows["Capacity"].value == "managed spot · 74.2% saved (1 − billable ÷ training time)"
    assert rows["Billable"].value == "15m 30s · 0.52 instance-hours"
    assert rows["Cost"].value == "$1.98 ($3.825/h on-demand in us-east-1)"
    assert rows["Runtime"].value == "52% of 2h · used 1h 2m"
    assert rows["Wait"].value == "34% of 4h · used 1h 22m"
    assert rows["Warm pool"].value == "Terminated · 30m retained"
    assert rows["Output"].value == "s3://bucket/out/spot/output/model.tar.gz"


def test_a_running_on_demand_job_costs_so_far_and_has_time_left():
    series = {
        "train:loss": [(at(20), 0.9), (at(21), 0.5), (at(22), 0.6)],
        "validation:accuracy": [(at(20), 0.7), (at(21), 0.9), (at(22), 0.85)],
        "custom_thing": [(at(20), 3.0), (at(21), 1.0)],
    }
    summary = summarize(running_job(), at(40), Price("ml.g5.12xlarge", "us-east-1", 7.2), series)
    # 30 minutes since TrainingStartTime stand in for the billable time: 1800 s × 7.2 $/h = $3.60.
    assert summary.billing.estimated and summary.billing.seconds == 1800
    assert summary.billing.cost_usd == pytest.approx(3.6)
    # Running: Downloading 5 min + Training 25 min so far = 30 of 60 minutes.
    assert summary.runtime.used == 1800 and summary.runtime.left == 1800 and summary.wait is None
    rows = {row.label: row for row in summary_rows(summary)}
    assert rows["Cost"].value == "≈ $3.60 so far ($7.20/h on-demand in us-east-1)"
    assert rows["Runtime"].value == "50% of 1h · 30m left" and rows["Runtime"].bar is summary.runtime
    assert rows["Billable"].value == "30m so far · 0.50 instance-hours"
    assert rows["train:loss"].value == "0.6 · lowest 0.5"
    assert rows["validation:accuracy"].value == "0.85 · highest 0.9"
    assert rows["custom_thing"].value == "1"  # no direction: no best
    assert rows["Capacity"].value == "on-demand"


def test_a_running_spot_job_is_an_upper_bound():
    job = running_job() | {"EnableManagedSpotTraining": True}
    job["StoppingCondition"] = {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    summary = summarize(job, at(40), Price("ml.g5.12xlarge", "us-east-1", 7.2))
    rows = {row.label: row.value for row in summary_rows(summary)}
    assert rows["Capacity"] == "managed spot · savings known when it ends"
    assert rows["Cost"].startswith("at most $3.60 so far")
    # Waiting counts from creation (10:07) to now (10:40): 33 of 120 minutes, 1h 27m left.
    assert rows["Wait"] == "28% of 2h · 1h 27m left"


def test_no_price_says_why_and_keeps_the_instance_hours():
    summary = summarize(spot_job(), at(200), NoPrice("no permission for pricing:GetProducts"))
    row = next(r for r in summary_rows(summary) if r.label == "Cost")
    assert row.value == "0.52 instance-hours; no cost in dollars: no permission for pricing:GetProducts"
    assert row.tone == "warning"
    unasked = billing(spot_job(), at(200))
    assert unasked.cost_usd is None and unasked.no_cost == "price not looked up yet"


def test_a_job_waiting_for_capacity_has_cost_nothing_yet():
    job = running_job() | {"SecondaryStatus": "Pending", "SecondaryStatusTransitions": [stage("Pending", 7, None)]}
    del job["TrainingStartTime"]
    summary = summarize(job, at(40), Price("ml.g5.12xlarge", "us-east-1", 7.2))
    rows = {row.label: row for row in summary_rows(summary)}
    assert rows["Cost"].value == "nothing yet: billing starts with training" and rows["Cost"].tone is None
    assert "Billable" not in rows and rows["Runtime"].value == "0% of 1h · 1h left"


def test_a_job_that_never_trained_has_no_billable_time():
    job = {
        "TrainingJobStatus": "Failed",
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
        "FailureReason": "CapacityError: Unable to provision requested ML compute capacity.",
    }
    summary = summarize(job, at(10), Price("ml.m5.xlarge", "us-east-1", 0.23))
    assert summary.billing.seconds is None and summary.billing.no_cost == "SageMaker reported no billable time"
    assert summary.failure == "CapacityError: Unable to provision requested ML compute capacity."


def test_an_unknown_type_says_the_figures_are_raw():
    job = {"ResourceConfig": {"InstanceType": "ml.p6e-gb200.36xlarge", "InstanceCount": 18}}
    text = summary_rows(summarize(job, at(0)))[0].value
    assert text == "18 × ml.p6e-gb200.36xlarge · not in smtui's instance table: utilisation shows raw figures"


def test_instance_groups_are_added_up():
    job = {
        "ResourceConfig": {
            "InstanceGroups": [
                {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 2, "InstanceGroupName": "a"},
                {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 3, "InstanceGroupName": "b"},
            ]
        }
    }
    summary = summarize(job, at(0))
    assert summary.instance_type == "ml.p4d.24xlarge" and summary.instance_count == 5 and summary.accelerators == 40


def test_failure_headline():
    oom = (
        'AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage "torch.OutOfMemoryError: CUDA out of '
        'memory.\nmore"\nCommand "python train.py", exit code: 1'
    )
    assert failure_headline(oom) == "torch.OutOfMemoryError: CUDA out of memory."
    assert failure_headline("\n  ClientError: no such bucket\nTraceback") == "ClientError: no such bucket"
    pytorch = (
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a total capacity "
        "of 22.05 GiB of which 1.12 GiB is free."
    )
    assert failure_headline(pytorch) == "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB."
    assert failure_headline("") is None and failure_headline(None) is None


@pytest.mark.parametrize(
    "name, direction",
    [
        ("train:loss", "min"),
        ("validation:rmse", "min"),
        ("eval_wer", "min"),
        ("val_acc", "max"),
        ("validation:accuracy", "max"),
        ("validation:auc", "max"),
        ("Acc@1", "max"),
        ("train:mfu", "max"),
        ("train:tokens_per_second", "max"),
        ("samples/s", "max"),
        ("f1", "max"),
        ("learning_rate", None),
        ("epoch", None),
        ("val_acc_loss", "min"),
    ],
)
def test_metric_direction(name, direction):
    assert metric_direction(name) == direction


def test_running_seconds_without_transitions():
    assert running_seconds({"TrainingStartTime": at(0)}, at(3)) == 180
    assert running_seconds({"TrainingTimeInSeconds": 42, "TrainingJobStatus": "Completed"}, at(3)) == 42
    assert running_seconds({}, at(3)) == 0


def test_bar_text():
    from smtui.present.summary import TimeLimit

    assert bar_text(TimeLimit(0, 100), 10) == "░" * 10
    assert bar_text(TimeLimit(100, 100), 10) == "█" * 10
    assert bar_text(TimeLimit(55, 100), 10) == "█████▌░░░░"  # 5.5 cells: a half block
    assert bar_text(TimeLimit(500, 100), 4) == "████"


def test_long_metric_names_are_never_cut():
    name = "validation:a_very_long_metric_name_that_does_not_fit_the_label_column"
    job = running_job()
    job["AlgorithmSpecification"] = {"MetricDefinitions": [{"Name": name, "Regex": "x"}]}
    text = render_summary_text(summarize(job, at(40), series={name: [(at(30), 0.25)]}), width=80)
    lines = text.splitlines()
    assert f"  {name}" in lines
    assert lines[lines.index(f"  {name}") + 1].strip() == "0.25"  # no direction in the name: no best
    assert all(len(line) <= 80 for line in lines)


def test_a_figure_keeps_its_unit_when_a_value_wraps():
    job = running_job()
    job["ResourceConfig"] = {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 4}
    rows = summary_lines(summarize(job, at(40)), 54)
    instances = [" ".join(text for text, _ in line).split() for line in rows[:2]]
    # At 54 cells "1,280" would end the first line and "GiB" start the next: they go together.
    assert instances[0][-1] == "GPUs,"
    assert instances[1][:2] == ["1,280", "GiB"] and instances[1][-2:] == ["384", "vCPUs"]
    assert not any("\u00a0" in text for line in rows for text, _ in line)
