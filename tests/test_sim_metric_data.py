"""The simulator's GetMetricData through boto3: statistics, labels, windows, and paging by MaxDatapoints."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from smtui.sim.metrics import NAMESPACE, published_by
from tests.conftest import ORIGIN
from tests.test_sim import client, metric_query


@pytest.mark.gentle("metric-lag")  # every point as it is logged
def test_get_metric_data(sim, clock):
    cw = client(sim, "cloudwatch")
    window = {"StartTime": ORIGIN - timedelta(hours=2), "EndTime": ORIGIN + timedelta(days=2)}
    job = "mistral-7b-sft-distributed"
    result = cw.get_metric_data(
        MetricDataQueries=[
            metric_query(job, "train:loss"),
            metric_query(job, "nope", "q1"),
            metric_query(job, "validation:loss", "q2", Label="eval loss"),
            metric_query(job, "train:loss", "hidden", ReturnData=False),
            {
                **metric_query(job, "train:loss", "q3"),
                "MetricStat": {
                    **metric_query(job, "train:loss")["MetricStat"],
                    "Metric": {"Namespace": NAMESPACE, "MetricName": "train:loss"},
                },
            },
        ],
        **window,
    )
    loss, unknown, validation, no_dimensions = result["MetricDataResults"]
    assert [r["Id"] for r in result["MetricDataResults"]] == ["q0", "q1", "q2", "q3"]
    assert (loss["Label"], validation["Label"]) == ("train:loss", "eval loss")
    assert loss["StatusCode"] == unknown["StatusCode"] == "Complete"
    assert unknown["Values"] == [] == no_dimensions["Values"]
    # Training began at -1440 s, plus 150 s of image pull: a point every minute from -21 min to 0,
    # none from the future.
    assert len(loss["Values"]) == 22 and loss["Timestamps"][0] == ORIGIN
    assert loss["Timestamps"] == sorted(loss["Timestamps"], reverse=True)
    assert len(validation["Values"]) == 5  # evaluated every five minutes: -20, -15, ..., 0
    assert all(t.second == 0 for t in loss["Timestamps"])
    clock.advance(600)
    later = cw.get_metric_data(
        MetricDataQueries=[metric_query(job, "train:loss")], ScanBy="TimestampAscending", **window
    )["MetricDataResults"][0]
    assert len(later["Values"]) == len(loss["Values"]) + 10
    assert later["Timestamps"] == sorted(later["Timestamps"]) and max(later["Timestamps"]) == clock.now()
    assert later["Values"][: len(loss["Values"])] == loss["Values"][::-1]  # the past does not change
    assert later["Values"][0] > later["Values"][-1]  # the loss goes down

    five = cw.get_metric_data(
        MetricDataQueries=[
            metric_query(job, "train:loss", period=300),
            metric_query(job, "train:loss", "mx", period=300, stat="Maximum"),
            metric_query(job, "train:loss", "n", period=300, stat="SampleCount"),
        ],
        ScanBy="TimestampAscending",
        **window,
    )["MetricDataResults"]
    average, maximum, count = five
    assert all(t.minute % 5 == 0 and t.second == 0 for t in average["Timestamps"])
    buckets: dict[datetime, list[float]] = {}
    for moment, value in zip(later["Timestamps"], later["Values"]):
        buckets.setdefault(moment.replace(minute=moment.minute - moment.minute % 5), []).append(value)
    assert average["Timestamps"] == list(buckets)
    assert count["Values"] == [float(len(v)) for v in buckets.values()]
    assert average["Values"] == pytest.approx([sum(v) / len(v) for v in buckets.values()], abs=1e-6)
    assert maximum["Values"] == [max(v) for v in buckets.values()]

    window_start = ORIGIN + timedelta(seconds=90, milliseconds=500)  # rounded down to the minute
    narrow = cw.get_metric_data(
        MetricDataQueries=[metric_query(job, "train:loss")],
        StartTime=window_start,
        EndTime=ORIGIN + timedelta(minutes=4),
    )["MetricDataResults"][0]
    assert narrow["Timestamps"] == [ORIGIN + timedelta(minutes=m) for m in (3, 2, 1)]


def test_get_metric_data_pages_through_max_datapoints(sim, clock):
    cw = client(sim, "cloudwatch")
    clock.advance(900)
    queries = [
        metric_query(job, metric, f"q{i}")
        for i, (job, metric) in enumerate(
            [
                ("mistral-7b-sft-distributed", "train:loss"),
                ("bert-base-finetune-imdb", "train:loss"),
                ("resnet50-spot-imagenet", "train:loss"),
            ]
        )
    ]
    window = {"StartTime": ORIGIN - timedelta(hours=2), "EndTime": ORIGIN + timedelta(hours=2)}
    whole = cw.get_metric_data(MetricDataQueries=queries, **window)["MetricDataResults"]
    pages = list(cw.get_paginator("get_metric_data").paginate(MetricDataQueries=queries, MaxDatapoints=7, **window))
    assert len(pages) > 3 and all(sum(len(r["Values"]) for r in p["MetricDataResults"]) <= 7 for p in pages)
    assert "PartialData" in {r["StatusCode"] for r in pages[0]["MetricDataResults"]}
    for expected in whole:
        got = [
            (t, v)
            for p in pages
            for r in p["MetricDataResults"]
            if r["Id"] == expected["Id"]
            for t, v in zip(r["Timestamps"], r["Values"])
        ]
        assert got == list(zip(expected["Timestamps"], expected["Values"]))
    assert all(r["StatusCode"] == "Complete" for r in pages[-1]["MetricDataResults"])


def test_each_series_shows_its_points_a_minute_or_two_late(clock):
    # CloudWatch has a point a while after its timestamp: each series its own lag, its points in order.
    from smtui.sim import Realism, Simulator
    from smtui.sim.hosts import GPU, HOST_DIMENSION

    job = "mistral-7b-sft-distributed"
    host = {
        "Namespace": NAMESPACE,
        "MetricName": GPU,
        "Dimensions": [{"Name": HOST_DIMENSION, "Value": f"{job}/algo-2"}],
    }
    queries = [
        metric_query(job, "train:loss"),
        metric_query(job, "validation:loss", "q1"),
        {"Id": "q2", "MetricStat": {"Metric": host, "Period": 60, "Stat": "Average"}},
    ]
    params = {
        "MetricDataQueries": queries,
        "StartTime": ORIGIN - timedelta(hours=1),
        "EndTime": ORIGIN + timedelta(hours=1),
    }
    lagged = Simulator(clock, origin=ORIGIN, realism=Realism()).get_metric_data(params)["MetricDataResults"]
    exact = Simulator(clock, origin=ORIGIN, realism=Realism().without(["metric-lag"])).get_metric_data(params)
    now = clock.now()
    for late, whole in zip(lagged, exact["MetricDataResults"]):
        # The same points, the newest missing: none from the last minute, all from before the last two.
        assert late["Timestamps"] == [t for t in whole["Timestamps"] if t <= late["Timestamps"][0]]
        missing = [t for t in whole["Timestamps"] if t > late["Timestamps"][0]]
        assert all(t > now - timedelta(seconds=120) for t in missing)
        assert late["Timestamps"][0] <= now - timedelta(seconds=60)
        assert whole["Timestamps"][0] > now - timedelta(seconds=60)  # (there is a newest point to miss)
    # Each series its own lag.
    lags = {published_by(q["MetricStat"]["Metric"], now, 120.0) for q in queries}
    assert len(lags) == 3 and all(now - timedelta(seconds=120) <= t <= now - timedelta(seconds=60) for t in lags)
