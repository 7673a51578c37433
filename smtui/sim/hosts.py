"""Per-host instance metrics, as SageMaker publishes them for each training instance.

Each instance of a job reports, once a minute while it runs the job
(Downloading, Training, Uploading), CPUUtilization, MemoryUtilization,
DiskUtilization and, on NVIDIA GPU types, GPUUtilization and
GPUMemoryUtilization, under the one dimension ``Host`` = ``JOB/algo-N``. CPU
and GPU figures are 0–100 % times the instance's cores or GPUs, as CloudWatch
has them. While a spot job is interrupted no instance runs it: its series
have a gap.

The figures tell each job's story (``Scenario.host_profile``):

- ``busy``: GPUs near 0 while the data downloads and the image is pulled, then
  around 93 % with a dip every tenth minute, when the job evaluates;
- ``memory-leak``: the same, with GPU memory climbing to 100 % at the end of
  its Training stage (the job that fails with a CUDA out-of-memory error);
- ``input-bound``: GPUs idle at around 30 % while every core is pegged, a data
  loader that cannot keep up.

``Scenario.straggler`` names one host that lags far behind the others.
Values are deterministic: seeded noise on a fixed grid of script minutes, the
same grid as the training metrics.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from datetime import datetime, timezone

from smtui.sim.lifecycle import Playback, World
from smtui.sim.scenarios import Scenario

HOST_DIMENSION = "Host"
#: The unit SageMaker publishes its instance metrics in.
UNIT = "Percent"
GPU, GPU_MEMORY, CPU, MEMORY, DISK = (
    "GPUUtilization",
    "GPUMemoryUtilization",
    "CPUUtilization",
    "MemoryUtilization",
    "DiskUtilization",
)
#: Script seconds between two points.
INTERVAL = 60
#: Every this many minutes of training the job evaluates, and its GPUs dip.
EVAL_EVERY = 10

#: vCPUs and NVIDIA GPUs of the instance types the scripted jobs use. The simulator keeps its
#: own figures (it imports nothing of the client); a test checks them against the client's table.
HARDWARE = {
    "ml.g5.2xlarge": (8, 1),
    "ml.g5.4xlarge": (16, 1),
    "ml.g5.12xlarge": (48, 4),
    "ml.g6.2xlarge": (8, 1),
    "ml.p3.2xlarge": (8, 1),
    "ml.p4d.24xlarge": (96, 8),
    "ml.p4de.24xlarge": (96, 8),
    "ml.m5.xlarge": (4, 0),
    "ml.m5.2xlarge": (8, 0),
    "ml.m5.4xlarge": (16, 0),
    "ml.c5.2xlarge": (8, 0),
    # Trainium: no NVIDIA GPU, so no GPU metrics.
    "ml.trn1.32xlarge": (128, 0),
}
_RUNNING = ("Downloading", "Training", "Uploading")


def host_of(value: str) -> tuple[str, int] | None:
    """``JOB/algo-N`` → (JOB, N); None for anything else."""
    job, _, host = value.rpartition("/")
    prefix, _, number = host.partition("-")
    if not job or prefix != "algo" or not number.isdigit() or number.startswith("0"):
        return None
    return job, int(number)


def published(scenario: Scenario) -> tuple[str, ...]:
    """The metrics each host of ``scenario`` publishes: GPU ones only on NVIDIA GPU types."""
    gpus = HARDWARE.get(scenario.instance_type, (8, 0))[1]
    return (GPU, GPU_MEMORY, CPU, MEMORY, DISK) if gpus else (CPU, MEMORY, DISK)


def last_point(scenario: Scenario, playback: Playback, world: World) -> datetime | None:
    """When the hosts last reported: the end of the last stage they ran the job in (None if they never did)."""
    step = world.seconds(INTERVAL)
    for span in reversed(playback.spans):
        if span.status in _RUNNING:
            until = span.end if span.end is not None else playback.elapsed
            slot = math.floor(world.epoch(scenario, until) / step + 1e-9)
            if slot * step > world.epoch(scenario, span.start):
                return datetime.fromtimestamp(slot * step, timezone.utc)
    return None


def host_series(
    scenario: Scenario, playback: Playback, world: World, host: int, metric: str, start: float, end: float
) -> list[tuple[int, datetime, float]]:
    """One host's points of ``metric`` between epoch seconds ``start`` and ``end``: (slot, time, value)."""
    cores, gpus = HARDWARE.get(scenario.instance_type, (8, 0))
    if not 1 <= host <= scenario.instance_count or metric not in published(scenario):
        return []
    scale = cores if metric == CPU else gpus if metric in (GPU, GPU_MEMORY) else 1
    seed = zlib.crc32(f"{scenario.name}/{host}/{metric}".encode())
    step = world.seconds(INTERVAL)
    out = []
    for span in playback.spans:
        if span.status not in _RUNNING:
            continue
        until = span.end if span.end is not None else playback.elapsed
        first = max(math.floor(world.epoch(scenario, span.start) / step + 1e-9) + 1, math.ceil(start / step))
        last = min(math.floor(world.epoch(scenario, until) / step + 1e-9), math.floor(end / step))
        share = _shape(scenario, span, host, metric, bool(gpus))
        # Script seconds into the span of a slot: world.offset, worked out once per span (this loop is hot).
        into = world.offset(scenario, 0.0) - span.start
        for slot in range(first, last + 1):
            value = min(max(share(into + slot * step * world.speed, _noise(seed, slot)), 0.0), 100.0)
            out.append((slot, datetime.fromtimestamp(slot * step, timezone.utc), round(value * scale, 2)))
    return out


def _shape(scenario: Scenario, span, host: int, metric: str, gpus: bool) -> Callable[[float, float], float]:
    """The metric per core or per GPU (0–100) as a function of (seconds into ``span``, noise in [-1, 1])."""
    if span.status == "Downloading":
        length = max(span.stage.seconds, 1)
        return {
            GPU: lambda t, n: 0.5 + n,
            GPU_MEMORY: lambda t, n: 0.3,
            CPU: lambda t, n: 35 + 6 * n,
            MEMORY: lambda t, n: 12 + 12 * min(t / length, 1.0),
            DISK: lambda t, n: 8 + 40 * min(t / length, 1.0),
        }[metric]
    if span.status == "Uploading":
        return {
            GPU: lambda t, n: 0.2,
            GPU_MEMORY: lambda t, n: 0.0,
            CPU: lambda t, n: 22 + 4 * n,
            MEMORY: lambda t, n: 20 + n,
            DISK: lambda t, n: 50.0,
        }[metric]
    pulled = span.stage.message_at(math.inf)[0]
    pulling = {GPU: 0.3, GPU_MEMORY: 0.2, CPU: 18.0, MEMORY: 20.0, DISK: 48.0}[metric]
    training = _training_shape(scenario, span, host, metric, gpus, pulled)

    def share(offset: float, noise: float) -> float:
        if offset < pulled:  # the training image is still being pulled
            return pulling + (4 * noise if metric == CPU else noise if metric in (MEMORY, DISK) else 0.0)
        return training(offset - pulled, noise)

    return share


def _training_shape(
    scenario: Scenario, span, host: int, metric: str, gpus: bool, pulled: float
) -> Callable[[float, float], float]:
    """While the algorithm trains: ``trained`` seconds since the image was pulled."""

    def evaluating(trained: float) -> bool:
        return int(trained // INTERVAL) % EVAL_EVERY == EVAL_EVERY - 1

    if scenario.straggler == host and metric in (CPU, GPU):
        return (lambda t, n: 21 + 3 * n) if metric == CPU else (lambda t, n: 12 + 3 * n)
    if scenario.host_profile == "input-bound":
        return {
            GPU: lambda t, n: 30 + 4 * n,
            GPU_MEMORY: lambda t, n: 44 + n,
            CPU: lambda t, n: 97.5 + 1.5 * n,
            MEMORY: lambda t, n: 71 + 2 * n,
            DISK: lambda t, n: 52 + n,
        }[metric]
    if metric == GPU_MEMORY and scenario.host_profile == "memory-leak":
        # Allocations that are never freed: from 62 % to all of it by the end of the stage.
        length = max(span.stage.seconds - pulled, INTERVAL)
        return lambda t, n: 62 + 38 * min((t + INTERVAL) / length, 1.0)
    if metric == CPU and not gpus:
        return lambda t, n: (62 if evaluating(t) else 71) + 4 * n  # the cores do the training
    return {
        GPU: lambda t, n: (36 if evaluating(t) else 93) + 3 * n,
        GPU_MEMORY: lambda t, n: 78 + n,
        CPU: lambda t, n: (48 if evaluating(t) else 36) + 5 * n,
        MEMORY: lambda t, n: 55 + 3 * n,
        DISK: lambda t, n: 50 + n,
    }[metric]


def _noise(seed: int, slot: int) -> float:
    """A deterministic number in [-1, 1] for a series (``seed``) and a minute (a cheap integer hash: a
    128-host job asks for tens of thousands a call)."""
    x = (slot * 0x9E3779B1 + seed) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    x = (x * 0x297A2D39) & 0xFFFFFFFF
    x ^= x >> 15
    return x / 0x7FFFFFFF - 1.0
