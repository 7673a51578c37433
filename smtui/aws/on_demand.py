"""Describing an ended job only when the screen needs it: selected, in view, or on the first screen.

A listing's summary gives each job's status, stage and times, enough for its
row. A job still running is polled anyway; one that has ended is described
once, when more is needed: its details when it is selected, its metric when
its row is in view. :class:`OnDemand` is that part of the
:class:`~smtui.aws.poller.Poller`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable


class OnDemand:
    """The jobs wanted described, the most wanted first, and the loop describing them within the budget.

    Mixed into :class:`~smtui.aws.poller.Poller`, whose store, tasks, interval and ``poll_job`` it uses.
    """

    #: Jobs with only a listing's summary described in the first round: the rows a first screen shows.
    FIRST_SCREEN = 40

    def _init_on_demand(self) -> None:
        #: The jobs to describe, the most wanted first; when each last failed to be; the first screen's.
        self._wanted: dict[str, None] = {}
        self._want_wake: asyncio.Event | None = None
        self._want_failed: dict[str, float] = {}
        self._first_wanted: set[str] = set()
        self._forced: set[str] = set()

    def want_now(self, name: str) -> None:
        """Describe ``name`` next, even if its description is current or failed a moment ago (``r``)."""
        self._want_failed.pop(name, None)
        self._forced.add(name)
        self._wanted = {name: None, **self._wanted}
        if self._want_wake is not None:
            self._want_wake.set()

    def want(self, names: Iterable[str]) -> None:
        """The jobs the screen needs described now, the most wanted first (the selected one, then those in
        view). Each that has ended and has only a listing's summary, or a description its summary says is out
        of date, is described once, in this order, within the budget. This replaces what was wanted before:
        rows scrolled past are not described."""
        moment = asyncio.get_running_loop().time() if self._want_wake is not None else 0.0
        # The first screen's and those asked for by name stay wanted until described.
        kept = {name: None for name in self._wanted if name in self._first_wanted or name in self._forced}
        wanted = {**kept, **{name: None for name in names if self._needs_description(name, moment)}}
        self._wanted = wanted
        if wanted and self._want_wake is not None:
            self._want_wake.set()

    def _needs_description(self, name: str, moment: float) -> bool:
        state = self.store.get(name)
        if name in self._forced and state is not None and name not in self._tasks:
            return True
        if state is None or state.snapshot is None or not state.snapshot.partial or name in self._tasks:
            return False  # not watched, being polled, or described already (or never answered: polled)
        failed = self._want_failed.get(name)
        return failed is None or moment - failed > self.interval  # a failed one is tried again after a while

    def _want_first_screen(self) -> None:
        """In the first round, the jobs a first screen shows are described too."""
        if self._first_round is None or self._first_round.is_set() or self._listing:
            return
        first = [name for name in self.store.names[: self.FIRST_SCREEN] if self._needs_description(name, 0.0)]
        self._first_wanted = set(first)
        self._wanted = {**dict.fromkeys(first), **self._wanted}
        if first and self._want_wake is not None:
            self._want_wake.set()

    async def _describe_wanted(self) -> None:
        assert self._want_wake is not None
        while True:
            if not self._wanted:
                self._want_wake.clear()
                await self._want_wake.wait()
                continue
            name = next(iter(self._wanted))
            del self._wanted[name]
            moment = asyncio.get_running_loop().time()
            if self._needs_description(name, moment) and await self.poll_job(name) is None:
                self._want_failed[name] = moment
            self._forced.discard(name)
            if name in self._first_wanted:
                self._first_wanted.discard(name)
                self._check_first_round()
