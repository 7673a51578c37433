"""Training prices from the AWS Price List: reading its answers, the disk cache, and failures as reasons."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from smtui.aws.pricing import PriceBook, PriceCache, cache_path, pricing_region, product_filters, read_price_list
from smtui.clock import FrozenClock
from smtui.present.cost import NoPrice, Price

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def entry(
    instance: str = "ml.g5.2xlarge",
    region: str = "us-east-1",
    usd: str = "1.5150000000",
    usage: str | None = None,
    unit: str = "Hrs",
    plato: str = "Training",
) -> str:
    """One PriceList entry as the Price List sends it: a JSON document in a string."""
    sku = "A1B2C3D4E5F6G7H8"
    return json.dumps(
        {
            "product": {
                "productFamily": "ML Instance",
                "sku": sku,
                "attributes": {
                    "regionCode": region,
                    "instanceName": instance,
                    "instanceType": f"{instance}-Training",
                    "component": "Training",
                    "platoinstancetype": plato,
                    "usagetype": usage or f"USE1-Train:{instance}",
                    "location": "US East (N. Virginia)",
                    "locationType": "AWS Region",
                    "operation": "RunInstance",
                    "servicecode": "AmazonSageMaker",
                    "servicename": "Amazon SageMaker",
                },
            },
            "serviceCode": "AmazonSageMaker",
            "terms": {
                "OnDemand": {
                    f"{sku}.JRTCKXETXF": {
                        "priceDimensions": {
                            f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": unit,
                                "endRange": "Inf",
                                "beginRange": "0",
                                "appliesTo": [],
                                "description": f"${float(usd):.3f} per On Demand {instance} Training instance hour",
                                "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7",
                                "pricePerUnit": {"USD": usd},
                            }
                        },
                        "sku": sku,
                        "effectiveDate": "2026-11-01T00:00:00Z",
                        "offerTermCode": "JRTCKXETXF",
                        "termAttributes": {},
                    }
                }
            },
            "version": "20261101000000",
            "publicationDate": "2026-11-01T00:00:00Z",
        }
    )


def test_the_training_price_is_read_from_the_json_strings():
    price = read_price_list([entry()], "ml.g5.2xlarge", "us-east-1")
    assert price == Price("ml.g5.2xlarge", "us-east-1", 1.515, "2026-11-01T00:00:00Z")


def test_other_products_and_garbage_are_passed_over():
    entries = [
        "not json",
        json.dumps({"product": {}}),
        entry(region="eu-west-1", usd="9"),
        entry("ml.g5.4xlarge", usd="9"),
        entry(usage="USE1-SpotTrain:ml.g5.2xlarge", plato="SpotTraining", usd="0.5"),
        entry(unit="GB-Mo", usd="9"),
        entry(usd="0.0000000000"),
        entry(usage="USE1-Train-Something:ml.g5.2xlarge", usd="2"),
        entry(),
    ]
    assert read_price_list(entries, "ml.g5.2xlarge", "us-east-1").usd_per_hour == 1.515
    none = read_price_list([], "ml.g5.2xlarge", "us-east-1")
    assert none == NoPrice("the AWS Price List has no on-demand training price for ml.g5.2xlarge in us-east-1")


def test_filters_and_endpoints():
    fields = {f["Field"]: f["Value"] for f in product_filters("ml.p4d.24xlarge", "eu-west-1")}
    assert fields == {
        "productFamily": "ML Instance",
        "regionCode": "eu-west-1",
        "instanceName": "ml.p4d.24xlarge",
        "component": "Training",
    }
    assert pricing_region("eu-west-1") == "eu-central-1" and pricing_region("me-south-1") == "eu-central-1"
    assert pricing_region("ap-northeast-1") == "ap-south-1"
    assert pricing_region("us-west-2") == "us-east-1" and pricing_region(None) == "us-east-1"


def test_the_cache_lives_under_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_path() == tmp_path / "xdg" / "smtui" / "prices.json"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_path() == tmp_path / "home" / ".cache" / "smtui" / "prices.json"


def test_a_cached_price_is_used_for_a_day(tmp_path):
    clock = FrozenClock(T0)
    cache = PriceCache(tmp_path / "prices.json", clock)
    price = Price("ml.g5.2xlarge", "us-east-1", 1.515, "2026-11-01T00:00:00Z")
    cache.put(price)
    assert cache.get("ml.g5.2xlarge", "us-east-1") == price
    assert cache.get("ml.g5.2xlarge", "us-west-2") is None
    clock.advance(86399)
    assert cache.get("ml.g5.2xlarge", "us-east-1") == price
    clock.advance(1)
    assert cache.get("ml.g5.2xlarge", "us-east-1") is None


def test_a_corrupt_cache_is_ignored_and_replaced(tmp_path):
    path = tmp_path / "prices.json"
    cache = PriceCache(path, FrozenClock(T0))
    for garbage in ("{not json", "[1, 2]", json.dumps({"us-east-1/ml.g5.2xlarge": {"usd": "x", "fetched": None}})):
        path.write_text(garbage)
        assert cache.get("ml.g5.2xlarge", "us-east-1") is None
    cache.put(Price("ml.g5.2xlarge", "us-east-1", 1.515))
    assert cache.get("ml.g5.2xlarge", "us-east-1").usd_per_hour == 1.515


def test_an_unwritable_cache_breaks_nothing(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cache = PriceCache(blocker / "smtui" / "prices.json", FrozenClock(T0))  # its folder cannot be made
    cache.put(Price("ml.g5.2xlarge", "us-east-1", 1.515))
    assert cache.get("ml.g5.2xlarge", "us-east-1") is None


class FakePricing:
    """A stand-in for the pricing client: answers GetProducts with ``answers`` in turn."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[dict] = []

    async def get_products(self, **request):
        self.requests.append(request)
        await asyncio.sleep(0)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def book(client: FakePricing, tmp_path, clock=None) -> tuple[PriceBook, list[str]]:
    regions: list[str] = []

    async def client_for(region: str):
        regions.append(region)
        return client

    clock = clock or FrozenClock(T0)
    return PriceBook(client_for, PriceCache(tmp_path / "prices.json", clock), clock), regions


async def test_one_call_per_region_and_type_shared_by_concurrent_asks(tmp_path):
    client = FakePricing({"PriceList": [entry()], "FormatVersion": "aws_v1"})
    prices, regions = book(client, tmp_path)
    answers = await asyncio.gather(*(prices.price("ml.g5.2xlarge", "us-east-1") for _ in range(5)))
    assert all(a == answers[0] for a in answers) and answers[0].usd_per_hour == 1.515
    assert prices.calls == 1 and regions == ["us-east-1"]
    assert client.requests[0]["ServiceCode"] == "AmazonSageMaker"
    # Another session finds it on disk and calls nothing.
    again, _ = book(FakePricing(RuntimeError("must not be called")), tmp_path)
    assert (await again.price("ml.g5.2xlarge", "us-east-1")).usd_per_hour == 1.515 and again.calls == 0


async def test_pages_are_followed(tmp_path):
    client = FakePricing({"PriceList": [], "NextToken": "page-2"}, {"PriceList": [entry()]})
    prices, _ = book(client, tmp_path)
    assert (await prices.price("ml.g5.2xlarge", "us-east-1")).usd_per_hour == 1.515
    assert [r.get("NextToken") for r in client.requests] == [None, "page-2"]


def _client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "nope"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetProducts"
    )


@pytest.mark.parametrize(
    "failure, reason",
    [
        (_client_error("AccessDeniedException", 400), "no permission for pricing:GetProducts"),
        (
            EndpointConnectionError(endpoint_url="https://api.pricing.us-east-1.amazonaws.com/"),
            "the AWS Price List could not be reached",
        ),
    ],
)
async def test_failures_are_reasons_and_are_asked_again_later(tmp_path, failure, reason):
    clock = FrozenClock(T0)
    client = FakePricing(failure, {"PriceList": [entry()]})
    prices, _ = book(client, tmp_path, clock)
    assert await prices.price("ml.g5.2xlarge", "us-east-1") == NoPrice(reason)
    assert await prices.price("ml.g5.2xlarge", "us-east-1") == NoPrice(reason)
    assert prices.calls == 1
    clock.advance(901)
    assert (await prices.price("ml.g5.2xlarge", "us-east-1")).usd_per_hour == 1.515


async def test_no_type_or_region_is_said():
    prices = PriceBook(lambda region: None)
    assert (await prices.price(None, "us-east-1")).reason == "the job names no instance type"
    assert (await prices.price("ml.g5.2xlarge", None)).reason == "the job's region is not known"
