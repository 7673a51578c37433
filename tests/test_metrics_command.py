"""``smtui metrics``: what it prints is what GetMetricData answers, from the simulator and from moto."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from smtui.aws.source import METRICS_NAMESPACE, metric_period
from smtui.cli import main
from tests.conftest import CREDENTIALS
from tests.test_moto import create_job

JOB = "bert-base-finetune-imdb"
OTHER = "mistral-7b-sft-distributed"
KEYS = {"AWS_ACCESS_KEY_ID": CREDENTIALS[0], "AWS_SECRET_ACCESS_KEY": CREDENTIALS[1]}


@pytest.fixture(autouse=True)
def credentials(monkeypatch):
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def sim_url():
    from smtui.clock import FrozenClock
    from smtui.sim import Simulator, start_in_thread
    from tests.conftest import ORIGIN, fixture_realism

    # The jobs as they are three hours after the simulator's origin: bert done, mistral far along.
    clock = FrozenClock(ORIGIN + timedelta(hours=3))
    with start_in_thread(Simulator(clock, origin=ORIGIN, realism=fixture_realism())) as running:
        yield running.url


def command(url: str, *args: str) -> tuple[int, str, str]:
    """Run ``smtui metrics ARGS`` in this process against ``url``: (exit code, stdout, stderr)."""
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["metrics", *args, "--endpoint-url", url, "--region", "us-east-1"])
        except SystemExit as exit:  # argparse
            code = exit.code
    return code, out.getvalue(), err.getvalue()


def clients(url: str):
    kwargs = dict(
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    )
    return boto3.client("sagemaker", **kwargs), boto3.client("cloudwatch", **kwargs)


def answered(url: str, job: str, metric: str) -> list[tuple[str, float]]:
    """What GetMetricData answers for one series from the job's start, through another client (boto3), at the
    Period the job's age allows (following NextToken)."""
    sagemaker, cloudwatch = clients(url)
    described = sagemaker.describe_training_job(TrainingJobName=job)
    start = described.get("TrainingStartTime") or described["CreationTime"]
    now = datetime.now(timezone.utc)
    request = dict(
        MetricDataQueries=[
            {
                "Id": "q",
                "ReturnData": True,
                "MetricStat": {
                    "Metric": {
                        "Namespace": METRICS_NAMESPACE,
                        "MetricName": metric,
                        "Dimensions": [{"Name": "TrainingJobName", "Value": job}],
                    },
                    "Period": metric_period(start, now),
                    "Stat": "Average",
                },
            }
        ],
        StartTime=start - timedelta(seconds=1),
        EndTime=now + timedelta(seconds=1),
        ScanBy="TimestampAscending",
    )
    points: list[tuple[str, float]] = []
    while True:
        response = cloudwatch.get_metric_data(**request)
        (result,) = response["MetricDataResults"]
        points += [
            (t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), v)
            for t, v in zip(result["Timestamps"], result["Values"])
        ]
        if not response.get("NextToken"):
            return points
        request["NextToken"] = response["NextToken"]


def defined(url: str, job: str) -> list[str]:
    sagemaker, _ = clients(url)
    spec = sagemaker.describe_training_job(TrainingJobName=job)["AlgorithmSpecification"]
    return [m["Name"] for m in spec.get("MetricDefinitions", ())]


def test_every_series_of_two_jobs_is_what_get_metric_data_answers(sim_url):
    code, out, err = command(sim_url, JOB, OTHER, "--csv")
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = [
        {"time": t, "job": job, "metric": metric, "value": v}
        for job in (JOB, OTHER)
        for metric in defined(sim_url, job)
        for t, v in answered(sim_url, job, metric)
    ]
    assert len(expected) > 100
    assert [(r["time"], r["job"], r["metric"], float(r["value"])) for r in rows] == [
        (e["time"], e["job"], e["metric"], e["value"]) for e in expected
    ]


def test_one_metric_as_json_and_as_text(sim_url):
    code, out, _ = command(sim_url, JOB, "--metric", "validation:accuracy", "--json")
    assert code == 0
    items = json.loads(out)
    assert [(i["time"], i["value"]) for i in items] == answered(sim_url, JOB, "validation:accuracy")
    assert {i["job"] for i in items} == {JOB} and {i["metric"] for i in items} == {"validation:accuracy"}
    code, out, _ = command(sim_url, JOB, "--metric", "validation:accuracy")
    lines = out.splitlines()
    assert lines[0].split() == ["TIME", "JOB", "METRIC", "VALUE"] and len(lines) == len(items) + 1
    assert [float(line.split()[-1]) for line in lines[1:]] == [i["value"] for i in items]
    assert len({len(line) for line in lines}) == 1  # aligned columns


def test_a_job_without_points_is_said_on_stderr_and_the_others_print(sim_url):
    # xgboost-churn-stopped defines no train:loss: the other job's points print, and a note says why none came.
    code, out, err = command(sim_url, JOB, "xgboost-churn-stopped", "--metric", "train:loss", "--csv")
    assert code == 0 and out.count("\n") == len(answered(sim_url, JOB, "train:loss")) + 1
    assert err == "smtui: xgboost-churn-stopped does not define train:loss\n"


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["no-such-job-here"], 1, "no-such-job-here: job not found"),
        ([JOB, "no-such-job-here"], 1, "no-such-job-here: job not found"),
        (["bad_name"], 2, "'bad_name' is not a valid training job name"),
        ([JOB, "--metric", "nope"], 2, "no job given defines the metric 'nope': it defines train:loss"),
        ([JOB, "--metric", ""], 2, "'' is not a metric name"),
        ([JOB, "--csv", "--json"], 2, "argument --json: not allowed with argument --csv"),
        ([], 2, "the following arguments are required: JOB"),
    ],
)
def test_bad_input_and_missing_jobs_get_one_line(sim_url, args, code, message):
    got, out, err = command(sim_url, *args)
    assert (got, out) == (code, "") and err.count("\n") == 1 and message in err, err


def run_process(shell: str, url: str) -> subprocess.CompletedProcess:
    program = [sys.executable, "-m", "smtui", "metrics", JOB, OTHER, "--endpoint-url", url, "--region", "us-east-1"]
    return subprocess.run(
        ["bash", "-c", shell, "bash", *program], capture_output=True, text=True, env={**os.environ, **KEYS}, timeout=60
    )


def test_a_reader_that_goes_away_ends_it_quietly(sim_url):
    done = run_process('set -o pipefail; "$@" | head -1', sim_url)
    assert done.returncode == 0 and done.stderr == "" and done.stdout.startswith("TIME")


def test_closed_standard_output_is_one_line(sim_url):
    done = run_process('"$@" >&-', sim_url)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "standard output is closed" in done.stderr


def test_against_moto(moto_url):
    # moto keeps what PutMetricData sends and answers GetMetricData from it: the command prints its answer. Its
    # DescribeTrainingJob says the job defines a metric of its own choosing: the points go to that one.
    job = f"moto-{uuid.uuid4().hex[:10]}"
    create_job(moto_url, job)
    sagemaker, cloudwatch = clients(moto_url)
    created = sagemaker.describe_training_job(TrainingJobName=job)["CreationTime"]
    (metric,) = defined(moto_url, job)
    cloudwatch.put_metric_data(
        Namespace=METRICS_NAMESPACE,
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "TrainingJobName", "Value": job}],
                "Timestamp": created + timedelta(seconds=seconds),
                "Value": value,
            }
            # Points in the past only: moto cuts EndTime to the whole second, and the command asks up to a second
            # after its start, which can be less than a second after the job's creation.
            for seconds, value in ((0, 0.9), (0, 0.7), (-0.5, 0.5))
        ],
    )
    code, out, err = command(moto_url, job, "--json")
    assert code == 0 and err == ""
    expected = answered(moto_url, job, metric)
    assert expected  # moto answered something to compare with
    assert [(i["time"], i["job"], i["metric"], i["value"]) for i in json.loads(out)] == [
        (t, job, metric, v) for t, v in expected
    ]
