"""Running jobs too many to poll fast are swept through ListTrainingJobs pages: those out of view are described only
when a sweep sees them change or leave, and a sweep reads only the pages back to the oldest running job."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

import pytest

from smtui.aws import sweeps
from smtui.aws.poller import JobUpdate, Poller

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
PAGE = 100


class Account:
    """DescribeTrainingJob and ListTrainingJobs over the same jobs. Listings sort by creation, newest first as
    asked, and cut each page before filtering it, as SageMaker does (short pages while a NextToken follows)."""

    def __init__(self, running: int, ended: int = 0) -> None:
        self.jobs: dict[str, dict] = {}
        for i in range(running):
            self._add(f"run-{i:03d}", T0 - timedelta(minutes=i + 1), "InProgress", "Training")
        for i in range(ended):
            self._add(f"old-{i:03d}", T0 - timedelta(days=2, minutes=i), "Completed", "Completed")
        self.described: Counter[str] = Counter()
        self.listings: list[str | None] = []
        self.listing_fails = False

    def _add(self, name: str, created: datetime, status: str, stage: str) -> None:
        self.jobs[name] = {
            "TrainingJobName": name,
            "TrainingJobArn": f"arn:aws:sagemaker:us-east-1:1:training-job/{name}",
            "CreationTime": created,
            "LastModifiedTime": created,
            "TrainingJobStatus": status,
            "SecondaryStatus": stage,
        }

    def change(self, name: str, status: str, stage: str) -> None:
        job = self.jobs[name]
        job.update(TrainingJobStatus=status, SecondaryStatus=stage, LastModifiedTime=T0 + timedelta(minutes=5))

    async def describe_training_job(self, name: str) -> dict:
        self.described[name] += 1
        await asyncio.sleep(0)
        return {**self.jobs[name], "AlgorithmSpecification": {"TrainingImage": "x", "TrainingInputMode": "File"}}

    async def list_training_jobs(self, filters: dict, token: str | None = None) -> dict:
        self.listings.append(token)
        await asyncio.sleep(0)
        if self.listing_fails:
            raise RuntimeError("AccessDeniedException")
        assert filters["SortBy"] == "CreationTime" and filters["SortOrder"] == "Descending"
        ordered = sorted(self.jobs.values(), key=lambda job: job["CreationTime"], reverse=True)
        start = int(token or 0)
        page = ordered[start : start + PAGE]
        after = filters.get("CreationTimeAfter")
        out: dict = {
            "TrainingJobSummaries": [dict(job) for job in page if after is None or job["CreationTime"] > after]
        }
        if start + PAGE < len(ordered):
            out["NextToken"] = str(start + PAGE)
        return out

    async def get_metric_data(self, queries, start, end, period=60):
        return {query: [] for query in queries}


async def unlimited() -> None:
    return None


@pytest.fixture(autouse=True)
def quick_sweeps(monkeypatch):
    monkeypatch.setattr(sweeps, "SWEEP_EVERY", 0.05)
    monkeypatch.setattr(sweeps, "LIST_RPS", 1000.0)


def swept_poller(account: Account, events: list | None = None, *, rate: float = 100.0) -> Poller:
    """A poller of every running job of ``account``, a turn each 0.05 s at most: more than ``rate`` allows (with
    ``rate`` 100, 4 jobs), so that they are swept."""
    running = [name for name, job in account.jobs.items() if job["TrainingJobStatus"] == "InProgress"]
    sink = events.append if events is not None else (lambda event: None)
    poller = Poller(account, running, sink, interval=0.05, fast=0.05, metrics_interval=3600, max_rps=rate)
    poller.sweep_with("", account, unlimited)
    return poller


@asynccontextmanager
async def running(poller: Poller):
    """``poller`` runs inside the block."""
    task = asyncio.create_task(poller.run())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def until(condition, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_a_sweep_spares_the_jobs_out_of_view_and_the_shown_ones_keep_their_turns():
    account = Account(running=12)
    poller = swept_poller(account)
    poller.show_hosts(["run-000", "run-001"])
    async with running(poller):
        await until(lambda: poller.loaded.is_set() and poller.sweep_calls >= 2)
        assert poller.sweeping() and poller.interval_in() == pytest.approx(12 / 80)
        account.described.clear()
        calls = poller.sweep_calls
        await asyncio.sleep(1.0)
    hidden = {name: count for name, count in account.described.items() if name not in ("run-000", "run-001")}
    assert hidden == {}
    assert account.described["run-000"] >= 3 and account.described["run-001"] >= 3
    assert poller.sweep_calls - calls >= 5
    # A look at each job every sweep, not every (longer) turn: what the title says.
    assert poller.effective_interval == pytest.approx(0.05)


async def test_a_change_a_sweep_sees_is_described_at_once():
    account = Account(running=12)
    events: list = []
    poller = swept_poller(account, events)
    poller.show_hosts([])
    async with running(poller):
        await until(lambda: poller.loaded.is_set() and poller.sweep_calls >= 2)
        account.described.clear()
        account.change("run-007", "Completed", "Completed")
        account.change("run-009", "InProgress", "Uploading")
        await until(lambda: account.described["run-007"] and account.described["run-009"], timeout=1.0)
        await asyncio.sleep(0.5)
    updates = {
        (e.name, e.snapshot.status, e.snapshot.response["SecondaryStatus"]) for e in events if isinstance(e, JobUpdate)
    }
    assert ("run-007", "Completed", "Completed") in updates and ("run-009", "InProgress", "Uploading") in updates
    # The ended job: one more description for what settles after the status, then never again.
    assert account.described["run-007"] == 2
    assert set(account.described) == {"run-007", "run-009"}


async def test_a_job_a_sweep_no_longer_lists_is_described():
    account = Account(running=12)
    poller = swept_poller(account)
    poller.show_hosts([])
    async with running(poller):
        await until(lambda: poller.loaded.is_set() and poller.sweep_calls >= 2)
        account.described.clear()
        del account.jobs["run-004"]  # deleted: the listing no longer has it (and describing it fails)
        await until(lambda: account.described["run-004"] >= 1, timeout=1.0)


async def test_while_sweeps_fail_every_turn_describes_its_job():
    account = Account(running=12)
    account.listing_fails = True
    poller = swept_poller(account)
    poller.show_hosts([])
    async with running(poller):
        await until(lambda: poller.loaded.is_set() and len(account.listings) >= 2)
        account.described.clear()
        await asyncio.sleep(0.6)
    assert set(account.described) == set(account.jobs) and min(account.described.values()) >= 2
    assert poller.effective_interval == pytest.approx(poller.interval_in())


async def test_few_running_jobs_are_polled_fast_and_not_swept():
    account = Account(running=3)
    poller = swept_poller(account)
    poller.show_hosts([])
    async with running(poller):
        await until(lambda: poller.loaded.is_set())
        await asyncio.sleep(0.5)
    assert not poller.sweeping() and account.listings == []
    assert min(account.described.values()) >= 5


@pytest.mark.parametrize(("count", "rate", "pages"), [(12, 100.0, 1), (150, 1000.0, 2)])
async def test_a_sweep_reads_the_pages_back_to_the_oldest_running_job_only(count, rate, pages):
    # 300 older jobs: paging through them all would take 3 more pages, empty once SageMaker has filtered them.
    account = Account(running=count, ended=300)
    poller = swept_poller(account, rate=rate)
    poller.show_hosts([])
    async with running(poller):
        await until(lambda: poller.loaded.is_set() and account.listings.count(None) >= 4, timeout=10)
    sweeps_made = account.listings.count(None)
    assert len(account.listings) in range(pages * sweeps_made - pages + 1, pages * sweeps_made + 1)


class Places:
    """Two accounts behind job ids that carry their place (``east/run-000``), as PlacedSource routes them."""

    def __init__(self, **accounts: Account) -> None:
        self.accounts = accounts

    async def describe_training_job(self, job: str) -> dict:
        place, _, name = job.rpartition("/")
        return await self.accounts[place].describe_training_job(name)

    async def get_metric_data(self, queries, start, end, period=60):
        return {query: [] for query in queries}


async def test_each_place_is_swept_through_its_own_listing():
    east, west = Account(running=12), Account(running=12)
    names = [f"{place}/{name}" for place in ("east", "west") for name in east.jobs]
    poller = Poller(Places(east=east, west=west), names, lambda event: None, interval=0.05, fast=0.05, max_rps=100)
    poller.sweep_with("east", east, unlimited)
    poller.sweep_with("west", west, unlimited)
    poller.show_hosts(["west/run-003"])
    async with running(poller):
        await until(lambda: poller.loaded.is_set() and len(east.listings) >= 2 and len(west.listings) >= 2)
        assert poller.sweeping("east") and poller.sweeping("west")
        east.described.clear()
        west.described.clear()
        await asyncio.sleep(0.6)
    assert east.described == {} and set(west.described) == {"run-003"}
