"""Compact text for times and for text from a response, as the screen shows them."""

from __future__ import annotations

from datetime import datetime

from smtui.present.formatting import visible


def clock_time(moment: datetime) -> str:
    """Local wall-clock time, ``HH:MM``."""
    return moment.astimezone().strftime("%H:%M")


def safe(text: object, limit: int = 200) -> str:
    """Text from a response made fit for one cell: control characters escaped, at most ``limit`` characters.

    Rich markup needs no escaping here: every widget draws such text as a
    ``Text``, never as markup.
    """
    flat = visible(str(text))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
