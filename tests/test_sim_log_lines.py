"""What the simulated jobs print to CloudWatch Logs, its errors and credentials, and log lines that agree with
the metrics."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from smtui.clock import FrozenClock
from smtui.sim import Simulator
from smtui.sim.log_streams import GROUP
from tests.conftest import ORIGIN, fixture_realism
from tests.test_sim_logs import BIG, MISTRAL, OOM, WHISPER, client, error_of, list_streams, ms, read_all

# -- what the jobs print --------------------------------------------------------------------------


async def test_failing_job_prints_its_traceback_when_it_fails(sim, clock):
    failed = ORIGIN + timedelta(seconds=900)
    clock.set(failed + timedelta(seconds=60))
    async with client(sim) as logs, client(sim, "sagemaker") as sm:
        [stream] = await list_streams(logs, logStreamNamePrefix=f"{OOM}/")
        name = stream["logStreamName"]
        found = await logs.filter_log_events(
            logGroupName=GROUP, logStreamNames=[name], filterPattern='"torch.OutOfMemoryError: CUDA out of memory"'
        )
        tail = await logs.get_log_events(logGroupName=GROUP, logStreamName=name, limit=40)
        job = await sm.describe_training_job(TrainingJobName=OOM)
    assert job["TrainingJobStatus"] == "Failed" and job["TrainingEndTime"] == failed
    assert len(found["events"]) == 2  # the exception, and the toolkit's ErrorMessage
    assert all(ms(failed) <= e["timestamp"] <= ms(failed) + 5000 for e in found["events"])
    messages = [e["message"] for e in tail["events"]]
    start = messages.index("Traceback (most recent call last):")
    error = next(i for i, m in enumerate(messages) if m.startswith("torch.OutOfMemoryError: CUDA out of memory."))
    assert start < error and any("trainer.train()" in m for m in messages[start:error])
    assert messages[error + 1 :] and messages[-1].endswith(
        "sagemaker-training-toolkit ERROR    Encountered exit_code 1"
    )
    assert any(m.endswith("ExecuteUserScriptError:") for m in messages[error:])
    assert messages[error] in job["FailureReason"]


async def test_a_job_not_yet_training_has_no_streams(sim, clock):
    started = ORIGIN + timedelta(seconds=540)  # whisper: Pending, Starting, Downloading, then Training
    async with client(sim) as logs:
        assert await list_streams(logs, logStreamNamePrefix=f"{WHISPER}/") == []
        code, message = await error_of(
            logs.get_log_events(logGroupName=GROUP, logStreamName=f"{WHISPER}/algo-1-{int(started.timestamp())}")
        )
        assert (code, message) == ("ResourceNotFoundException", "The specified log stream does not exist.")
        clock.set(started - timedelta(seconds=1))
        assert await list_streams(logs, logStreamNamePrefix=f"{WHISPER}/") == []
        clock.set(started + timedelta(seconds=30))
        [stream] = await list_streams(logs, logStreamNamePrefix=f"{WHISPER}/")
        # The container started; the image is still being pulled, so nothing is written yet.
        assert stream["logStreamName"] == f"{WHISPER}/algo-1-{int(started.timestamp())}"
        assert "firstEventTimestamp" not in stream and ms(started) <= stream["creationTime"] < ms(started) + 1000
        assert (await logs.get_log_events(logGroupName=GROUP, logStreamName=stream["logStreamName"]))["events"] == []
        clock.set(started + timedelta(seconds=75))
        events, _, _ = await read_all(logs, stream["logStreamName"])
    assert events[0]["message"].startswith("bash: cannot set terminal process group")
    assert any(e["message"] == "Invoking script with the following command:" for e in events)


@pytest.mark.gentle
@pytest.mark.parametrize("at", [0, 37, 541.5, 959.7, 3000])
async def test_no_event_from_the_future(sim, clock, at):
    clock.set(ORIGIN + timedelta(seconds=at))
    now = ms(clock.now())
    async with client(sim) as logs:
        streams = [s for s in await list_streams(logs) if not s["logStreamName"].startswith(BIG)]
        recent = await logs.filter_log_events(logGroupName=GROUP, startTime=now - 120_000)
        for stream in streams:
            assert stream["creationTime"] <= now and stream.get("lastIngestionTime", 0) <= now
            page = await logs.get_log_events(logGroupName=GROUP, logStreamName=stream["logStreamName"], limit=50)
            assert all(e["timestamp"] < e["ingestionTime"] <= now for e in page["events"])
            if page["events"]:
                assert page["events"][-1]["timestamp"] == stream["lastEventTimestamp"]
    assert recent["events"] and all(e["ingestionTime"] <= now for e in recent["events"])


# -- errors and credentials ---------------------------------------------------------------------


async def test_errors_as_botocore_reports_them(sim):
    name = f"{MISTRAL}/algo-1-{int((ORIGIN - timedelta(seconds=1440)).timestamp())}"
    other = f"{MISTRAL}/algo-2-{int((ORIGIN - timedelta(seconds=1440)).timestamp())}"
    async with client(sim) as logs:
        missing_group = "The specified log group does not exist."
        assert await error_of(logs.describe_log_streams(logGroupName="/aws/sagemaker/Endpoints")) == (
            "ResourceNotFoundException",
            missing_group,
        )
        assert await error_of(logs.get_log_events(logGroupName="/aws/lambda/x", logStreamName=name)) == (
            "ResourceNotFoundException",
            missing_group,
        )
        assert await error_of(logs.get_log_events(logGroupName=GROUP, logStreamName=f"{MISTRAL}/algo-9-1")) == (
            "ResourceNotFoundException",
            "The specified log stream does not exist.",
        )
        assert await error_of(
            logs.describe_log_streams(logGroupName=GROUP, orderBy="LastEventTime", logStreamNamePrefix=MISTRAL)
        ) == ("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
        code, _ = await error_of(
            logs.filter_log_events(logGroupName=GROUP, logStreamNames=[name], logStreamNamePrefix=MISTRAL)
        )
        assert code == "InvalidParameterException"
        code, _ = await error_of(logs.describe_log_streams(logGroupName=GROUP, logGroupIdentifier=GROUP))
        assert code == "InvalidParameterException"
        code, _ = await error_of(logs.describe_log_streams(logGroupName=GROUP, limit=51))
        assert code == "InvalidParameterException"
        token = (await logs.get_log_events(logGroupName=GROUP, logStreamName=name))["nextForwardToken"]
        for bad, stream in (("f/123/s", name), (token, other), ("bm9wZQ==", name)):
            assert await error_of(logs.get_log_events(logGroupName=GROUP, logStreamName=stream, nextToken=bad)) == (
                "InvalidParameterException",
                "The specified nextToken is invalid.",
            )
        page = await logs.describe_log_streams(logGroupName=GROUP)
        code, _ = await error_of(
            logs.describe_log_streams(logGroupName=GROUP, descending=True, nextToken=page["nextToken"])
        )
        assert code == "InvalidParameterException"
        by_arn = await logs.describe_log_streams(
            logGroupIdentifier=f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}", limit=5
        )
        assert by_arn["logStreams"] == page["logStreams"][:5]


async def test_keys_without_logs_permission_still_read_sagemaker_and_cloudwatch(sim):
    name = f"{MISTRAL}/algo-1-{int((ORIGIN - timedelta(seconds=1440)).timestamp())}"
    async with (
        client(sim, key="nologs-readonly") as logs,
        client(sim, "sagemaker", "nologs-readonly") as sm,
        client(sim, "cloudwatch", "nologs-readonly") as cw,
        client(sim, key="denied-role") as denied,
    ):
        code, message = await error_of(logs.describe_log_streams(logGroupName=GROUP))
        assert code == "AccessDeniedException" and "is not authorized to perform: logs:DescribeLogStreams" in message
        code, message = await error_of(logs.get_log_events(logGroupName=GROUP, logStreamName=name))
        assert code == "AccessDeniedException" and "logs:GetLogEvents" in message
        assert f":log-group:{GROUP}:log-stream:{name}" in message
        code, _ = await error_of(logs.filter_log_events(logGroupName=GROUP))
        assert code == "AccessDeniedException"
        job = await sm.describe_training_job(TrainingJobName=MISTRAL)
        assert job["TrainingJobStatus"] == "InProgress"
        data = await cw.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "q",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "/aws/sagemaker/TrainingJobs",
                            "MetricName": "train:loss",
                            "Dimensions": [{"Name": "TrainingJobName", "Value": MISTRAL}],
                        },
                        "Period": 60,
                        "Stat": "Average",
                    },
                }
            ],
            StartTime=ORIGIN - timedelta(hours=1),
            EndTime=ORIGIN,
        )
        assert data["MetricDataResults"][0]["Values"]
        code, _ = await error_of(denied.describe_log_streams(logGroupName=GROUP))
        assert code == "AccessDeniedException"


# -- in process: log lines and metrics agree ----------------------------------------------------------


def lines(simulator: Simulator, prefix: str, start: datetime, end: datetime) -> list[dict]:
    """Every event of the streams under ``prefix`` from ``start`` to ``end``, through FilterLogEvents' pages."""
    params, out = {"logGroupName": GROUP, "logStreamNamePrefix": prefix, "startTime": ms(start), "endTime": ms(end)}, []
    while True:
        page = simulator.filter_log_events(params)
        out += page["events"]
        if "nextToken" not in page:
            return out
        params["nextToken"] = page["nextToken"]


@pytest.mark.parametrize("speed", [1, 10])
def test_metric_lines_carry_the_values_cloudwatch_reports(speed):
    """SageMaker's regexes over the first instance's lines find exactly CloudWatch's points; other lines none."""
    clock = FrozenClock(ORIGIN + timedelta(seconds=3650 / speed))
    # The lines and CloudWatch at the same moment: without the minute or two CloudWatch lags behind.
    simulator = Simulator(clock, origin=ORIGIN, speed=speed, realism=fixture_realism().without(["metric-lag"]))
    start, end = ORIGIN - timedelta(seconds=3600 / speed), ORIGIN + timedelta(seconds=3620 / speed)
    for name, scenario in simulator.scenarios.items():
        if scenario.ago:
            continue  # it ran weeks before the window
        events = lines(simulator, f"{name}/algo-1-", start, end)
        others = [
            e
            for host in range(2, min(scenario.instance_count, 3) + 1)
            for e in lines(simulator, f"{name}/algo-{host}-", start, end)
        ]
        for metric in scenario.metrics:
            found = [
                (e["timestamp"] // 1000, float(m.group(1)))
                for e in events
                for m in [re.search(metric.regex, e["message"])]
                if m
            ]
            query = {
                "Id": "q",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "/aws/sagemaker/TrainingJobs",
                        "MetricName": metric.name,
                        "Dimensions": [{"Name": "TrainingJobName", "Value": name}],
                    },
                    "Period": 60,
                    "Stat": "Average",
                },
            }
            result = simulator.get_metric_data(
                {"MetricDataQueries": [query], "StartTime": start, "EndTime": end, "ScanBy": "TimestampAscending"}
            )["MetricDataResults"][0]
            reported = [(int(t.timestamp()), v) for t, v in zip(result["Timestamps"], result["Values"])]
            assert found == reported and reported, (name, metric.name)
            assert not any(re.search(metric.regex, e["message"]) for e in others), (name, metric.name)


def test_a_log_line_matches_its_metric_regex():
    simulator = Simulator(FrozenClock(ORIGIN + timedelta(seconds=200)), origin=ORIGIN, realism=fixture_realism())
    page = simulator.filter_log_events(
        {"logGroupName": GROUP, "logStreamNamePrefix": "xgboost-churn-stopped/", "filterPattern": "#011train-rmse"}
    )
    line = page["events"][0]["message"]
    assert re.fullmatch(r"\[0\]#011train-rmse:0\.\d{5}#011validation-rmse:0\.\d{5}", line)
    scenario = simulator.scenarios["xgboost-churn-stopped"]
    values = [float(re.match(m.regex, line).group(1)) for m in scenario.metrics]
    assert values == [float(part.split(":")[1]) for part in line.split("#011")[1:]]


def test_a_stop_never_changes_what_was_already_logged():
    clock = FrozenClock(ORIGIN + timedelta(seconds=300))
    simulator = Simulator(clock, origin=ORIGIN, realism=fixture_realism())
    before = lines(simulator, f"{MISTRAL}/", ORIGIN - timedelta(hours=1), ORIGIN + timedelta(hours=1))
    simulator.stop_training_job({"TrainingJobName": MISTRAL})
    clock.advance(120)
    after = lines(simulator, f"{MISTRAL}/", ORIGIN - timedelta(hours=1), ORIGIN + timedelta(hours=1))
    assert after[: len(before)] == before
    later = after[len(before) :]
    stopped = ms(ORIGIN + timedelta(seconds=300))
    assert later and all(e["timestamp"] <= stopped + 60_000 for e in later)
    assert any("SIGTERM" in e["message"] for e in later if e["timestamp"] >= stopped)
    assert len({e["logStreamName"] for e in later if "SIGTERM" in e["message"]}) == 4


def test_streams_are_chattier_on_some_instances():
    simulator = Simulator(FrozenClock(ORIGIN), origin=ORIGIN, realism=fixture_realism())
    page = simulator.describe_log_streams({"logGroupName": GROUP, "logStreamNamePrefix": f"{MISTRAL}/"})
    counts = [
        simulator.get_log_events({"logGroupName": GROUP, "logStreamName": s["logStreamName"], "startFromHead": True})[
            "events"
        ]
        for s in page["logStreams"]
    ]
    sizes = [len(events) for events in counts]
    assert len(set(sizes)) > 2 and min(sizes) > 150
    assert datetime.fromtimestamp(counts[0][-1]["timestamp"] / 1000, timezone.utc) <= ORIGIN
