"""One simulator endpoint serving several regions and accounts, told apart by each request's signature."""

from __future__ import annotations

import contextlib

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from smtui.cli import main
from smtui.clock import FrozenClock
from smtui.sim import Regions, Simulator, regional, start_in_thread
from smtui.sim.quotas import RequestQuotas
from smtui.sim.regions import REGION_LEAD
from smtui.sim.scenarios import default_scenarios
from tests.conftest import ORIGIN

NO_RETRIES = AioConfig(retries={"total_max_attempts": 1})
JOB = "whisper-small-finetune-cv"


@contextlib.asynccontextmanager
async def sagemaker(url: str, region: str, key: str = "testing"):
    async with AioSession().create_client(
        "sagemaker",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key="testing",
        config=NO_RETRIES,
    ) as made:
        yield made


@pytest.fixture
def two_regions():
    clock = FrozenClock(ORIGIN.replace(minute=5))
    regions = regional(["us-east-1", "us-west-2"], clock=clock, scenarios=default_scenarios())
    with start_in_thread(regions) as running:
        regions.url = running.url
        yield regions


async def test_each_region_answers_with_its_own_jobs(two_regions):
    url = two_regions.url
    async with sagemaker(url, "us-east-1") as east, sagemaker(url, "us-west-2") as west:
        east_job = await east.describe_training_job(TrainingJobName=JOB)
        west_job = await west.describe_training_job(TrainingJobName=JOB)
        east_list = await east.list_training_jobs(MaxResults=100)
        west_list = await west.list_training_jobs(MaxResults=100)
    assert east_job["TrainingJobArn"].startswith("arn:aws:sagemaker:us-east-1:")
    assert west_job["TrainingJobArn"].startswith("arn:aws:sagemaker:us-west-2:")
    # The same jobs, the further region's started REGION_LEAD script seconds earlier.
    lead = (east_job["CreationTime"] - west_job["CreationTime"]).total_seconds()
    assert lead == pytest.approx(REGION_LEAD)
    assert {s["TrainingJobName"] for s in east_list["TrainingJobSummaries"]} == {
        s["TrainingJobName"] for s in west_list["TrainingJobSummaries"]
    }
    assert all(":us-west-2:" in s["TrainingJobArn"] for s in west_list["TrainingJobSummaries"])
    assert two_regions.regions == ["us-east-1", "us-west-2"]


async def test_a_region_not_served_has_no_jobs(two_regions):
    async with sagemaker(two_regions.url, "eu-west-1") as elsewhere:
        assert (await elsewhere.list_training_jobs(MaxResults=100))["TrainingJobSummaries"] == []
        with pytest.raises(ClientError, match="Requested resource not found"):
            await elsewhere.describe_training_job(TrainingJobName=JOB)


async def test_each_region_has_its_own_quotas(two_regions):
    # Two DescribeTrainingJob a second, on a clock that stands still: the third call in one region is throttled,
    # while the other region's bucket is full.
    for simulator in two_regions.simulators():
        simulator.quotas = RequestQuotas({"DescribeTrainingJob": 2.0}, clock=lambda: 0.0)
    async with sagemaker(two_regions.url, "us-east-1") as east, sagemaker(two_regions.url, "us-west-2") as west:
        for _ in range(2):
            await east.describe_training_job(TrainingJobName=JOB)
        with pytest.raises(ClientError) as throttled:
            await east.describe_training_job(TrainingJobName=JOB)
        assert throttled.value.response["Error"]["Code"] == "ThrottlingException"
        assert (await west.describe_training_job(TrainingJobName=JOB))["TrainingJobName"] == JOB
    assert two_regions.in_region("us-east-1").quotas.throttled["DescribeTrainingJob"] == 1
    assert two_regions.in_region("us-west-2").quotas.throttled["DescribeTrainingJob"] == 0


async def test_accounts_are_told_apart_by_access_key():
    clock = FrozenClock(ORIGIN)
    home = Simulator(clock, origin=ORIGIN, tuning=[])
    other = Simulator(clock, origin=ORIGIN, account_id="210987654321", scenarios=default_scenarios()[:2])
    regions = Regions([home, other], accounts={"OTHERKEY": "210987654321"})
    with start_in_thread(regions) as running:
        async with (
            sagemaker(running.url, "us-east-1") as mine,
            sagemaker(running.url, "us-east-1", "OTHERKEY") as theirs,
        ):
            mine_listed = (await mine.list_training_jobs(MaxResults=100))["TrainingJobSummaries"]
            theirs_listed = (await theirs.list_training_jobs(MaxResults=100))["TrainingJobSummaries"]
    assert len(mine_listed) == len(default_scenarios())
    assert len(theirs_listed) == 2 and all(":210987654321:" in s["TrainingJobArn"] for s in theirs_listed)


def test_regions_are_checked():
    with pytest.raises(ValueError, match="two simulators"):
        Regions([Simulator(FrozenClock(ORIGIN)), Simulator(FrozenClock(ORIGIN))])
    with pytest.raises(ValueError, match="at least one"):
        regional([])


def test_sim_refuses_a_region_that_is_not_one(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["sim", "--region", "us-east-1,moon-1"])
    assert exited.value.code == 2
    assert "'moon-1' is not an AWS region" in capsys.readouterr().err
