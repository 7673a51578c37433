"""The data layer against moto's server, an implementation of the API independent of ours."""

from __future__ import annotations

import asyncio
import uuid

import boto3
import pytest

from smtui.aws.errors import NOT_FOUND
from smtui.aws.poller import JobFailed, JobUpdate, Poller
from smtui.aws.source import AwsJobSource, AwsOptions
from smtui.cli import main

from .conftest import CREDENTIALS


def create_job(url: str, name: str) -> None:
    client = boto3.client(
        "sagemaker",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    )
    client.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={
            "TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311",
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "train:loss", "Regex": "loss=([0-9.]+)"}],
        },
        RoleArn="arn:aws:iam::123456789012:role/SageMakerExecution",
        InputDataConfig=[
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": "s3://bucket/train/",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
            }
        ],
        OutputDataConfig={"S3OutputPath": "s3://bucket/output/"},
        ResourceConfig={"InstanceType": "ml.g5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 50},
        StoppingCondition={"MaxRuntimeInSeconds": 86400},
        HyperParameters={"epochs": "3", "lr": "0.0001"},
    )


@pytest.fixture
def moto_job(moto_url):
    name = f"moto-{uuid.uuid4().hex[:10]}"
    create_job(moto_url, name)
    return name


def options(url: str) -> AwsOptions:
    return AwsOptions(region="us-east-1", endpoint_url=url, static_credentials=CREDENTIALS)


async def test_describe_through_aiobotocore(moto_url, moto_job):
    async with AwsJobSource(options(moto_url)) as source:
        response = await source.describe_training_job(moto_job)
    assert response["TrainingJobName"] == moto_job
    assert response["TrainingJobArn"].endswith(f":training-job/{moto_job}")
    assert response["ResponseMetadata"]["RequestId"]


async def test_poller_against_moto_reports_jobs_and_missing_ones(moto_url, moto_job):
    events = []
    async with AwsJobSource(options(moto_url)) as source:
        poller = Poller(source, [moto_job, "no-such-job-here"], events.append, interval=0.05, metrics_interval=0.05)
        task = asyncio.create_task(poller.run())
        await asyncio.wait_for(poller.loaded.wait(), 10)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    updates = [e for e in events if isinstance(e, JobUpdate)]
    failures = [e for e in events if isinstance(e, JobFailed)]
    assert updates and updates[0].snapshot.name == moto_job
    assert updates[0].snapshot.status in {"InProgress", "Completed"}
    assert failures and failures[0].name == "no-such-job-here" and failures[0].error.kind == NOT_FOUND


async def test_a_job_already_ended_is_polled_once(moto_url, moto_job):
    events = []
    async with AwsJobSource(options(moto_url)) as source:
        poller = Poller(source, [moto_job], events.append, interval=0.02, metrics_interval=0.02)
        await asyncio.wait_for(poller.run(), 10)  # returns by itself once the job has ended
    statuses = [e.snapshot.status for e in events if isinstance(e, JobUpdate)]
    # moto completes jobs at once: the first answer is terminal, and nothing will change after it.
    assert statuses == ["Completed"]


def test_describe_command_against_moto(moto_url, moto_job, capsys):
    code = main(["describe", moto_job, "--endpoint-url", moto_url, "--region", "us-east-1"])
    out = capsys.readouterr()
    assert code == 1  # no credentials in the isolated environment
    assert "credentials" in out.err and "Traceback" not in out.err


def test_describe_command_against_moto_with_credentials(moto_url, moto_job, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS[1])
    assert main(["describe", moto_job, "--endpoint-url", moto_url, "--region", "us-east-1"]) == 0
    out = capsys.readouterr().out
    assert moto_job in out and "s3://bucket/train/" in out and "ml.g5.xlarge" in out
    assert main(["describe", "missing-job", "--endpoint-url", moto_url, "--region", "us-east-1"]) == 1
    assert "not found" in capsys.readouterr().err


async def test_the_app_watches_a_moto_job(moto_url, moto_job):
    from smtui.ui.app import SmtuiApp
    from smtui.ui.settings import Settings
    from smtui.ui.widgets.job_list import JobList

    settings = Settings(interval=3600, metrics_interval=3600)
    app = SmtuiApp(AwsJobSource(options(moto_url)), [moto_job, "absent-job"], settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app.watch_screen.loaded.wait(), 10)
        await pilot.pause()
        jobs = app.watch_screen.query_one(JobList)
        assert app.jobs.get(moto_job).snapshot.name == moto_job
        assert app.jobs.get(moto_job).snapshot.status in {"InProgress", "Completed"}
        assert "not found" in jobs.cell_text("absent-job", "status")
