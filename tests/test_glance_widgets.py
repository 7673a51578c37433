"""The summary and per-host widgets draw what the layout functions say, in the theme's colours."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from smtui.present.cost import Price
from smtui.present.instance_types import instance_spec
from smtui.present.summary import summarize
from smtui.present.utilisation import CPU, GPU, GPU_MEMORY, utilisation
from smtui.ui.widgets.glance import GlancePanel, HostPanel

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
JOB = {
    "TrainingJobName": "oom",
    "TrainingJobStatus": "InProgress",
    "SecondaryStatus": "Training",
    "ResourceConfig": {"InstanceType": "ml.g5.12xlarge", "InstanceCount": 2},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    "CreationTime": T0,
    "TrainingStartTime": T0,
    "SecondaryStatusTransitions": [{"Status": "Training", "StartTime": T0, "StatusMessage": ""}],
    "AlgorithmSpecification": {
        "MetricDefinitions": [{"Name": "validation:a_metric_name_much_longer_than_the_label_column", "Regex": "x"}]
    },
}


def points(*values: float) -> list[tuple[datetime, float]]:
    return [(T0 + timedelta(minutes=i), v) for i, v in enumerate(values)]


class Panels(App):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield GlancePanel()
            yield HostPanel()


async def test_the_panels_draw_their_lines():
    app = Panels()
    async with app.run_test(size=(80, 24)) as pilot:
        glance, hosts = app.query_one(GlancePanel), app.query_one(HostPanel)
        assert glance.render().plain == "Waiting for the job's first answer"
        assert hosts.render().plain == "No instance metrics yet"
        series = {"validation:a_metric_name_much_longer_than_the_label_column": [(T0, 0.5)]}
        glance.summary = summarize(JOB, T0 + timedelta(minutes=30), Price("ml.g5.12xlarge", "us-east-1", 7.09), series)
        hosts.utilisation = utilisation(
            {
                f"algo-{h}": {GPU: points(360, 40 * h), GPU_MEMORY: points(300, 390), CPU: points(960, 960)}
                for h in (1, 2)
            },
            instance_spec("ml.g5.12xlarge"),
            [("Training", T0, None)],
        )
        await pilot.pause()
        lines = glance.render().plain.splitlines()
        assert lines[0] == "Instances  2 × ml.g5.12xlarge · 8 × A10G GPUs, 179 GiB · 96 vCPUs"
        assert "  validation:a_metric_name_much_longer_than_the_label_column" in lines  # whole, value below
        assert glance.size.height == len(lines)
        drawn = hosts.render()
        assert drawn.plain.splitlines()[1] == "⚠ GPU memory at 98% on algo-1"
        # The warning is drawn in the theme's warning colour.
        warning = app.query_one(HostPanel).get_component_rich_style("hostpanel--warning")
        assert any(span.style == warning for span in drawn.spans)
