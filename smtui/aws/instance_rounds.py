"""What each metrics round also fetches: the instances' utilisation; and each job's price, once per type.

Mixed into :class:`~smtui.aws.poller.Poller`. Every metrics round asks, on
the ``Host`` dimension (see :mod:`smtui.aws.host_metrics`), for every metric
of the selected job's hosts and for the job list's metrics (GPU and CPU) of
every other running job's hosts, from the newest point held: at first, the
selected job's last hour (its sparklines) and the others' last ten minutes
(enough to tell GPUs idle for five). Once the first round has fetched them,
the hosts' window and the training metrics' window start within a minute or
two of each other, and the host queries ride in the same GetMetricData call
(500 series a call); a newly selected job's hour is a call of its own. An
ended job, when selected, has its hosts' last hour fetched once.

Prices come from a :class:`~smtui.aws.pricing.PriceBook`: a job's first
answer asks for its (region, instance type) unless that is known or asked
already; the answer goes into the store for every job on that type.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from smtui.aws.host_metrics import HOST_WINDOW, LIST_WINDOW, host_names, host_queries, list_metrics, selected_metrics
from smtui.aws.metric_windows import all_published, since_asked
from smtui.aws.places import place_of
from smtui.aws.pricing import RETRY_SECONDS, PriceBook
from smtui.aws.snapshot import JobSnapshot, MetricPoint
from smtui.aws.source import MetricQuery
from smtui.present.cost import Price, PriceAnswer


@dataclass(frozen=True)
class HostsUpdate:
    """New utilisation points for the instances of these jobs."""

    jobs: tuple[str, ...]


@dataclass(frozen=True)
class PricesUpdate:
    """These jobs' price (or the reason there is none) arrived."""

    jobs: tuple[str, ...]


@dataclass(frozen=True)
class HostWindow:
    """Host series to fetch over one time window."""

    queries: list[MetricQuery]
    start: datetime
    end: datetime


class InstanceRounds:
    """The host metrics and prices part of the poller (it holds ``store``, ``sink`` and ``clock``)."""

    def _init_instance_rounds(self, prices: PriceBook | None) -> None:
        #: The job whose every host metric is fetched (the one the screen shows); None: none.
        self.selected: str | None = None
        self.prices = prices
        #: Ended jobs whose hosts' last hour was fetched.
        self._hosts_done: set[str] = set()
        self._pricing: dict[tuple[str, str], asyncio.Task] = {}
        #: When each price was last asked for (epoch seconds).
        self._asked: dict[tuple[str, str], float] = {}
        #: Jobs whose host series changed in the current round.
        self._hosts_changed: set[str] = set()
        #: The selected job, once its every host metric was asked for over the last hour.
        self._whole_hour: set[str | None] = set()
        #: The running jobs whose list figures are fetched (those in view); None: every running job.
        self.hosts_for: frozenset[str] | None = None

    def select(self, name: str | None) -> None:
        """Fetch every host metric of ``name`` from the next round on (the others get the list's metrics only)."""
        if name != self.selected:
            self._whole_hour.discard(self.selected)
        self.selected = name

    def show_hosts(self, names: Iterable[str] | None) -> list[str]:
        """Fetch the list's host figures of these running jobs only (the rows in view), besides the selected
        job's; None: of every running job (a list sorted by utilisation needs them all). Returns the jobs
        whose figures were not fetched before and now are."""
        before, self.hosts_for = self.hosts_for, None if names is None else frozenset(names)
        if before is None or self.hosts_for is None:
            return []
        return sorted(self.hosts_for - before)

    def shown(self, name: str) -> bool:
        """Whether ``name`` is selected or its row is in view (every job is, while no rows were named). A listing's
        hundreds of running jobs are described one by one after the first round: those out of view wait for the
        next round of series rather than each starting one."""
        return self.hosts_for is None or name in self.hosts_for or name == self.selected

    def host_windows(self, now: datetime, apart: timedelta) -> tuple[list[HostWindow], HostWindow | None]:
        """This round's host series: the running jobs' (from the newest point held), and the selected job's
        last hour when it has ended and that was not fetched yet.

        The running jobs' series come in windows, each starting at the oldest start in it: jobs whose starts are
        within ``apart`` of each other share one. A newly selected job's hour is a window of its own, so the
        other jobs' few new minutes are not asked again with it (for a 128-host job, 60 points a series
        instead of one or two)."""
        wanted: list[tuple[datetime, list[MetricQuery]]] = []
        ended: HostWindow | None = None
        for name, state in self.store.view().states.items():
            snapshot = state.snapshot
            if snapshot is None or not snapshot.response.get("TrainingStartTime"):
                continue  # no instance ran the job yet
            hosts = host_names(snapshot.response)
            if snapshot.is_terminal:
                if name == self.selected and name not in self._hosts_done:
                    ended = self._ended_window(snapshot, hosts, now)
                continue
            if name != self.selected and self.hosts_for is not None and name not in self.hosts_for:
                continue  # a row out of view: its figures are fetched when it comes into view
            metrics = (selected_metrics if name == self.selected else list_metrics)(snapshot.response)
            newest = self.store.latest_host_timestamp(name)
            if name == self.selected and name not in self._whole_hour:
                # Its other metrics were not fetched while it was not selected: their last hour, once.
                self._whole_hour.add(name)
                newest = now - HOST_WINDOW
            else:
                # The list needs the latest values (and five minutes, to tell idle GPUs): a short first window.
                # Never further back than what is shown: a row back in view after long needs its last minutes.
                shown = HOST_WINDOW if name == self.selected else LIST_WINDOW
                newest = since_asked(max(newest or now - LIST_WINDOW, now - shown), self._hosts_asked.get(name))
            wanted.append((newest, host_queries(name, hosts, metrics)))
        # Newest start first: a window takes the next job while its start is within ``apart`` of the window's newest.
        groups: list[tuple[datetime, datetime, list[MetricQuery]]] = []  # (newest start, oldest start, queries)
        for start, more in sorted(wanted, key=lambda w: w[0], reverse=True):
            if groups and start >= groups[-1][0] - apart:
                groups[-1] = (groups[-1][0], start, groups[-1][2] + more)
            else:
                groups.append((start, start, more))
        second = timedelta(seconds=1)
        return [HostWindow(queries, oldest - second, now + second) for _, oldest, queries in groups], ended

    def _ended_window(self, snapshot: JobSnapshot, hosts: tuple[str, ...], now: datetime) -> HostWindow | None:
        end = snapshot.ended_at
        if end is None:
            return None
        if all_published(end, now):
            self._hosts_done.add(snapshot.name)  # else asked again next round: the last points may still come
        return HostWindow(
            host_queries(snapshot.name, hosts, selected_metrics(snapshot.response)),
            end - HOST_WINDOW,
            end + timedelta(minutes=1),
        )

    def merge_hosts(self, query: MetricQuery, points: list[tuple[datetime, float]]) -> None:
        """Keep one host series' points (a query of the round's answer with a ``host``)."""
        assert query.host is not None
        if self.store.merge_host_points(
            query.job, query.host, query.metric, [MetricPoint(t, float(v)) for t, v in points]
        ):
            self._hosts_changed.add(query.job)

    def hosts_round_done(self) -> None:
        """Tell the sink whose host series changed in this round."""
        if self._hosts_changed:
            self.sink(HostsUpdate(tuple(sorted(self._hosts_changed))))
            self._hosts_changed.clear()

    def ask_price(self, name: str) -> None:
        """Look up the price of ``name``'s instance type in its region, unless it is known or being asked;
        an answer that is not a price is asked again after :data:`~smtui.aws.pricing.RETRY_SECONDS`."""
        state = self.store.get(name)
        key = state.price_key if state is not None else None
        if self.prices is None or key is None or isinstance(state.price, Price):
            return
        task = self._pricing.get(key)
        now = self.clock.now().timestamp()
        if (task is not None and not task.done()) or (
            state.price is not None and now - self._asked.get(key, 0.0) < RETRY_SECONDS
        ):
            return
        known = self.prices.known(key[1], key[0])
        if isinstance(known, Price):
            self._priced(key, known)
            return
        self._asked[key] = now
        self._pricing[key] = asyncio.create_task(self._look_up(key, place_of(name)), name=f"price:{key[1]}")

    async def _look_up(self, key: tuple[str, str], place: str) -> None:
        assert self.prices is not None
        await self.budgets.acquire(place)
        self._priced(key, await self.prices.price(key[1], key[0]))

    def _priced(self, key: tuple[str, str], answer: PriceAnswer) -> None:
        changed = self.store.record_price(key, answer)
        if changed:
            self.sink(PricesUpdate(tuple(changed)))

    async def stop_pricing(self) -> None:
        """Cancel the price lookups still out (the poller stops)."""
        tasks = [t for t in self._pricing.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
