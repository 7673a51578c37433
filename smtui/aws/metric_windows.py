"""Where a metric series' next GetMetricData window starts, given what was asked for before."""

from __future__ import annotations

from datetime import datetime, timedelta

#: How late CloudWatch may show a point after its timestamp. A series already asked for up to a moment is
#: asked again from this long before it, not from its newest point: one series that has no point yet (a job
#: still downloading, a host not publishing) would otherwise stretch the whole batch's window back to its start,
#: and each call would carry every other series' known points again.
PUBLISH_LAG = timedelta(minutes=3)


def since_asked(start: datetime, asked: datetime | None) -> datetime:
    """Where a series' next window starts: ``start`` (its newest point, or where it begins), but no earlier
    than :data:`PUBLISH_LAG` before the end of the last window answered (``asked``)."""
    return start if asked is None else max(start, asked - PUBLISH_LAG)
