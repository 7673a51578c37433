"""Spacing calls out: a request budget that every poll, listing and log read of one account and region waits on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping


class RequestBudget:
    """At most ``rate`` requests a second on average, with bursts of up to one second's worth.

    Every call waits in :meth:`acquire` for its slot, so a thousand jobs whose
    polls fall due together go out evenly spaced instead of in a burst.
    """

    def __init__(self, rate: float) -> None:
        if not rate > 0:
            raise ValueError("the request budget must be positive")
        self.rate = rate
        self._burst = max(1.0, rate)
        self._last = float("-inf")

    async def acquire(self, calls: int = 1) -> None:
        """Wait for the next free slot, or for the last of ``calls`` slots (a request the client sends as several)."""
        for _ in range(calls):
            now = asyncio.get_running_loop().time()
            slot = max(self._last + 1 / self.rate, now - (self._burst - 1) / self.rate)
            self._last = slot
            if slot > now:
                await asyncio.sleep(slot - now)


def operation_budget(rates: Mapping[str, float]) -> Callable[[str], Awaitable[None]]:
    """A budget per operation: ``await budget(operation)`` waits for that operation's slot, at most its rate
    (requests a second); an operation without a rate is not held back."""
    budgets = {operation: RequestBudget(rate) for operation, rate in rates.items()}

    async def acquire(operation: str) -> None:
        budget = budgets.get(operation)
        if budget is not None:
            await budget.acquire()

    return acquire


class Budgets:
    """A request budget of ``rate`` for each place (account and region): AWS's quotas are per account and region,
    so the calls to one place never wait for another's."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self._budgets: dict[str, RequestBudget] = {}

    def of(self, place: str = "") -> RequestBudget | None:
        """The budget of ``place`` ("" when there is one place); None when there is no limit."""
        if not self.rate:
            return None
        budget = self._budgets.get(place)
        if budget is None:
            budget = self._budgets[place] = RequestBudget(self.rate)
        return budget

    async def acquire(self, place: str = "", calls: int = 1) -> None:
        """Wait for the next free slot of ``place``'s budget (the last of ``calls`` slots)."""
        budget = self.of(place)
        if budget is not None:
            await budget.acquire(calls)
