"""The AWS clients smtui talks through: one session, one long-lived client per service."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smtui.aws.errors import MalformedResponse
from smtui.aws.session import new_session

#: CloudWatch namespace SageMaker publishes training metrics to.
METRICS_NAMESPACE = "/aws/sagemaker/TrainingJobs"
#: GetMetricData accepts at most this many queries in one call.
MAX_METRIC_QUERIES = 500
#: Jobs a SageMaker listing page holds at most (MaxResults), the API's own limit.
LIST_PAGE = 100
#: CloudWatch's retention tiers: (seconds a point of this period is kept, the period). 60-second points are
#: kept 15 days, 300-second ones 63 days, 3,600-second ones 455 days; a query finer than what its start
#: time still has gets no points at all.
RETENTION_TIERS = ((15 * 86400, 60), (63 * 86400, 300), (455 * 86400, 3600))
#: How close to the end of a tier a start time may be and still use it (a query takes a moment to arrive).
_TIER_MARGIN = 3600


@dataclass(frozen=True)
class AwsOptions:
    """Where and as whom to call AWS. ``None`` means: let botocore's chain decide."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    #: Static credentials (access key, secret key), used by the demo and tests only.
    static_credentials: tuple[str, str] | None = None
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 20.0


@dataclass(frozen=True)
class MetricQuery:
    """One series to fetch: a metric of a job, or with ``host`` (``algo-2``) a metric of one of its instances."""

    job: str
    metric: str
    host: str | None = None

    @property
    def dimension(self) -> dict[str, str]:
        """The series' one dimension: ``TrainingJobName``, or ``Host`` = ``JOB/algo-N`` for an instance's."""
        if self.host is not None:
            return {"Name": "Host", "Value": f"{self.job}/{self.host}"}
        return {"Name": "TrainingJobName", "Value": self.job}


def metric_period(start: datetime, now: datetime) -> int:
    """The finest GetMetricData Period CloudWatch still has points of at ``start``, seen at ``now``."""
    age = (now - start).total_seconds()
    for kept, period in RETENTION_TIERS:
        if age < kept - _TIER_MARGIN:
            return period
    return RETENTION_TIERS[-1][1]


async def every_page(
    fetch: Callable[[str | None], Awaitable[dict[str, Any]]], key: str = "NextToken"
) -> AsyncIterator[dict[str, Any]]:
    """Each page of a listing: ``fetch(token)`` from no token on, following ``key`` until it is missing.

    A token that comes back a second time also ends it: the SageMaker SDK's log
    loop never ends past 50 streams for want of that check.
    """
    token: str | None = None
    seen: set[str] = set()
    while True:
        page = await fetch(token)
        yield page
        token = page.get(key)
        if not token or token in seen:
            return
        seen.add(token)


class AwsJobSource:
    """Calls SageMaker, CloudWatch and CloudWatch Logs through aiobotocore.

    Use as an async context manager; the clients live until it exits. botocore's
    standard retry mode handles throttling and transient errors with jittered
    exponential back-off; the poller's request budget keeps the rate down.
    """

    def __init__(self, options: AwsOptions | None = None) -> None:
        self.options = options or AwsOptions()
        self._stack: contextlib.AsyncExitStack | None = None
        self._sagemaker: Any = None
        self._cloudwatch: Any = None
        self._logs: Any = None
        self._pricing: dict[str, Any] = {}
        self._client_kwargs: dict[str, Any] = {}
        self._session: Any = None
        self.region: str | None = None

    @property
    def call_timeout(self) -> float:
        """Seconds one request may take, connecting and reading (botocore retries it after that)."""
        return self.options.connect_timeout + self.options.read_timeout

    @property
    def endpoint_label(self) -> str:
        """A short description of where calls go, for the title bar."""
        return self.options.endpoint_url or (self.region or "aws")

    async def __aenter__(self) -> AwsJobSource:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def open(self) -> None:
        """Create the session and clients (no network call is made yet)."""
        # aiobotocore is imported here, not at module level: it costs ~0.3 s.
        from aiobotocore.config import AioConfig

        opts = self.options
        config = AioConfig(
            # Not "adaptive": its client-side token bucket waits on an asyncio.Condition through
            # asyncio.wait_for, and polls cancelled together while throttled (quitting the app) can
            # deadlock on that condition's lock. The poller's RequestBudget does the rate limiting.
            retries={"mode": "standard", "max_attempts": opts.max_attempts},
            connect_timeout=opts.connect_timeout,
            read_timeout=opts.read_timeout,
            user_agent_appid="smtui",
        )
        kwargs: dict[str, Any] = {"config": config}
        if opts.region:
            kwargs["region_name"] = opts.region
        if opts.endpoint_url:
            kwargs["endpoint_url"] = opts.endpoint_url
            if opts.endpoint_url.lower().startswith("http://"):
                # Plain HTTP (the simulator, a local endpoint): no TLS, so no certificate bundle to load. Each
                # client would read and parse it once, 20 to 30 ms each.
                kwargs["verify"] = False
        if opts.static_credentials:
            kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = opts.static_credentials
        self._stack = contextlib.AsyncExitStack()
        try:
            session = new_session(opts.profile)
            self._sagemaker = await self._stack.enter_async_context(session.create_client("sagemaker", **kwargs))
            self._cloudwatch = await self._stack.enter_async_context(session.create_client("cloudwatch", **kwargs))
        except BaseException:
            await self.close()
            raise
        self.region = self._sagemaker.meta.region_name
        self._session, self._client_kwargs = session, kwargs

    async def _logs_client(self) -> Any:
        """The CloudWatch Logs client, created on first use: most sessions never open a job's logs."""
        if self._logs is None:
            if self._stack is None:
                raise RuntimeError("the AWS clients are not open")
            self._logs = await self._stack.enter_async_context(
                self._session.create_client("logs", **self._client_kwargs)
            )
        return self._logs

    async def pricing_client(self, region: str) -> Any:
        """A Price List client in ``region`` (one of the Price List's own), made on first use.

        It shares the session, credentials and endpoint of the other clients;
        only its region differs, since the Price List answers in three regions.
        """
        if self._stack is None:
            raise RuntimeError("the AWS clients are not open")
        if region not in self._pricing:
            self._pricing[region] = await self._stack.enter_async_context(
                self._session.create_client("pricing", **{**self._client_kwargs, "region_name": region})
            )
        return self._pricing[region]

    async def describe_log_streams(self, group: str, prefix: str, token: str | None = None) -> dict[str, Any]:
        """One page of DescribeLogStreams: the group's streams whose names start with ``prefix``."""
        client = await self._logs_client()
        request: dict[str, Any] = {"logGroupName": group, "logStreamNamePrefix": prefix}
        if token:
            request["nextToken"] = token
        response = await client.describe_log_streams(**request)
        if "logStreams" not in response:
            raise MalformedResponse("no logStreams in the answer")
        return response

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
    ) -> dict[str, Any]:
        """One page of FilterLogEvents over the streams whose names start with ``prefix``, in [start, end]
        (epoch ms, both inclusive), oldest first (newest first with ``newest``)."""
        client = await self._logs_client()
        # interleaved is what the service always does now; older implementations (moto's) still need it.
        request: dict[str, Any] = {"logGroupName": group, "logStreamNamePrefix": prefix, "interleaved": True}
        if pattern:
            request["filterPattern"] = pattern
        if token:
            request["nextToken"] = token
        if start_ms is not None:
            request["startTime"] = start_ms
        if end_ms is not None:
            request["endTime"] = end_ms
        if newest:
            request["startFromHead"] = False
        if limit:
            request["limit"] = limit
        response = await client.filter_log_events(**request)
        if "events" not in response:
            raise MalformedResponse("no events in the answer")
        return response

    async def close(self) -> None:
        """Close the clients and their connection pools."""
        stack, self._stack = self._stack, None
        self._logs = None
        self._pricing = {}
        if stack is not None:
            await stack.aclose()

    async def describe_training_job(self, name: str) -> dict[str, Any]:
        """One DescribeTrainingJob call; raises botocore errors as they come.

        An answer that names neither the job nor its status (what botocore
        makes of a body cut short) raises :class:`MalformedResponse`.
        """
        response = await self._sagemaker.describe_training_job(TrainingJobName=name)
        if not response.get("TrainingJobName") and not response.get("TrainingJobStatus"):
            raise MalformedResponse("no TrainingJobName or TrainingJobStatus in the answer")
        return response

    async def list_training_jobs(self, filters: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """One page (up to 100) of ListTrainingJobs with ``filters`` (StatusEquals, NameContains, ...)."""
        request: dict[str, Any] = {**filters, "MaxResults": LIST_PAGE}
        if token:
            request["NextToken"] = token
        response = await self._sagemaker.list_training_jobs(**request)
        if "TrainingJobSummaries" not in response:
            raise MalformedResponse("no TrainingJobSummaries in the answer")
        return response

    async def describe_tuning_job(self, name: str) -> dict[str, Any]:
        """One DescribeHyperParameterTuningJob call."""
        response = await self._sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        if not response.get("HyperParameterTuningJobName"):
            raise MalformedResponse("no HyperParameterTuningJobName in the answer")
        return response

    async def list_tuning_training_jobs(
        self, name: str, token: str | None = None, status: str | None = None
    ) -> dict[str, Any]:
        """One page (up to 100) of ListTrainingJobsForHyperParameterTuningJob, oldest job first."""
        request: dict[str, Any] = {
            "HyperParameterTuningJobName": name,
            "MaxResults": LIST_PAGE,
            "SortBy": "CreationTime",
            "SortOrder": "Ascending",
        }
        if status:
            request["StatusEquals"] = status
        if token:
            request["NextToken"] = token
        response = await self._sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(**request)
        if "TrainingJobSummaries" not in response:
            raise MalformedResponse("no TrainingJobSummaries in the answer")
        return response

    async def stop_training_job(self, name: str) -> None:
        """Ask SageMaker to stop a job."""
        await self._sagemaker.stop_training_job(TrainingJobName=name)

    async def get_metric_data(
        self, queries: Sequence[MetricQuery], start: datetime, end: datetime, period: int = 60
    ) -> dict[MetricQuery, list[tuple[datetime, float]]]:
        """Fetch many series in as few GetMetricData calls as the API allows.

        Returns the points of every query (oldest first), following NextToken.
        """
        out: dict[MetricQuery, list[tuple[datetime, float]]] = {q: [] for q in queries}
        for offset in range(0, len(queries), MAX_METRIC_QUERIES):
            batch = list(queries[offset : offset + MAX_METRIC_QUERIES])
            by_id = {f"m{i}": q for i, q in enumerate(batch)}
            request: dict[str, Any] = {
                "MetricDataQueries": [
                    {
                        "Id": qid,
                        "MetricStat": {
                            "Metric": {
                                "Namespace": METRICS_NAMESPACE,
                                "MetricName": q.metric,
                                "Dimensions": [q.dimension],
                            },
                            "Period": period,
                            "Stat": "Average",
                        },
                        "ReturnData": True,
                    }
                    for qid, q in by_id.items()
                ],
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
            }
            while True:
                response = await self._cloudwatch.get_metric_data(**request)
                if "MetricDataResults" not in response:
                    raise MalformedResponse("no MetricDataResults in the answer")
                for result in response.get("MetricDataResults", ()):
                    query = by_id.get(result.get("Id", ""))
                    if query is not None:
                        out[query].extend(zip(result.get("Timestamps", ()), result.get("Values", ())))
                token = response.get("NextToken")
                if not token:
                    break
                request["NextToken"] = token
        for points in out.values():
            points.sort(key=lambda p: p[0])
        return out
