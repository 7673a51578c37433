"""Snapshots of a job and the events between two of them."""

from datetime import datetime, timedelta, timezone

from smtui.aws.snapshot import FinalMetricsArrived, JobSnapshot, StatusChanged, TransitionAdded, diff_snapshots

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def response(status="InProgress", secondary="Training", stages=("Starting", "Downloading", "Training"), finals=None):
    transitions = []
    for i, stage in enumerate(stages):
        item = {"Status": stage, "StartTime": T0 + timedelta(minutes=i), "StatusMessage": f"{stage} message"}
        if i < len(stages) - 1:
            item["EndTime"] = T0 + timedelta(minutes=i + 1)
        transitions.append(item)
    body = {
        "TrainingJobName": "job-a",
        "TrainingJobStatus": status,
        "SecondaryStatus": secondary,
        "CreationTime": T0,
        "SecondaryStatusTransitions": transitions,
        "AlgorithmSpecification": {"MetricDefinitions": [{"Name": "train:loss", "Regex": "x"}]},
        "ResponseMetadata": {"RequestId": "req-1"},
    }
    if finals:
        body["FinalMetricDataList"] = [{"MetricName": k, "Value": v, "Timestamp": T0} for k, v in finals.items()]
    return body


def test_snapshot_reads_the_fields_it_needs():
    snap = JobSnapshot.from_response("job-a", response(), T0)
    assert snap.status == "InProgress" and snap.secondary_status == "Training"
    assert [t.status for t in snap.transitions] == ["Starting", "Downloading", "Training"]
    assert snap.transitions[-1].end is None
    assert snap.transitions[-1].duration(T0 + timedelta(minutes=5)) == timedelta(minutes=3)
    assert snap.metric_names == ("train:loss",)
    assert snap.request_id == "req-1"
    assert not snap.is_terminal
    assert snap.elapsed(T0 + timedelta(minutes=7)) == timedelta(minutes=7)


def test_snapshot_is_immutable():
    snap = JobSnapshot.from_response("job-a", response(), T0)
    try:
        snap.response["TrainingJobStatus"] = "Failed"  # type: ignore[index]
    except TypeError:
        pass
    else:
        raise AssertionError("the response of a snapshot must not be writable")


def test_snapshot_tolerates_odd_data():
    snap = JobSnapshot.from_response("x", {"SecondaryStatusTransitions": [None, {"Status": "Training"}, 3]}, T0)
    assert snap.transitions == () and snap.status is None and snap.elapsed(T0) is None


def test_first_snapshot_is_all_news():
    events = diff_snapshots(None, JobSnapshot.from_response("job-a", response(), T0))
    assert isinstance(events[0], StatusChanged)
    assert [e.index for e in events if isinstance(e, TransitionAdded)] == [0, 1, 2]


def test_diff_reports_new_transitions_status_and_finals():
    old = JobSnapshot.from_response("job-a", response(), T0)
    new = JobSnapshot.from_response(
        "job-a",
        response(
            "Completed",
            "Completed",
            ("Starting", "Downloading", "Training", "Uploading", "Completed"),
            {"train:loss": 0.1},
        ),
        T0,
    )
    events = diff_snapshots(old, new)
    kinds = [type(e) for e in events]
    assert kinds == [StatusChanged, TransitionAdded, TransitionAdded, FinalMetricsArrived]
    assert [e.transition.status for e in events if isinstance(e, TransitionAdded)] == ["Uploading", "Completed"]
    assert diff_snapshots(new, new) == []
