"""Spacing calls out: a request budget that every poll, listing and log read of one account waits on."""

from __future__ import annotations

import asyncio


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

    async def acquire(self) -> None:
        """Wait for the next free slot."""
        now = asyncio.get_running_loop().time()
        slot = max(self._last + 1 / self.rate, now - (self._burst - 1) / self.rate)
        self._last = slot
        if slot > now:
            await asyncio.sleep(slot - now)
