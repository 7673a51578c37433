"""What following a job's logs costs in API calls: figures, not pass/fail.

Runs the real ``smtui`` program against the simulator (served from this
process on the real clock, with AWS's request quotas and rough edges) and
counts, at the simulator, the calls it makes while it follows a job's logs:

- ``smtui logs JOB --follow`` (every call it makes, DescribeTrainingJob
  included), and the logs view (``smtui watch JOB``, then ``l``; the
  CloudWatch Logs calls, the watch screen's own polls apart);
- for a job on one instance (``bert-base-finetune-imdb``, one stream) and the
  128-instance one (``llama2-70b-pretrain-trn1``, 256 streams);
- in steady state (after a warm-up that holds the first read of the newest
  lines), then after the job has ended: the job is stopped through the
  simulator, and once the settling read is behind (the end seen, plus the
  settling time), every call counted in a further window is one too many.

The issue's targets: at most 30 calls a minute while following, 0 after the
settling read.

Usage: ``python bench/logs_cost.py [--window SECONDS] [--after SECONDS]``.
Only the standard library and the project's own dependencies are used.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time

import counting
from run import Session, child_env, smtui

from smtui.sim import Simulator, start_in_thread

ONE = "bert-base-finetune-imdb"
BIG = "llama2-70b-pretrain-trn1"
LOGS_OPERATIONS = ("FilterLogEvents", "GetLogEvents", "DescribeLogStreams")
#: Seconds between the job's end and the window after it: the stop takes a minute of the script (Stopping),
#: the end is seen at the next description (every 30 s at most), and the settling read comes 10 s after.
SETTLED_AFTER = 60.0


class CountingSimulator(counting.CountingSimulator):
    """The simulator, counting its calls of CloudWatch Logs too."""

    def describe_log_streams(self, params: dict) -> dict:
        self._count("DescribeLogStreams")
        return super().describe_log_streams(params)

    def get_log_events(self, params: dict) -> dict:
        self._count("GetLogEvents")
        return super().get_log_events(params)

    def filter_log_events(self, params: dict) -> dict:
        self._count("FilterLogEvents")
        return super().filter_log_events(params)


def per_minute(
    before: collections.Counter[str],
    after: collections.Counter[str],
    seconds: float,
    operations: tuple[str, ...] | None,
) -> tuple[float, dict[str, int]]:
    """Calls a minute between two counts (of ``operations`` only, if given), and the counts by operation."""
    counts = {op: after[op] - before[op] for op in after if operations is None or op in operations}
    counts = {op: n for op, n in counts.items() if n}
    return sum(counts.values()) * 60 / seconds, counts


def status(simulator: Simulator, job: str) -> str:
    return simulator.describe_training_job({"TrainingJobName": job})["TrainingJobStatus"]


def measure(
    simulator: CountingSimulator, job: str, window: float, after: float, warmup: float, alive, wait=time.sleep
) -> dict:
    """Warm up, count a steady window, stop the job, wait for the settling read, count a window after.
    ``wait(seconds)`` passes the time (a terminal's output must be read meanwhile, or the program stalls)."""
    wait(warmup)
    before = simulator.snapshot()
    wait(window)
    following = simulator.snapshot()
    simulator.stop_training_job({"TrainingJobName": job})
    stopped_at = time.monotonic()
    while status(simulator, job) not in ("Stopped", "Completed", "Failed"):
        wait(1)
    ended_in = time.monotonic() - stopped_at
    wait(SETTLED_AFTER)
    settled = simulator.snapshot()
    wait(after)
    done = simulator.snapshot()
    return {"following": (following, before), "settled": settled, "done": done, "ended_in": ended_in, "alive": alive()}


def follow_command(job: str, window: float, after: float, warmup: float, env: dict[str, str]) -> dict:
    simulator = CountingSimulator(speed=1.0)
    with start_in_thread(simulator) as served:
        process = subprocess.Popen(
            smtui("logs", job, "--follow", "--lines", "1000", "--endpoint-url", served.url, "--region", "us-east-1"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        result = measure(simulator, job, window, after, warmup, lambda: process.poll() is None)
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)
        result["operations"] = None  # every call the command makes
    return result


def follow_view(job: str, window: float, after: float, warmup: float, env: dict[str, str]) -> dict:
    simulator = CountingSimulator(speed=1.0)
    with start_in_thread(simulator) as served:
        session = Session(
            smtui("watch", job, "--interval", "10", "--endpoint-url", served.url, "--region", "us-east-1"), env
        )
        session.until(b"InProgress", 60)
        os.write(session.fd, b"l")
        session.pump(0.5)
        result = measure(simulator, job, window, after, warmup, lambda: True, wait=session.pump)
        session.stop()
        result["operations"] = LOGS_OPERATIONS  # the view's own calls; the watch screen polls apart
    return result


def report(label: str, job: str, result: dict, window: float, after: float) -> None:
    operations = result["operations"]
    following, before = result["following"]
    rate, counts = per_minute(before, following, window, operations)
    late, late_counts = per_minute(result["settled"], result["done"], after, operations)
    detail = ", ".join(f"{op} {n}" for op, n in sorted(counts.items(), key=lambda i: -i[1]))
    ended = "exited" if not result["alive"] else "still open"
    print(
        f"{label:<16} {job:<26} {rate:>8.1f} {late:>11.1f}   {detail} ({ended} after the end; "
        f"{sum(late_counts.values())} calls in the {after:g} s after the settling read)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--window", type=float, default=60.0, help="seconds of steady state measured (default 60)")
    parser.add_argument(
        "--after", type=float, default=30.0, help="seconds measured after the settling read (default 30)"
    )
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds left for the first read (default 15)")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="smtui-bench-")
    env = child_env(home)
    print(
        f"following a job's logs: calls a minute counted at the simulator (AWS-like, real clock), "
        f"{args.window:g} s while following, {args.after:g} s after the settling read"
    )
    print(f"{'':<16} {'job':<26} {'following':>8} {'after end':>11}   calls while following, by operation")
    for job in (ONE, BIG):
        report(
            "smtui logs -f",
            job,
            follow_command(job, args.window, args.after, args.warmup, env),
            args.window,
            args.after,
        )
        report(
            "logs view (l)", job, follow_view(job, args.window, args.after, args.warmup, env), args.window, args.after
        )
    print("targets: at most 30 a minute while following, 0 after the settling read")


if __name__ == "__main__":
    sys.exit(main())
