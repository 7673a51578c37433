"""SageMaker's listings filter each page after cutting it: empty and short pages with a NextToken, over HTTP."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

from smtui.clock import FrozenClock
from smtui.sim import Realism, Simulator, start_in_thread
from smtui.sim.validate import output_problems
from smtui.sim.wire import service_model
from tests.conftest import CREDENTIALS, ORIGIN
from tests.test_moto import create_job

SAGEMAKER = service_model("sagemaker")
SHAPES = {
    op: SAGEMAKER.operation_model(op).output_shape
    for op in ("ListTrainingJobs", "ListTrainingJobsForHyperParameterTuningJob")
}
OPERATIONS = {
    "list_training_jobs": "ListTrainingJobs",
    "list_training_jobs_for_hyper_parameter_tuning_job": "ListTrainingJobsForHyperParameterTuningJob",
}
HPO = "xgboost-churn-hpo"
ROUGH = Realism().without(["quotas"])


@contextlib.asynccontextmanager
async def sagemaker(url: str, config: AioConfig | None = None):
    async with AioSession().create_client(
        "sagemaker",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
        config=config,
    ) as made:
        yield made


@contextlib.contextmanager
def served(realism: Realism):
    simulator = Simulator(FrozenClock(ORIGIN + timedelta(seconds=600)), origin=ORIGIN, realism=realism)
    with start_in_thread(simulator) as running:
        yield running.url


async def pages_of(sm, operation: str, **params) -> list[dict]:
    """Every page, following NextToken to the end, each checked against the output shape."""
    pages, token = [], None
    while len(pages) < 500:
        answer = await getattr(sm, operation)(**params, **({"NextToken": token} if token else {}))
        answer = {k: v for k, v in answer.items() if k != "ResponseMetadata"}
        assert output_problems(answer, SHAPES[OPERATIONS[operation]]) == []
        pages.append(answer)
        token = answer.get("NextToken")
        if not token:
            return pages
    raise AssertionError("the listing never ended")


def names(pages: list[dict]) -> list[str]:
    return [s["TrainingJobName"] for page in pages for s in page["TrainingJobSummaries"]]


FILTERS = [
    {"StatusEquals": "InProgress"},
    {"StatusEquals": "Failed"},
    {"NameContains": "LLAMA"},
    {"CreationTimeAfter": ORIGIN - timedelta(seconds=500)},
    {"LastModifiedTimeBefore": ORIGIN},
    {"StatusEquals": "Completed", "NameContains": "hpo", "SortBy": "Name", "SortOrder": "Ascending"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f))
async def test_list_training_jobs_filters_after_the_page_is_cut(filters):
    with served(ROUGH) as rough, served(Realism.gentle()) as kind:
        async with sagemaker(rough) as sm, sagemaker(kind) as gentle:
            expected = names(await pages_of(gentle, "list_training_jobs", MaxResults=100, **filters))
            everything = names(
                await pages_of(
                    gentle,
                    "list_training_jobs",
                    MaxResults=100,
                    **{k: v for k, v in filters.items() if k.startswith("Sort")},
                )
            )
            pages = await pages_of(sm, "list_training_jobs", MaxResults=3, **filters)
    assert expected and len(expected) < len(everything)
    # Every page was cut to three jobs of any kind first, then filtered.
    wanted = set(expected)
    assert [[s["TrainingJobName"] for s in page["TrainingJobSummaries"]] for page in pages] == [
        [name for name in everything[start : start + 3] if name in wanted] for start in range(0, len(everything), 3)
    ]
    assert all("NextToken" in page for page in pages[:-1])
    counts = [len(page["TrainingJobSummaries"]) for page in pages]
    assert any(count < 3 for count in counts[:-1])
    if len(expected) <= 3:  # few matches among many jobs: some pages are empty, yet a NextToken follows them
        assert 0 in counts[:-1]


async def test_a_tuning_jobs_listing_filters_after_the_cut_too():
    with served(ROUGH) as rough, served(Realism.gentle()) as kind:
        async with sagemaker(rough) as sm, sagemaker(kind) as gentle:
            params = {"HyperParameterTuningJobName": HPO, "StatusEquals": "Completed"}
            expected = names(
                await pages_of(gentle, "list_training_jobs_for_hyper_parameter_tuning_job", MaxResults=100, **params)
            )
            pages = await pages_of(sm, "list_training_jobs_for_hyper_parameter_tuning_job", MaxResults=2, **params)
            launched = names(
                await pages_of(
                    gentle,
                    "list_training_jobs_for_hyper_parameter_tuning_job",
                    HyperParameterTuningJobName=HPO,
                    MaxResults=100,
                )
            )
    assert names(pages) == expected and 0 < len(expected) < len(launched)
    wanted = set(expected)
    assert [names([page]) for page in pages] == [
        [name for name in launched[start : start + 2] if name in wanted] for start in range(0, len(launched), 2)
    ]
    assert any(not page["TrainingJobSummaries"] and "NextToken" in page for page in pages)


async def test_under_the_quota_botocore_lists_through_empty_pages():
    """ListTrainingJobs at 2 a second: a client that backs off still reaches the end, through empty pages."""
    with served(Realism()) as url, served(Realism.gentle()) as kind:
        async with (
            sagemaker(url, AioConfig(retries={"mode": "standard", "max_attempts": 10})) as sm,
            sagemaker(kind) as gentle,
        ):
            expected = names(await pages_of(gentle, "list_training_jobs", StatusEquals="InProgress", MaxResults=100))
            found = []
            async for page in sm.get_paginator("list_training_jobs").paginate(
                StatusEquals="InProgress", PaginationConfig={"PageSize": 4}
            ):
                found += [s["TrainingJobName"] for s in page["TrainingJobSummaries"]]
    assert found == expected


async def test_moto_pages_the_same_listing_to_the_same_end(moto_url):
    """Whatever a server does with a page, following NextToken collects every match and no page exceeds MaxResults."""
    prefix = f"cut-{uuid.uuid4().hex[:6]}"
    for index in range(7):
        create_job(moto_url, f"{prefix}-{index}")
    with served(ROUGH) as rough:
        for url, contains, total in ((moto_url, prefix, 7), (rough, "llama", 3)):
            async with sagemaker(url) as sm:
                pages = await pages_of(sm, "list_training_jobs", MaxResults=2, NameContains=contains)
                whole = await pages_of(sm, "list_training_jobs", MaxResults=100, NameContains=contains)
            assert all(len(page["TrainingJobSummaries"]) <= 2 for page in pages)
            assert sorted(names(pages)) == sorted(names(whole)) and len(names(pages)) == total
