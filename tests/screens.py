"""Deterministic apps for snapshot tests and the README pictures.

The simulator and the app share one frozen clock set a fixed number of
simulated seconds after the simulator's origin, so every run draws the same
screen.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from smtui.aws.discovery import JobFinder, JobQuery
from smtui.aws.source import AwsJobSource, AwsOptions
from smtui.clock import FrozenClock
from smtui.sim import Simulator, start_in_thread
from smtui.ui.app import SmtuiApp
from smtui.ui.settings import Settings
from tests.conftest import CREDENTIALS, ORIGIN, fixture_realism

#: One terminal size for most snapshots, plus the small case.
SIZE = (120, 40)
SMALL = (80, 24)
TINY = (40, 12)


@contextmanager
def simulated_app(
    after_seconds: float,
    names: list[str] | None = None,
    *,
    credentials: tuple[str, str] | None = CREDENTIALS,
    profile: str | None = None,
    query: JobQuery | None = None,
    scenarios=None,
    **app_options,
) -> Iterator[SmtuiApp]:
    """An app watching the simulator's jobs, both frozen ``after_seconds`` after the origin.

    With a ``query``, the jobs come from listing them (``smtui watch --status ...``) instead of
    from ``names``. ``app_options`` are :class:`Settings` (``read_only=True``, ...).

    The simulator has every rough edge but the metric lag: on a frozen clock, the newest minute or two of
    points would never come, and the pictures are of what the screen draws, not of how late CloudWatch is
    (the app tests on a moving clock meet the lag)."""
    clock = FrozenClock(ORIGIN + timedelta(seconds=after_seconds))
    simulator = Simulator(
        clock, speed=1.0, origin=ORIGIN, scenarios=scenarios, realism=fixture_realism().without(["metric-lag"])
    )
    with start_in_thread(simulator) as running:
        source = AwsJobSource(
            AwsOptions(
                region="us-east-1",
                endpoint_url=running.url,
                static_credentials=credentials,
                profile=profile,
                max_attempts=2,
            )
        )
        # A long interval: the first round of polls is all a snapshot needs.
        finder = JobFinder(source, query, clock=clock) if query is not None else None
        if names is None:
            names = [] if query is not None else simulator.job_names()
        # Polls every hour, not every few seconds: nothing moves on a frozen clock anyway.
        settings = Settings(
            **{
                "interval": 3600,
                "metrics_interval": 3600,
                "subtitle": "simulator",
                "fast_interval": None,
                # The simulator's DescribeTrainingJob quota: the first round arrives at once, as a test needs, and
                # never throttled. A test of the budget itself passes its own.
                "max_rps": 20,
                # A still cursor in a focused text box: the picture is the same whenever it is taken.
                "cursor_blink": False,
                **app_options,
            }
        )
        app = SmtuiApp(source, names, settings, clock=clock, finder=finder)
        app.simulator = simulator
        yield app


def record_notifications(app: SmtuiApp) -> list[str]:
    """A list that gets the message of every notification the app shows from now on."""
    shown: list[str] = []
    notify = app.notify

    def recording(message: str, **options) -> None:
        shown.append(str(message))
        notify(message, **options)

    app.notify = recording
    return shown


def detail_text(app: SmtuiApp, width: int = 100) -> str:
    """All of the details pane's body as plain text, not just the part scrolled into view."""
    from smtui.ui.widgets.detail import DetailPane

    return app.screen.query_one(DetailPane).plain_text(width)


async def until_loaded(pilot, timeout: float = 60) -> None:
    """Wait until the main screen shows every job's first answer, the first metrics and the host figures of the
    rows in view (:meth:`SmtuiApp.settled`), then for its animations."""
    await asyncio.wait_for(pilot.app.watch_screen.loaded.wait(), timeout)
    await asyncio.wait_for(pilot.app.settled(), timeout)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def until_hosts_shown(pilot, timeout: float = 10) -> None:
    """Once a new selection has rested, its hosts' every metric is fetched out of turn: wait until they are on
    the screen (or for ``timeout``, for a job whose instances report nothing), so a snapshot never catches the
    panel half-way. A job no instance ran yet has nothing to wait for."""
    from smtui.ui.widgets.glance import HostPanel

    app = pilot.app
    for _ in range(int(timeout / 0.05)):
        name = app.poller.selected
        state = app.jobs.get(name) if name is not None else None
        if state is None or state.snapshot is None or not state.snapshot.response.get("TrainingStartTime"):
            break
        shown = app.watch_screen.query_one(HostPanel).utilisation
        if shown is not None and state.hosts and all(len(metrics) >= 3 for metrics in state.hosts.values()):
            break
        await pilot.pause(0.05)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


#: Width of one terminal cell in the app's SVG screenshots (Rich's export: 20 px characters, aspect ratio 0.61).
SVG_CELL = 20 * 0.61
_SVG_TEXT = re.compile(r'<text [^>]*x="([\d.]+)"[^>]*clip-path="url\(#[\w-]+-line-(\d+)\)"[^>]*>([^<]*)</text>')


def screen_text(app) -> str:
    """Every character of the screen as drawn, line by line, read from the app's own (SVG) screenshot."""
    from rich.cells import cell_len

    runs: dict[int, list[tuple[int, str]]] = {}
    for x, line, content in _SVG_TEXT.findall(app.export_screenshot()):
        text = html.unescape(content).replace("\xa0", " ").rstrip("\n")
        runs.setdefault(int(line), []).append((round(float(x) / SVG_CELL), text))
    lines = []
    for number in range(max(runs, default=-1) + 1):
        text, column = "", 0
        for start, part in sorted(runs.get(number, [])):
            text += " " * (start - column) + part
            column = start + cell_len(part)
        lines.append(text)
    return "\n".join(lines)


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
    """On the logs screen, wait until the first round of reads is over (or failed)."""
    from smtui.ui.log_screen import LogScreen

    screen = pilot.app.screen
    if not isinstance(screen, LogScreen):
        return
    for _ in range(600):
        tail = screen.tail
        if tail.rounds or tail.done:
            break
        await pilot.pause(0.05)
    await pilot.pause(0.1)


async def settled(app: SmtuiApp, timeout: float = 2, rounds: int = 2, pause: float = 0.05) -> None:
    """Until the keys posted to ``app`` have all been handled: each queue on their way (the app's, the screen's,
    the focused widget's) has reached a marker posted after them, ``rounds`` times over (a key can lead to more
    work). Leaving a test earlier would shut the app down with keys still queued for screens it is taking apart."""
    for _ in range(rounds):
        for pump in (app, app.screen, app.screen.focused):
            # A widget on its way out never handles the marker: only what is still attached is waited for.
            if pump is None or app.return_code is not None or (pump is not app and not pump.is_attached):
                continue
            reached = asyncio.Event()
            pump.call_later(reached.set)
            try:
                await asyncio.wait_for(reached.wait(), timeout)
            except asyncio.TimeoutError:
                pass
        await asyncio.sleep(pause)
