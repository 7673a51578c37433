"""Where a job's script stands at a moment: its secondary-status history and primary status.

The script gives a job's natural course. Three things can cut it short, all
the same way (the current stage ends, then Stopping, then a final status):

- a StopTrainingJob request (from a client, or scripted, which the simulator
  issues through the same call) → Stopped;
- MaxRuntimeInSeconds of running time (Downloading, Training, Uploading since
  TrainingStartTime) → MaxRuntimeExceeded;
- for spot jobs, MaxWaitTimeInSeconds since creation → MaxWaitTimeExceeded.

All times here are script seconds after the job's creation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from smtui.sim.scenarios import Scenario, Stage

#: Secondary statuses that end a job, and the primary status they belong to.
FINAL = {
    "Completed": "Completed",
    "Failed": "Failed",
    "Stopped": "Stopped",
    "MaxRuntimeExceeded": "Stopped",
    "MaxWaitTimeExceeded": "Stopped",
}
#: Secondary statuses during which the instances run the job (what MaxRuntimeInSeconds counts).
RUNNING = ("Downloading", "Training", "Uploading")
#: Script seconds from a stop to its final status: SageMaker sends SIGTERM and allows the
#: algorithm time to save its model before the instances go.
STOPPING_SECONDS = 60.0


@dataclass(frozen=True)
class World:
    """Where and when the scripts play: the account, and how script time maps to real time.

    A job's offset ``t`` (script seconds after its creation) happens at real
    time ``origin - ago + (created + t) / speed``: ``ago`` (real seconds) keeps a
    job that ran long ago as old at any speed.
    """

    origin: datetime
    speed: float
    region: str
    account: str

    def time(self, scenario: Scenario, offset: float) -> datetime:
        """The real time of ``offset`` script seconds after ``scenario``'s creation."""
        return self.origin + timedelta(seconds=(scenario.created + offset) / self.speed - scenario.ago)

    def epoch(self, scenario: Scenario, offset: float) -> float:
        """:meth:`time` as epoch seconds."""
        return self.origin.timestamp() - scenario.ago + (scenario.created + offset) / self.speed

    def offset(self, scenario: Scenario, moment: datetime | float) -> float:
        """Script seconds after ``scenario``'s creation of a real time (datetime or epoch seconds)."""
        seconds = moment.timestamp() if isinstance(moment, datetime) else moment
        return (seconds - self.origin.timestamp() + scenario.ago) * self.speed - scenario.created

    def seconds(self, script_seconds: float) -> float:
        """Real seconds that ``script_seconds`` last."""
        return script_seconds / self.speed


@dataclass(frozen=True)
class Span:
    """A stage as it happened (so far)."""

    stage: Stage
    start: float
    #: When the stage ended; None while it is the current one.
    end: float | None
    message: str
    #: When the current message appeared.
    message_since: float

    @property
    def status(self) -> str:
        return self.stage.status


@dataclass(frozen=True)
class Playback:
    """A job at one moment: every stage reached, and the primary status."""

    spans: tuple[Span, ...]
    status: str
    #: Script seconds since creation of this moment.
    elapsed: float

    @property
    def terminal(self) -> bool:
        return self.status in ("Completed", "Failed", "Stopped")

    @property
    def secondary(self) -> str:
        return self.spans[-1].status

    @property
    def ended_at(self) -> float | None:
        """When the job reached its final status (TrainingEndTime)."""
        return self.spans[-1].start if self.terminal else None

    @property
    def training_start(self) -> float | None:
        """When the instances started on the job (TrainingStartTime): the first download or training."""
        return next((s.start for s in self.spans if s.status in ("Downloading", "Training")), None)

    @property
    def last_modified(self) -> float:
        return max(max(s.start, s.message_since) for s in self.spans)

    def reached(self, status: str) -> bool:
        return any(s.status == status for s in self.spans)

    def seconds_in(self, statuses: tuple[str, ...]) -> float:
        """Script seconds spent so far in any of ``statuses``."""
        return sum((s.end if s.end is not None else self.elapsed) - s.start for s in self.spans if s.status in statuses)

    def training_windows(self) -> list[tuple[float, float]]:
        """The stretches in which the algorithm trained, each from the end of its image pull."""
        windows = []
        for span in self.spans:
            if span.status != "Training":
                continue
            pulled = span.start + span.stage.message_at(math.inf)[0]
            until = span.end if span.end is not None else self.elapsed
            if until > pulled:
                windows.append((pulled, until))
        return windows


def natural_course(scenario: Scenario) -> list[tuple[Stage, float, float]]:
    """The script's stages with their start and end, as if nothing stopped the job."""
    out, cursor = [], 0.0
    for stage in scenario.stages:
        out.append((stage, cursor, cursor + stage.seconds))
        if stage.final:
            break
        cursor += stage.seconds
    return out


def _runtime_limit(scenario: Scenario, course: list[tuple[Stage, float, float]]) -> float | None:
    """When the running time reaches MaxRuntimeInSeconds, if it does."""
    left = float(scenario.max_runtime)
    for stage, start, end in course:
        if stage.status in RUNNING:
            if end - start >= left:
                return start + left
            left -= end - start
    return None


def play(scenario: Scenario, elapsed: float, stop_requested: float | None = None) -> Playback | None:
    """The job ``elapsed`` script seconds after creation; None before it exists.

    ``stop_requested`` is when StopTrainingJob was accepted, if it was.
    """
    if elapsed < 0:
        return None
    course = natural_course(scenario)
    finish = course[-1][1] if course[-1][0].final else math.inf
    cuts = [(stop_requested, "Stopped"), (_runtime_limit(scenario, course), "MaxRuntimeExceeded")]
    if scenario.spot and scenario.max_wait:
        cuts.append((float(scenario.max_wait), "MaxWaitTimeExceeded"))
    cut = min(((t, why) for t, why in cuts if t is not None and t < finish), default=None)

    full: list[tuple[Stage, float, float]] = []
    for stage, start, end in course:
        if cut is not None and start >= cut[0]:
            break
        full.append((stage, start, min(end, cut[0]) if cut is not None else end))
    if cut is not None:
        at, why = cut
        full.append((Stage("Stopping", STOPPING_SECONDS), at, at + STOPPING_SECONDS))
        full.append((Stage(why), at + STOPPING_SECONDS, at + STOPPING_SECONDS))

    spans = []
    for stage, start, end in full:
        if start > elapsed:
            break
        done = end <= elapsed
        since, message = stage.message_at((end if done else elapsed) - start)
        spans.append(Span(stage, start, end if done else None, message, start + since))
    last = spans[-1]
    if last.status in FINAL and last.end is not None:
        status = FINAL[last.status]
    elif last.status == "Stopping":
        status = "Stopping"
    else:
        status = "InProgress"
    return Playback(tuple(spans), status, elapsed)
