"""The detail sections: every leaf shown, grouped by the service model, formatted for people."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

import botocore.session
import pytest

from smtui.present import sections
from smtui.present.section_text import format_value, render_text
from smtui.present.sections import (
    OTHER,
    SECTION_TITLES,
    FieldNode,
    Section,
    describe_sections,
    humanize,
    iter_leaves,
    request_id,
    section_of,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)
REQUEST_ID = "6f1f3b8c-0000-4000-8000-000000000001"


@pytest.fixture(autouse=True)
def utc():
    """Local time is UTC here, so the expected timestamps are fixed."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def output_shape():
    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.operation_model("DescribeTrainingJob").output_shape


def build(shape, name: str, counter: list[int], depth: int = 0):
    """A value for ``shape``: every member set, lists of structures with two items, maps with two keys."""
    counter[0] += 1
    n = counter[0]
    kind = shape.type_name
    if kind == "structure":
        return {} if depth > 8 else {m: build(s, m, counter, depth + 1) for m, s in shape.members.items()}
    if kind == "list":
        count = 2 if shape.member.type_name == "structure" else 1
        return [build(shape.member, name, counter, depth + 1) for _ in range(count)]
    if kind == "map":
        return {f"{name.lower()}_{n}_{i}": build(shape.value, name, counter, depth + 1) for i in range(2)}
    if kind == "timestamp":
        return T0 + timedelta(minutes=n)
    if kind == "boolean":
        return n % 2 == 0
    if kind in ("integer", "long"):
        return 60 * n + 7
    if kind in ("float", "double"):
        return n / 7
    if shape.enum:
        return shape.enum[n % len(shape.enum)]
    if name.endswith("Arn"):
        return f"arn:aws:sagemaker:us-east-1:123456789012:example/{name.lower()}-{n}-with-a-rather-long-tail"
    if "S3" in name or name.endswith("Uri") or name.endswith("Path"):
        return f"s3://smtui-example-bucket-with-a-long-name/{name.lower()}/{n}/and/deeper/still/"
    return f"{name.lower()}-{n}"


def maximal_response() -> dict:
    response = build(output_shape(), "", [0])
    response["ResponseMetadata"] = {"RequestId": REQUEST_ID, "HTTPStatusCode": 200}
    return response


def leaf_paths(value, path: str = ""):
    """Every leaf path of a plain response, e.g. ``InputDataConfig[0].ChannelName``, with its value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, f"{path}[{index}]")
    else:
        yield path, value


def squashed(text: str) -> str:
    # Wrapped values continue on the next line after a hanging indent.
    return " ".join(text.split())


def leaves_of(response) -> dict[str, FieldNode]:
    return {n.path: n for s in describe_sections(response) for n in iter_leaves(s.fields)}


# -- the service model -------------------------------------------------------------


def test_every_current_member_is_placed_in_a_named_section():
    members = list(output_shape().members)
    assert len(members) >= 50
    assert [m for m in members if section_of(m) == OTHER] == []
    # And no placement names a member the model does not have (a typo would hide one).
    placed = [m for title in SECTION_TITLES for m in members if section_of(m) == title]
    assert sorted(placed) == sorted(members)
    assert [m for m in sections._SECTION_OF if m not in members] == []
    assert SECTION_TITLES[-1] == OTHER and section_of("SomethingNew") == OTHER


def test_every_leaf_of_a_maximal_response_is_shown():
    response = maximal_response()
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    expected = dict(leaf_paths(body))
    assert len(expected) >= 150
    leaves = leaves_of(response)
    assert sorted(set(expected) - set(leaves)) == []
    assert sorted(set(leaves) - set(expected)) == []
    for path, value in expected.items():
        assert leaves[path].value == value and leaves[path].in_model, path
    text = render_text(response, NOW, width=100)
    flat = squashed(text)
    for path, node in leaves.items():
        assert squashed(format_value(node, NOW)) in flat, path
        assert node.label in text, path
    assert "ResponseMetadata" not in text and text.rstrip().endswith(f"Request ID  {REQUEST_ID}")


def test_maximal_response_kinds_follow_the_model():
    leaves = leaves_of(maximal_response())
    assert leaves["CreationTime"].kind == "timestamp"
    assert leaves["StoppingCondition.MaxRuntimeInSeconds"].kind == "duration"
    assert leaves["WarmPoolStatus.ResourceRetainedBillableTimeInSeconds"].kind == "duration"
    assert leaves["ResourceConfig.InstanceCount"].kind == "integer"
    assert leaves["EnableNetworkIsolation"].kind == "boolean"
    assert leaves["FinalMetricDataList[1].Value"].kind == "float"
    assert leaves["TrainingJobStatus"].kind == "enum"
    assert leaves["RoleArn"].kind == "arn"
    assert leaves["InputDataConfig[1].DataSource.S3DataSource.S3Uri"].kind == "s3"
    assert leaves["TrainingJobName"].kind == "string"


def test_sections_come_in_display_order_with_containers_in_place():
    found = describe_sections(maximal_response())
    titles = [s.title for s in found]
    assert titles == [t for t in SECTION_TITLES if t != OTHER]
    by_title = {s.title: s for s in found}
    assert [f.key for f in by_title["Hyperparameters"].fields] == ["HyperParameters"]
    hyper = by_title["Hyperparameters"].fields[0]
    assert hyper.kind == "map" and hyper.label == "Hyperparameters" and len(hyper.children) == 2
    channels = by_title["Input data"].fields[0]
    assert channels.kind == "list" and channels.children[0].kind == "structure"
    assert channels.children[1].path == "InputDataConfig[1]"


def test_service_model_is_loaded_once(monkeypatch):
    response = maximal_response()
    describe_sections({"TrainingJobName": "a"})

    def no_reload():
        raise AssertionError("the service model was loaded again")

    monkeypatch.setattr(botocore.session, "get_session", no_reload)
    assert describe_sections(response) and render_text(response, NOW)


# -- what the model does not know ----------------------------------------------------


def test_unknown_keys_are_shown_not_dropped():
    response = {
        "TrainingJobName": "job-a",
        "BrandNewMember": {"Nested": 1, "Deeper": ["x"]},
        "ResourceConfig": {"InstanceType": "ml.p5.48xlarge", "FutureKnob": "on"},
        "InputDataConfig": [{"ChannelName": "train", "FutureChannelField": True}],
        "ResponseMetadata": {"RequestId": REQUEST_ID},
    }
    found = {s.title: s for s in describe_sections(response)}
    assert list(found) == ["Overview", "Input data", "Resources & stopping", OTHER]
    other = found[OTHER].fields[0]
    assert (other.key, other.label, other.kind) == ("BrandNewMember", "Brand new member", "structure")
    assert not other.in_model
    assert [(c.key, c.in_model) for c in other.children] == [("Nested", False), ("Deeper", False)]
    assert other.children[0].value == 1 and other.children[1].children[0].value == "x"
    resource = found["Resources & stopping"].fields[0]
    assert [(c.key, c.in_model) for c in resource.children] == [("InstanceType", True), ("FutureKnob", False)]
    channel = found["Input data"].fields[0].children[0]
    assert [(c.key, c.in_model) for c in channel.children] == [("ChannelName", True), ("FutureChannelField", False)]
    text = render_text(response, NOW)
    for shown in ("Other", "Brand new member", "Nested", "Future knob", "on", "Future channel field  yes"):
        assert shown in text


# -- formatting ----------------------------------------------------------------------


def leaf(key: str, value, kind: str) -> FieldNode:
    return FieldNode(key, humanize(key), key, kind, value)


def test_timestamps_are_local_with_a_relative_age():
    created = datetime(2026, 11, 26, 10, 3, 12, tzinfo=timezone.utc)
    leaves = leaves_of({"CreationTime": created, "TrainingEndTime": NOW + timedelta(minutes=3)})
    now = created + timedelta(minutes=25, seconds=40)
    assert format_value(leaves["CreationTime"], now) == "2026-11-26 10:03:12 (25m ago)"
    assert format_value(leaves["TrainingEndTime"], NOW) == "2026-11-26 12:03:00 (in 3m)"
    assert format_value(leaf("T", NOW - timedelta(seconds=20), "timestamp"), NOW).endswith("(just now)")
    assert format_value(leaf("T", NOW - timedelta(hours=2, minutes=5), "timestamp"), NOW).endswith("(2h 5m ago)")
    assert format_value(leaf("T", NOW - timedelta(days=3, hours=4), "timestamp"), NOW).endswith("(3d 4h ago)")
    # Naive datetimes are UTC; text and epoch seconds (a response read back from JSON) still read as times.
    assert format_value(leaf("T", datetime(2026, 11, 26, 11, 0), "timestamp"), NOW) == "2026-11-26 11:00:00 (1h ago)"
    text_leaves = leaves_of({"CreationTime": "2026-11-26T11:30:00Z", "LastModifiedTime": NOW.timestamp() - 600})
    assert text_leaves["CreationTime"].kind == "timestamp"
    assert format_value(text_leaves["CreationTime"], NOW) == "2026-11-26 11:30:00 (30m ago)"
    assert format_value(text_leaves["LastModifiedTime"], NOW) == "2026-11-26 11:50:00 (10m ago)"


def test_timestamps_follow_the_local_timezone():
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    node = leaves_of({"CreationTime": NOW})["CreationTime"]
    assert format_value(node, NOW) == "2026-11-26 17:30:00 (just now)"


def test_durations_booleans_numbers_and_text():
    leaves = leaves_of(
        {
            "TrainingTimeInSeconds": 5400,
            "BillableTimeInSeconds": 0,
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400 * 5, "MaxWaitTimeInSeconds": 95},
            "EnableManagedSpotTraining": True,
            "EnableNetworkIsolation": False,
            "ResourceConfig": {"InstanceCount": 4},
            "FinalMetricDataList": [{"MetricName": "loss", "Value": 0.123456789}],
            "FailureReason": "bad\x1b]52;c;aGk=\x07thing\nsecond line",
            "TrainingJobStatus": "Completed",
            "TuningJobArn": "",
        }
    )
    assert format_value(leaves["TrainingTimeInSeconds"], NOW) == "5400 s (1h 30m)"
    assert format_value(leaves["BillableTimeInSeconds"], NOW) == "0 s (0s)"
    assert format_value(leaves["StoppingCondition.MaxRuntimeInSeconds"], NOW) == "432000 s (5d)"
    assert format_value(leaves["StoppingCondition.MaxWaitTimeInSeconds"], NOW) == "95 s (1m 35s)"
    assert format_value(leaves["EnableManagedSpotTraining"], NOW) == "yes"
    assert format_value(leaves["EnableNetworkIsolation"], NOW) == "no"
    assert format_value(leaves["ResourceConfig.InstanceCount"], NOW) == "4"
    assert format_value(leaves["FinalMetricDataList[0].Value"], NOW) == "0.123457"
    assert format_value(leaves["TrainingJobStatus"], NOW) == "Completed"
    assert format_value(leaves["TuningJobArn"], NOW) == "(empty)"
    reason = format_value(leaves["FailureReason"], NOW)
    assert "\x1b" not in reason and "\x07" not in reason and "\n" not in reason
    assert reason == "bad\\x1b]52;c;aGk=\\x07thing ⏎ second line"
    assert format_value(leaves["FailureReason"], NOW, multiline=True) == "bad\\x1b]52;c;aGk=\\x07thing\nsecond line"
    # The plain text keeps the value's own line break.
    lines = render_text({"FailureReason": "first line\nsecond line"}, NOW).splitlines()
    assert lines[2:4] == ["Failure reason  first line", "                second line"]


def test_arns_and_s3_uris_are_never_truncated_or_broken():
    role = "arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-20261126T100000"
    output = "s3://a-rather-long-bucket-name-for-models/some/deep/prefix/output/"
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.5.1-gpu-py311-cu124-ubuntu22.04"
    response = {
        "RoleArn": role,
        "OutputDataConfig": {"S3OutputPath": output, "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/3f0c8e9a"},
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "FailureReason": "ClientError: Data download failed: could not read " + output + " because access was denied",
    }
    text = render_text(response, NOW, width=60)
    lines = text.splitlines()
    for token in (role, output, image):
        assert any(token in line for line in lines), token
    for line in lines:
        # Only a line holding one unbreakable token may pass the width.
        assert len(line) <= 60 or len(line.split()[-1]) > 30, line
    # Every ARN, URI or image in the text is a whole one from the response, never a piece.
    whole = {token for value in (role, output, image, response["FailureReason"]) for token in value.split()}
    whole.add(response["OutputDataConfig"]["KmsKeyId"])
    assert [t for t in text.split() if ("/" in t or t.startswith("arn:")) and t not in whole] == []


def test_values_line_up_within_a_block():
    response = {"ResourceConfig": {"InstanceType": "ml.g5.2xlarge", "InstanceCount": 2, "VolumeSizeInGB": 100}}
    lines = render_text(response, NOW).splitlines()
    assert lines[2:] == [
        "Resource config",
        "  Instance type      ml.g5.2xlarge",
        "  Instance count     2",
        "  Volume size in GB  100",
    ]
    # A label too long for the column puts its value on the next line, in the column.
    response = {"EnableInterContainerTrafficEncryption": True, "RoleArn": "arn:aws:iam::1:role/r"}
    lines = render_text(response, NOW, width=60).splitlines()
    column = lines[2].index("arn:")
    assert lines[3] == "Enable inter container traffic encryption"
    assert lines[4] == " " * column + "yes"


def test_labels():
    assert humanize("TrainingJobArn") == "Training job ARN"
    assert humanize("S3Uri") == "S3 URI"
    assert humanize("VpcConfig") == "VPC config"
    assert humanize("KmsKeyId") == "KMS key ID"
    assert humanize("VolumeSizeInGB") == "Volume size in GB"
    assert humanize("HyperParameters") == "Hyperparameters"
    assert humanize("EnableSageMakerMetricsTimeSeries") == "Enable SageMaker metrics time series"
    assert humanize("MlflowResourceArn") == "MLflow resource ARN"
    assert humanize("AutoMLJobArn") == "AutoML job ARN"
    assert humanize("SecurityGroupIds") == "Security group IDs"


def test_list_items_are_named_by_what_they_are():
    response = {
        "InputDataConfig": [{"ChannelName": "train"}, {"ChannelName": "validation"}],
        "SecondaryStatusTransitions": [{"Status": "Starting", "StartTime": NOW}],
        "DebugRuleEvaluationStatuses": [
            {"RuleConfigurationName": "LossNotDecreasing", "RuleEvaluationStatus": "InProgress"}
        ],
        "FinalMetricDataList": [{"MetricName": "validation:loss", "Value": 0.5}],
        "VpcConfig": {"Subnets": ["subnet-0a1b", "subnet-2c3d"]},
    }
    fields = {f.key: f for s in describe_sections(response) for f in s.fields}
    assert [c.label for c in fields["InputDataConfig"].children] == ["train", "validation"]
    assert [c.key for c in fields["InputDataConfig"].children] == ["[0]", "[1]"]
    assert fields["SecondaryStatusTransitions"].children[0].label == "Starting"
    assert fields["DebugRuleEvaluationStatuses"].children[0].label == "LossNotDecreasing"
    assert fields["FinalMetricDataList"].children[0].label == "validation:loss"
    subnets = fields["VpcConfig"].children[0]
    assert [(c.label, c.path, c.value) for c in subnets.children] == [
        ("[0]", "VpcConfig.Subnets[0]", "subnet-0a1b"),
        ("[1]", "VpcConfig.Subnets[1]", "subnet-2c3d"),
    ]


def test_map_keys_are_shown_as_they_are_but_safely():
    response = {
        "HyperParameters": {"learning_rate": "3e-05", "evil\x1b[2J": "1"},
        "Environment": {"NCCL_DEBUG": "WARN"},
    }
    fields = {f.key: f for s in describe_sections(response) for f in s.fields}
    labels = [c.label for c in fields["HyperParameters"].children]
    assert labels == ["learning_rate", "evil\\x1b[2J"]
    assert fields["Environment"].children[0].path == "Environment.NCCL_DEBUG"
    assert "\x1b" not in render_text(response, NOW)


# -- empty, missing, odd ---------------------------------------------------------------


def test_empty_and_missing_values_and_request_id():
    assert describe_sections({}) == [] and describe_sections(None) == []
    assert render_text({}, NOW) == "\n"
    assert describe_sections({"ResponseMetadata": {"RequestId": "abc"}}) == []
    assert render_text({"ResponseMetadata": {"RequestId": "abc"}}, NOW) == "Request ID  abc\n"
    assert request_id({"ResponseMetadata": {"RequestId": "abc"}}) == "abc"
    assert request_id({}) is None and request_id({"ResponseMetadata": {}}) is None and request_id(None) is None
    response = {"HyperParameters": {}, "FinalMetricDataList": [], "VpcConfig": {}, "FailureReason": None}
    found = describe_sections(response)
    assert {s.title for s in found} == {"Hyperparameters", "Metrics", "Network & security", "Overview"}
    assert all(isinstance(s, Section) and s.fields for s in found)
    nodes = {f.key: f for s in found for f in s.fields}
    kinds = [nodes[k].kind for k in ("HyperParameters", "FinalMetricDataList", "VpcConfig")]
    assert kinds == ["map", "list", "structure"]
    assert format_value(nodes["FailureReason"], NOW) == "–"
    # Empty containers are not leaves, but they are still shown.
    assert [n.key for s in found for n in iter_leaves(s.fields)] == ["FailureReason"]
    text = render_text(response, NOW)
    assert text.count("(empty)") == 3 and "Failure reason  –" in text


def test_values_of_the_wrong_shape_do_not_crash():
    response = {
        "ResourceConfig": "ml.m5.large",
        "HyperParameters": ["a", "b"],
        "CreationTime": "not a time",
        "TrainingTimeInSeconds": "soon",
        "StoppingCondition": {"MaxRuntimeInSeconds": 12.5},
        "EnableNetworkIsolation": "true",
        "BrandNew": object(),
        "Blob": b"bytes\x00here",
    }
    text = render_text(response, NOW, width=40)
    for shown in ("ml.m5.large", "not a time", "soon", "12.5", "true", "bytes\\x00here"):
        assert shown in text
    leaves = leaves_of(response)
    assert leaves["BrandNew"].kind == "unknown" and not leaves["BrandNew"].in_model
