"""Where a job is: the account (a profile) and region it was found in, when several are watched at once.

With one account and one region a job's id is its name. With several, it is
``PLACE/NAME``: PLACE says which profile, which region, or both (a job name
never has a ``/``, so the name is what follows the last one). Each place has
its own clients and its own request budget; :class:`PlacedSource` sends each
call to the place of the job it is about.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from smtui.aws.source import AwsJobSource, AwsOptions, MetricQuery

SEPARATOR = "/"


def job_id(place: str, name: str) -> str:
    """The id of job ``name`` in ``place`` ("" for the only place)."""
    return f"{place}{SEPARATOR}{name}" if place else name


def split_id(job: str) -> tuple[str, str]:
    """(place, name) of a job id; the place is "" when there is only one."""
    place, _, name = job.rpartition(SEPARATOR)
    return place, name


def place_of(job: str) -> str:
    return split_id(job)[0]


@dataclass(frozen=True)
class Place:
    """One account and region: the options its clients are made with, and its label on the screen."""

    label: str
    options: AwsOptions

    @property
    def region(self) -> str | None:
        return self.options.region


def places(options: AwsOptions, regions: Sequence[str | None], profiles: Sequence[str | None]) -> list[Place]:
    """Every profile in every region, labelled by what tells them apart: ``us-west-2``, ``prod`` or
    ``prod us-west-2``. One of each gives one place labelled ""."""
    regions, profiles = list(regions) or [None], list(profiles) or [None]
    out = []
    for profile in profiles:
        for region in regions:
            parts = [part for part, many in ((profile, len(profiles) > 1), (region, len(regions) > 1)) if many]
            label = " ".join(str(part) for part in parts)
            out.append(Place(label, replace(options, profile=profile, region=region)))
    return out


def place_kind(regions: Sequence[str | None], profiles: Sequence[str | None]) -> str | None:
    """The header of the column that tells places apart: Region, Account or Where (both); None for one place."""
    many_regions, many_profiles = len(regions) > 1, len(profiles) > 1
    if many_regions and many_profiles:
        return "Where"
    return "Region" if many_regions else "Account" if many_profiles else None


class PlacedSource:
    """Every call of :class:`~smtui.aws.calls.JobSource`, made in the place of the job it is about.

    Job ids carry their place (:func:`job_id`); the calls that are not about a
    job (listings, a tuning job) are made through :meth:`at`.
    """

    def __init__(self, sources: Mapping[str, AwsJobSource]) -> None:
        self.sources = dict(sources)
        self.region: str | None = None
        self._stack: contextlib.AsyncExitStack | None = None

    @property
    def endpoint_label(self) -> str:
        first = next(iter(self.sources.values()))
        where = ", ".join(self.sources)
        return f"{where} at {first.options.endpoint_url}" if first.options.endpoint_url else where

    def at(self, place: str) -> AwsJobSource:
        """The source of one place."""
        return self.sources[place]

    async def __aenter__(self) -> PlacedSource:
        stack = contextlib.AsyncExitStack()
        try:
            for source in self.sources.values():
                await stack.enter_async_context(source)
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack
        self.region = next(iter(self.sources.values())).region
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    def _of(self, job: str) -> tuple[AwsJobSource, str]:
        place, name = split_id(job)
        source = self.sources.get(place)
        if source is None:
            raise KeyError(f"no place {place!r} for job {job!r}")
        return source, name

    async def pricing_client(self, region: str) -> Any:
        """A Price List client (that of the first place: prices are the same for every account)."""
        return await next(iter(self.sources.values())).pricing_client(region)

    async def describe_training_job(self, name: str) -> dict[str, Any]:
        source, bare = self._of(name)
        return await source.describe_training_job(bare)

    async def stop_training_job(self, name: str) -> None:
        source, bare = self._of(name)
        await source.stop_training_job(bare)

    async def get_metric_data(
        self, queries: Sequence[MetricQuery], start: datetime, end: datetime, period: int = 60
    ) -> dict[MetricQuery, list[tuple[datetime, float]]]:
        """The series of jobs of one place or several, one batch per place."""
        by_place: dict[str, dict[MetricQuery, MetricQuery]] = {}
        for query in queries:
            place, bare = split_id(query.job)
            by_place.setdefault(place, {})[replace(query, job=bare)] = query
        out: dict[MetricQuery, list[tuple[datetime, float]]] = {}
        for place, asked in by_place.items():
            got = await self.sources[place].get_metric_data(list(asked), start, end, period)
            out.update((asked[bare], points) for bare, points in got.items())
        return out
