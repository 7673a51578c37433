"""``smtui describe`` opens with the summary; ``--json`` stays the raw response."""

from __future__ import annotations

import json

import pytest

from smtui.cli import main
from smtui.clock import SystemClock


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")


def test_describe_prints_the_summary_first(sim, keys, capsys, clock, monkeypatch):
    # The command tells "now" by the wall clock: the simulator's frozen one, so the job is days from its limit.
    monkeypatch.setattr(SystemClock, "now", lambda self: clock.now())
    assert main(["describe", "mistral-7b-sft-distributed", "--endpoint-url", sim.url, "--region", "us-east-1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["At a glance", "───────────"]
    assert lines[2] == "Instances  4 × ml.p4d.24xlarge · 32 × A100 GPUs, 1,280 GiB · 384 vCPUs"
    summary = lines[: lines.index("Overview")]
    assert any(line.startswith("Runtime ") and "left" in line for line in summary)
    assert any(line.startswith("Cost ") for line in summary)
    # The grouped fields follow, as before.
    assert "Training job name    mistral-7b-sft-distributed" in lines


def test_describe_json_is_the_raw_response(sim, keys, capsys):
    assert (
        main(["describe", "bert-base-finetune-imdb", "--json", "--endpoint-url", sim.url, "--region", "us-east-1"]) == 0
    )
    out = capsys.readouterr().out
    body = json.loads(out)
    assert "At a glance" not in out and body["TrainingJobName"] == "bert-base-finetune-imdb"
    assert body["ResourceConfig"]["InstanceType"] == "ml.g5.2xlarge" and "ResponseMetadata" not in body


def test_describe_shows_the_hosts_and_their_warning(keys, capsys):
    """whisper, 1,200 script seconds in at speed 10 on the real clock: training, its GPU starved by its CPUs."""
    from datetime import datetime, timedelta, timezone

    from smtui.clock import SystemClock
    from smtui.sim import Simulator, start_in_thread

    from .conftest import fixture_realism

    origin = datetime.now(timezone.utc) - timedelta(seconds=120)
    realism = fixture_realism().without(["metric-lag"])  # the warning from the newest points
    simulator = Simulator(SystemClock(), origin=origin, speed=10, tuning=[], realism=realism)
    with start_in_thread(simulator) as running:
        assert (
            main(["describe", "whisper-small-finetune-cv", "--endpoint-url", running.url, "--region", "us-east-1"]) == 0
        )
    lines = capsys.readouterr().out.splitlines()
    hosts = lines.index("Hosts")
    assert lines[hosts + 2] == "1 host, per GPU and per core"
    assert lines[hosts + 3].startswith("⚠ GPUs at ") and lines[hosts + 3].endswith(
        "the input pipeline (data loading) is holding them back"
    )
    assert lines[hosts + 5].startswith("algo-1  ")
    assert any(line.startswith("Cost       ≈ $") and "$1.222/h on-demand in us-east-1" in line for line in lines)
    assert lines.index("Overview") > hosts


@pytest.mark.gentle("metric-lag")  # every point as it is logged
async def test_glance_inputs_bring_the_price_the_series_and_the_hosts(sim, clock):
    from datetime import timedelta

    from smtui.aws.glance import glance_inputs
    from smtui.aws.source import AwsJobSource, AwsOptions

    from .conftest import CREDENTIALS, ORIGIN

    clock.set(ORIGIN + timedelta(seconds=1200))
    options = AwsOptions(region="us-east-1", endpoint_url=sim.url, static_credentials=CREDENTIALS)
    async with AwsJobSource(options) as source:
        response = await source.describe_training_job("mistral-7b-sft-distributed")
        inputs = await glance_inputs(source, response, clock.now())
    assert inputs.price.usd_per_hour == 37.688
    assert set(inputs.series) == {"train:loss", "validation:loss", "train:tokens_per_second"}
    assert sorted(inputs.hosts) == ["algo-1", "algo-2", "algo-3", "algo-4"]
    assert set(inputs.hosts["algo-3"]) == {
        "GPUUtilization",
        "GPUMemoryUtilization",
        "CPUUtilization",
        "MemoryUtilization",
        "DiskUtilization",
    }
    # The last hour only: at most 60 points a series, a minute apart.
    assert 50 <= len(inputs.hosts["algo-1"]["GPUUtilization"]) <= 61
