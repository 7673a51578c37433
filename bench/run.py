"""smtui's benchmark: figures, not pass/fail.

Runs the real ``smtui`` program in a pseudo-terminal against the simulator
(served from this process) and prints:

- start-up: ``smtui --help`` and the first frame of ``smtui demo``;
- for 10, 100 and 1,000 watched jobs (5% running): API calls a minute, CPU
  seconds per job update, steady CPU share, bytes written to the terminal a
  second, peak memory;
- key press to updated screen latency with 1,000 jobs;
- terminal output when nothing changes (every job has ended);
- the baseline: one ``aws sagemaker describe-training-job`` process per job
  update, its CPU seconds per update, and the ratio to smtui's;
- the marginal CPU per update next to the floor, what the same call costs
  through a warm aiobotocore client in another process (:mod:`update_cost`);
- for 1,000 and 10,000 listed jobs, the time until the first screen's rows and
  then every row show their status, and the steady figures; the time from a
  change in the simulator to the screen, for 1, 10 and 100 running jobs
  (:mod:`responsiveness`).

Usage: ``python bench/run.py [--window SECONDS] [--sizes 10,100,1000] [--listed 1000,10000] [--running 1,10,100]``.
Only the standard library and the project's own dependencies are used.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import responsiveness
import update_cost
from session import COLUMNS, ROWS, Session, child_env, percentile, smtui
from simulators import BenchSimulator

from smtui.sim import Simulator, start_in_thread
from smtui.sim.fleet import fleet_scenarios


def startup(env: dict[str, str]) -> None:
    # pip compiles a package's modules as it installs it; an editable install (or PYTHONDONTWRITEBYTECODE) leaves
    # every start to compile them again. Compiled as pip would, the figures are those of an installed smtui.
    import compileall

    import smtui as package

    compileall.compile_dir(os.path.dirname(package.__file__), quiet=1)
    runs = []
    for _ in range(10):
        begun = time.perf_counter()
        subprocess.run(smtui("--help"), env=env, stdout=subprocess.DEVNULL, check=True)
        runs.append(time.perf_counter() - begun)
    print(f"smtui --help: median {statistics.median(runs):.3f} s, best {min(runs):.3f} s (10 runs)")
    frames = []
    for _ in range(3):
        begun = time.monotonic()
        session = Session(smtui("demo"), env)
        seen = session.until(b"Jobs", 30)
        frames.append((time.monotonic() - begun) if seen is not None else float("nan"))
        data = session.until(b"InProgress", 30)
        session.stop()
    after = f"; first job data {data:.2f} s after it (last run)" if data is not None else ""
    print(f"smtui demo, first frame: median {statistics.median(frames):.2f} s over 3 runs{after}")


def watch(count: int, window: float, env: dict[str, str], latency_keys: int = 0, running: float = 0.05) -> dict:
    """Watch a fleet of ``count`` jobs; steady-state figures over ``window`` seconds."""
    simulator = BenchSimulator(speed=1.0, scenarios=fleet_scenarios(count, running=running))
    names = simulator.job_names()
    with start_in_thread(simulator) as served:
        args = ["watch", *names, "--endpoint-url", served.url, "--region", "us-east-1", "--max-rps", "20"]
        session = Session(smtui(*args), env)
        begun = time.monotonic()
        # The first round: every job answered once (at 20 requests a second), then let the screen settle.
        while simulator.calls["DescribeTrainingJob"] < count and time.monotonic() - begun < 600:
            session.pump(0.2)
        fill = time.monotonic() - begun
        # Then the first metrics round (it follows the first answers: a thousand jobs' metrics in a few calls, each
        # waiting its turn in the budget): over once no call has come for 3 s.
        seen, still = 0, 0.0
        while (seen == 0 or still < 3) and time.monotonic() - begun < 600:
            session.pump(0.5)
            still = 0.0 if simulator.calls["GetMetricData"] != seen else still + 0.5
            seen = simulator.calls["GetMetricData"]
        session.pump(5)
        cpu0, out0 = session.cpu_seconds(), len(session.output)
        calls0, metrics0 = simulator.calls["DescribeTrainingJob"], simulator.calls["GetMetricData"]
        session.pump(window)
        cpu = session.cpu_seconds() - cpu0
        updates = simulator.calls["DescribeTrainingJob"] - calls0
        metric_calls = simulator.calls["GetMetricData"] - metrics0
        result = {
            "jobs": count,
            "fill": fill,
            "calls_per_min": (updates + metric_calls) * 60 / window,
            "updates": updates,
            "cpu_share": cpu / window,
            "cpu_per_update": cpu / updates if updates else float("nan"),
            "bytes_per_s": (len(session.output) - out0) / window,
            "rss_mb": session.peak_rss_mb(),
        }
        if latency_keys:
            delays = []
            for index in range(1, latency_keys + 1):
                start = len(session.output)
                os.write(session.fd, b"j")
                delay = session.until(f"Timeline · {names[index]}".encode(), 5, start)
                if delay is not None:
                    delays.append(delay * 1000)
                session.pump(0.25)
            result["latency"] = delays
            result["rss_mb"] = session.peak_rss_mb()
        session.stop()
    return result


def baseline(env: dict[str, str], runs: int = 10) -> float:
    """CPU seconds of one ``aws sagemaker describe-training-job`` process, as ``watch -n 5 aws ...`` spends them."""
    aws = shutil.which("aws") or str(Path(sys.executable).with_name("aws"))
    if not Path(aws).exists():
        print("baseline: the AWS CLI is not installed (pip install awscli); skipped")
        return float("nan")
    simulator = Simulator(speed=1.0, scenarios=fleet_scenarios(10))
    with start_in_thread(simulator) as served:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        begun = time.perf_counter()
        for _ in range(runs):
            subprocess.run(
                [
                    aws,
                    "sagemaker",
                    "describe-training-job",
                    "--training-job-name",
                    simulator.job_names()[0],
                    "--endpoint-url",
                    served.url,
                    "--region",
                    "us-east-1",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                check=True,
            )
        wall = (time.perf_counter() - begun) / runs
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / runs
    print(
        f"baseline, one `aws sagemaker describe-training-job` per update: {cpu:.3f} CPU s and {wall:.2f} s wall "
        f"per update ({runs} runs)"
    )
    return cpu


def _counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


#: The measurements, in the order they run.
PARTS = ("startup", "baseline", "update", "responsiveness", "watched")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--window", type=float, default=60.0, help="seconds of steady state measured per size")
    parser.add_argument("--sizes", default="10,100,1000", help="fleet sizes to watch (comma-separated)")
    parser.add_argument("--listed", default="1000,10000", help="fleet sizes to list (comma-separated; '' for none)")
    parser.add_argument(
        "--running", default="1,10,100", help="running jobs to time a change on (comma-separated; '' for none)"
    )
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"which measurements to run (comma-separated, of {', '.join(PARTS)}; default: all)",
    )
    args = parser.parse_args()
    parts = set(args.parts.split(",")) - {""}
    try:
        sizes = _counts(args.sizes)
        _counts(args.listed), _counts(args.running)
    except ValueError:
        parser.error("--sizes, --listed and --running take whole numbers separated by commas")
    if parts - set(PARTS):
        parser.error(f"unknown part {sorted(parts - set(PARTS))[0]!r}: choose from {', '.join(PARTS)}")
    home = tempfile.mkdtemp(prefix="smtui-bench-")
    env = child_env(home)
    print(
        f"smtui benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, terminal {COLUMNS}x{ROWS}, "
        f"{args.window:g} s windows\n"
    )
    if "startup" in parts:
        startup(env)
        print()
    cli = float("nan")
    if parts & {"baseline", "watched"}:
        cli = baseline(env)
        print()
    if "update" in parts:
        update_cost.report(update_cost.measure(args.window, env))
        print()
    if "responsiveness" in parts:
        responsiveness.report(env, args.window, _counts(args.listed), _counts(args.running))
        print()
    if "watched" in parts and sizes:
        watched(sizes, cli, args.window, env)
    shutil.rmtree(home, ignore_errors=True)


def watched(sizes: list[int], cli: float, window: float, env: dict[str, str]) -> None:
    """Named fleets of each size: fill time, calls, CPU per update against the CLI's, output and memory."""
    print(
        "watching N named jobs (5% running, default interval: every 5 s while the budget allows; --max-rps 20 so "
        "the first round fills fast):"
    )
    print(
        f"{'jobs':>6} {'fill s':>7} {'calls/min':>10} {'updates':>8} {'CPU %':>6} {'CPU ms/update':>14} "
        f"{'x CLI':>7} {'bytes/s':>8} {'peak RSS MB':>12}"
    )
    results = []
    for count in sizes:
        result = watch(count, window, env, latency_keys=40 if count == max(sizes) else 0)
        results.append(result)
        ratio = cli / result["cpu_per_update"] if result["updates"] else float("nan")
        print(
            f"{count:>6} {result['fill']:>7.1f} {result['calls_per_min']:>10.1f} {result['updates']:>8} "
            f"{result['cpu_share'] * 100:>6.1f} {result['cpu_per_update'] * 1000:>14.2f} {ratio:>7.0f} "
            f"{result['bytes_per_s']:>8.0f} {result['rss_mb']:>12.0f}",
            flush=True,
        )
    largest = results[-1]
    if largest.get("latency"):
        delays = largest["latency"]
        p95 = percentile(delays, 0.95)
        print(
            f"\nkey press to updated screen, {largest['jobs']} jobs: p50 {statistics.median(delays):.1f} ms, "
            f"p95 {p95:.1f} ms ({len(delays)} presses of j)"
        )
    idle = watch(max(sizes), window, env, running=0.0)
    print(
        f"nothing changing ({max(sizes)} ended jobs): {idle['bytes_per_s']:.0f} bytes/s to the terminal, "
        f"CPU {idle['cpu_share'] * 100:.1f}%, {idle['calls_per_min']:.1f} calls/min"
    )


if __name__ == "__main__":
    main()
