"""Durations for people: parsed from ``90m``/``2h``/``1d`` and written as ``1h 02m`` or ``2d 3h``."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``30m``, ``2h``, ``1d``, ``1h30m`` → seconds; ValueError otherwise."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise ValueError(text)
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return float(((days * 24 + hours) * 60 + minutes) * 60 + seconds)


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


#: Below this many seconds a list row shows seconds (``9m 59s``); from it on, whole minutes (``10m``).
SECONDS_SHOWN_UNDER = 600


def row_duration(seconds: float) -> str:
    """A duration as a list row shows it: ``45s`` and ``9m 59s``, then ``10m`` to ``59m``, ``1h 02m`` and
    ``3d 04h``. Past ten minutes the seconds are noise in a list (``kubectl get`` ages drop them there too),
    and a row that changes once a minute instead of every second costs the terminal a sixtieth."""
    seconds = max(int(seconds), 0)
    if SECONDS_SHOWN_UNDER <= seconds < 3600:
        return f"{seconds // 60}m"
    return compact_duration(seconds)


def duration_step(seconds: float) -> int:
    """The seconds between two readings of :func:`row_duration` around ``seconds``: 1, 60 or 3,600."""
    if seconds < SECONDS_SHOWN_UNDER:
        return 1
    return 60 if seconds < 86400 else 3600


def long_duration(seconds: float) -> str:
    """``1h 30m``, ``2d 3h``, ``28m 30s``, ``45s``: a human reading of a second count."""
    seconds = int(max(seconds, 0))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    # Two units at most: the second unit is already a rounding of the first.
    parts = [f"{days}d"] if days else []
    if hours:
        parts.append(f"{hours}h")
    if minutes and not days:
        parts.append(f"{minutes}m")
    if secs and not days and not hours:
        parts.append(f"{secs}s")
    return " ".join(parts[:2]) or "0s"


def interval_text(value: float) -> str:
    """An interval as a title shows it: ``2.5s``, ``30s``, ``3m 20s``."""
    return f"{round(value, 1):g}s" if value < 60 else compact_duration(value)
