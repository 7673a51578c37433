"""Every scripted job at a glance, through the real calls against the simulator, against values worked out by hand.

At the origin (speed 1), with the simulator's us-east-1 prices. A running job's billable time is the time
since its TrainingStartTime (the first Downloading); MaxRuntime counts Downloading, Training and Uploading.
"""

from __future__ import annotations

import pytest

from smtui.aws.pricing import PriceBook, PriceCache
from smtui.aws.source import AwsJobSource, AwsOptions
from smtui.present.summary import summarize
from smtui.present.summary_text import summary_rows

from .conftest import CREDENTIALS

EXPECTED = {
    # 270 s since training started (Starting 150 s of the 420 s since creation); 270 × $1.515/h = $0.1136.
    "bert-base-finetune-imdb": (
        "on-demand",
        "≈ $0.11 so far ($1.515/h on-demand in us-east-1)",
        "0% of 1d · 23h 55m left",
        None,
    ),
    # Downloading for 120 s: 120 × $7.09/h = $0.2363; 86,400 − 120 s left.
    "llama3-8b-lora-oom": (
        "on-demand",
        "≈ $0.24 so far ($7.09/h on-demand in us-east-1)",
        "0% of 1d · 23h 58m left",
        None,
    ),
    # Spot, 780 s since training started: at most 780 × $3.825/h = $0.8288; 36,000 − 780 s of runtime and
    # 72,000 − 900 s of waiting left.
    "resnet50-spot-imagenet": (
        "managed spot · savings known when it ends",
        "at most $0.83 so far ($3.825/h on-demand in us-east-1; spot savings are known when it ends)",
        "2% of 10h · 9h 47m left",
        "1% of 20h · 19h 45m left",
    ),
    # 150 s × $0.23/h = $0.0096.
    "xgboost-churn-stopped": (
        "on-demand",
        "≈ $0.0096 so far ($0.23/h on-demand in us-east-1)",
        "0% of 1d · 23h 57m left",
        None,
    ),
    # 480 s of a 1,800 s MaxRuntime: 27 %, 22 minutes left; 480 × $2.03/h = $0.2707.
    "gpt2-pretrain-maxruntime": (
        "on-demand",
        "≈ $0.27 so far ($2.03/h on-demand in us-east-1)",
        "27% of 30m · 22m left",
        None,
    ),
    # 4 instances × 1,860 s × $37.688/h = $77.89; 432,000 − 1,860 s = 4 d 23 h left.
    "mistral-7b-sft-distributed": (
        "on-demand",
        "≈ $77.89 so far ($37.688/h on-demand in us-east-1)",
        "0% of 5d · 4d 23h left",
        None,
    ),
    # Spot, ended: 1 − 672 ÷ 2,420 = 72.2 % saved; 2 × 672 s × $47.11/h = $17.59; ran 2,240 s, waited 2,630 s.
    "llama-finetune-full-config": (
        "managed spot · 72.2% saved (1 − billable ÷ training time)",
        "$17.59 ($47.11/h on-demand in us-east-1)",
        "3% of 1d · used 37m 20s",
        "2% of 2d · used 43m 50s",
    ),
    # Waiting for capacity: nothing billed.
    "whisper-small-finetune-cv": ("on-demand", "nothing yet: billing starts with training", "0% of 1d · 1d left", None),
    # 128 instances × 258,300 s = 9,184 instance-hours × $24.725/h = $227,074.40; ran 257,100 s of 28 days.
    "llama2-70b-pretrain-trn1": (
        "on-demand",
        "≈ $227,074.40 so far ($24.725/h on-demand in us-east-1)",
        "11% of 28d · 25d left",
        None,
    ),
    # Ended: 2,100 s × $2.03/h = $1.18.
    "t5-base-summarize-xsum": ("on-demand", "$1.18 ($2.03/h on-demand in us-east-1)", "2% of 1d · used 35m", None),
}


@pytest.mark.parametrize("job", sorted(EXPECTED))
async def test_cost_savings_and_time_left_of_every_scripted_job(sim, clock, tmp_path, job):
    options = AwsOptions(region="us-east-1", endpoint_url=sim.url, static_credentials=CREDENTIALS)
    async with AwsJobSource(options) as source:
        response = await source.describe_training_job(job)
        prices = PriceBook(source.pricing_client, PriceCache(tmp_path / "prices.json", clock), clock)
        price = await prices.price(response["ResourceConfig"]["InstanceType"], "us-east-1")
    rows = {row.label: row.value for row in summary_rows(summarize(response, clock.now(), price))}
    capacity, cost, runtime, wait = EXPECTED[job]
    assert (rows["Capacity"], rows["Cost"], rows["Runtime"], rows.get("Wait")) == (capacity, cost, runtime, wait)


async def test_no_permission_for_prices_is_said(sim, clock, tmp_path):
    options = AwsOptions(region="us-east-1", endpoint_url=sim.url, static_credentials=("noprice-key", "x"))
    async with AwsJobSource(options) as source:
        response = await source.describe_training_job("t5-base-summarize-xsum")
        price = await PriceBook(source.pricing_client, PriceCache(tmp_path / "p.json", clock), clock).price(
            "ml.g5.4xlarge", "us-east-1"
        )
    rows = {row.label: row.value for row in summary_rows(summarize(response, clock.now(), price))}
    assert rows["Cost"] == "0.58 instance-hours; no cost in dollars: no permission for pricing:GetProducts"
