"""The AWS calls smtui makes, as protocols: the part each reader needs, and the whole the app takes.

:class:`~smtui.aws.source.AwsJobSource` makes every one of them (and
:class:`~smtui.aws.places.PlacedSource` in each job's own place). A reader
asks only for its part, so a test can hand it a fake of that part alone;
:class:`JobSource` is the sum of the parts and adds what only the app uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from smtui.aws.source import MetricQuery


class MetricSource(Protocol):
    """What the metric history needs from AWS."""

    async def get_metric_data(
        self, queries: Sequence[MetricQuery], start: datetime, end: datetime, period: int = 60
    ) -> dict[MetricQuery, list[tuple[datetime, float]]]: ...


class PollSource(MetricSource, Protocol):
    """What the poller needs from AWS: a job's description and its metrics."""

    async def describe_training_job(self, name: str) -> dict[str, Any]: ...


class ListingSource(Protocol):
    """What the finder needs from AWS: the listings of training jobs and of a tuning job's."""

    async def list_training_jobs(self, filters: dict[str, Any], token: str | None = None) -> dict[str, Any]: ...

    async def describe_tuning_job(self, name: str) -> dict[str, Any]: ...

    async def list_tuning_training_jobs(
        self, name: str, token: str | None = None, status: str | None = None
    ) -> dict[str, Any]: ...


class LogsSource(Protocol):
    """The CloudWatch Logs calls a log tail makes."""

    async def describe_log_streams(self, group: str, prefix: str, token: str | None = None) -> dict[str, Any]: ...

    async def filter_log_events(
        self,
        group: str,
        prefix: str,
        pattern: str,
        token: str | None = None,
        start_ms: int | None = None,
        *,
        end_ms: int | None = None,
        newest: bool = False,
        limit: int | None = None,
    ) -> dict[str, Any]: ...


class JobSource(PollSource, ListingSource, LogsSource, Protocol):
    """Every AWS call the app makes: the poller's, the finder's and the log tail's, and the app's own.

    The app takes the whole, opens it as an async context manager, stops jobs
    through it, looks prices up with it and reads two facts from it for the
    screen.
    """

    #: The region calls go to, once open (None before, or when unknown).
    region: str | None

    @property
    def endpoint_label(self) -> str:
        """A short description of where calls go, for the title bar."""
        ...

    async def __aenter__(self) -> Any: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    async def stop_training_job(self, name: str) -> None: ...

    async def pricing_client(self, region: str) -> Any: ...
