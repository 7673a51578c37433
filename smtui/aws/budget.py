"""Spacing calls out: a request budget that every poll, listing and log read of one account waits on."""

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
