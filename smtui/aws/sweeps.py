"""Following many running jobs through ListTrainingJobs pages instead of a DescribeTrainingJob each.

While more jobs run than the request budget can describe every few seconds,
each job's turn comes round only every few minutes (500 running jobs at 4
calls a second: every 125 s), and each turn is a DescribeTrainingJob: about
240 calls a minute, most of them for rows out of view, and most of them
saying nothing new.

A ListTrainingJobs page says the status, stage and LastModifiedTime of 100
jobs. A sweep lists the jobs created since the oldest one still running,
newest first, within the listing budget its place's finder uses (without
StatusEquals, which SageMaker applies after cutting each page: the pages
would go on through every older job). Then:

- a running job whose status, stage or LastModifiedTime differs from its
  description, or that the sweep did not list, is described at once;
- a job the last sweep saw unchanged is not described at its turn unless it
  is shown (selected, or its row in view): a description would say what the
  sweep did.

500 running jobs created within a few hours are 5 pages each sweep, one
:data:`SWEEP_EVERY` after the last: 20 calls a minute instead of about 240, and a
change shows within a sweep instead of within a turn. Sweeps run only in a
place where the budget cannot poll every running job at the fast interval,
and not before the first round is over (the first listing has the listing
budget to itself); after a failed sweep, every turn is a description again
until one succeeds.
:class:`Sweeps` is that part of the :class:`~smtui.aws.poller.Poller`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from smtui.aws.cadence import wanted_interval
from smtui.aws.calls import ListingSource
from smtui.aws.discovery import LIST_RPS, newest_first, page_summaries, reaches_bound
from smtui.aws.places import job_id, place_of
from smtui.aws.snapshot import JobSnapshot
from smtui.aws.source import every_page

#: Seconds from the end of a place's sweep to the start of the next, at least.
SWEEP_EVERY = 10.0
#: The share of a place's listing rate sweeps take at most (a sweep of many pages comes less often): the rest is
#: its finder's.
SWEEP_SHARE = 0.5


class Sweeps:
    """The sweeps of each place, and whether a job's turn needs a description.

    Mixed into :class:`~smtui.aws.poller.Poller`, whose store, running jobs, wake events, intervals and
    :meth:`~smtui.aws.instance_rounds.InstanceRounds.shown` it uses.
    """

    def _init_sweeps(self) -> None:
        #: Each place's listing source and listing budget.
        self._sweepers: dict[str, tuple[ListingSource, Callable[[], Awaitable[Any]]]] = {}
        #: Each place's last sweep that succeeded: when it started (loop time), and the jobs it saw unchanged.
        self._swept: dict[str, tuple[float, frozenset[str]]] = {}
        #: Seconds between two sweeps of each place, as its last sweep's pages set it.
        self._sweep_pause: dict[str, float] = {}
        #: ListTrainingJobs calls the sweeps made.
        self.sweep_calls = 0

    def sweep_with(self, place: str, source: ListingSource, budget: Callable[[], Awaitable[Any]]) -> None:
        """Sweep ``place``'s running jobs through ``source``'s listings, each call after ``budget`` (the place's
        listing budget, which its finder shares), whenever there are more than the fast interval allows."""
        self._sweepers[place] = (source, budget)

    def sweeping(self, place: str = "") -> bool:
        """Whether ``place``'s running jobs are swept: too many to poll each at the fast interval, so many that
        each one's turn comes less often than a sweep."""
        turn = self.interval_in(place)
        wanted = wanted_interval(self.interval, self.fast)
        return place in self._sweepers and turn > wanted and turn > self._sweep_pause.get(place, SWEEP_EVERY)

    def checked_every(self, place: str = "") -> float:
        """Seconds between two looks at each running job of ``place``: its turn, or a sweep while they succeed."""
        turn = self.interval_in(place)
        if place in self._swept:
            return min(turn, self._sweep_pause.get(place, SWEEP_EVERY))
        return turn

    def _turn_needed(self, name: str) -> bool:
        """Whether ``name``'s turn is a DescribeTrainingJob: not when it is not shown and a sweep newer than a turn
        saw it unchanged."""
        place = place_of(name)
        swept = self._swept.get(place)
        if swept is None or self.shown(name):
            return True
        at, unchanged = swept
        return name not in unchanged or asyncio.get_running_loop().time() - at > self.interval_in(place)

    def _sweep_tasks(self) -> list[asyncio.Task]:
        return [asyncio.create_task(self._keep_sweeping(place), name=f"sweep:{place}") for place in self._sweepers]

    async def _keep_sweeping(self, place: str) -> None:
        while True:
            await asyncio.sleep(self._sweep_pause.get(place, SWEEP_EVERY))
            if not self.loaded.is_set() or not self.sweeping(place):
                # Not before the first round is over: the first listing has the listing budget to itself.
                self._swept.pop(place, None)
                continue
            try:
                pages = await self._sweep(place)
            except asyncio.CancelledError:
                raise
            except Exception:  # throttled, denied, unreachable: every turn describes its job until a sweep succeeds
                self._swept.pop(place, None)
                continue
            self._sweep_pause[place] = max(SWEEP_EVERY, pages / (LIST_RPS * SWEEP_SHARE))

    async def _sweep(self, place: str) -> int:
        """One sweep of ``place``: the running jobs it finds changed or gone are described now, those unchanged are
        noted. Returns the pages it took."""
        held: dict[str, JobSnapshot] = {}
        for name in self._live:
            state = self.store.get(name)
            if place_of(name) != place or state is None or state.error is not None:
                continue
            snapshot = state.snapshot
            if snapshot is not None and not snapshot.partial and snapshot.time("CreationTime") is not None:
                held[name] = snapshot
        if not held:
            return 0
        started = asyncio.get_running_loop().time()
        bound = min(s.time("CreationTime") for s in held.values()) - timedelta(seconds=1)  # type: ignore[type-var]
        source, budget = self._sweepers[place]

        async def counted() -> None:
            await budget()
            self.sweep_calls += 1

        listed, pages = await listed_since(source, bound, counted, place)
        unchanged = set()
        for name, snapshot in held.items():
            if _same(listed.get(name), snapshot):
                unchanged.add(name)
            elif (wake := self._wake.get(name)) is not None:
                wake.set()  # its turn now
        self._swept[place] = (started, frozenset(unchanged))
        return pages


async def listed_since(
    source: ListingSource, bound: datetime, budget: Callable[[], Awaitable[Any]], place: str = ""
) -> tuple[dict[str, dict], int]:
    """Every job ``source`` lists as created after ``bound``, by id in ``place``, and the pages that took; each
    call after ``budget``."""
    request = {"CreationTimeAfter": bound, "SortBy": "CreationTime", "SortOrder": "Descending"}

    async def call(token: str | None) -> dict:
        await budget()
        return await source.list_training_jobs(request, token)

    listed: dict[str, dict] = {}
    pages, descending = 0, False
    async for page in every_page(call):
        pages += 1
        summaries = page_summaries(page)
        for summary in summaries:
            if isinstance(summary.get("TrainingJobName"), str):
                listed[job_id(place, summary["TrainingJobName"])] = summary
        descending = descending or bool(newest_first(summaries))
        if descending and reaches_bound(summaries, bound):
            # Newest first, as asked (moto's server does not sort): SageMaker would go on with empty pages to the end.
            break
    return listed, pages


def _same(summary: dict | None, snapshot: JobSnapshot) -> bool:
    """Whether a listing's summary says what the description held does: same status and stage, not modified since."""
    if summary is None:
        return False
    response = snapshot.response
    if summary.get("TrainingJobStatus") != response.get("TrainingJobStatus"):
        return False
    if "SecondaryStatus" in summary and summary["SecondaryStatus"] != response.get("SecondaryStatus"):
        return False
    modified, known = summary.get("LastModifiedTime"), snapshot.last_modified
    return not isinstance(modified, datetime) or (known is not None and modified <= known)
