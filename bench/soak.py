"""Memory over a long watch: figures, not pass/fail.

Runs the real ``smtui watch`` in a pseudo-terminal against ``smtui sim`` (a process of its own) for the ten
scripted jobs at ``--interval 2``, as someone leaves a screen open, and prints the watcher's resident memory
every ``--every`` seconds, then the growth after warm-up: over the last 40 minutes of an hour, the target is
under 10 MB. ``--faults`` turns the simulator's faults on (throttling, 5xx answers, dropped connections, cut
JSON, latency), as the issue that asked for this measured them.

Usage: ``python bench/soak.py [--minutes 60] [--every 60] [--faults] [--speed 5]``; run it twice, with and
without ``--faults``, for both figures (about an hour each; the two can run side by side).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import Session, child_env  # noqa: E402 - the benchmark's own pseudo-terminal session

FAULTS = [
    "--throttle-rate",
    "0.2",
    "--error-rate",
    "0.1",
    "--reset-rate",
    "0.05",
    "--garbage-rate",
    "0.05",
    "--latency-ms",
    "300",
    "--fault-seed",
    "7",
]
#: The ten scripted jobs of the simulator.
JOBS = [
    "bert-base-finetune-imdb",
    "llama3-8b-lora-oom",
    "resnet50-spot-imagenet",
    "xgboost-churn-stopped",
    "gpt2-pretrain-maxruntime",
    "mistral-7b-sft-distributed",
    "llama-finetune-full-config",
    "whisper-small-finetune-cv",
    "llama2-70b-pretrain-trn1",
    "t5-base-summarize-xsum",
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="how long to watch (default: 60)")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between two readings (default: 60)")
    parser.add_argument("--faults", action="store_true", help="the simulator's faults on")
    parser.add_argument("--speed", type=float, default=5.0, help="the simulator's speed (default: 5)")
    options = parser.parse_args()

    port = free_port()
    smtui = [sys.executable, "-m", "smtui"]
    sim = subprocess.Popen(
        [*smtui, "sim", "--port", str(port), "--speed", f"{options.speed:g}", *(FAULTS if options.faults else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        sim.stdout.readline()  # listening
        with tempfile.TemporaryDirectory() as home:
            watch = Session(
                [
                    *smtui,
                    "watch",
                    *JOBS,
                    "--interval",
                    "2",
                    "--endpoint-url",
                    f"http://127.0.0.1:{port}",
                    "--region",
                    "us-east-1",
                ],
                child_env(home),
            )
            try:
                label = "with faults" if options.faults else "without faults"
                print(
                    f"smtui watch, {len(JOBS)} jobs, --interval 2, smtui sim --speed {options.speed:g} {label}",
                    flush=True,
                )
                print(f"{'minute':>7}  {'RSS MB':>7}", flush=True)
                readings: list[tuple[float, float]] = []
                start = time.monotonic()
                while (elapsed := time.monotonic() - start) < options.minutes * 60 + 1:
                    readings.append((elapsed / 60, rss_mb(watch.pid)))
                    print(f"{elapsed / 60:7.1f}  {readings[-1][1]:7.1f}", flush=True)
                    watch.pump(options.every)  # the terminal's reader keeps up, as a terminal does
                after = [(m, r) for m, r in readings if m >= options.minutes - 40] or readings
                print(
                    f"growth over the last {min(40.0, options.minutes):g} minutes: "
                    f"{after[-1][1] - after[0][1]:+.1f} MB (from {after[0][1]:.1f} to {after[-1][1]:.1f}); "
                    f"peak {max(r for _, r in readings):.1f} MB",
                    flush=True,
                )
            finally:
                watch.stop()
    finally:
        sim.terminate()
        sim.wait(10)


if __name__ == "__main__":
    main()
