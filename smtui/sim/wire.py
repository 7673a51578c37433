"""The AWS JSON protocols as botocore speaks them: shapes to JSON and back, and error bodies."""

from __future__ import annotations

import base64
import functools
import json
from datetime import datetime, timezone
from typing import Any

#: X-Amz-Target prefixes: SageMaker speaks JSON 1.1, CloudWatch JSON 1.0 (botocore prefers it to CBOR and query).
SAGEMAKER_PREFIX = "SageMaker"
CLOUDWATCH_PREFIX = "GraniteServiceVersion20100801"
CONTENT_TYPE = {SAGEMAKER_PREFIX: "application/x-amz-json-1.1", CLOUDWATCH_PREFIX: "application/x-amz-json-1.0"}
SERVICE_OF = {SAGEMAKER_PREFIX: "sagemaker", CLOUDWATCH_PREFIX: "cloudwatch"}


class SimError(Exception):
    """An error answer: a code, a message and the HTTP status the service uses for it."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@functools.lru_cache(maxsize=8)
def service_model(service: str):
    """botocore's model of ``service`` (cached: loading it takes a while)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def operation(service: str, name: str):
    """The operation model, or a SimError when the service has no such operation."""
    model = service_model(service)
    if name not in model.operation_names:
        raise SimError("UnknownOperationException", f"Unknown operation {name}")
    return model.operation_model(name)


def serialize(value: Any, shape: Any) -> Any:
    """A Python value in botocore's shape as the JSON protocols put it on the wire."""
    if value is None:
        return None
    kind = shape.type_name if shape is not None else None
    if kind == "structure":
        return {k: serialize(v, shape.members.get(k)) for k, v in value.items() if v is not None}
    if kind == "list":
        return [serialize(v, shape.member) for v in value]
    if kind == "map":
        return {k: serialize(v, shape.value) for k, v in value.items()}
    if kind == "timestamp" or isinstance(value, datetime):
        return value.timestamp()
    if kind == "blob" or isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value


def parse_time(value: Any) -> datetime | None:
    """A request timestamp: epoch seconds (as botocore sends them) or ISO 8601."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise SimError("ValidationException", f"Invalid timestamp: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def error_body(error: SimError) -> bytes:
    """The body of an error answer."""
    return json.dumps({"__type": error.code, "message": error.message}).encode()
