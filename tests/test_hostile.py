"""Hostile and unusual data: shown literally and safely, never acted on, never a crash.

A source in memory answers with what a compromised container, a buggy
service or a future API could put in a DescribeTrainingJob response.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pytest

from smtui.clock import FrozenClock
from smtui.present.section_text import render_text
from smtui.present.sections import describe_sections, iter_leaves
from smtui.ui.app import SmtuiApp
from smtui.ui.settings import Settings
from smtui.ui.widgets.detail import DetailPane
from smtui.ui.widgets.job_list import JobList
from smtui.ui.widgets.timeline import Timeline
from tests.conftest import ORIGIN
from tests.screens import detail_text, screen_text

MARKUP = "[bold red]x[/] [link=http://evil.example]click[/link]"
ESCAPES = (
    "\x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 \x1b]0;owned\x07 \x1b[2J\x07\x08\r\x00\x9b"
)
HUGE = "OutOfMemory " * (1024 * 1024 // 12)
T0 = ORIGIN - timedelta(hours=3)


def base(name: str, **fields) -> dict:
    response = {
        "TrainingJobName": name,
        "TrainingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}",
        "TrainingJobStatus": "InProgress",
        "SecondaryStatus": "Training",
        "CreationTime": T0,
        "TrainingStartTime": T0,
        "LastModifiedTime": T0,
        "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
        "ResponseMetadata": {"RequestId": "[bold]req\x1b[31m", "HTTPStatusCode": 200},
    }
    response.update(fields)
    return response


def transitions(count: int) -> list[dict]:
    statuses = ["Starting", "Downloading", "Training", "Interrupted", "Restarting"]
    return [
        {
            "Status": statuses[i % len(statuses)],
            "StartTime": T0 + timedelta(seconds=i),
            "EndTime": T0 + timedelta(seconds=i + 1),
            "StatusMessage": f"step {i}",
        }
        for i in range(count)
    ]


RESPONSES = {
    "markup": base(
        "markup",
        TrainingJobStatus="Failed",
        SecondaryStatus="Failed",
        FailureReason=MARKUP + " " + ESCAPES,
        SecondaryStatusTransitions=[
            {"Status": "Starting", "StartTime": T0, "EndTime": T0 + timedelta(minutes=1), "StatusMessage": MARKUP},
            {"Status": "Training" + ESCAPES, "StartTime": T0 + timedelta(minutes=1), "StatusMessage": ESCAPES},
        ],
        HyperParameters={MARKUP: ESCAPES, "lr[/]": "[bold]0.1"},
        Environment={"\x1b[2J": MARKUP},
        AlgorithmSpecification={
            "TrainingImage": ESCAPES,
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": MARKUP + ESCAPES, "Regex": ESCAPES}],
        },
    ),
    "huge": base("huge", TrainingJobStatus="Failed", SecondaryStatus="Failed", FailureReason=HUGE),
    "many": base(
        "many",
        SecondaryStatusTransitions=transitions(10_000),
        DebugRuleEvaluationStatuses=[
            {"RuleConfigurationName": f"rule-{i}", "RuleEvaluationStatus": "NoIssuesFound"} for i in range(10_000)
        ],
    ),
    "metrics": base(
        "metrics",
        AlgorithmSpecification={
            "TrainingImage": "img",
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": f"m{i}", "Regex": "x"} for i in range(40)],
        },
        FinalMetricDataList=[
            {"MetricName": f"m{i}", "Value": [math.nan, math.inf, -math.inf, 1e308][i % 4], "Timestamp": T0}
            for i in range(40)
        ],
    ),
    "weird": {
        "TrainingJobName": "weird",
        "TrainingJobStatus": "Exploding",
        "SecondaryStatus": "Teleporting",
        "SecondaryStatusTransitions": [{"Status": "Teleporting", "StartTime": T0}, {"Status": None}, "junk"],
        "SomethingNew": {"Deep": [1, {"Deeper": ESCAPES}]},
        "\x1b[2J": MARKUP,
        "CreationTime": "not a time",
        "FinalMetricDataList": [{"MetricName": "loss"}, {"Value": "NaN"}],
    },
}


class HostileSource:
    """DescribeTrainingJob and GetMetricData from the responses above."""

    endpoint_label = "hostile"
    region = None

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None

    async def describe_training_job(self, name: str) -> dict:
        return RESPONSES[name]

    async def pricing_client(self, region: str):
        raise PermissionError("no Price List here")

    async def get_metric_data(self, queries, start, end, period=60):
        values = [math.nan, math.inf, -math.inf, 0.5, -1e300, 1e-300]
        # Each series ends on a different one of the values above.
        return {
            q: [(T0 + timedelta(minutes=i), values[(i + k + 1) % len(values)]) for i in range(30)]
            for k, q in enumerate(queries)
        }


CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


async def select(pilot, name: str) -> None:
    """Select a job and wait until the details (which follow a moment later) show it."""
    pilot.app.watch_screen.select_job(name)
    for _ in range(200):
        await pilot.pause(0.02)
        if pilot.app.watch_screen.query_one(DetailPane)._key[0] == name:
            break
    await pilot.pause()


async def test_hostile_jobs_are_shown_literally_and_safely():
    clock = FrozenClock(ORIGIN)
    app = SmtuiApp(HostileSource(), list(RESPONSES), Settings(interval=3600, metrics_interval=3600), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.watch_screen.loaded.wait()
        await pilot.pause()
        screen = app.watch_screen
        for name in RESPONSES:
            await select(pilot, name)
            assert screen.selected == name
            text = screen_text(app)
            assert not CONTROL.search(text), (name, [line for line in text.split("\n") if CONTROL.search(line)][:6])
        await select(pilot, "markup")
        text = screen_text(app)
        assert "[bold red]x[/]" in text and "\\x1b[31mred" in text

        await select(pilot, "huge")
        body = detail_text(app)
        assert "characters; `smtui describe` prints them all" in body and len(body) < 50_000
        assert "✗ OutOfMemory OutOfMemory" in screen_text(app)

        await select(pilot, "many")
        text = screen_text(app)
        # The details fold the transitions to one line: the timeline draws them.
        assert "… 9,950 earlier stages" in text and "10,000 stages: the timeline shows them" in detail_text(app)
        # Other long lists keep their first and last items.
        assert "9,940 more (`smtui describe` prints them all)" in detail_text(app)
        assert screen.query_one(Timeline).virtual_size.height < 60

        await select(pilot, "metrics")
        text = screen_text(app)
        assert "NaN" in text and "∞" in text

        await select(pilot, "weird")
        body = detail_text(app)
        assert "Something new" in body and "\\x1b[2J" in body and "not a time" in body
        # Keys still move the selection after the heaviest jobs were drawn.
        await select(pilot, "many")
        await pilot.press("j")
        assert screen.selected == "metrics"
        await pilot.press("k", "k")
        assert screen.selected == "huge"
        jobs = screen.query_one(JobList)
        assert "Exploding" in jobs.cell_text("weird", "status")
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("name", list(RESPONSES))
def test_describe_prints_hostile_jobs_safely(name):
    response = RESPONSES[name]
    text = render_text(response, ORIGIN, width=100)
    assert not CONTROL.search(text.replace("\n", ""))
    shown = [leaf for section in describe_sections(response) for leaf in iter_leaves(section.fields)]
    assert shown  # every response has something to show
    if name == "markup":
        assert "[bold red]x[/]" in text and "\\x1b]0;owned\\x07" in text
