"""Snapshots of the screen: the simulator and the app on one frozen clock, at a fixed size."""

from __future__ import annotations

from tests.screens import LATER, RUNNING, SIZE, SMALL, TINY, simulated_app, until_hosts_shown, until_loaded


def snap(snap_compare, moment: float, size=SIZE, keys: tuple[str, ...] = (), **app_options) -> bool:
    with simulated_app(moment, **app_options) as app:

        async def run_before(pilot) -> None:
            await until_loaded(pilot)
            for key in keys:
                await pilot.press(key)
            await pilot.pause(0.1)  # the details follow a change of selection a moment later
            await until_hosts_shown(pilot)

        return snap_compare(app, terminal_size=size, run_before=run_before)


def test_running_jobs(snap_compare):
    assert snap(snap_compare, RUNNING)


def test_completed_job(snap_compare):
    assert snap(snap_compare, LATER)


def test_failed_job(snap_compare):
    assert snap(snap_compare, LATER, keys=("j",))


def test_spot_interrupted_and_restarted_job(snap_compare):
    assert snap(snap_compare, LATER, keys=("j", "j"))


def test_small_terminal(snap_compare):
    assert snap(snap_compare, RUNNING, size=SMALL)


def test_after_keyboard_navigation(snap_compare):
    # Last job, one up, then Tab twice to the details pane and scroll it.
    assert snap(snap_compare, LATER, keys=("end", "k", "tab", "tab", "j", "j", "j"))


def test_help_screen(snap_compare):
    assert snap(snap_compare, RUNNING, keys=("question_mark",))


def test_tiny_terminal(snap_compare):
    assert snap(snap_compare, RUNNING, size=TINY)


def test_expired_credentials_banner(snap_compare):
    assert snap(snap_compare, RUNNING, size=SMALL, credentials=("expired-session-key", "x"))
