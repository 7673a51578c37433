"""``smtui describe`` opens with the summary; ``--json`` stays the raw response."""

from __future__ import annotations

import json

import pytest

from smtui.cli import main


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")


def test_describe_prints_the_summary_first(sim, keys, capsys):
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
    assert main(["describe", "bert-base-finetune-imdb", "--json", "--endpoint-url", sim.url,
                 "--region", "us-east-1"]) == 0
    out = capsys.readouterr().out
    body = json.loads(out)
    assert "At a glance" not in out and body["TrainingJobName"] == "bert-base-finetune-imdb"
    assert body["ResourceConfig"]["InstanceType"] == "ml.g5.2xlarge" and "ResponseMetadata" not in body
