"""The simulator's Price List: GetProducts in the real response shape, filtered and paged as the API does."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from smtui.sim.prices import TRAINING_PRICES
from smtui.sim.validate import output_problems
from smtui.sim.wire import service_model

OUTPUT = service_model("pricing").operation_model("GetProducts").output_shape


def pricing(sim, key: str = "x"):
    return boto3.client(
        "pricing", endpoint_url=sim.url, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key="x"
    )


def training_filters(instance: str, region: str = "us-east-1") -> list[dict]:
    return [
        {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "ML Instance"},
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
        {"Type": "TERM_MATCH", "Field": "instanceName", "Value": instance},
        {"Type": "TERM_MATCH", "Field": "component", "Value": "Training"},
    ]


def test_every_scripted_instance_type_is_priced(sim):
    for scenario in sim.scenarios.values():
        assert scenario.instance_type in TRAINING_PRICES, scenario.name


def test_get_products_answers_json_strings_in_the_models_shape(sim):
    answer = pricing(sim).get_products(
        ServiceCode="AmazonSageMaker", Filters=training_filters("ml.g5.2xlarge"), FormatVersion="aws_v1"
    )
    assert output_problems({k: v for k, v in answer.items() if k != "ResponseMetadata"}, OUTPUT) == []
    assert answer["FormatVersion"] == "aws_v1" and all(isinstance(e, str) for e in answer["PriceList"])
    documents = [json.loads(e) for e in answer["PriceList"]]
    # The training product and the spot training product both match; the hosting one does not.
    assert sorted(d["product"]["attributes"]["platoinstancetype"] for d in documents) == ["SpotTraining", "Training"]
    training = next(d for d in documents if d["product"]["attributes"]["platoinstancetype"] == "Training")
    (term,) = training["terms"]["OnDemand"].values()
    (dimension,) = term["priceDimensions"].values()
    assert dimension["unit"] == "Hrs" and float(dimension["pricePerUnit"]["USD"]) == 1.515


def test_filters_pages_and_errors(sim):
    client = pricing(sim)
    everything = [
        e
        for page in client.get_paginator("get_products").paginate(
            ServiceCode="AmazonSageMaker", PaginationConfig={"PageSize": 25}
        )
        for e in page["PriceList"]
    ]
    assert len(everything) == len(TRAINING_PRICES) * 3 * 3
    assert client.get_products(ServiceCode="AmazonEC2")["PriceList"] == []
    assert (
        client.get_products(ServiceCode="AmazonSageMaker", Filters=training_filters("ml.nope.large"))["PriceList"] == []
    )
    with pytest.raises(ClientError) as denied:
        pricing(sim, "noprice-key").get_products(ServiceCode="AmazonSageMaker")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    with pytest.raises(ClientError) as bad:
        client.get_products(ServiceCode="AmazonSageMaker", NextToken="not-a-token")
    assert bad.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_the_price_list_answers_in_its_three_regions_only(sim):
    from botocore.config import Config
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

    for region in ("us-east-1", "eu-central-1", "ap-south-1"):
        client = boto3.client(
            "pricing", endpoint_url=sim.url, region_name=region, aws_access_key_id="x", aws_secret_access_key="x"
        )
        assert client.get_products(ServiceCode="AmazonSageMaker", MaxResults=1)["PriceList"]
    elsewhere = boto3.client(
        "pricing",
        endpoint_url=sim.url,
        region_name="us-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        elsewhere.get_products(ServiceCode="AmazonSageMaker")
