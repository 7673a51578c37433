"""What one job update costs smtui beyond the library's own cost, both measured in the same run.

The marginal CPU per update is the CPU of a screen getting many updates a
second, minus the CPU of the same screen getting few, divided by the updates
between them. (Few, not none: a few running jobs are polled every 5 seconds
whatever ``--interval`` says, since it is a ceiling; ``--interval 3600`` makes
that 100 running jobs' 20 updates a second against 50 with ``--interval 2``.)
The floor is what the same DescribeTrainingJob costs through a warm
aiobotocore client in a process of its own, against the same simulator, at
the same rate (:mod:`floor`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import floor
from session import Session, smtui
from simulators import BenchSimulator

from smtui.sim import Realism, start_in_thread
from smtui.sim.fleet import fleet_scenarios

#: The fleet: 400 jobs, 100 of them running, so that a 2-second interval makes 50 updates a second.
JOBS, RUNNING_SHARE, BUSY_INTERVAL = 400, 0.25, 2
#: A budget that lets every one of those polls through at once.
BUDGET = "200"


@dataclass
class Run:
    cpu: float
    updates: int
    window: float


def _watch(
    names: list[str], url: str, interval: str, simulator: BenchSimulator, window: float, env: dict[str, str]
) -> Run:
    session = Session(
        smtui(
            "watch", *names, "--endpoint-url", url, "--region", "us-east-1", "--max-rps", BUDGET, "--interval", interval
        ),
        env,
    )
    try:
        start = simulator.calls["DescribeTrainingJob"]
        begun = time.monotonic()
        while simulator.calls["DescribeTrainingJob"] - start < len(names) and time.monotonic() - begun < 120:
            session.pump(0.2)
        session.pump(5)  # the first round settles
        cpu0, calls0 = session.cpu_seconds(), simulator.calls["DescribeTrainingJob"]
        session.pump(window)
        return Run(session.cpu_seconds() - cpu0, simulator.calls["DescribeTrainingJob"] - calls0, window)
    finally:
        session.stop()


def measure(window: float, env: dict[str, str]) -> dict[str, float]:
    """The marginal CPU seconds per update, the floor's, and the runs they come from."""
    # DescribeTrainingJob's quota is lifted: the point is smtui's cost per update, not SageMaker's rate limit.
    simulator = BenchSimulator(
        speed=1.0,
        scenarios=fleet_scenarios(JOBS, running=RUNNING_SHARE),
        realism=Realism().with_quotas({"DescribeTrainingJob": None}),
    )
    names = simulator.job_names()
    with start_in_thread(simulator) as served:
        busy = _watch(names, served.url, str(BUSY_INTERVAL), simulator, window, env)
        quiet = _watch(names, served.url, "3600", simulator, window, env)
        rate = max(busy.updates / window, 1.0)
        running = next(name for name in names if "mistral" in name)
        costs = floor.measure(served.url, running, calls=max(300, round(rate * 10)), rate=rate, env=env)
    extra = busy.updates - quiet.updates
    marginal = (busy.cpu - quiet.cpu) / extra if extra > 0 else float("nan")
    return {
        "rate": busy.updates / window,
        "quiet_rate": quiet.updates / window,
        "busy_share": busy.cpu / window,
        "quiet_share": quiet.cpu / window,
        "marginal": marginal,
        "floor": costs["smtui"],
        "floor_burst": costs["burst"],
        "floor_defaults": costs["defaults"],
    }


def report(figures: dict[str, float]) -> None:
    print(
        f"CPU per update, {JOBS} jobs ({round(JOBS * RUNNING_SHARE)} running) polled every {BUSY_INTERVAL} s: "
        f"{figures['rate']:.0f} updates/s at {figures['busy_share'] * 100:.1f}% of a core, the same screen "
        f"polled every 5 s ({figures['quiet_rate']:.0f} updates/s) {figures['quiet_share'] * 100:.1f}%"
    )
    print(
        f"  marginal {figures['marginal'] * 1000:.2f} ms/update; floor {figures['floor'] * 1000:.2f} ms (one "
        f"DescribeTrainingJob through a warm aiobotocore client as smtui configures it, in another process, at the "
        f"same rate; {figures['floor_burst'] * 1000:.2f} ms back to back, {figures['floor_defaults'] * 1000:.2f} ms "
        "with aiobotocore's defaults)"
    )
    print(
        f"  marginal / floor: {figures['marginal'] / figures['floor']:.2f}x (goal: at most 1.5x; "
        f"{figures['marginal'] / figures['floor_burst']:.2f}x of the back-to-back floor)",
        flush=True,
    )
