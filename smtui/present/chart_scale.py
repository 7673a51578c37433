"""Chart axes: where the ends go, which values get a tick, and how each tick reads.

An axis ends on round numbers that enclose the data (``0.2`` to ``0.7`` for a
loss between 0.213 and 0.690), with ticks a 1, 2, 2.5 or 5 times a power of ten
apart; on a log scale the ends and ticks are 1, 2 and 5 times powers of ten.
Time axes tick on whole seconds, minutes, hours or days, as time since training
started (``1h30m``) or as the local clock (``14:05``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

#: Multiples of a power of ten a linear axis steps by.
_MANTISSAS = (1.0, 2.0, 2.5, 5.0, 10.0)
#: The 1-2-5 values of each decade a log axis may end and tick on.
_LOG_MANTISSAS = (1.0, 2.0, 5.0)
#: Seconds a time axis may step by.
TIME_STEPS = (
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    21600,
    43200,
    86400,
    172800,
    604800,
    1209600,
    2592000,
)


@dataclass(frozen=True)
class Axis:
    """One axis: its ends, the values that get a tick (ends included), each tick's label, and its scale."""

    low: float
    high: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]
    log: bool = False

    def fraction(self, value: float) -> float:
        """Where ``value`` falls between the ends: 0 at ``low``, 1 at ``high`` (outside for values beyond)."""
        if self.log:
            if value <= 0:
                return -math.inf
            low, high, value = math.log10(self.low), math.log10(self.high), math.log10(value)
        else:
            low, high = self.low, self.high
        return (value - low) / (high - low) if high != low else 0.5

    def value_at(self, fraction: float) -> float:
        """The value at ``fraction`` of the way from ``low`` to ``high`` (the inverse of :meth:`fraction`)."""
        if self.log:
            low, high = math.log10(self.low), math.log10(self.high)
            return 10 ** (low + fraction * (high - low))
        return self.low + fraction * (self.high - self.low)


def _clean(value: float, step: float | None = None) -> float:
    """A tick value without the float noise of ``k * step`` (``0.30000000000000004`` → ``0.3``)."""
    if step is None:
        return float(f"{value:.12g}")
    return round(value, max(0, -math.floor(math.log10(step))) + 3)


def nice_step(span: float, count: int) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that cuts ``span`` into at most ``count`` steps."""
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for mantissa in _MANTISSAS:
        if mantissa * magnitude >= raw * (1 - 1e-9):
            return mantissa * magnitude
    return 10 * magnitude


def _next_step(step: float) -> float:
    """The next 1, 2, 2.5 or 5 times a power of ten above ``step``."""
    magnitude = 10 ** math.floor(math.log10(step) + 1e-9)
    for mantissa in _MANTISSAS:
        if mantissa * magnitude > step * (1 + 1e-9):
            return mantissa * magnitude
    return 10 * magnitude


def _steps_below(value: float, step: float) -> int:
    """The most steps from 0 that stay at or below ``value`` (a value a float's rounding puts a hair under a
    multiple of the step counts as on it)."""
    count = math.floor(value / step)
    if abs((count + 1) * step - value) <= abs(step) * 1e-12:
        count += 1
    return count


def linear_axis(low: float, high: float, max_ticks: int) -> Axis:
    """An axis from a round number at or below ``low`` to one at or above ``high``, with at most ``max_ticks``
    ticks (at least two: the ends). Equal ends are spread around their value."""
    low, high = min(low, high), max(low, high)
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    # One step cannot go from below zero to above it: ticks are multiples of the step.
    steps = max(max_ticks - 1, 2 if low < 0 < high else 1)
    step = nice_step(high - low, steps)
    while True:
        # Rounding the ends outwards can add a step: then take the next round step up.
        first, last = _steps_below(low, step), -_steps_below(-high, step)
        if last - first <= steps:
            break
        step = _next_step(step)
    ticks = tuple(_clean(k * step, step) for k in range(first, last + 1))
    return Axis(ticks[0], ticks[-1], ticks, number_labels(ticks, step))


def log_axis(low: float, high: float, max_ticks: int) -> Axis:
    """A log axis from the 1-2-5 value at or below ``low`` to the one at or above ``high`` (both positive);
    ticks on 1-2-5 values, thinned to powers of ten and then to every few decades when there are too many."""
    if low <= 0 or high <= 0:
        raise ValueError("a log axis needs positive values")
    low, high = min(low, high), max(low, high)
    candidates = [
        _clean(m * 10**e)
        for e in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 2)
        for m in _LOG_MANTISSAS
    ]
    start = max(c for c in candidates if c <= low * (1 + 1e-9))
    end = min(c for c in candidates if c >= high * (1 - 1e-9))
    if end == start:
        end = next(c for c in candidates if c > start)
    inside = [c for c in candidates if start <= c <= end]
    ticks = inside
    if len(ticks) > max_ticks:
        powers = [c for c in inside if _is_power_of_ten(c)]
        every = 1
        while len(powers[::every]) + 2 > max(max_ticks, 2) and every < len(powers):
            every += 1
        ticks = sorted({start, end, *powers[::every]})
        if len(ticks) > max(max_ticks, 2):
            ticks = [start, end]
    ticks_t = tuple(ticks)
    return Axis(start, end, ticks_t, tuple(_short(t) for t in ticks_t), log=True)


def _is_power_of_ten(value: float) -> bool:
    exponent = math.log10(value)
    return abs(exponent - round(exponent)) < 1e-9


def number_labels(ticks: Sequence[float], step: float) -> tuple[str, ...]:
    """Labels for evenly stepped ticks, all with as many decimals as the step needs (SI suffixes for big
    values, an exponent for tiny ones)."""
    biggest = max((abs(t) for t in ticks), default=0.0)
    if biggest >= 1e5:
        return tuple(_si(t, step) for t in ticks)
    extra = _extra_digit(step)
    if 0 < biggest < 1e-3:
        digits = max(0, math.floor(math.log10(biggest)) - math.floor(math.log10(step) + 1e-9) + extra)
        return tuple(f"{t:.{digits}e}" if t else "0" for t in ticks)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9) + extra)
    return tuple(f"{t:.{decimals}f}" for t in ticks)


def _extra_digit(step: float) -> int:
    """1 when ``step`` needs a digit past its power of ten (a 2.5 step), else 0."""
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    return 0 if abs(mantissa - round(mantissa)) < 1e-6 else 1


def _si(value: float, step: float) -> str:
    for factor, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if max(abs(value), step) >= factor:
            scaled_step = step / factor
            decimals = max(0, -math.floor(math.log10(scaled_step) + 1e-9) + _extra_digit(step))
            return f"{value / factor:.{decimals}f}{suffix}"
    return f"{value:g}"


def _short(value: float) -> str:
    """A log tick's label: ``0.001``, ``0.5``, ``20``, ``1e+06``."""
    if value >= 1e5 or value < 1e-4:
        return f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-")
    return f"{value:g}"


# -- time axes -------------------------------------------------------------------------


def time_step(span: float, max_ticks: int) -> int:
    """The smallest of :data:`TIME_STEPS` that cuts ``span`` seconds into at most ``max_ticks - 1`` steps."""
    for step in TIME_STEPS:
        if span / step <= max(max_ticks - 1, 1):
            return step
    return TIME_STEPS[-1] * math.ceil(span / TIME_STEPS[-1] / max(max_ticks - 1, 1))


def elapsed_label(seconds: float) -> str:
    """Time since training started, as an axis says it: ``0``, ``45s``, ``5m``, ``1h30m``, ``2d``, ``1d12h``."""
    seconds = round(seconds)
    if seconds == 0:
        return "0"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    shown = [f"{n}{unit}" for n, unit in parts if n]
    return sign + "".join(shown[:2])


def elapsed_axis(low: float, high: float, max_ticks: int) -> Axis:
    """An axis of seconds since training started, from ``low`` to ``high`` exactly, ticked on whole units."""
    high = max(high, low + 1)
    step = time_step(high - low, max_ticks)
    first = math.ceil(low / step - 1e-9)
    ticks = tuple(float(k * step) for k in range(first, math.floor(high / step + 1e-9) + 1))
    return Axis(low, high, ticks, tuple(elapsed_label(t) for t in ticks))


def clock_axis(low: float, high: float, max_ticks: int, tz: timezone | None = None) -> Axis:
    """An axis of epoch seconds from ``low`` to ``high`` exactly, ticked on whole local minutes, hours or days."""
    high = max(high, low + 1)
    step = time_step(high - low, max_ticks)
    offset = _utc_offset(low, tz)
    first = math.ceil((low + offset) / step - 1e-9)
    ticks = tuple(float(k * step - offset) for k in range(first, math.floor((high + offset) / step + 1e-9) + 1))
    return Axis(low, high, ticks, tuple(clock_label(t, step, tz) for t in ticks))


def _utc_offset(epoch: float, tz: timezone | None) -> float:
    moment = datetime.fromtimestamp(epoch, timezone.utc).astimezone(tz)
    return (moment.utcoffset() or timedelta()).total_seconds()


def clock_label(epoch: float, step: float, tz: timezone | None = None) -> str:
    """A wall-clock tick: ``14:05:30`` under a minute's step, ``14:05`` under a day's (``Nov 26`` at midnight),
    ``Nov 26`` for whole days."""
    moment = datetime.fromtimestamp(epoch, timezone.utc).astimezone(tz)
    if step >= 86400 or (moment.hour == 0 and moment.minute == 0 and moment.second == 0 and step >= 3600):
        return moment.strftime("%b %d")
    if step < 60:
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%H:%M")
