"""The detail sections: every leaf shown, grouped by the service model, formatted for people."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from smtui.aws.sections import (
    OTHER,
    SECTION_TITLES,
    describe_sections,
    format_value,
    humanize,
    iter_leaves,
    render_text,
    request_id,
    section_of,
)

from tests.maximal import maximal_response, output_shape

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)



def test_every_current_member_is_placed_in_a_named_section():
    members = list(output_shape().members)
    assert len(members) >= 50
    assert [m for m in members if section_of(m) == OTHER] == []


def test_every_leaf_of_a_maximal_response_is_shown():
    response = maximal_response()
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    leaves = {node.path: node for section in describe_sections(response) for node in iter_leaves(section.fields)}
    from tests.maximal import leaf_paths

    expected = dict(leaf_paths(body))
    assert len(expected) >= 150
    missing = [p for p in expected if p not in leaves]
    assert missing == []
    text = render_text(response, NOW, width=100)
    for path, value in expected.items():
        assert format_value(leaves[path], NOW).split(" (")[0] in text, path
    assert "ResponseMetadata" not in text and "Request ID  6f1f3b8c" in text


def test_sections_come_in_display_order():
    titles = [s.title for s in describe_sections(maximal_response())]
    assert titles == [t for t in SECTION_TITLES if t in titles] and titles[0] == "Overview"


def test_unknown_keys_are_shown_not_dropped():
    response = {
        "TrainingJobName": "job-a",
        "BrandNewMember": {"Nested": 1},
        "ResourceConfig": {"InstanceType": "ml.p5.48xlarge", "FutureKnob": "on"},
    }
    sections = {s.title: s for s in describe_sections(response)}
    other = sections[OTHER].fields[0]
    assert other.key == "BrandNewMember" and not other.in_model and other.children[0].value == 1
    resource = sections["Resources & stopping"].fields[0]
    knob = [c for c in resource.children if c.key == "FutureKnob"][0]
    assert not knob.in_model and knob.value == "on"
    assert "Future knob" in render_text(response, NOW)


def test_formatting():
    response = {
        "CreationTime": NOW - timedelta(minutes=25),
        "TrainingTimeInSeconds": 5400,
        "EnableManagedSpotTraining": True,
        "RoleArn": "arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-20261126T100000",
        "OutputDataConfig": {"S3OutputPath": "s3://a-rather-long-bucket-name-for-models/some/deep/prefix/output/"},
        "FailureReason": "bad\x1b]52;c;aGk=\x07thing",
    }
    leaves = {n.key: n for s in describe_sections(response) for n in iter_leaves(s.fields)}
    assert format_value(leaves["CreationTime"], NOW) == "2026-11-26 11:35:00 (25m ago)"
    assert format_value(leaves["TrainingTimeInSeconds"], NOW) == "5400 s (1h 30m)"
    assert format_value(leaves["EnableManagedSpotTraining"], NOW) == "yes"
    assert "\x1b" not in format_value(leaves["FailureReason"], NOW)
    assert "\\x1b" in format_value(leaves["FailureReason"], NOW)
    text = render_text(response, NOW, width=60)
    assert response["RoleArn"] in text and response["OutputDataConfig"]["S3OutputPath"] in text


def test_labels():
    assert humanize("TrainingJobArn") == "Training job ARN"
    assert humanize("S3Uri") == "S3 URI"
    assert humanize("VpcConfig") == "VPC config"
    assert humanize("KmsKeyId") == "KMS key ID"
    assert humanize("VolumeSizeInGB") == "Volume size in GB"


def test_list_items_are_named_by_what_they_are():
    response = {"InputDataConfig": [{"ChannelName": "train"}, {"ChannelName": "validation"}],
                "SecondaryStatusTransitions": [{"Status": "Starting", "StartTime": NOW}]}
    sections = {s.title: s for s in describe_sections(response)}
    channels = sections["Input data"].fields[0]
    assert [c.label for c in channels.children] == ["1. train", "2. validation"]
    transitions = sections["Status & timing"].fields[0]
    assert transitions.children[0].label == "1. Starting"


def test_empty_and_missing_values_and_request_id():
    assert describe_sections({}) == []
    assert render_text({}, NOW) == "\n"
    assert request_id({"ResponseMetadata": {"RequestId": "abc"}}) == "abc"
    assert request_id({}) is None
    sections = describe_sections({"HyperParameters": {}, "FinalMetricDataList": [], "FailureReason": None})
    assert {s.title for s in sections} == {"Hyperparameters", "Metrics", "Overview"}
    assert "(empty)" in render_text({"HyperParameters": {}}, NOW)
