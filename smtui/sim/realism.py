"""How rough the simulator is: the services' documented rough edges, each one settable.

AWS does not answer as a tidy test double would. Its request quotas throttle,
its listings filter a page after cutting it, its log pages are split by time
and may be empty while more events follow, its tokens expire, its stream
summaries lag, its metrics lose resolution with age and reach it a minute or two late. :class:`Realism` holds
one setting per edge. The default is AWS as documented: ``Simulator()``,
``smtui sim`` and ``smtui demo`` all use it. :meth:`Realism.gentle` turns
every edge off, and :meth:`Realism.without` turns off the ones named
(``smtui sim --gentle quotas,stream-lag``), so a test can pin each one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from smtui.sim.operations import OPERATIONS

#: Requests a second each operation accepts per account and region (the services' published quotas).
AWS_QUOTAS: Mapping[str, float] = MappingProxyType(
    {
        "ListTrainingJobs": 2.0,
        "FilterLogEvents": 5.0,
        "GetLogEvents": 25.0,
        "DescribeLogStreams": 25.0,
        "GetMetricData": 50.0,
        # SageMaker publishes no figure for DescribeTrainingJob: 20 a second is a guess of the right order.
        "DescribeTrainingJob": 20.0,
    }
)

#: The edges by the name ``--gentle`` takes, each with what turns it off.
EDGES: Mapping[str, str] = MappingProxyType(
    {
        "quotas": "no request quotas: nothing is throttled unless --throttle-rate says so",
        "listing": "ListTrainingJobs and a tuning job's listing filter before cutting the page",
        "log-pages": "GetLogEvents pages are not split by time: each holds as many events as the limit allows",
        "filter-pages": "FilterLogEvents searches all of the time range in one call (up to 20,000 events)",
        "tokens": "log tokens never expire",
        "stream-lag": "DescribeLogStreams' lastEventTimestamp is up to date",
        "ssm": "no JOB/ssm stream beside the instances' streams of a job with remote debugging",
        "retention": "CloudWatch keeps 60-second points for ever",
        "metric-lag": "a metric point is in GetMetricData's answers as soon as its time has come",
    }
)


@dataclass(frozen=True)
class Realism:
    """The rough edges the simulator reproduces; every default is what AWS does.

    Times are real seconds (the clock's, whatever the script speed), since
    they are the services' behaviour, not the jobs'.
    """

    #: Operation name → requests a second per account and region; above it, ThrottlingException (HTTP 400).
    #: Counted on the monotonic clock, since requests arrive in real time even when the simulator's clock is frozen.
    quotas: Mapping[str, float] = field(default_factory=lambda: AWS_QUOTAS)
    #: ListTrainingJobs and ListTrainingJobsForHyperParameterTuningJob cut the page of MaxResults first and filter
    #: it afterwards, so pages can be empty or short while a NextToken follows (the API reference's own wording).
    filter_after_cut: bool = True
    #: Event time one GetLogEvents page reads at most, in seconds; None reads the whole stream.
    log_page_span: float | None = 600.0
    #: Share of the boundaries between those spans where the stream's storage is split by a 1 ms slice:
    #: a page that reads it is empty, although events follow.
    empty_log_pages: float = 0.25
    #: Event time one FilterLogEvents call searches at most, in seconds; None searches the whole range.
    filter_page_span: float | None = 900.0
    #: Events one FilterLogEvents call looks at, at most, before it answers with what it found and a nextToken.
    filter_scan_events: int = 5_000
    #: Seconds after which a GetLogEvents or FilterLogEvents token is refused (InvalidParameterException); None: never.
    token_ttl: float | None = 86_400.0
    #: Seconds DescribeLogStreams' firstEventTimestamp and lastEventTimestamp lag behind the events.
    stream_lag: float = 300.0
    #: A job with remote debugging (RemoteDebugConfig.EnableRemoteDebug) has a ``JOB/ssm`` stream.
    ssm_streams: bool = True
    #: CloudWatch keeps 60-second points 15 days, 300-second ones 63 days, 3,600-second ones 455 days; a query
    #: whose Period is finer than the tier of its StartTime gets no points.
    retention_tiers: bool = True
    #: Seconds, at most, a metric point takes to reach GetMetricData and GetMetricStatistics after its timestamp.
    #: Each series has its own lag, from a minute up to this; a series' points arrive in order.
    metric_lag: float = 120.0

    def __post_init__(self) -> None:
        quotas = dict(self.quotas)
        for operation, rate in quotas.items():
            if operation not in OPERATIONS:
                raise ValueError(
                    f"{operation!r} is not an operation the simulator answers ({', '.join(sorted(OPERATIONS))})"
                )
            if not (isinstance(rate, (int, float)) and math.isfinite(rate) and rate > 0):
                raise ValueError(
                    f"the quota of {operation} must be a positive number of requests a second, got {rate!r}"
                )
        object.__setattr__(self, "quotas", MappingProxyType(quotas))
        for name in ("log_page_span", "filter_page_span", "token_ttl"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive or None, got {value!r}")
        if not 0.0 <= self.empty_log_pages < 1.0:
            raise ValueError(f"empty_log_pages must be at least 0 and below 1, got {self.empty_log_pages!r}")
        if self.filter_scan_events < 1:
            raise ValueError(f"filter_scan_events must be at least 1, got {self.filter_scan_events!r}")
        for name in ("stream_lag", "metric_lag"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)!r}")

    @classmethod
    def aws(cls) -> Realism:
        """Every edge as AWS has it (the default)."""
        return cls()

    @classmethod
    def gentle(cls) -> Realism:
        """Every edge turned off: the simulator as a kind test double."""
        return cls().without(EDGES)

    def without(self, edges: Iterable[str]) -> Realism:
        """These settings with the named edges (keys of :data:`EDGES`) turned off."""
        changes: dict[str, object] = {}
        for edge in edges:
            if edge not in EDGES:
                raise ValueError(f"unknown rough edge {edge!r}; the edges are {', '.join(EDGES)}")
            changes.update(_GENTLE[edge])
        return replace(self, **changes)

    def with_quotas(self, overrides: Mapping[str, float | None]) -> Realism:
        """These settings with some quotas changed; None removes an operation's quota."""
        quotas = dict(self.quotas)
        for operation, rate in overrides.items():
            if rate is None:
                if operation not in OPERATIONS:
                    raise ValueError(f"{operation!r} is not an operation the simulator answers")
                quotas.pop(operation, None)
            else:
                quotas[operation] = rate
        return replace(self, quotas=quotas)

    def with_changes(self, **changes: object) -> Realism:
        """These settings with some fields changed (checked as at construction)."""
        return replace(self, **changes)

    def describe(self) -> str:
        """A short summary for the simulator's banner: ``AWS-like`` or what is turned off."""
        off = [
            edge
            for edge, changes in _GENTLE.items()
            if all(getattr(self, name) == value for name, value in changes.items())
        ]
        if not off:
            return "AWS-like"
        if len(off) == len(EDGES):
            return "gentle"
        return "AWS-like, without " + ", ".join(off)


#: What each edge's setting becomes when it is turned off.
_GENTLE: Mapping[str, Mapping[str, object]] = MappingProxyType(
    {
        "quotas": {"quotas": {}},
        "listing": {"filter_after_cut": False},
        "log-pages": {"log_page_span": None, "empty_log_pages": 0.0},
        "filter-pages": {"filter_page_span": None, "filter_scan_events": 20_000},
        "tokens": {"token_ttl": None},
        "stream-lag": {"stream_lag": 0.0},
        "ssm": {"ssm_streams": False},
        "retention": {"retention_tiers": False},
        "metric-lag": {"metric_lag": 0.0},
    }
)
