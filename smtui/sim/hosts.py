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

import hashlib
import math
from datetime import datetime, timezone

from smtui.sim.lifecycle import Playback, World
from smtui.sim.scenarios import Scenario

HOST_DIMENSION = "Host"
#: The unit SageMaker publishes its instance metrics in.
UNIT = "Percent"
GPU, GPU_MEMORY, CPU, MEMORY, DISK = (
    "GPUUtilization", "GPUMemoryUtilization", "CPUUtilization", "MemoryUtilization", "DiskUtilization")
#: Script seconds between two points.
INTERVAL = 60
#: Every this many minutes of training the job evaluates, and its GPUs dip.
EVAL_EVERY = 10

#: vCPUs and NVIDIA GPUs of the instance types the scripted jobs use. The simulator keeps its
#: own figures (it imports nothing of the client); a test checks them against the client's table.
HARDWARE = {
    "ml.g5.2xlarge": (8, 1), "ml.g5.4xlarge": (16, 1), "ml.g5.12xlarge": (48, 4), "ml.g6.2xlarge": (8, 1),
    "ml.p3.2xlarge": (8, 1), "ml.p4d.24xlarge": (96, 8), "ml.p4de.24xlarge": (96, 8), "ml.m5.xlarge": (4, 0),
    "ml.m5.2xlarge": (8, 0), "ml.m5.4xlarge": (16, 0), "ml.c5.2xlarge": (8, 0),
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


def host_series(scenario: Scenario, playback: Playback, world: World, host: int, metric: str,
                start: float, end: float) -> list[tuple[int, datetime, float]]:
    """One host's points of ``metric`` between epoch seconds ``start`` and ``end``: (slot, time, value)."""
    cores, gpus = HARDWARE.get(scenario.instance_type, (8, 0))
    if not 1 <= host <= scenario.instance_count or metric not in published(scenario):
        return []
    scale = cores if metric == CPU else gpus if metric in (GPU, GPU_MEMORY) else 1
    step = world.seconds(INTERVAL)
    out = []
    for span in playback.spans:
        if span.status not in _RUNNING:
            continue
        until = span.end if span.end is not None else playback.elapsed
        first = max(math.floor(world.epoch(scenario, span.start) / step + 1e-9) + 1, math.ceil(start / step))
        last = min(math.floor(world.epoch(scenario, until) / step + 1e-9), math.floor(end / step))
        for slot in range(first, last + 1):
            offset = world.offset(scenario, slot * step) - span.start
            share = _share(scenario, span, offset, host, metric, slot)
            out.append((slot, datetime.fromtimestamp(slot * step, timezone.utc), round(share * scale, 2)))
    return out


def _share(scenario: Scenario, span, offset: float, host: int, metric: str, slot: int) -> float:
    """The metric per core or per GPU (0–100) ``offset`` script seconds into ``span``."""
    noise = _noise(scenario.name, host, metric, slot)
    profile = scenario.host_profile
    lagging = scenario.straggler == host
    if span.status == "Downloading":
        fraction = min(offset / max(span.stage.seconds, 1), 1.0)
        return _clip({GPU: 0.5 + noise, GPU_MEMORY: 0.3, CPU: 35 + 6 * noise, MEMORY: 12 + 12 * fraction,
                      DISK: 8 + 40 * fraction}[metric])
    if span.status == "Uploading":
        return _clip({GPU: 0.2, GPU_MEMORY: 0.0, CPU: 22 + 4 * noise, MEMORY: 20 + noise, DISK: 50}[metric])
    pulled = span.stage.message_at(math.inf)[0]
    if offset < pulled:  # the training image is still being pulled
        return _clip({GPU: 0.3, GPU_MEMORY: 0.2, CPU: 18 + 4 * noise, MEMORY: 20 + noise, DISK: 48 + noise}[metric])
    minute = int((offset - pulled) // INTERVAL)
    evaluating = minute % EVAL_EVERY == EVAL_EVERY - 1
    if profile == "input-bound":
        values = {GPU: 30 + 4 * noise, GPU_MEMORY: 44 + noise, CPU: 97.5 + 1.5 * noise, MEMORY: 71 + 2 * noise,
                  DISK: 52 + noise}
    else:
        values = {GPU: (36 if evaluating else 93) + 3 * noise, GPU_MEMORY: 78 + noise,
                  CPU: (48 if evaluating else 36) + 5 * noise, MEMORY: 55 + 3 * noise, DISK: 50 + noise}
        if profile == "memory-leak":
            # Allocations that are never freed: from 62 % to all of it by the end of the stage.
            length = max(span.stage.seconds - pulled, INTERVAL)
            values[GPU_MEMORY] = 62 + 38 * min((offset - pulled + INTERVAL) / length, 1.0)
        if not HARDWARE.get(scenario.instance_type, (8, 0))[1]:
            values[CPU] = (62 if evaluating else 71) + 4 * noise  # the cores do the training
    if lagging:
        values[CPU] = 21 + 3 * noise
        values[GPU] = 12 + 3 * noise
    return _clip(values[metric])


def _noise(job: str, host: int, metric: str, slot: int) -> float:
    """A deterministic number in [-1, 1] (a hash, not a seeded generator: thousands are needed per call)."""
    digest = hashlib.blake2b(f"{job}/{host}/{metric}/{slot}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 0x7FFFFFFF - 1.0


def _clip(value: float) -> float:
    return min(max(value, 0.0), 100.0)
