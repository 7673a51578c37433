"""CloudWatch's older query protocol: form-encoded requests in, XML answers out.

Before CloudWatch's model listed JSON (botocore 1.42.7, December 2025),
botocore, boto3 and the AWS CLI spoke the query protocol to it: ``POST /`` with
``Action=GetMetricData&Version=2010-08-01&...`` form-encoded, nested members
flattened into dotted keys (``MetricDataQueries.member.1.Id``), timestamps in
ISO 8601; the answer is XML wrapped in ``<GetMetricDataResponse>`` and
``<GetMetricDataResult>``, errors in ``<ErrorResponse>``. The simulator answers
such clients with the same operations, decoded and encoded by botocore's
service model.
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from smtui.sim.wire import SimError

VERSION = "2010-08-01"
XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/"


def is_query(content_type: str, body: bytes) -> bool:
    """Whether a request without X-Amz-Target is a form-encoded query-protocol call."""
    return content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded" and b"Action=" in body


def parse(body: bytes) -> tuple[str, dict[str, str]]:
    """The action and the flat parameters of a query-protocol request."""
    flat = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    action, version = flat.pop("Action", ""), flat.pop("Version", "")
    if version != VERSION:
        raise SimError("InvalidAction", f"Could not find operation {action} for version {version or '(none)'}")
    return action, flat


def decode(flat: dict[str, str], shape: Any) -> dict[str, Any]:
    """The request's parameters in the JSON protocol's form (timestamps as ISO text, blobs base64), by the shape."""
    if shape is None:
        return {}
    return _decode(flat, shape, "") or {}


def _present(flat: dict[str, str], key: str) -> bool:
    return key in flat or any(k.startswith(key + ".") for k in flat)


def _decode(flat: dict[str, str], shape: Any, prefix: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            key = (
                f"{prefix}.{member.serialization.get('name', name)}"
                if prefix
                else member.serialization.get("name", name)
            )
            if _present(flat, key):
                out[name] = _decode(flat, member, key)
        return out
    if kind == "list":
        if flat.get(prefix) == "":  # botocore sends an empty list as the bare key
            return []
        step = "" if shape.serialization.get("flattened") else ".member"
        items, index = [], 1
        while _present(flat, f"{prefix}{step}.{index}"):
            items.append(_decode(flat, shape.member, f"{prefix}{step}.{index}"))
            index += 1
        return items
    if kind == "map":
        out, index = {}, 1
        while _present(flat, f"{prefix}.entry.{index}"):
            entry = f"{prefix}.entry.{index}"
            out[flat.get(f"{entry}.key", "")] = _decode(flat, shape.value, f"{entry}.value")
            index += 1
        return out
    text = flat.get(prefix, "")
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        raise SimError("InvalidParameterValue", f"The value {text!r} for parameter {prefix} is not valid.") from None
    if kind == "boolean":
        return text.lower() == "true"
    return text


# -- answers ------------------------------------------------------------------------------


def answer(operation: Any, result: dict[str, Any], request_id: str) -> bytes:
    """The XML answer of ``operation`` (a botocore operation model) with ``result`` in its output shape."""
    root = ElementTree.Element(f"{operation.name}Response", xmlns=XMLNS)
    shape = operation.output_shape
    wrapper = ElementTree.SubElement(
        root,
        shape.serialization.get("resultWrapper", f"{operation.name}Result")
        if shape is not None
        else f"{operation.name}Result",
    )
    if shape is not None:
        for name, value in result.items():
            if value is not None:
                member = shape.members[name]
                _encode(wrapper, member.serialization.get("name", name), value, member)
    metadata = ElementTree.SubElement(root, "ResponseMetadata")
    ElementTree.SubElement(metadata, "RequestId").text = request_id
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=False)


def _encode(parent: ElementTree.Element, name: str, value: Any, shape: Any) -> None:
    kind = shape.type_name
    if kind == "list" and shape.serialization.get("flattened"):
        for item in value:
            _encode(parent, name, item, shape.member)
        return
    element = ElementTree.SubElement(parent, name)
    if kind == "structure":
        for key, item in value.items():
            if item is not None:
                member = shape.members[key]
                _encode(element, member.serialization.get("name", key), item, member)
    elif kind == "list":
        for item in value:
            _encode(element, shape.member.serialization.get("name", "member"), item, shape.member)
    elif kind == "map":
        for key, item in value.items():
            entry = ElementTree.SubElement(element, "entry")
            ElementTree.SubElement(entry, "key").text = str(key)
            _encode(entry, "value", item, shape.value)
    elif kind == "timestamp":
        element.text = _iso(value)
    elif kind == "boolean":
        element.text = "true" if value else "false"
    elif kind == "blob":
        element.text = base64.b64encode(value).decode("ascii")
    else:
        element.text = repr(float(value)) if kind in ("float", "double") else str(value)


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    fraction = f".{moment.microsecond // 1000:03d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def error(failure: SimError, request_id: str) -> bytes:
    """The query protocol's ``<ErrorResponse>`` for ``failure``."""
    root = ElementTree.Element("ErrorResponse", xmlns=XMLNS)
    detail = ElementTree.SubElement(root, "Error")
    ElementTree.SubElement(detail, "Type").text = "Sender" if failure.status < 500 else "Receiver"
    ElementTree.SubElement(detail, "Code").text = failure.code
    ElementTree.SubElement(detail, "Message").text = failure.message
    ElementTree.SubElement(root, "RequestId").text = request_id
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=False)
