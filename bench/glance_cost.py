"""What the at-a-glance view costs in API calls (host metrics and prices): figures, not pass/fail.

Runs the real ``smtui watch`` against the simulator (served from this process
on the real clock, with AWS's request quotas) over the ten scripted jobs, the
first one named selected, and counts at the simulator the calls of each
operation: after a warm-up that holds the first rounds (the first metrics
round, the selected job's last hour of host metrics, the price lookups, which
start from an empty cache), and over a steady window.

Selected in turn: a one-instance job (``bert-base-finetune-imdb``), the
four-instance one (``mistral-7b-sft-distributed``) and the 128 Trainium
instances (``llama2-70b-pretrain-trn1``). Every running job's hosts are read for
the job list's utilisation column whichever is selected.

Usage: ``python bench/glance_cost.py [--window SECONDS] [--warmup SECONDS]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile

import counting
from run import Session, child_env, smtui

from smtui.sim import start_in_thread

SELECTED = ("bert-base-finetune-imdb", "mistral-7b-sft-distributed", "llama2-70b-pretrain-trn1")
OPERATIONS = ("DescribeTrainingJob", "GetMetricData", "GetProducts")


class CountingSimulator(counting.CountingSimulator):
    """The simulator, counting GetMetricData's series and GetProducts calls too."""

    def get_metric_data(self, params: dict) -> dict:
        self._count("series", len(params.get("MetricDataQueries", ())))
        return super().get_metric_data(params)  # counts the call

    def get_products(self, params: dict) -> dict:
        self._count("GetProducts")
        return super().get_products(params)


def measure(selected: str, window: float, warmup: float, env: dict[str, str]) -> tuple[dict, dict]:
    """The counts of the warm-up and of the steady window, by operation."""
    simulator = CountingSimulator(speed=1.0)
    with start_in_thread(simulator) as served:
        names = [selected, *(n for n in simulator.job_names() if n != selected)]
        session = Session(smtui("watch", *names, "--endpoint-url", served.url, "--region", "us-east-1"), env)
        session.until(b"InProgress", 60)
        session.pump(warmup)
        first = simulator.snapshot()
        session.pump(window)
        steady = simulator.snapshot()
        session.stop()
    return dict(first), {op: steady[op] - first[op] for op in steady}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--window", type=float, default=180.0, help="seconds of steady state (default 180)")
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds for the first rounds (default 30)")
    args = parser.parse_args()
    print(
        f"smtui watch of the ten scripted jobs: calls counted at the simulator (real clock); the first "
        f"{args.warmup:g} s, then a minute of the next {args.window:g} s"
    )
    print(
        f"{'selected':<28} {'first: metrics':>14} {'prices':>6} {'a minute: metrics':>17} {'series/call':>11} "
        f"{'prices':>6} {'describes':>9}"
    )
    for selected in SELECTED:
        env = child_env(tempfile.mkdtemp(prefix="smtui-bench-"))  # an empty price cache each time
        first, steady = measure(selected, args.window, args.warmup, env)
        minute = {op: steady.get(op, 0) * 60 / args.window for op in (*OPERATIONS, "series")}
        per_call = steady.get("series", 0) / max(steady.get("GetMetricData", 0), 1)
        print(
            f"{selected:<28} {first.get('GetMetricData', 0):>14} {first.get('GetProducts', 0):>6} "
            f"{minute['GetMetricData']:>17.1f} {per_call:>11.0f} {minute['GetProducts']:>6.1f} "
            f"{minute['DescribeTrainingJob']:>9.1f}",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
