"""The AWS Price List Query API's GetProducts, for SageMaker's ML instances.

Products are served as the Price List serves them: each ``PriceList`` entry
is a JSON document in a string, with the product's attributes
(``productFamily``, ``regionCode``, ``instanceName``, ``component``,
``usagetype``, ...) and its ``terms.OnDemand`` price per hour in USD.
Filters are ``TERM_MATCH`` on those attributes (and ``serviceCode``); pages
follow ``MaxResults`` and ``NextToken``.

For each instance type the scripted jobs use, and each region below, there
is a training product, a spot training product and a hosting product, so a
client has to pick the right one. The prices are the simulator's own figures,
of the size of SageMaker's us-east-1 on-demand training prices.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from smtui.sim.wire import BadToken, SimError, encode_token, page_fingerprint, resume_point

SERVICE_CODE = "AmazonSageMaker"
#: USD an hour, on demand, for training, in us-east-1.
TRAINING_PRICES = {
    "ml.m5.xlarge": 0.23,
    "ml.m5.2xlarge": 0.461,
    "ml.m5.4xlarge": 0.922,
    "ml.c5.2xlarge": 0.408,
    "ml.g5.2xlarge": 1.515,
    "ml.g5.4xlarge": 2.03,
    "ml.g5.12xlarge": 7.09,
    "ml.g6.2xlarge": 1.222,
    "ml.p3.2xlarge": 3.825,
    "ml.p4d.24xlarge": 37.688,
    "ml.p4de.24xlarge": 47.11,
    "ml.trn1.32xlarge": 24.725,
}
#: The regions the Price List Query API answers in (for every region).
REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")
#: Regions priced, with their usage-type prefix, location name and price factor.
PRICED = {
    "us-east-1": ("USE1", "US East (N. Virginia)", 1.0),
    "us-west-2": ("USW2", "US West (Oregon)", 1.0),
    "eu-west-1": ("EU", "EU (Ireland)", 1.12),
}
PUBLISHED = "2026-11-01T00:00:00Z"


def _product(instance: str, region: str, component: str, plato: str, usage: str, usd: float) -> dict[str, Any]:
    code, location, _ = PRICED[region]
    sku = f"{zlib.crc32(f'{instance}|{region}|{plato}'.encode()):08X}{zlib.crc32(instance.encode()):08X}"
    rate = f"{sku}.JRTCKXETXF"
    return {
        "product": {
            "productFamily": "ML Instance",
            "sku": sku,
            "attributes": {
                "regionCode": region,
                "location": location,
                "locationType": "AWS Region",
                "servicecode": SERVICE_CODE,
                "servicename": "Amazon SageMaker",
                "instanceName": instance,
                "instanceType": f"{instance}-{plato}",
                "component": component,
                "platoinstancetype": plato,
                "usagetype": f"{code}-{usage}:{instance}",
                "operation": "RunInstance",
            },
        },
        "serviceCode": SERVICE_CODE,
        "terms": {
            "OnDemand": {
                rate: {
                    "priceDimensions": {
                        f"{rate}.6YS6EN2CT7": {
                            "unit": "Hrs",
                            "endRange": "Inf",
                            "beginRange": "0",
                            "appliesTo": [],
                            "rateCode": f"{rate}.6YS6EN2CT7",
                            "description": f"${usd:.4f} per {plato} {instance} instance hour in {location}",
                            "pricePerUnit": {"USD": f"{usd:.10f}"},
                        }
                    },
                    "sku": sku,
                    "effectiveDate": PUBLISHED,
                    "offerTermCode": "JRTCKXETXF",
                    "termAttributes": {},
                }
            }
        },
        "version": "20261101000000",
        "publicationDate": PUBLISHED,
    }


def catalogue() -> list[dict[str, Any]]:
    """Every product: training, spot training and hosting, for each type and region."""
    out = []
    for region, (_, _, factor) in PRICED.items():
        for instance, usd in TRAINING_PRICES.items():
            price = round(usd * factor, 4)
            out.append(_product(instance, region, "Training", "Training", "Train", price))
            out.append(_product(instance, region, "Training", "SpotTraining", "SpotTrain", round(price * 0.3, 4)))
            out.append(_product(instance, region, "Hosting", "Hosting", "Host", round(price * 1.1, 4)))
    return out


_CATALOGUE = catalogue()


def get_products(params: dict) -> dict[str, Any]:
    """GetProducts over the catalogue."""
    if params.get("ServiceCode") != SERVICE_CODE:
        return {"FormatVersion": "aws_v1", "PriceList": []}
    matching = [p for p in _CATALOGUE if all(_matches(p, f) for f in params.get("Filters") or ())]
    size = params.get("MaxResults") or 100
    fingerprint = page_fingerprint(params)
    try:
        resumed = resume_point(params, "price", fingerprint)
    except BadToken:
        raise SimError("InvalidNextTokenException", "The requested NextToken is not valid.") from None
    offset = resumed[0] if resumed else 0
    page = matching[offset : offset + size]
    out: dict[str, Any] = {
        "FormatVersion": params.get("FormatVersion") or "aws_v1",
        "PriceList": [json.dumps(p) for p in page],
    }
    if offset + size < len(matching):
        out["NextToken"] = encode_token("price", {"o": offset + size, "t": 0, "h": fingerprint})
    return out


def _matches(product: dict[str, Any], term: dict[str, Any]) -> bool:
    if term.get("Type", "TERM_MATCH") != "TERM_MATCH":
        raise SimError("InvalidParameterException", f"Filter type {term.get('Type')} is not supported here.")
    field, value = term.get("Field"), term.get("Value")
    attributes = product["product"]["attributes"]
    found = {
        "productFamily": product["product"]["productFamily"],
        "serviceCode": product["serviceCode"],
        **attributes,
    }.get(field)
    return found is not None and str(found).lower() == str(value).lower()
