"""What a training job's DescribeTrainingJob answer says about its logs: whether they exist yet, how many
instances write them, and over which time range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: TrainingJobStatus values after which a job writes nothing more.
TERMINAL = frozenset({"Completed", "Failed", "Stopped"})
#: Secondary statuses before the training containers (and with them the log streams) start.
BEFORE_TRAINING = frozenset(
    {"Pending", "Starting", "LaunchingMLInstances", "PreparingTrainingStack", "Downloading", "DownloadingTrainingImage"}
)
#: Secondary statuses that only a job whose containers ran reaches.
REACHED_TRAINING = frozenset(
    {"Training", "Uploading", "Completed", "Interrupted", "Restarting", "MaxRuntimeExceeded", "Updating"}
)


def training_started(description: dict) -> bool | None:
    """Whether a job's containers have started (so it has log streams), from its DescribeTrainingJob answer.

    SageMaker sets TrainingStartTime when the instances start downloading,
    before the containers (and their streams) exist, so the secondary status
    and its transitions decide first.
    """
    secondary = description.get("SecondaryStatus")
    if secondary in BEFORE_TRAINING:
        return False
    if secondary in REACHED_TRAINING:
        return True
    transitions = description.get("SecondaryStatusTransitions")
    if isinstance(transitions, list) and transitions:
        return any(isinstance(t, dict) and t.get("Status") in REACHED_TRAINING for t in transitions)
    if description.get("TrainingStartTime"):
        return True
    return None if secondary is None else False


def instance_count(description: dict) -> int | None:
    """How many instances the job runs on (each writes its own stream), or None if the answer does not say."""
    config = description.get("ResourceConfig")
    if not isinstance(config, dict):
        return None
    count = config.get("InstanceCount")
    groups = config.get("InstanceGroups")
    if isinstance(groups, list) and groups:
        # A heterogeneous cluster: the groups' counts, not InstanceCount, say how many.
        counts = [g.get("InstanceCount") for g in groups if isinstance(g, dict)]
        total = sum(c for c in counts if isinstance(c, int) and not isinstance(c, bool))
        return total or None
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else None


@dataclass(frozen=True)
class LogJob:
    """The facts about a job that decide when and where its logs are read."""

    status: str | None = None
    secondary: str | None = None
    #: Whether its containers have started (None: unknown).
    started: bool | None = None
    instances: int | None = None
    #: When it was created, and when it ended (None while it runs), in epoch milliseconds.
    created_ms: int | None = None
    ended_ms: int | None = None

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL

    @classmethod
    def from_description(cls, description: dict[str, Any]) -> LogJob:
        status = description.get("TrainingJobStatus")
        secondary = description.get("SecondaryStatus")
        ended_ms = None
        if status in TERMINAL:
            times = [_ms(description.get(key)) for key in ("TrainingEndTime", "LastModifiedTime")]
            known = [t for t in times if t is not None]
            ended_ms = max(known) if known else None
        return cls(
            status=status if isinstance(status, str) else None,
            secondary=secondary if isinstance(secondary, str) else None,
            started=training_started(description),
            instances=instance_count(description),
            created_ms=_ms(description.get("CreationTime")),
            ended_ms=ended_ms,
        )


def _ms(value: Any) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value * 1000)  # epoch seconds, as the JSON services send them
    return None
