"""Where a metric series' next GetMetricData window starts, given what was asked for before."""

from __future__ import annotations

from datetime import datetime, timedelta

#: How late CloudWatch may show a point after its timestamp. A series already asked for up to a moment is
#: asked again from this long before it, not from its newest point: one series that has no point yet (a job
#: still downloading, a host not publishing) would otherwise stretch the whole batch's window back to its start,
#: and each call would carry every other series' known points again.
PUBLISH_LAG = timedelta(minutes=3)


def all_published(end: datetime | None, now: datetime) -> bool:
    """Whether a series that ended at ``end`` (a job's end; None: unknown) has all its points in CloudWatch by
    ``now``: the last ones reach it up to :data:`PUBLISH_LAG` late, so a job's final metrics are asked for until
    then."""
    return end is None or now >= end + PUBLISH_LAG


def since_asked(start: datetime, asked: datetime | None) -> datetime:
    """Where a series' next window starts: ``start`` (its newest point, or where it begins), but no earlier
    than :data:`PUBLISH_LAG` before the end of the last window answered (``asked``)."""
    return start if asked is None else max(start, asked - PUBLISH_LAG)
