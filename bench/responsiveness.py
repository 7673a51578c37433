"""How soon the screen shows things: a listed fleet's rows at start, and a job's change while it runs.

:func:`listed_fleet` runs ``smtui watch --since 30d --limit N`` against a
fleet of N jobs (5% running) at the default settings and reads the title bar
("N jobs: 500 running, ..."): the time until the first screen's rows show
their status, and until every listed job does; the time and CPU until the
start-up work is over (every running job described once, then the first
metrics round). Then, in steady state, the CPU share, the bytes written to the
terminal, the peak memory, the key press to screen latency and the API calls a
minute by operation.

:func:`change_latency` watches 1, 10 or 100 running jobs at the default
settings, gives jobs in view a new secondary status in the simulator at random
moments (:meth:`~simulators.BenchSimulator.change`), and times each until the
screen shows it.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections import Counter

from session import Session, percentile, plain, smtui
from simulators import BenchSimulator

from smtui.sim import start_in_thread
from smtui.sim.fleet import fleet_scenarios

#: "10000 jobs: 500 running, 9500 completed" in the title bar, up to the next separator.
_TITLE = re.compile(r"(\d+) jobs?: ([^·!\n]*)")
#: Rows of a first screen: what the job list shows at 120x40.
FIRST_SCREEN = 15
#: Seconds from the last running job's first description to the steady window: the first metrics round.
STEADY_AFTER = 15
#: The steady window's shortest length: a metrics round's interval, so that it holds one.
STEADY_AT_LEAST = 60.0


def _title_counts(session: Session, seen: int) -> list[tuple[int, bool]]:
    """Each title bar written since offset ``seen``: (jobs counted, whether every one of them has a status)."""
    return [(int(count), "waiting" not in phases) for count, phases in _TITLE.findall(plain(session.output[seen:]))]


def listed_fleet(count: int, window: float, env: dict[str, str], keys: int = 40) -> dict:
    """``smtui watch --since 30d --limit COUNT`` on a fleet of COUNT jobs, at the default budget."""
    simulator = BenchSimulator(speed=1.0, scenarios=fleet_scenarios(count))
    with start_in_thread(simulator) as served:
        session = Session(
            smtui(
                "watch", "--since", "30d", "--limit", str(count), "--endpoint-url", served.url, "--region", "us-east-1"
            ),
            env,
        )
        begun = time.monotonic()
        first = every = None
        seen = 0
        while every is None and time.monotonic() - begun < 900:
            session.pump(0.1)
            for shown, complete in _title_counts(session, max(0, seen - 400)):
                if complete and first is None and shown >= min(count, FIRST_SCREEN):
                    first = time.monotonic() - begun
                if complete and shown >= count:
                    every = time.monotonic() - begun
            seen = len(session.output)
        listing_calls = simulator.calls["ListTrainingJobs"]
        # Start-up ends once every running job has been described (each row's stage and metric, one by one
        # inside the request budget) and the first metrics round, which follows that, is over.
        running = simulator.running_names()
        while not running <= simulator.described and time.monotonic() - begun < 900:
            session.pump(0.5)
        session.pump(STEADY_AFTER)
        startup, startup_cpu = time.monotonic() - begun, session.cpu_seconds()
        cpu0, out0, calls0 = startup_cpu, len(session.output), Counter(simulator.calls)
        window = max(window, STEADY_AT_LEAST)
        session.pump(window)
        result = {
            "jobs": count,
            "first": first,
            "every": every,
            "listing_calls": listing_calls,
            "startup": startup,
            "startup_cpu": startup_cpu,
            "window": window,
            "cpu_share": (session.cpu_seconds() - cpu0) / window,
            "bytes_per_s": (len(session.output) - out0) / window,
            "calls_per_min": {op: n * 60 / window for op, n in (Counter(simulator.calls) - calls0).items()},
        }
        delays = []
        for _ in range(keys):
            start = len(session.output)
            os.write(session.fd, b"j")
            delay = session.until(b"Timeline \xc2\xb7 fleet-", 5, start)
            if delay is not None:
                delays.append(delay * 1000)
            session.pump(0.25)
        result["latency"] = delays
        result["rss_mb"] = session.peak_rss_mb()
        session.stop()
    return result


def change_latency(running: int, env: dict[str, str], samples: int = 12, seed: int = 17) -> dict:
    """Seconds from a new secondary status in the simulator to the screen showing it, ``running`` jobs watched."""
    chance = random.Random(seed)
    simulator = BenchSimulator(speed=1.0, scenarios=fleet_scenarios(running, running=1.0))
    names = simulator.job_names()
    in_view = names[: min(len(names), 5)]
    with start_in_thread(simulator) as served:
        session = Session(smtui("watch", *names, "--endpoint-url", served.url, "--region", "us-east-1"), env)
        begun = time.monotonic()
        while simulator.calls["DescribeTrainingJob"] < running and time.monotonic() - begun < 300:
            session.pump(0.2)
        session.pump(3)
        calls0, window0 = Counter(simulator.calls), time.monotonic()
        delays: list[float] = []
        missed = 0
        probe = 0
        while len(delays) + missed < samples:
            session.pump(chance.uniform(0, 5))  # a moment unrelated to the polls' phase
            start = len(session.output)
            changed = {}
            for name in in_view[: samples - len(delays) - missed]:
                probe += 1
                label = f"Probe{probe:03d}"
                simulator.change(name, label)
                changed[label.encode()] = time.monotonic()
            deadline = time.monotonic() + 90
            while changed and time.monotonic() < deadline:
                session.pump(0.01)
                for label in [label for label in changed if label in session.output[start:]]:
                    delays.append(time.monotonic() - changed.pop(label))
            missed += len(changed)
        elapsed = time.monotonic() - window0
        calls = {op: n * 60 / elapsed for op, n in (Counter(simulator.calls) - calls0).items()}
        session.stop()
    return {
        "running": running,
        "p50": percentile(delays, 0.5),
        "p95": percentile(delays, 0.95),
        "samples": len(delays),
        "missed": missed,
        "calls_per_min": calls,
    }


def calls_text(calls: dict[str, float]) -> str:
    return ", ".join(f"{op} {rate:.1f}" for op, rate in sorted(calls.items(), key=lambda item: -item[1]))


def report(env: dict[str, str], window: float, listed: list[int], running: list[int]) -> None:
    """Print both measurements."""
    print("a listed fleet (smtui watch --since 30d --limit N, 5% running, default settings):")
    print(
        f"{'jobs':>6} {'first screen s':>15} {'all rows s':>11} {'list calls':>11} {'start-up s':>11} "
        f"{'start-up CPU s':>15}"
    )
    results = []
    for count in listed:
        got = listed_fleet(count, window, env)
        results.append(got)
        print(
            f"{count:>6} {_seconds(got['first']):>15} {_seconds(got['every']):>11} {got['listing_calls']:>11} "
            f"{got['startup']:>11.1f} {got['startup_cpu']:>15.1f}",
            flush=True,
        )
    print(
        f"then steady ({max(window, STEADY_AT_LEAST):g} s from {STEADY_AFTER} s after every running job was "
        "described):\n"
        f"{'jobs':>6} {'CPU %':>6} {'bytes/s':>8} {'peak RSS MB':>12} {'key p50 ms':>11} {'key p95 ms':>11}"
    )
    for got in results:
        delays = got["latency"]
        print(
            f"{got['jobs']:>6} {got['cpu_share'] * 100:>6.1f} {got['bytes_per_s']:>8.0f} {got['rss_mb']:>12.0f} "
            f"{percentile(delays, 0.5):>11.1f} {percentile(delays, 0.95):>11.1f}",
            flush=True,
        )
        print(f"{'':>6} calls a minute: {calls_text(got['calls_per_min'])}", flush=True)
    print("\na change in the simulator (a new secondary status) to the screen, default settings:")
    print(f"{'running':>8} {'p50 s':>6} {'p95 s':>6} {'samples':>8}  calls a minute")
    for count in running:
        got = change_latency(count, env)
        missed = f" ({got['missed']} never shown)" if got["missed"] else ""
        print(
            f"{count:>8} {got['p50']:>6.1f} {got['p95']:>6.1f} {got['samples']:>8}{missed}  "
            f"{calls_text(got['calls_per_min'])}",
            flush=True,
        )


def _seconds(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "never"
