"""Clocks shared by the data layer, the simulator and the UI.

Everything that asks "what time is it?" takes a clock, so tests and snapshots
can freeze time. All times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time."""

    def now(self) -> datetime:
        """The current time as an aware UTC datetime."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FrozenClock:
    """A clock that stands still until told to move; for tests and snapshots."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = at.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self._now += timedelta(seconds=seconds)

    def set(self, at: datetime) -> None:
        """Jump to ``at``."""
        self._now = at.astimezone(timezone.utc)
