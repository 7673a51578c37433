"""A DescribeTrainingJob response with every member of the output shape filled, recursively."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import botocore.session

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)


def output_shape():
    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.operation_model("DescribeTrainingJob").output_shape


def build(shape, name: str = "", depth: int = 0, counter: list[int] | None = None):
    """A value for ``shape``: every structure member set, one item per list, one key per map."""
    counter = counter if counter is not None else [0]
    counter[0] += 1
    n = counter[0]
    kind = shape.type_name
    if kind == "structure":
        if depth > 8:
            return {}
        return {m: build(s, m, depth + 1, counter) for m, s in shape.members.items()}
    if kind == "list":
        return [build(shape.member, name, depth + 1, counter)]
    if kind == "map":
        return {f"{name.lower() or 'key'}_{n}": build(shape.value, name, depth + 1, counter)}
    if kind == "timestamp":
        return T0 + timedelta(minutes=n)
    if kind == "boolean":
        return n % 2 == 0
    if kind in ("integer", "long"):
        return 60 * n
    if kind in ("float", "double"):
        return n / 7
    if kind == "blob":
        return b"blob"
    if shape.enum:
        return shape.enum[n % len(shape.enum)]
    if name.endswith("Arn"):
        return f"arn:aws:sagemaker:us-east-1:123456789012:thing/{name.lower()}-{n}"
    if "S3" in name or name.endswith("Uri") or name.endswith("Path"):
        return f"s3://smtui-example-bucket/{name.lower()}/{n}/"
    return f"{name.lower() or 'value'}-{n}"


def maximal_response() -> dict:
    response = build(output_shape())
    response["TrainingJobName"] = "maximal-job"
    response["TrainingJobStatus"] = "InProgress"
    response["SecondaryStatus"] = "Training"
    response["ResponseMetadata"] = {"RequestId": "6f1f3b8c-0000-4000-8000-000000000001", "HTTPStatusCode": 200}
    return response


def leaf_paths(value, path: str = ""):
    """Every leaf path of a plain response, e.g. ``InputDataConfig[0].ChannelName``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, f"{path}[{index}]")
    else:
        yield path, value
