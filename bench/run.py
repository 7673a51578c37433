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
  update, its CPU seconds per update, and the ratio to smtui's.

Usage: ``python bench/run.py [--window SECONDS] [--sizes 10,100,1000]``.
Only the standard library and the project's own dependencies are used.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import resource
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from smtui.sim import Simulator, start_in_thread
from smtui.sim.scenarios import fleet_scenarios

COLUMNS, ROWS = 120, 40
TICK = os.sysconf("SC_CLK_TCK")


class CountingSimulator(Simulator):
    """The simulator, counting the calls smtui makes."""

    describes = 0
    metric_calls = 0

    def describe_training_job(self, params: dict) -> dict:
        self.describes += 1
        return super().describe_training_job(params)

    def get_metric_data(self, params: dict) -> dict:
        self.metric_calls += 1
        return super().get_metric_data(params)


class Session:
    """A program on a pseudo-terminal of COLUMNS x ROWS, with what it wrote."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.output = bytearray()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        os.kill(pid, signal.SIGWINCH)

    def pump(self, seconds: float) -> None:
        """Read what the program writes for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    self.output += os.read(self.fd, 1 << 16)
                except OSError:
                    return

    def until(self, text: bytes, seconds: float, start: int = 0) -> float | None:
        """Seconds until ``text`` shows in the output after offset ``start``; None if it never does."""
        begun = time.monotonic()
        while time.monotonic() - begun < seconds:
            if text in self.output[start:]:
                return time.monotonic() - begun
            self.pump(0.005)
        return None

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        try:
            os.write(self.fd, b"q")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                self.pump(0.1)
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    break
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            pass
        os.close(self.fd)


def child_env(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(TERM="xterm-256color", HOME=home, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.path.join(home, "config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "credentials"))
    return env


def smtui(*args: str) -> list[str]:
    return [sys.executable, "-m", "smtui", *args]


def startup(env: dict[str, str]) -> None:
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
    simulator = CountingSimulator(speed=1.0, scenarios=fleet_scenarios(count, running=running))
    names = simulator.job_names()
    with start_in_thread(simulator) as served:
        args = ["watch", *names, "--endpoint-url", served.url, "--region", "us-east-1", "--max-rps", "20"]
        session = Session(smtui(*args), env)
        begun = time.monotonic()
        # The first round: every job answered once (at 20 requests a second), then let the screen settle.
        while simulator.describes < count and time.monotonic() - begun < 600:
            session.pump(0.2)
        fill = time.monotonic() - begun
        session.pump(5)
        cpu0, out0, calls0, metrics0 = session.cpu_seconds(), len(session.output), simulator.describes, simulator.metric_calls
        session.pump(window)
        cpu = session.cpu_seconds() - cpu0
        updates = simulator.describes - calls0
        metric_calls = simulator.metric_calls - metrics0
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
            subprocess.run([aws, "sagemaker", "describe-training-job", "--training-job-name", simulator.job_names()[0],
                            "--endpoint-url", served.url, "--region", "us-east-1"],
                           env=env, stdout=subprocess.DEVNULL, check=True)
        wall = (time.perf_counter() - begun) / runs
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / runs
    print(f"baseline, one `aws sagemaker describe-training-job` per update: {cpu:.3f} CPU s and {wall:.2f} s wall "
          f"per update ({runs} runs)")
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--window", type=float, default=60.0, help="seconds of steady state measured per size")
    parser.add_argument("--sizes", default="10,100,1000", help="fleet sizes to watch (comma-separated)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    home = tempfile.mkdtemp(prefix="smtui-bench-")
    env = child_env(home)
    print(f"smtui benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, terminal {COLUMNS}x{ROWS}, "
          f"{args.window:g} s windows\n")
    startup(env)
    print()
    cli = baseline(env)
    print()
    print("watching N jobs (5% running, 30 s interval, --max-rps 20 so the first round fills fast):")
    print(f"{'jobs':>6} {'fill s':>7} {'calls/min':>10} {'updates':>8} {'CPU %':>6} {'CPU ms/update':>14} "
          f"{'x CLI':>7} {'bytes/s':>8} {'peak RSS MB':>12}")
    results = []
    for count in sizes:
        result = watch(count, args.window, env, latency_keys=40 if count == max(sizes) else 0)
        results.append(result)
        ratio = cli / result["cpu_per_update"] if result["updates"] else float("nan")
        print(f"{count:>6} {result['fill']:>7.1f} {result['calls_per_min']:>10.1f} {result['updates']:>8} "
              f"{result['cpu_share'] * 100:>6.1f} {result['cpu_per_update'] * 1000:>14.2f} {ratio:>7.0f} "
              f"{result['bytes_per_s']:>8.0f} {result['rss_mb']:>12.0f}", flush=True)
    largest = results[-1]
    if largest.get("latency"):
        delays = sorted(largest["latency"])
        p95 = delays[min(len(delays) - 1, round(0.95 * (len(delays) - 1)))]
        print(f"\nkey press to updated screen, {largest['jobs']} jobs: p50 {statistics.median(delays):.1f} ms, "
              f"p95 {p95:.1f} ms ({len(delays)} presses of j)")
    idle = watch(max(sizes), args.window, env, running=0.0)
    print(f"nothing changing ({max(sizes)} ended jobs): {idle['bytes_per_s']:.0f} bytes/s to the terminal, "
          f"CPU {idle['cpu_share'] * 100:.1f}%, {idle['calls_per_min']:.1f} calls/min")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
