"""Several regions and accounts in one list, each with its own request budget; the poll interval following it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smtui.aws.budget import Budgets
from smtui.aws.cadence import FAST_INTERVAL, POLL_SHARE, poll_interval
from smtui.aws.discovery import JobFinder, JobQuery
from smtui.aws.places import PlacedSource, job_id, place_kind, places, split_id
from smtui.aws.source import AwsJobSource, AwsOptions
from smtui.cli import main
from smtui.clock import FrozenClock
from smtui.sim import regional, start_in_thread
from smtui.sim.scenarios import default_scenarios
from smtui.ui.app import SmtuiApp
from smtui.ui.job_cells import KEYS
from smtui.ui.settings import Settings
from smtui.ui.widgets.job_list import JobList
from tests.conftest import CREDENTIALS, ORIGIN
from tests.screens import SIZE, until_loaded

REGIONS = ["us-east-1", "us-west-2"]


def test_a_few_running_jobs_are_polled_every_five_seconds_and_more_stretch_evenly():
    assert poll_interval(1, ceiling=30, rate=5) == FAST_INTERVAL
    assert poll_interval(20, ceiling=30, rate=5) == FAST_INTERVAL  # 4 a second: the polls' share of 5
    assert poll_interval(100, ceiling=30, rate=5) == pytest.approx(100 / (5 * POLL_SHARE))
    assert poll_interval(400, ceiling=30, rate=5) == pytest.approx(4 * poll_interval(100, ceiling=30, rate=5))
    # --interval is a ceiling the budget alone can exceed; below 5 s it is the interval.
    assert poll_interval(1, ceiling=3, rate=5) == 3
    assert poll_interval(1000, ceiling=3, rate=5) == pytest.approx(1000 / (5 * POLL_SHARE))
    assert poll_interval(5, ceiling=30, rate=None) == FAST_INTERVAL
    assert poll_interval(5, ceiling=30, rate=5, fast=None) == 30


def test_each_place_has_its_own_budget():
    budgets = Budgets(5)
    assert budgets.of("us-east-1") is budgets.of("us-east-1")
    assert budgets.of("us-east-1") is not budgets.of("us-west-2")
    assert Budgets(None).of("us-east-1") is None


def test_places_are_labelled_by_what_tells_them_apart():
    base = AwsOptions(region="us-east-1")
    assert [p.label for p in places(base, ["us-east-1"], [None])] == [""]
    assert [p.label for p in places(base, REGIONS, [None])] == REGIONS
    assert [p.label for p in places(base, [None], ["dev", "prod"])] == ["dev", "prod"]
    both = places(base, REGIONS, ["dev", "prod"])
    assert [p.label for p in both] == ["dev us-east-1", "dev us-west-2", "prod us-east-1", "prod us-west-2"]
    assert (both[3].options.profile, both[3].options.region) == ("prod", "us-west-2")
    assert [
        place_kind(REGIONS, [None]),
        place_kind([None], ["a", "b"]),
        place_kind(REGIONS, ["a", "b"]),
        place_kind([None], [None]),
    ] == ["Region", "Account", "Where", None]
    assert split_id(job_id("us-west-2", "job-a")) == ("us-west-2", "job-a") and split_id("job-a") == ("", "job-a")


def test_bad_regions_and_profiles_get_one_line(capsys):
    for argv, said in (
        (["watch", "--region", "us-east-1,moon-1"], "'moon-1' is not an AWS region"),
        (["watch", "--profile", ","], "--profile is empty"),
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err and err.count("\n") == 1


async def test_two_regions_are_listed_in_one_list_with_a_region_column():
    clock = FrozenClock(ORIGIN + timedelta(minutes=5))
    regions = regional(REGIONS, clock=clock, scenarios=default_scenarios())
    with start_in_thread(regions) as running:
        sources = {
            region: AwsJobSource(
                AwsOptions(region=region, endpoint_url=running.url, static_credentials=CREDENTIALS, max_attempts=2)
            )
            for region in REGIONS
        }
        source = PlacedSource(sources)
        finders = [JobFinder(sources[region], JobQuery(since=86400.0), clock=clock, place=region) for region in REGIONS]
        settings = Settings(
            interval=3600, metrics_interval=3600, fast_interval=None, subtitle="simulator", place_column="Region"
        )
        app = SmtuiApp(source, [], settings, clock=clock, finder=finders)
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot, timeout=60)
            by_region = {
                region: {split_id(job)[1] for job in app.poller.store.names if split_id(job)[0] == region}
                for region in REGIONS
            }
            assert by_region["us-east-1"] and by_region["us-west-2"]
            assert set().union(*by_region.values()) <= set(regions.in_region("us-east-1").job_names())
            rows = app.watch_screen.query_one(JobList).rows
            place = KEYS.index("place")
            assert rows.labels()[place] == "Region"
            assert {"".join(text for text, _ in rows.cells(i)[place]) for i in range(len(rows))} == set(REGIONS)
            # Each region's jobs come from its own simulator: the same name, at another stage.
            first = sorted(by_region["us-east-1"] & by_region["us-west-2"])[0]
            east, west = (app.poller.store.get(job_id(region, first)).snapshot for region in REGIONS)
            assert east.response["TrainingJobArn"].split(":")[3] == "us-east-1"
            assert west.response["TrainingJobArn"].split(":")[3] == "us-west-2"
            assert app.poller.budgets.of("us-east-1") is not app.poller.budgets.of("us-west-2")
