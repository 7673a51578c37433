"""Compact text for durations, times and numbers, as the screen shows them."""

from __future__ import annotations

import math
from datetime import datetime

from smtui.present.formatting import visible


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
