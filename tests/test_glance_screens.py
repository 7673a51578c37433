"""Snapshots of the selected job at a glance (the summary atop the details) and of its instances (under its
metrics), at 120x40 and 80x24; and what the screen says of the stories the simulator tells."""

from __future__ import annotations

import asyncio

from smtui.present.utilisation import HOST_METRICS
from smtui.ui.widgets.glance import GlancePanel, HostPanel
from tests.screens import SIZE, SMALL, simulated_app, until_loaded

#: Script seconds after the origin: every default job but whisper is running or has ended, whisper trains.
TRAINING = 1200
#: Two minutes before the OOM job fails: its GPU memory is nearly full.
BEFORE_OOM = 780


async def show_job(pilot, name: str, timeout: float = 30) -> None:
    """Select ``name`` and wait until its instances' every metric is on the screen."""
    app = pilot.app
    await until_loaded(pilot)
    app.watch_screen.select_job(name)
    for _ in range(int(timeout / 0.05)):
        await pilot.pause(0.05)
        state = app.jobs.get(name)
        panel = app.watch_screen.query_one(HostPanel)
        if (
            state is not None
            and state.hosts
            and panel.utilisation is not None
            and all(
                len(metrics) == len(set(HOST_METRICS) & set(state.hosts["algo-1"])) for metrics in state.hosts.values()
            )
            and len(state.hosts["algo-1"]) >= 3
        ):
            break
    await pilot.pause(0.2)
    await pilot.wait_for_scheduled_animations()


def snap(snap_compare, moment: float, name: str, size=SIZE, keys: tuple[str, ...] = ()) -> bool:
    with simulated_app(moment) as app:

        async def run_before(pilot) -> None:
            await show_job(pilot, name)
            for key in keys:
                await pilot.press(key)
            await pilot.pause(0.2)

        return snap_compare(app, terminal_size=size, run_before=run_before)


def test_summary_and_hosts_of_a_distributed_job(snap_compare):
    # Four p4d instances: the summary atop the details, a line per host under the metrics.
    assert snap(snap_compare, TRAINING, "mistral-7b-sft-distributed")


def test_summary_at_80x24(snap_compare):
    assert snap(snap_compare, TRAINING, "mistral-7b-sft-distributed", size=SMALL)


def test_hosts_at_80x24(snap_compare):
    # Tab to the timeline pane, then to its end: the hosts under the metrics.
    assert snap(snap_compare, TRAINING, "mistral-7b-sft-distributed", size=SMALL, keys=("tab", "end"))


def test_spread_of_128_hosts_and_the_straggler(snap_compare):
    assert snap(snap_compare, TRAINING, "llama2-70b-pretrain-trn1", keys=("tab", "end"))


def test_spread_at_80x24(snap_compare):
    assert snap(snap_compare, TRAINING, "llama2-70b-pretrain-trn1", size=SMALL, keys=("tab", "end"))


def test_gpu_memory_filling_before_the_oom(snap_compare):
    assert snap(snap_compare, BEFORE_OOM, "llama3-8b-lora-oom", keys=("tab", "end"))


async def test_the_stories_the_screen_tells():
    """The input-bound job warns, the OOM job's GPU memory fills, the summary carries the cost."""
    with simulated_app(TRAINING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await show_job(pilot, "whisper-small-finetune-cv")
            hosts = " ".join(app.watch_screen.query_one(HostPanel).render().plain.split())  # as one line
            assert "⚠ GPUs at " in hosts and "the input pipeline (data loading) is holding them back" in hosts
            glance = " ".join(app.watch_screen.query_one(GlancePanel).render().plain.split())
            assert "Cost ≈ $" in glance and "$1.222/h on-demand in us-east-1" in glance
            # The list's utilisation column says it too, in the warning colour, for a job not selected.
            util = app.jobs.get("whisper-small-finetune-cv").list_utilisation()
            assert util is not None and util[0] == "GPUUtilization" and 20 < util[1] < 40 and util[2]
            assert "$" in app.watch_screen.query_one("#title-bar").render().plain
    with simulated_app(BEFORE_OOM) as app:
        async with app.run_test(size=SIZE) as pilot:
            await show_job(pilot, "llama3-8b-lora-oom")
            hosts = " ".join(app.watch_screen.query_one(HostPanel).render().plain.split())
            assert "⚠ GPU memory at 9" in hosts and "% on algo-1" in hosts  # over 95 %, not yet 100
            memory = [p.value / 4 for p in app.jobs.get("llama3-8b-lora-oom").hosts["algo-1"]["GPUMemoryUtilization"]]
            training = [v for v in memory if v > 10]
            assert training == sorted(training) and training[-1] > 95  # climbing, nearly full


async def test_selecting_a_job_fetches_its_hosts_once_the_selection_rests(monkeypatch):
    # A rest longer than a busy machine may take between two key presses, so only the last selection rests.
    monkeypatch.setattr("smtui.ui.app.HOSTS_DELAY", 3.0)
    with simulated_app(TRAINING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            calls = app.poller.calls
            for _ in range(5):  # moving through the list: no call
                await pilot.press("j")
                await pilot.pause(0.1)
            assert app.poller.calls == calls
            for _ in range(150):  # the selection rests: one round, for its every host metric
                await asyncio.sleep(0.1)
                if app.poller.calls > calls:
                    break
            await asyncio.sleep(0.5)
            # Two calls: the selected job's hour of host metrics on its own, so that the other jobs' few new
            # minutes are not asked again over the hour with it.
            assert app.poller.calls == calls + 2
