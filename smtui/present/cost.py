"""What a training job costs: billable time, instance-hours, spot savings and dollars.

SageMaker bills each instance for ``BillableTimeInSeconds``; for managed spot
training that figure already carries the discount, so one formula is exact for
both: billable seconds × instance count × the on-demand hourly price ÷ 3600.
A price comes from the AWS Price List (see :mod:`smtui.aws.pricing`); when
there is none, :class:`NoPrice` says why, and the cost is never guessed.

``BillableTimeInSeconds`` only appears once a job has ended. While it runs,
the time since ``TrainingStartTime`` stands in for it, marked as an estimate:
exact enough for on-demand, an upper bound for spot (whose savings are only
known at the end).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from math import fsum
from typing import Any

from smtui.present.formatting import as_datetime

#: Primary statuses after which SageMaker reports the billable time.
_ENDED = frozenset({"Completed", "Failed", "Stopped"})


@dataclass(frozen=True)
class Price:
    """The on-demand hourly price of a training instance type in a region, from the AWS Price List."""

    instance_type: str
    region: str
    usd_per_hour: float
    #: When the price took effect, as the Price List gives it (``2026-11-01T00:00:00Z``), if it does.
    effective: str | None = None


@dataclass(frozen=True)
class NoPrice:
    """There is no price to show, and why (``no permission for pricing:GetProducts``, ...)."""

    reason: str


PriceAnswer = Price | NoPrice


@dataclass(frozen=True)
class Billing:
    """A job's billable time and what it comes to."""

    #: Seconds billed per instance; None when SageMaker has not said and nothing stands in for it.
    seconds: float | None
    #: True while the job runs: ``seconds`` is the time since training started, not SageMaker's figure.
    estimated: bool
    instance_count: int
    #: ``1 − billable ÷ training time`` for a managed spot job that has ended (0.742 is 74.2 %).
    spot_savings: float | None
    #: Dollars, or None (then ``no_cost`` says why).
    cost_usd: float | None
    no_cost: str | None

    @property
    def instance_hours(self) -> float | None:
        """Billable seconds × instance count, in hours."""
        if self.seconds is None:
            return None
        return self.seconds * self.instance_count / 3600


def instance_count(response: Mapping[str, Any]) -> int:
    """How many instances the job runs on (``ResourceConfig``; its instance groups added up)."""
    config = response.get("ResourceConfig")
    if not isinstance(config, Mapping):
        return 1
    count = config.get("InstanceCount")
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        return count
    groups = config.get("InstanceGroups")
    if isinstance(groups, list):
        total = sum(
            g.get("InstanceCount", 0)
            for g in groups
            if isinstance(g, Mapping) and isinstance(g.get("InstanceCount"), int)
        )
        if total > 0:
            return total
    return 1


def instance_type(response: Mapping[str, Any]) -> str | None:
    """The job's instance type; with instance groups, the first group's (None if there is none)."""
    config = response.get("ResourceConfig")
    if not isinstance(config, Mapping):
        return None
    value = config.get("InstanceType")
    if isinstance(value, str) and value:
        return value
    for group in config.get("InstanceGroups") or ():
        if isinstance(group, Mapping) and isinstance(group.get("InstanceType"), str):
            return group["InstanceType"]
    return None


def is_spot(response: Mapping[str, Any]) -> bool:
    """True for a managed spot training job."""
    return response.get("EnableManagedSpotTraining") is True


def spot_savings(training_seconds: Any, billable_seconds: Any) -> float | None:
    """``1 − billable ÷ training``, as the SageMaker Python SDK's ``logs_for_job`` prints it; None if unknown."""
    if not _number(training_seconds) or not _number(billable_seconds) or training_seconds <= 0:
        return None
    return 1 - float(billable_seconds) / float(training_seconds)


def cost_usd(billable_seconds: float, count: int, usd_per_hour: float) -> float:
    """Billable seconds × instance count × the hourly price ÷ 3600."""
    return billable_seconds * count * usd_per_hour / 3600


def billing(response: Mapping[str, Any], now: datetime, price: PriceAnswer | None = None) -> Billing:
    """The billable time, savings and cost of the job ``response`` describes, at ``now``."""
    count = instance_count(response)
    spot = is_spot(response)
    status = response.get("TrainingJobStatus")
    billed = response.get("BillableTimeInSeconds")
    estimated = False
    seconds: float | None = float(billed) if _number(billed) else None
    if seconds is None and status not in _ENDED:
        started = as_datetime(response.get("TrainingStartTime"))
        if started is not None:
            seconds, estimated = max((now - started).total_seconds(), 0.0), True
    savings = spot_savings(response.get("TrainingTimeInSeconds"), billed) if spot else None
    cost, why = None, None
    if seconds is None:
        why = "training has not started" if status not in _ENDED else "SageMaker reported no billable time"
    elif isinstance(price, Price):
        cost = cost_usd(seconds, count, price.usd_per_hour)
    elif isinstance(price, NoPrice):
        why = price.reason
    else:
        why = "price not looked up yet"
    return Billing(seconds, estimated, count, savings, cost, why)


@dataclass(frozen=True)
class CostLine:
    """A job's cost as a line in time: ``fixed`` dollars, plus ``usd_per_second`` for each second after
    ``since`` (epoch seconds; None when nothing grows). At any moment it comes to what :func:`billing` says,
    so the total of thousands of jobs is a few sums kept as they change, not a bill per job per frame."""

    fixed: float = 0.0
    usd_per_second: float = 0.0
    since: float | None = None
    #: Billed (or training), with no price to count it at.
    unpriced: bool = False

    def at(self, now: float) -> float:
        """Dollars at ``now`` (epoch seconds)."""
        if self.since is None:
            return self.fixed
        return self.fixed + self.usd_per_second * max(now - self.since, 0.0)


def cost_line(response: Mapping[str, Any], price: PriceAnswer | None = None) -> CostLine:
    """The :class:`CostLine` of the job ``response`` describes: fixed once SageMaker reports the billable time,
    growing from ``TrainingStartTime`` while the job trains."""
    billed = response.get("BillableTimeInSeconds")
    priced = isinstance(price, Price)
    if _number(billed):
        if priced:
            return CostLine(fixed=cost_usd(float(billed), instance_count(response), price.usd_per_hour))
        return CostLine(unpriced=billed > 0)
    if response.get("TrainingJobStatus") in _ENDED:
        return CostLine()
    started = as_datetime(response.get("TrainingStartTime"))
    if started is None:
        return CostLine()
    if not priced:
        return CostLine(unpriced=True)
    return CostLine(
        usd_per_second=cost_usd(1.0, instance_count(response), price.usd_per_hour), since=started.timestamp()
    )


@dataclass(frozen=True)
class CostTotal:
    """The cost of many jobs at any moment, from their :class:`CostLine` objects summed once."""

    #: What the lines that no longer grow come to, and how many jobs have no price.
    fixed: float = 0.0
    unpriced: int = 0
    #: The lines that grow: their dollars a second, and the sum of each one's rate × ``since``.
    usd_per_second: float = 0.0
    weighted_since: float = 0.0
    #: The latest ``since`` of a growing line: before it, a line would count negative seconds.
    latest_since: float = float("-inf")
    growing: tuple[CostLine, ...] = ()

    @classmethod
    def of(cls, fixed: Iterable[CostLine], growing: Iterable[CostLine]) -> CostTotal:
        """The total of lines that do not grow (``fixed``) and of lines that do."""
        fixed = list(fixed)
        growing = tuple(line for line in growing if line.since is not None)
        return cls(
            fsum(line.fixed for line in (*fixed, *growing)),
            sum(line.unpriced for line in fixed),
            fsum(line.usd_per_second for line in growing),
            fsum(line.usd_per_second * line.since for line in growing),
            max((line.since for line in growing), default=float("-inf")),
            growing,
        )

    def at(self, now: datetime) -> tuple[float, int]:
        """The dollars at ``now`` (so far, for running jobs), and how many billed jobs have no price."""
        seconds = now.timestamp()
        if seconds >= self.latest_since:
            grown = self.usd_per_second * seconds - self.weighted_since
        else:  # a job that starts later than now (a clock behind AWS's): each line on its own
            grown = fsum(line.usd_per_second * max(seconds - line.since, 0.0) for line in self.growing)  # type: ignore[operator]
        return self.fixed + max(grown, 0.0), self.unpriced


def money(usd: float) -> str:
    """``$1,234.56``; ``$0.42``; under a cent, two significant digits: ``$0.0096``."""
    if 0 < abs(usd) < 0.01:
        return f"${usd:.2g}"
    return f"${usd:,.2f}"


def short_money(usd: float) -> str:
    """Dollars in at most seven characters, for a column: ``$0.42``, ``$77.89``, ``$1,234``, ``$227k``, ``$1.2M``."""
    if usd < 100:
        return money(usd)
    if usd < 10_000:
        return f"${usd:,.0f}"
    if usd < 1_000_000:
        return f"${usd / 1000:.0f}k"
    return f"${usd / 1_000_000:.1f}M"


def hourly(usd_per_hour: float) -> str:
    """An hourly price as the Price List gives it, to the tenth of a cent: ``$1.515/h``, ``$32.7726/h``."""
    text = f"{usd_per_hour:,.4f}".rstrip("0")
    if text.endswith("."):
        text += "00"
    elif len(text.split(".")[1]) == 1:
        text += "0"
    return f"${text}/h"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
