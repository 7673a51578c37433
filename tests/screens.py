"""Deterministic apps for snapshot tests and the README pictures.

The simulator and the app share one frozen clock set a fixed number of
simulated seconds after the simulator's origin, so every run draws the same
screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from smtui.aws.discovery import JobFinder, JobQuery
from smtui.aws.source import AwsJobSource, AwsOptions
from smtui.clock import FrozenClock
from smtui.sim import Simulator, start_in_thread
from smtui.ui.app import SmtuiApp
from tests.conftest import CREDENTIALS, ORIGIN, fixture_realism

#: One terminal size for most snapshots, plus the small case.
SIZE = (120, 40)
SMALL = (80, 24)
TINY = (40, 12)


@contextmanager
def simulated_app(after_seconds: float, names: list[str] | None = None, *,
                  credentials: tuple[str, str] | None = CREDENTIALS, profile: str | None = None,
                  query: JobQuery | None = None, scenarios=None, **app_options) -> Iterator[SmtuiApp]:
    """An app watching the simulator's jobs, both frozen ``after_seconds`` after the origin.

    With a ``query``, the jobs come from listing them (``smtui watch --status ...``) instead of
    from ``names``. ``app_options`` go to :class:`SmtuiApp` (``read_only=True``, ...)."""
    clock = FrozenClock(ORIGIN + timedelta(seconds=after_seconds))
    simulator = Simulator(clock, speed=1.0, origin=ORIGIN, scenarios=scenarios, realism=fixture_realism())
    with start_in_thread(simulator) as running:
        source = AwsJobSource(AwsOptions(region="us-east-1", endpoint_url=running.url, static_credentials=credentials,
                                         profile=profile, max_attempts=2))
        # A long interval: the first round of polls is all a snapshot needs.
        finder = JobFinder(source, query, clock=clock) if query is not None else None
        if names is None:
            names = [] if query is not None else simulator.job_names()
        app = SmtuiApp(source, names, clock=clock, **{"interval": 3600, "metrics_interval": 3600, **app_options},
                       subtitle="simulator", finder=finder)
        app.simulator = simulator
        yield app


def detail_text(app: SmtuiApp, width: int = 100) -> str:
    """All of the details pane's body as plain text, not just the part scrolled into view."""
    from smtui.ui.widgets.detail import DetailPane

    return app.screen.query_one(DetailPane).plain_text(width)


async def until_loaded(pilot, timeout: float = 60) -> None:
    """Wait until every job has had its first answer and metrics arrived, then let the screen settle."""
    await asyncio.wait_for(pilot.app.poller.loaded.wait(), timeout)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    from smtui.ui.widgets.job_list import JobList

    # The screen handles the poller's last messages in its own time, and a cell that grew widens its
    # column only when the table is next idle: on a busy machine, both can come after the pauses above.
    for _ in range(250):
        if all(_list_settled(pilot.app, jobs) for jobs in pilot.app.screen.query(JobList)):
            break
        await pilot.pause(0.02)
    await pilot.pause()


def _list_settled(app: SmtuiApp, jobs) -> bool:
    """Whether the list shows the newest metric point of every job and its columns fit what they show."""
    if jobs._require_update_dimensions:
        return False
    for name, snapshot in app.poller.snapshots.items():
        metric = jobs._shown_metric(snapshot) if name in jobs.rows else None
        points = app.poller.metrics.points(name, metric) if metric else ()
        if points and jobs._latest.get(name) != (metric, points[-1].value):
            return False
    return True

#: Simulated seconds after the origin at which the pictures are taken.
RUNNING = 600  # most jobs training, one downloading, one in the middle of a spot restart cycle
LATER = 1500  # completed, failed, stopped, max-runtime and restarted-spot jobs side by side

#: The README pictures: name → (moment, size, keys pressed, options of :func:`simulated_app`).
SHOTS = {
    "watch": (RUNNING, SIZE, (), {}),
    "failed": (LATER, SIZE, ("j",), {}),
    "spot": (LATER, SIZE, ("j", "j"), {}),
    "small": (RUNNING, SMALL, (), {}),
    "logs": (RUNNING, SIZE, ("j",) * 5 + ("l",), {}),
    "tuning": (LATER, SIZE, ("o",) * 4 + ("g", "j"), {"query": JobQuery(tuning_job="xgboost-churn-hpo")}),
}


async def until_logs_read(pilot) -> None:
    """On the logs screen, wait until every stream has been read once (or the read failed)."""
    from smtui.ui.log_screen import LogScreen

    screen = pilot.app.screen
    if not isinstance(screen, LogScreen):
        return
    for _ in range(600):
        tail = screen.tail
        if tail.error is not None or (tail.listed and all(s.caught_up for s in tail.streams.values())):
            break
        await pilot.pause(0.05)
    await pilot.pause(0.1)
