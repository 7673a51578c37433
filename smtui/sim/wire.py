"""The AWS JSON protocols as botocore speaks them: requests in, responses and errors out.

SageMaker and CloudWatch Logs are JSON 1.1, CloudWatch JSON 1.0
(CloudWatch's model lists smithy-rpc-v2-cbor, json and query; botocore picks
json). All send ``POST /`` with the operation in ``X-Amz-Target`` and
timestamps as epoch seconds, whole ones as integers (Logs has no timestamp
members: its times are longs of epoch milliseconds). CloudWatch's model is
"awsQueryCompatible": botocore adds ``x-amzn-query-mode: true`` to requests
and reads error codes from the ``x-amzn-query-error`` response header when
it is there. Logs reports a request that breaks the model's constraints as
``InvalidParameterException``, where SageMaker says ``ValidationException``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from smtui.sim.validate import input_errors, validation_message


@dataclass(frozen=True)
class Protocol:
    """One service as it appears on the wire."""

    target_prefix: str
    service: str
    content_type: str
    #: Error codes also travel in ``x-amzn-query-error`` (the service used to speak the query protocol).
    query_compatible: bool = False
    #: The error code of a request that breaks the model's constraints (a JSON service's own choice).
    validation_code: str = "ValidationException"


SAGEMAKER = Protocol("SageMaker", "sagemaker", "application/x-amz-json-1.1")
CLOUDWATCH = Protocol(
    "GraniteServiceVersion20100801", "cloudwatch", "application/x-amz-json-1.0", query_compatible=True
)
LOGS = Protocol("Logs_20140328", "logs", "application/x-amz-json-1.1", validation_code="InvalidParameterException")
PRICING = Protocol(
    "AWSPriceListService", "pricing", "application/x-amz-json-1.1", validation_code="InvalidParameterException"
)
PROTOCOLS = {p.target_prefix: p for p in (SAGEMAKER, CLOUDWATCH, LOGS, PRICING)}

# uuid5 namespace of request ids: the same call at the same simulated moment gets the same id.
_REQUEST_IDS = uuid.UUID("6d1f6a52-3c1e-5d0b-9a55-5f1f0c9e7b21")


class SimError(Exception):
    """An error answer: the code clients see, a message and the HTTP status.

    ``type_name`` is what goes into the body's ``__type`` when it differs from
    ``code`` (CloudWatch's JSON errors name a Smithy shape there and carry the
    old query code in a header).
    """

    def __init__(self, code: str, message: str, status: int = 400, *, type_name: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.type_name = type_name or code

    def __repr__(self) -> str:
        return f"SimError({self.code!r}, {self.message!r}, {self.status})"


def validation_error(message: str) -> SimError:
    """SageMaker's ValidationException."""
    return SimError("ValidationException", message)


def cloudwatch_error(code: str, message: str) -> SimError:
    """A CloudWatch error: ``code`` is the query-protocol code botocore reports (ValidationError, ...)."""
    shapes = {
        "ValidationError": "com.amazon.coral.validate#ValidationException",
        "InvalidNextToken": "com.amazonaws.cloudwatch#InvalidNextToken",
        "InvalidParameterValue": "com.amazonaws.cloudwatch#InvalidParameterValueException",
        "InvalidParameterCombination": "com.amazonaws.cloudwatch#InvalidParameterCombinationException",
    }
    return SimError(code, message, type_name=shapes.get(code, code))


@functools.lru_cache(maxsize=4)
def service_model(service: str):
    """botocore's model of ``service`` (cached: loading one takes a while)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def operation_model(protocol: Protocol, name: str):
    """The operation, or UnknownOperationException as the services answer an unknown target."""
    model = service_model(protocol.service)
    if name not in model.operation_names:
        raise SimError("UnknownOperationException", f"Unknown operation {protocol.target_prefix}.{name}")
    return model.operation_model(name)


# -- requests ----------------------------------------------------------------------


def parse_timestamp(value: Any) -> datetime:
    """A request timestamp: epoch seconds (what botocore sends) or ISO 8601, as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, timezone.utc)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise SimError("SerializationException", f"Could not parse timestamp {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a request body (an empty body is an empty object)."""
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        raise SimError("SerializationException", "Start of structure or map found where not expected.") from None
    if not isinstance(params, dict):
        raise SimError("SerializationException", "Start of structure or map found where not expected.")
    return params


def decode_request(params: dict[str, Any], shape: Any, protocol: Protocol) -> dict[str, Any]:
    """Request parameters with timestamps as datetimes, checked against the input shape."""
    if shape is None:
        return {}
    decoded = _decode(params, shape)
    errors = input_errors(decoded, shape)
    if errors:
        message = validation_message(errors)
        if protocol.query_compatible:
            raise cloudwatch_error("ValidationError", message)
        raise SimError(protocol.validation_code, message)
    return decoded


def _decode(value: Any, shape: Any) -> Any:
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        _expect(value, dict, shape)
        # Members the model does not know are ignored, as the services ignore them.
        return {k: _decode(v, shape.members[k]) for k, v in value.items() if k in shape.members and v is not None}
    if kind == "list":
        _expect(value, list, shape)
        return [_decode(v, shape.member) for v in value]
    if kind == "map":
        _expect(value, dict, shape)
        return {k: _decode(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        return parse_timestamp(value)
    if kind == "blob":
        _expect(value, str, shape)
        return base64.b64decode(value)
    if kind in ("integer", "long"):
        _expect(value, int, shape)
    elif kind in ("float", "double"):
        _expect(value, (int, float), shape)
    elif kind == "boolean":
        _expect(value, bool, shape)
    elif kind == "string":
        _expect(value, str, shape)
    return value


def _expect(value: Any, types: Any, shape: Any) -> None:
    if not isinstance(value, types) or (isinstance(value, bool) and types is not bool):
        raise SimError(
            "SerializationException",
            f"Unexpected {type(value).__name__} where {shape.name} ({shape.type_name}) was expected.",
        )


# -- responses ---------------------------------------------------------------------


def serialize(value: Any, shape: Any, path: str = "") -> Any:
    """A response value (botocore's Python shape) as the JSON protocols put it on the wire.

    Driven by the output shape: timestamps become epoch seconds, blobs base64.
    A member the shape does not have is a bug in the simulator, so it raises
    rather than sending something botocore would silently drop.
    """
    if shape is None:
        return {}
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            member = shape.members.get(key)
            if member is None:
                raise ValueError(f"{path}.{key}: not a member of {shape.name}")
            out[key] = serialize(item, member, f"{path}.{key}")
        return out
    if kind == "list":
        return [serialize(item, shape.member, f"{path}[]") for item in value]
    if kind == "map":
        return {key: serialize(item, shape.value, f"{path}.{key}") for key, item in value.items()}
    if kind == "timestamp":
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"{path}: timestamps must be aware datetimes, not {value!r}")
        seconds = value.timestamp()
        # Whole seconds go out as integers, as botocore writes them; otherwise milliseconds.
        return int(seconds) if seconds == int(seconds) else round(seconds, 3)
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    return value


def error_body(error: SimError) -> bytes:
    """The JSON body of an error answer."""
    return json.dumps({"__type": error.type_name, "message": error.message}).encode()


def error_headers(error: SimError, protocol: Protocol | None) -> dict[str, str]:
    """Headers an error answer carries besides the request id and content type."""
    if protocol is not None and protocol.query_compatible:
        fault = "Sender" if error.status < 500 else "Receiver"
        return {"x-amzn-query-error": f"{error.code};{fault}"}
    return {}


def encode_token(kind: str, state: dict[str, Any]) -> str:
    """An opaque pagination token carrying ``state``."""
    raw = json.dumps({"k": kind, **state}, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_token(token: Any, kind: str) -> dict[str, Any] | None:
    """The state of a token made by :func:`encode_token` for ``kind``; None if it is not one."""
    try:
        state = json.loads(base64.urlsafe_b64decode(str(token).encode("ascii")))
    except (ValueError, UnicodeError):
        return None
    if not isinstance(state, dict) or state.pop("k", None) != kind:
        return None
    return state


class BadToken(ValueError):
    """A NextToken that was not made for this request."""


def page_fingerprint(params: dict, ignore: tuple[str, ...] = ("NextToken",)) -> str:
    """What a NextToken is bound to: the request's other parameters."""
    keep = {k: v for k, v in params.items() if k not in ignore}
    return hashlib.sha256(json.dumps(keep, sort_keys=True, default=str).encode()).hexdigest()[:16]


def resume_point(params: dict, kind: str, fingerprint: str, key: str = "NextToken") -> tuple[int, float] | None:
    """(offset, epoch seconds of the first page) the token in ``params[key]`` resumes at; None without one.

    Raises :class:`BadToken` for a token of another kind or another request.
    """
    if not params.get(key):
        return None
    token = decode_token(params[key], kind)
    if (
        token is None
        or token.get("h") != fingerprint
        or not isinstance(token.get("o"), int)
        or not isinstance(token.get("t"), (int, float))
    ):
        raise BadToken(params[key])
    return token["o"], token["t"]


class SageMakerPage:
    """Where a SageMaker listing (``NextToken``, ``MaxResults``) resumes, and how it cuts its page.

    A NextToken pins the moment of the first page, so paging through a listing
    sees one consistent picture even as jobs move on; :attr:`moment` is that
    moment (``now`` on a first page).
    """

    def __init__(self, params: dict, kind: str, now: datetime) -> None:
        self.params, self.kind = params, kind
        self.fingerprint = page_fingerprint(params, ignore=("NextToken", "MaxResults"))
        try:
            resumed = resume_point(params, kind, self.fingerprint)
        except BadToken:
            raise validation_error("Invalid pagination token.") from None
        self.offset, self.moment = (resumed[0], parse_timestamp(resumed[1])) if resumed else (0, now)

    def cut(self, member: str, items: list, keep: Callable[[Any], bool] | None = None) -> dict[str, Any]:
        """The answer: this page of the sorted ``items`` under ``member``, and a NextToken if more follow.

        ``keep`` filters the page after it is cut, as SageMaker applies a
        listing's filters: the page can then be short or empty while a
        NextToken still follows.
        """
        limit = self.params.get("MaxResults", 10)
        end = self.offset + limit
        page = items[self.offset : end]
        result: dict[str, Any] = {member: [item for item in page if keep(item)] if keep is not None else page}
        if end < len(items):
            result["NextToken"] = encode_token(
                self.kind, {"o": end, "t": self.moment.timestamp(), "h": self.fingerprint}
            )
        return result


def request_id(target: str, params: Any, moment: datetime) -> str:
    """A request id that is the same for the same call at the same simulated moment.

    Parameters are canonicalised (sorted keys) so two clients that order JSON
    members differently still get the same id.
    """
    try:
        canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        canonical = repr(params)
    return str(uuid.uuid5(_REQUEST_IDS, f"{target}\n{canonical}\n{moment.isoformat()}"))
