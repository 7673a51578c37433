"""Finding jobs through ListTrainingJobs: the filters, every page, the limit, and new jobs as they are created.

Against the simulator over HTTP, and against moto's server, so that the two
implementations and the client cannot agree on a mistake.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from smtui.aws.discovery import DEFAULT_SINCE, LIST_RPS, JobFinder, JobQuery, Objective, TuningState
from smtui.aws.errors import NOT_FOUND, PollError, explain
from smtui.aws.source import AwsJobSource, AwsOptions
from smtui.clock import FrozenClock
from smtui.sim import Realism, Simulator, start_in_thread
from smtui.sim.fleet import fleet_scenarios
from smtui.sim.scenarios import default_scenarios

from .conftest import CREDENTIALS, ORIGIN, fixture_realism

#: What every listing asks for, explicitly: ListTrainingJobs' documented default order is Ascending.
NEWEST_FIRST = {"SortBy": "CreationTime", "SortOrder": "Descending"}


async def no_wait() -> None:
    """A budget that never waits, for tests that count calls rather than time them."""


def unthrottled():
    """AWS's rough edges without ListTrainingJobs' quota, for the tests whose finder does not pace itself
    (``no_wait``): what they check is what each listing asks for; the pacing is checked with the quota on."""
    return fixture_realism().with_quotas({"ListTrainingJobs": None})


def options(url: str) -> AwsOptions:
    return AwsOptions(region="us-east-1", endpoint_url=url, static_credentials=CREDENTIALS, max_attempts=2)


class Recording(AwsJobSource):
    """The real source, remembering the filters of every ListTrainingJobs page it asked for."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.requests: list[dict] = []

    async def list_training_jobs(self, filters, token=None):
        self.requests.append({**filters, "NextToken": token})
        return await super().list_training_jobs(filters, token)


def described(sim: Simulator) -> dict[str, dict]:
    """Every job that exists at the simulator's moment, as DescribeTrainingJob answers for it."""
    out = {}
    for name in sim.scenarios:
        try:
            out[name] = sim.describe_training_job({"TrainingJobName": name})
        except Exception:
            continue  # not created yet
    return out


def newest_first(jobs: dict[str, dict]) -> list[str]:
    return sorted(jobs, key=lambda n: (jobs[n]["CreationTime"], n), reverse=True)


async def test_with_no_filter_it_finds_the_running_jobs_and_those_of_the_last_day(sim, clock):
    jobs = described(sim)
    day_ago = clock.now() - timedelta(seconds=DEFAULT_SINCE)
    expected = {n: j for n, j in jobs.items() if j["TrainingJobStatus"] == "InProgress" or j["CreationTime"] > day_ago}
    async with AwsJobSource(options(sim.url)) as source:
        finder = JobFinder(source, JobQuery(), clock=clock)
        found = await finder.find()
        assert await finder.find() == []  # each job is reported once
    assert found == newest_first(expected)
    assert "llama2-70b-pretrain-trn1" in found  # created three days ago, but running
    assert not finder.truncated


@pytest.mark.parametrize(
    "query",
    [
        JobQuery(status="Completed"),
        JobQuery(status="InProgress", name_contains="LLAMA"),
        JobQuery(name_contains="finetune", since=3600),
        JobQuery(since=900),
    ],
    ids=["completed", "running-llama", "finetune-last-hour", "since-15m"],
)
async def test_filters_combine(sim, clock, query):
    def matches(job: dict) -> bool:
        return (
            (not query.status or job["TrainingJobStatus"] == query.status)
            and (not query.name_contains or query.name_contains.lower() in job["TrainingJobName"].lower())
            and (not query.since or job["CreationTime"] > clock.now() - timedelta(seconds=query.since))
        )

    clock.advance(600)
    expected = {n: j for n, j in described(sim).items() if matches(j)}
    assert expected  # each case finds something
    async with AwsJobSource(options(sim.url)) as source:
        found = await JobFinder(source, query, clock=clock).find()
    assert found == newest_first(expected)


async def test_every_page_is_read_and_the_limit_keeps_the_newest(clock):
    fleet = Simulator(clock, origin=ORIGIN, scenarios=fleet_scenarios(250), realism=fixture_realism())
    with start_in_thread(fleet) as running:
        async with Recording(options(running.url)) as source:
            everything = JobFinder(source, JobQuery(since=7 * 86400), clock=clock)
            found = await everything.find()
            assert len(found) == len(set(found)) == 250 and not everything.truncated
            assert len(source.requests) == 3  # 100 + 100 + 50
            newest = JobFinder(source, JobQuery(since=7 * 86400), clock=clock, limit=120)
            cut = await newest.find()
    assert newest.truncated and cut == found[:120]


async def test_new_jobs_appear_once_and_later_listings_ask_only_for_newer_ones(clock):
    templates = {s.name: s for s in default_scenarios()}
    scenarios = [
        templates["bert-base-finetune-imdb"],
        templates["llama-finetune-full-config"],
        replace(templates["gpt2-pretrain-maxruntime"], name="late-gpt2", created=300),
        replace(templates["xgboost-churn-stopped"], name="later-xgboost", created=900),
    ]
    with start_in_thread(Simulator(clock, origin=ORIGIN, scenarios=scenarios, realism=unthrottled())) as running:
        async with Recording(options(running.url)) as source:
            finder = JobFinder(source, JobQuery(name_contains="-"), clock=clock, budget=no_wait)
            assert await finder.find() == ["bert-base-finetune-imdb", "llama-finetune-full-config"]
            clock.advance(400)
            assert await finder.find() == ["late-gpt2"]
            clock.advance(600)
            assert await finder.find() == ["later-xgboost"]
            assert await finder.find() == []
    # The first listing passes its filter on; each later one asks only for jobs created after the newest seen,
    # and checks the name itself, so that a short page ends it.
    assert source.requests[0] == {"NameContains": "-", **NEWEST_FIRST, "NextToken": None}
    assert source.requests[1] == {
        "CreationTimeAfter": finder_newest(scenarios[0]) - timedelta(seconds=1),
        **NEWEST_FIRST,
        "NextToken": None,
    }
    assert len(source.requests) == 4 == finder.calls


def finder_newest(scenario) -> object:
    return ORIGIN + timedelta(seconds=scenario.created)


async def test_running_jobs_are_only_looked_for_among_newer_ones(clock):
    templates = {s.name: s for s in default_scenarios()}
    scenarios = [
        templates["bert-base-finetune-imdb"],
        replace(templates["gpt2-pretrain-maxruntime"], name="late-gpt2", created=300),
    ]
    with start_in_thread(Simulator(clock, origin=ORIGIN, scenarios=scenarios, realism=unthrottled())) as running:
        async with Recording(options(running.url)) as source:
            finder = JobFinder(source, JobQuery(status="InProgress"), clock=clock, budget=no_wait)
            assert await finder.find() == ["bert-base-finetune-imdb"]
            clock.advance(400)
            assert await finder.find() == ["late-gpt2"]
            clock.advance(3 * 3600)  # both have ended: they stay reported, and nothing is new
            assert await finder.find() == []
    # A job leaves InProgress and never comes back to it: a running job not seen yet is a new one.
    assert source.requests[0] == {"StatusEquals": "InProgress", **NEWEST_FIRST, "NextToken": None}
    assert all(set(r) == {"CreationTimeAfter", *NEWEST_FIRST, "NextToken"} for r in source.requests[1:])


async def test_a_status_a_job_can_come_to_have_is_listed_in_full_each_time(clock):
    templates = {s.name: s for s in default_scenarios()}
    scenarios = [templates["bert-base-finetune-imdb"], templates["llama-finetune-full-config"]]
    with start_in_thread(Simulator(clock, origin=ORIGIN, scenarios=scenarios, realism=unthrottled())) as running:
        async with Recording(options(running.url)) as source:
            finder = JobFinder(source, JobQuery(status="Completed"), clock=clock, budget=no_wait)
            assert await finder.find() == ["llama-finetune-full-config"]
            clock.advance(3 * 3600)  # the running one has completed since
            assert await finder.find() == ["bert-base-finetune-imdb"]
    assert all(r == {"StatusEquals": "Completed", **NEWEST_FIRST, "NextToken": None} for r in source.requests)


@pytest.mark.parametrize("query", [JobQuery(), JobQuery(status="InProgress")], ids=["default", "in-progress"])
async def test_listings_follow_empty_pages_within_the_quota(clock, query):
    # A fleet as AWS lists it: each page cut first and filtered afterwards, so most pages of running jobs are
    # empty or short while a NextToken follows; ListTrainingJobs throttled above 2 calls a second.
    fleet = Simulator(clock, origin=ORIGIN, scenarios=fleet_scenarios(400), realism=Realism())
    expected = {name for name, job in described(fleet).items() if job["TrainingJobStatus"] == "InProgress"}
    with start_in_thread(fleet) as running:
        async with Recording(options(running.url)) as source:
            finder = JobFinder(source, query, clock=clock)
            begun = time.monotonic()
            found = await finder.find()
            took = time.monotonic() - begun
            pages = len(source.requests)
            clock.advance(120)
            assert await finder.find() == []
    assert set(found) == expected and len(expected) == 20
    assert pages >= 4 and took >= (pages - 2) / LIST_RPS  # a call a second at most, after a first burst of one
    assert fleet.quotas.throttled["ListTrainingJobs"] == 0
    # The next listing asks only for newer jobs: the first page is short, and it ends there.
    assert len(source.requests) == pages + 1


async def test_moto_lists_the_same_jobs_through_every_page(moto_url):
    from tests.test_moto import create_job

    prefix = f"disc{uuid.uuid4().hex[:6]}"
    names = [f"{prefix}-{i:03d}" for i in range(105)]
    for name in names:
        create_job(moto_url, name)
    async with Recording(options(moto_url)) as source:
        finder = JobFinder(source, JobQuery(name_contains=prefix), clock=FrozenClock(ORIGIN), budget=no_wait)
        found = await finder.find()
        # Later listings ask for newer jobs only; moto's server lists oldest first whatever SortOrder says, so
        # the finder does not take a short page for the end of them.
        more = [f"{prefix}-{i:03d}" for i in range(105, 108)]
        for name in more:
            create_job(moto_url, name)
        assert sorted(await finder.find()) == more and finder.descending is False
        status = (await source.describe_training_job(names[0]))["TrainingJobStatus"]
        same_status = await JobFinder(source, JobQuery(name_contains=prefix, status=status)).find()
        other = "Failed" if status != "Failed" else "Stopped"
        none = await JobFinder(source, JobQuery(name_contains=prefix, status=other)).find()
    assert sorted(found) == names and len(source.requests) >= 2  # more than one page
    assert sorted(same_status) == names + more and none == []


async def test_moto_describes_a_tuning_job_the_way_the_finder_reads_it(moto_url):
    import boto3

    name = f"hpo-{uuid.uuid4().hex[:8]}"
    boto3.client(
        "sagemaker",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    ).create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name,
        HyperParameterTuningJobConfig={
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:rmse"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 8, "MaxParallelTrainingJobs": 2},
        },
        TrainingJobDefinition={
            "AlgorithmSpecification": {
                "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/xgb:1",
                "TrainingInputMode": "File",
            },
            "RoleArn": "arn:aws:iam::123456789012:role/SageMakerExecution",
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/output/"},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    )
    async with AwsJobSource(options(moto_url)) as source:
        state = TuningState.from_response(await source.describe_tuning_job(name))
        with pytest.raises(Exception) as missing:
            await JobFinder(source, JobQuery(tuning_job="no-such-tuning-job")).find()
    assert state.name == name and state.objective == Objective("validation:rmse", maximize=False)
    assert state.max_jobs == 8 and state.ended == (state.status in ("Completed", "Failed", "Stopped"))
    assert state.launched == sum(state.counts.values()) and state.best_value is not None
    assert explain(missing.value) == PollError(
        NOT_FOUND, "tuning job no-such-tuning-job not found: check the name and the region"
    )


async def test_a_tuning_jobs_training_jobs_come_in_launch_order_until_it_completes(full_sim, clock):
    tuning = "xgboost-churn-hpo"
    children = full_sim.training_job_names(tuning)
    async with AwsJobSource(options(full_sim.url)) as source:
        finder = JobFinder(source, JobQuery(tuning_job=tuning), clock=clock)
        first = await finder.find()
        assert first == children[: len(first)] and 0 < len(first) < len(children)
        assert not finder.done and finder.tuning.status == "InProgress" and not finder.newest_first
        assert finder.tuning.objective == Objective("validation:auc", maximize=True)
        clock.advance(3200)  # every training job has ended, and so has the tuning job
        rest = await finder.find()
        assert first + rest == children
        assert finder.done and finder.tuning.status == "Completed" and finder.tuning.launched == len(children)
        assert finder.tuning.best_job == children[-1]
        failed = await JobFinder(source, JobQuery(tuning_job=tuning, status="Failed"), clock=clock).find()
    assert failed == [children[3]]
