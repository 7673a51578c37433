"""Rows filled from a listing's summaries: only running jobs polled, ended ones described when wanted, once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from smtui.aws.poller import JobUpdate, Poller
from smtui.aws.snapshot import JobSnapshot
from smtui.aws.store import JobStore
from smtui.clock import FrozenClock

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def summary(name: str, status: str, *, modified: int = 0) -> dict:
    """A ListTrainingJobs entry, last modified ``modified`` seconds after T0."""
    out = {
        "TrainingJobName": name,
        "TrainingJobArn": f"arn:aws:sagemaker:us-east-1:1:training-job/{name}",
        "CreationTime": T0 - timedelta(hours=1),
        "LastModifiedTime": T0 + timedelta(seconds=modified),
        "TrainingJobStatus": status,
        "SecondaryStatus": "Training" if status == "InProgress" else status,
    }
    if status != "InProgress":
        out["TrainingEndTime"] = T0
    return out


class Described:
    """DescribeTrainingJob answering what :func:`summary` says, and more; counts the calls by job."""

    def __init__(self) -> None:
        self.summaries: dict[str, dict] = {}
        self.calls: list[str] = []

    async def describe_training_job(self, name: str) -> dict:
        self.calls.append(name)
        await asyncio.sleep(0)
        return {
            **self.summaries[name],
            "HyperParameters": {"epochs": "3"},
            "AlgorithmSpecification": {"TrainingImage": "x", "TrainingInputMode": "File"},
        }

    async def get_metric_data(self, queries, start, end, period=60):
        return {query: [] for query in queries}


async def settle(seconds: float = 0.2) -> None:
    await asyncio.sleep(seconds)


async def test_listed_jobs_show_at_once_and_only_the_running_ones_are_polled():
    source = Described()
    listed = [summary("ended", "Completed"), summary("running", "InProgress")]
    source.summaries = {s["TrainingJobName"]: s for s in listed}
    events = []
    poller = Poller(
        source,
        [],
        events.append,
        interval=0.05,
        metrics_interval=10,
        clock=FrozenClock(T0),
        max_rps=None,
        fast=None,
        open_ended=True,
    )
    task = asyncio.create_task(poller.run())
    try:
        await settle(0.05)
        assert poller.add_listed(listed) == ["ended", "running"]
        # Both rows have their status before any call returns.
        assert poller.store.get("ended").snapshot.status == "Completed"
        assert poller.store.get("ended").snapshot.partial
        await settle()
        assert source.calls and set(source.calls) == {"running"}  # the ended job is not described
        assert poller.store.get("ended").snapshot.partial
        # Selected (or in view): described once, and not again however often it is wanted.
        poller.want(["ended"])
        await settle()
        assert source.calls.count("ended") == 1
        described = poller.store.get("ended").snapshot
        assert not described.partial and described.response["HyperParameters"] == {"epochs": "3"}
        poller.want(["ended"])
        await settle()
        assert source.calls.count("ended") == 1
        # A later listing with the same LastModifiedTime: the description held is current and stays.
        poller.add_listed([summary("ended", "Completed")])
        assert not poller.store.get("ended").snapshot.partial
        poller.want(["ended"])
        await settle()
        assert source.calls.count("ended") == 1
        # A newer LastModifiedTime: the summary shows over the description, which is fetched again when wanted.
        newer = summary("ended", "Completed", modified=60)
        source.summaries["ended"] = newer
        poller.add_listed([newer])
        state = poller.store.get("ended").snapshot
        assert state.partial and state.response["HyperParameters"] == {"epochs": "3"}  # the rest still shows
        poller.want(["ended"])
        await settle()
        assert source.calls.count("ended") == 2 and not poller.store.get("ended").snapshot.partial
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert any(isinstance(e, JobUpdate) and e.name == "ended" for e in events)


async def test_the_first_screen_of_a_listing_is_described_and_the_first_round_waits_for_it():
    source = Described()
    listed = [summary(f"job-{i:03d}", "Completed") for i in range(Poller.FIRST_SCREEN + 20)]
    source.summaries = {s["TrainingJobName"]: s for s in listed}
    poller = Poller(
        source,
        [],
        lambda e: None,
        interval=0.05,
        metrics_interval=10,
        clock=FrozenClock(T0),
        max_rps=None,
        fast=None,
        open_ended=True,
    )
    poller.expect_listing()
    task = asyncio.create_task(poller.run())
    try:
        await settle(0.05)
        poller.add_listed(listed)
        await settle()
        assert not poller.loaded.is_set() and source.calls == []  # the listing is not done yet
        poller.listing_done()
        await asyncio.wait_for(poller.loaded.wait(), 5)
        assert sorted(source.calls) == [s["TrainingJobName"] for s in listed[: Poller.FIRST_SCREEN]]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_a_summary_goes_over_a_description_only_when_it_is_newer():
    store = JobStore(["a", "b"])
    assert store.record_summary(summary("a", "InProgress"), T0) is not None
    assert store.get("a").snapshot.partial and store.get("a").snapshot.secondary_status == "Training"
    assert store.record_summary(summary("not-watched", "InProgress"), T0) is None
    store.record_answer(JobSnapshot.from_response("a", summary("a", "Completed", modified=5), T0))
    assert store.record_summary(summary("a", "InProgress", modified=5), T0) is None  # not newer: kept
    assert store.get("a").snapshot.status == "Completed" and not store.get("a").snapshot.partial
    assert store.record_summary(summary("a", "Stopped", modified=9), T0) is not None
    assert store.get("a").snapshot.status == "Stopped" and store.get("a").snapshot.partial
