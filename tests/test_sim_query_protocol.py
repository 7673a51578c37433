"""CloudWatch in the simulator as botocore spoke to it before CloudWatch's JSON model (botocore 1.42.7).

The query protocol: form-encoded requests, XML answers and XML errors, the
same answers as the JSON protocol's and checked against botocore's output
shapes, and throttling in the query protocol's own words.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import botocore.loaders
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smtui.sim import Realism
from smtui.sim.metrics import NAMESPACE
from smtui.sim.validate import output_problems
from tests.conftest import CREDENTIALS
from tests.test_sim_cloudwatch import CLOUDWATCH, RECENT, client, dimension, plain, served, window


@pytest.fixture
def query_session(tmp_path, monkeypatch):
    """A botocore session whose CloudWatch model speaks only the query protocol, as botocore did before 1.42.7."""
    model = botocore.loaders.Loader().load_service_model("cloudwatch", "service-2")
    model["metadata"].update(protocol="query", protocols=["query"])
    folder = tmp_path / "models" / "cloudwatch" / model["metadata"]["apiVersion"]
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "models"))
    return botocore.session.get_session()


def query_client(session, url: str):
    made = session.create_client(
        "cloudwatch",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
        config=Config(retries={"total_max_attempts": 1}),
    )
    assert made.meta.service_model.protocol == "query"
    return made


async def test_query_protocol_clients_get_xml_answers(query_session):
    start, end = window(RECENT)
    queries = [
        {
            "Id": "loss",
            "MetricStat": {
                "Metric": {"Namespace": NAMESPACE, "MetricName": "train:loss", "Dimensions": dimension(RECENT.name)},
                "Period": 300,
                "Stat": "Average",
            },
        }
    ]
    with served() as url:
        legacy = query_client(query_session, url)
        async with client(url) as cw:
            for call, params in (
                (
                    "get_metric_data",
                    {"MetricDataQueries": queries, "StartTime": start, "EndTime": end, "MaxDatapoints": 3},
                ),
                (
                    "get_metric_statistics",
                    {
                        "Namespace": NAMESPACE,
                        "MetricName": "train:loss",
                        "Dimensions": dimension(RECENT.name),
                        "StartTime": start,
                        "EndTime": end,
                        "Period": 300,
                        "Statistics": ["Average", "Maximum"],
                    },
                ),
                ("list_metrics", {"Namespace": NAMESPACE}),
            ):
                old = plain(getattr(legacy, call)(**params))
                new = plain(await getattr(cw, call)(**params))
                operation = CLOUDWATCH.operation_model(legacy.meta.method_to_api_mapping[call])
                assert output_problems(old, operation.output_shape) == []
                assert _utc(old) == _utc(new) and old, call
            page = legacy.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end, MaxDatapoints=3)
            rest = legacy.get_metric_data(
                MetricDataQueries=queries, StartTime=start, EndTime=end, MaxDatapoints=3, NextToken=page["NextToken"]
            )
            assert len(page["MetricDataResults"][0]["Values"]) == 3 and rest["MetricDataResults"][0]["Values"]
            with pytest.raises(ClientError) as caught:
                legacy.get_metric_data(MetricDataQueries=queries, StartTime=end, EndTime=start)
            assert caught.value.response["Error"]["Code"] == "ValidationError"
            assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


async def test_query_protocol_clients_are_throttled_in_their_own_words(query_session):
    with served(Realism().with_quotas({"ListMetrics": 1.0})) as url:
        legacy = query_client(query_session, url)
        legacy.list_metrics()
        with pytest.raises(ClientError) as caught:
            legacy.list_metrics()
    assert caught.value.response["Error"]["Code"] == "Throttling"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def _utc(value):
    """Timestamps in UTC, whichever zone the parser gave them (JSON and XML parsers differ)."""
    if isinstance(value, dict):
        return {k: _utc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_utc(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    return value
