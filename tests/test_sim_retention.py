"""CloudWatch's retention tiers in the simulator: the older a query's start, the coarser the Period it needs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smtui.clock import FrozenClock
from smtui.sim import Realism, Simulator
from smtui.sim.metrics import NAMESPACE, resolution, retained
from smtui.sim.scenarios import default_scenarios
from tests.conftest import ORIGIN

OLD = "t5-base-summarize-xsum"


def test_tiers_by_age():
    assert [resolution(ORIGIN - timedelta(days=days), ORIGIN) for days in (0, 14.9, 15.1, 62.9, 63.1, 454, 456)] == [
        60,
        60,
        300,
        300,
        3600,
        3600,
        None,
    ]
    assert retained(120, ORIGIN - timedelta(days=1), ORIGIN) and not retained(120, ORIGIN - timedelta(days=20), ORIGIN)
    assert retained(900, ORIGIN - timedelta(days=20), ORIGIN) and not retained(900, ORIGIN - timedelta(days=70), ORIGIN)


@pytest.mark.parametrize("speed", [1, 10])
def test_a_scripted_job_is_weeks_old_at_any_speed_and_keeps_only_coarse_points(speed):
    [old] = [s for s in default_scenarios() if s.name == OLD]
    assert old.ago >= 15 * 86400
    rough = Simulator(FrozenClock(ORIGIN), origin=ORIGIN, speed=speed)
    gentle = Simulator(FrozenClock(ORIGIN), origin=ORIGIN, speed=speed, realism=Realism.gentle())
    created = rough.describe_training_job({"TrainingJobName": OLD})["CreationTime"]
    assert created == ORIGIN - timedelta(days=21)

    def values(simulator, period):
        query = {
            "Id": "q",
            "MetricStat": {
                "Metric": {
                    "Namespace": NAMESPACE,
                    "MetricName": "train:loss",
                    "Dimensions": [{"Name": "TrainingJobName", "Value": OLD}],
                },
                "Period": period,
                "Stat": "Average",
            },
        }
        answer = simulator.get_metric_data(
            {"MetricDataQueries": [query], "StartTime": created, "EndTime": created + timedelta(hours=2)}
        )
        return answer["MetricDataResults"][0]["Values"]

    assert values(rough, 60) == [] and values(gentle, 60)
    assert values(rough, 300) == values(gentle, 300) != []
