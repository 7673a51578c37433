"""Seeded random keys into the app, as an impatient person presses them, against a simulator with its faults on.

:func:`run_case` starts the app (see :func:`faulty_app`), brings it to one
screen and lets a :class:`Monkey` press keys there, going back to the screen
after a few keys elsewhere; whatever ends the app becomes an assertion that
names the seed and the last keys sent. The cases are in ``test_random_keys.py``.
"""

from __future__ import annotations

import asyncio
import os
import random
import zlib
from collections.abc import Awaitable, Callable
from contextlib import contextmanager

from textual import events

from smtui.aws.discovery import JobFinder, JobQuery
from smtui.aws.source import AwsJobSource
from smtui.sim import FaultInjector, Faults, Simulator, start_in_thread
from smtui.ui.app import SmtuiApp
from smtui.ui.settings import Settings
from tests.conftest import impatient_options
from tests.screens import settled

#: The keys of the app's screens and the ones people press most (moving, Enter, Escape, Tab), in Textual's names.
MONKEY_KEYS = (
    "j",
    "k",
    "up",
    "down",
    "pageup",
    "pagedown",
    "home",
    "end",
    "g",
    "G",
    "tab",
    "shift+tab",
    "enter",
    "escape",
    "l",
    "f",
    "w",
    "t",
    "slash",
    "n",
    "N",
    "o",
    "a",
    "d",
    "x",
    "y",
    "c",
    "u",
    "r",
    "s",
    "question_mark",
    "ctrl+p",
    "space",
    "backspace",
    "left",
    "right",
    "z",
    "1",
    "minus",
    "delete",
)
#: More that a person reaches: other letters and digits, shifted and control combinations, editing keys.
#: Never q, Ctrl+C or Ctrl+Q: those quit, as they should.
OTHER_KEYS = (
    "b",
    "e",
    "i",
    "m",
    "p",
    "v",
    "A",
    "L",
    "M",
    "S",
    "H",
    "ampersand",
    "asterisk",
    "plus",
    "0",
    "9",
    "period",
    "underscore",
    "shift+up",
    "shift+down",
    "ctrl+home",
    "ctrl+end",
    "ctrl+pageup",
    "ctrl+pagedown",
    "ctrl+left",
    "ctrl+right",
    "ctrl+a",
    "ctrl+e",
    "ctrl+k",
    "ctrl+u",
    "ctrl+w",
    "ctrl+l",
    "ctrl+d",
    "f1",
    "insert",
)
KEYS = MONKEY_KEYS + OTHER_KEYS
#: What a key types, for the keys that type something.
CHARACTERS = {
    "slash": "/",
    "question_mark": "?",
    "minus": "-",
    "space": " ",
    "period": ".",
    "underscore": "_",
    "ampersand": "&",
    "asterisk": "*",
    "plus": "+",
}
#: Keys per case: with the eight cases, 1,600 over the run (a few seconds each on an idle machine).
KEY_COUNT = int(os.environ.get("SMTUI_KEYS", "200"))
#: Seconds between two keys, drawn in turn: mostly faster than the screen answers, sometimes long enough for an
#: animation to run out or an answer to arrive.
PACES = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.002, 0.01, 0.1)
#: Consecutive keys spent on another screen before the case goes back to its own.
AWAY = 6


def seed_of(case: str) -> int:
    """The case's seed: ``SMTUI_KEYS_SEED`` if set, else a fixed one per case (the same run in every CI)."""
    given = os.environ.get("SMTUI_KEYS_SEED")
    return int(given) if given else zlib.crc32(case.encode()) % 100_000


@contextmanager
def faulty_app(names: list[str] | None, *, seed: int, query: JobQuery | None = None):
    """The app against the simulator with every fault on, its jobs at 30 times real time, polled every 3 s."""
    simulator = Simulator(speed=30.0, tuning=[])
    injector = FaultInjector(
        Faults(throttle_rate=0.1, error_rate=0.05, reset_rate=0.05, garbage_rate=0.05, latency_ms=10, seed=seed)
    )
    with start_in_thread(simulator, injector=injector) as running:
        source = AwsJobSource(impatient_options(running.url))
        finder = JobFinder(source, query) if query is not None else None
        settings = Settings(
            interval=3.0, metrics_interval=3.0, tick=2.0, max_rps=50, log_interval=1.0, list_interval=3.0
        )
        app = SmtuiApp(source, simulator.job_names() if names is None else names, settings, finder=finder)
        yield app


class Monkey:
    """Sends seeded random keys to an app through its pilot, remembering the last ones for the failure report."""

    def __init__(
        self, pilot, seed: int, *, at_home: Callable[[], bool], go_home: Callable[[], Awaitable[None]]
    ) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.seed = seed
        self.random = random.Random(seed)
        self.at_home = at_home
        self.go_home = go_home
        self.sent: list[str] = []

    def report(self) -> str:
        return (
            f"seed {self.seed} (replay: SMTUI_KEYS_SEED={self.seed}); {len(self.sent)} keys sent, the last 40: "
            f"{' '.join(self.sent[-40:])}"
        )

    async def press(self, key: str, pace: float = 0.01) -> None:
        """Send ``key``, then let the app run for ``pace`` seconds (a person does not wait for the screen)."""
        self.sent.append(key)
        self.app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))
        await asyncio.sleep(pace)

    async def run(self, count: int, keys: tuple[str, ...] = KEYS) -> None:
        away = 0
        for _ in range(count):
            if self.app.return_code is not None:
                return  # the app ended: the context manager raises what ended it
            key = self.random.choice(keys)
            # Mostly quick keys; now and then a pause, as a person takes: animations run, answers arrive.
            await self.press(key, self.random.choice(PACES))
            away = 0 if self.at_home() else away + 1
            if away >= AWAY and self.app.return_code is None:
                self.sent.append("(back)")
                await self.go_home()
                away = 0


async def back_to_the_jobs(monkey: Monkey) -> None:
    """Close whatever is open over the main screen (as Escape does), and clear a filter."""
    app = monkey.app
    for _ in range(10):
        if app.screen is app.watch_screen and not app.watch_screen.query_one("#job-filter").has_focus:
            break
        await monkey.press("escape")
    # Not a key: a screen just pushed (the palette a command opened, say) is popped only once it is mounted, as no
    # key can reach it before (Textual's palette looks for the screen under it as it mounts); the Escapes still
    # queued meanwhile may have closed it already.
    for _ in range(100):
        if app.screen is app.watch_screen or app.screen.is_mounted:
            break
        await asyncio.sleep(0.01)
    if app.screen is not app.watch_screen:
        app.pop_screen()
        await asyncio.sleep(0.01)


async def until_started(pilot, *, jobs: int) -> None:
    """Wait for ``jobs`` first answers (some may fail under the faults: a failure is an answer too). Most cases
    start at once: keys pressed while the first answers arrive are part of the test."""
    app = pilot.app
    for _ in range(200):
        states = app.watch_screen.jobs.states.values()
        if sum(1 for state in states if state.snapshot is not None or state.error is not None) >= jobs:
            break
        await asyncio.sleep(0.05)


def report_on_failure(monkey_box: list[Monkey]):
    """Turns whatever ended the app into an assertion that names the seed and the last keys."""

    @contextmanager
    def watching():
        try:
            yield
        except Exception as exc:
            if not monkey_box:
                raise
            raise AssertionError(f"{type(exc).__name__}: {exc}\n{monkey_box[0].report()}") from exc
        if monkey_box and monkey_box[0].app.return_code not in (None, 0):
            raise AssertionError(f"the app ended with code {monkey_box[0].app.return_code}\n{monkey_box[0].report()}")

    return watching()


async def run_case(
    case: str,
    *,
    names: list[str] | None,
    start: Callable[[Monkey], Awaitable[None]],
    at_home: Callable[[SmtuiApp], bool],
    query: JobQuery | None = None,
    keys: tuple[str, ...] = KEYS,
    started_jobs: int = 0,
) -> None:
    seed = seed_of(case)
    box: list[Monkey] = []
    with report_on_failure(box), faulty_app(names, seed=seed, query=query) as app:
        async with app.run_test(size=(80, 24)) as pilot:
            monkey = Monkey(pilot, seed, at_home=lambda: at_home(app), go_home=lambda: start(box[0]))
            box.append(monkey)
            await until_started(pilot, jobs=started_jobs)
            await start(monkey)
            await monkey.run(KEY_COUNT, keys)
            # Keys may still be queued on a loaded machine: all are handled before the app closes.
            await settled(app, timeout=15)
            assert app.return_code is None, monkey.report()
