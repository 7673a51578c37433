"""How each status looks: a symbol and a style role, so status never relies on colour alone.

Plain data, no Textual import: the command line output uses it too. Roles map
to theme colours in the widgets' CSS (``success`` → ``$success`` and so on).
Every symbol is a single-cell character that renders the same width in any
terminal font likely to be found on a remote box.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StatusStyle:
    """The symbol, role and a short description of one status."""

    symbol: str
    role: str
    description: str


#: Every value of botocore's SecondaryStatus enum gets its own symbol.
SECONDARY: dict[str, StatusStyle] = {
    "Pending": StatusStyle("◌", "muted", "waiting for capacity"),
    "Starting": StatusStyle("○", "info", "starting the job"),
    "LaunchingMLInstances": StatusStyle("◔", "info", "launching ML instances"),
    "PreparingTrainingStack": StatusStyle("◑", "info", "preparing the training stack"),
    "Downloading": StatusStyle("↓", "info", "downloading input data"),
    "DownloadingTrainingImage": StatusStyle("⇣", "info", "downloading the training image"),
    "Training": StatusStyle("▶", "active", "training"),
    "Uploading": StatusStyle("↑", "info", "uploading the model"),
    "Updating": StatusStyle("↻", "info", "updating the job"),
    "Interrupted": StatusStyle("↯", "warning", "spot capacity interrupted"),
    "Restarting": StatusStyle("↺", "warning", "restarting after an interruption"),
    "Stopping": StatusStyle("□", "warning", "stopping"),
    "Stopped": StatusStyle("■", "warning", "stopped"),
    "MaxRuntimeExceeded": StatusStyle("⊠", "error", "stopped: max runtime exceeded"),
    "MaxWaitTimeExceeded": StatusStyle("⊟", "error", "stopped: max wait time exceeded"),
    "Completed": StatusStyle("✓", "success", "completed"),
    "Failed": StatusStyle("✗", "error", "failed"),
}

#: TrainingJobStatus values.
PRIMARY: dict[str, StatusStyle] = {
    "InProgress": StatusStyle("▶", "active", "in progress"),
    "Completed": StatusStyle("✓", "success", "completed"),
    "Failed": StatusStyle("✗", "error", "failed"),
    "Stopping": StatusStyle("□", "warning", "stopping"),
    "Stopped": StatusStyle("■", "warning", "stopped"),
    "Deleting": StatusStyle("⊖", "muted", "deleting"),
}

UNKNOWN = StatusStyle("?", "muted", "unknown status")
#: Shown before the first answer arrives.
WAITING = StatusStyle("…", "muted", "waiting for the first answer")
#: Shown when the last poll failed.
POLL_ERROR = StatusStyle("!", "error", "the last poll failed")
NOT_FOUND = StatusStyle("⊘", "error", "job not found")


def secondary_style(status: str | None) -> StatusStyle:
    """The style of a secondary status; unknown values (new in the API) get a neutral one."""
    return SECONDARY.get(status or "", UNKNOWN)


def primary_style(status: str | None) -> StatusStyle:
    """The style of a primary status."""
    return PRIMARY.get(status or "", UNKNOWN)
