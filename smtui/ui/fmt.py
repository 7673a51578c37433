"""Compact text for durations, times and numbers, as the screen shows them."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from smtui.aws.formatting import visible


def compact_duration(delta: timedelta | float | None) -> str:
    """``1h 02m``, ``12m 05s``, ``45s``, ``3d 04h``; ``–`` for None."""
    if delta is None:
        return "–"
    seconds = int(delta.total_seconds() if isinstance(delta, timedelta) else delta)
    seconds = max(seconds, 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def clock_time(moment: datetime) -> str:
    """Local wall-clock time, ``HH:MM``."""
    return moment.astimezone().strftime("%H:%M")


def metric_value(value: float | None) -> str:
    """A metric value in at most about six characters."""
    if value is None:
        return "–"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 1e5 or magnitude < 1e-3):
        return f"{value:.2e}"
    return f"{value:.4g}" if magnitude < 1000 else f"{value:.0f}"


def safe(text: object, limit: int = 200) -> str:
    """Text from a response made fit for one cell: control characters escaped, at most ``limit`` characters.

    Rich markup needs no escaping here: every widget draws such text as a
    ``Text``, never as markup.
    """
    flat = visible(str(text))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
