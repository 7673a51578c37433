"""A metric's value in a few characters, the same wherever it shows: the list, the panes, the titles, the charts."""

from __future__ import annotations

import math


def metric_value(value: float | None) -> str:
    """A metric value in about seven characters (``0.2131``, ``1234``, ``123457``, ``4.65e+06``, ``0.000123``).

    Four significant digits below 1,000, whole numbers up to a million; beyond
    that and below 0.001, three significant digits in whatever form is shorter.
    ``–`` when there is no value, and ``NaN`` and ``∞`` as they are.
    """
    if value is None:
        return "–"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 1e6 or magnitude < 1e-3):
        return f"{value:.3g}"
    return f"{value:.4g}" if magnitude < 1000 else f"{value:.0f}"
