"""How the app polls and what its screens do: the settings the command line gives it."""

from __future__ import annotations

from dataclasses import dataclass

from smtui.aws.cadence import FAST_INTERVAL
from smtui.aws.log_tail import DEFAULT_CAPACITY
from smtui.aws.poller import DEFAULT_MAX_RPS
from smtui.ui.log_screen import LOG_INTERVAL


@dataclass(frozen=True)
class Settings:
    """Everything :class:`~smtui.ui.app.SmtuiApp` can be told besides its jobs, with the command line's defaults."""

    # -- polling ------------------------------------------------------------------------
    #: Seconds between two polls of a running job, at most (unless the request budget needs more).
    interval: float = 30.0
    #: Seconds between two polls of a running job while the budget allows it for all of them (None: always
    #: ``interval``); see :func:`smtui.aws.cadence.poll_interval`.
    fast_interval: float | None = FAST_INTERVAL
    #: Seconds between two CloudWatch metric rounds.
    metrics_interval: float = 60.0
    #: Requests a second the calls to each region and account share; polls of many jobs stretch to stay within it
    #: (None: no limit).
    max_rps: float | None = DEFAULT_MAX_RPS
    #: Seconds between two listings of jobs to watch (``smtui watch --status ...``, ``--tuning-job``).
    list_interval: float = 60.0

    # -- the screens --------------------------------------------------------------------
    #: Seconds between two clock ticks (elapsed times, growing stages).
    tick: float = 1.0
    #: Where the calls go, for the title bar (None: what the job source says).
    subtitle: str | None = None
    #: The header of the job list's column saying where each job is (Region, Account, Where), when several
    #: regions or accounts are watched; None: one of each, no such column.
    place_column: str | None = None
    #: Start with secret-looking values shown (the ``s`` key toggles them).
    reveal_secrets: bool = False
    #: No action on jobs (stopping one): watching only.
    read_only: bool = False
    #: Ring the terminal bell when a watched job ends (a notification shows either way).
    bell: bool = True
    #: Lines the logs screen keeps (the newest; older ones are dropped).
    log_lines: int = DEFAULT_CAPACITY
    #: Seconds between two reads of the log streams while the logs screen is open.
    log_interval: float = LOG_INTERVAL
    #: The text boxes' cursor blinks (off for snapshots, so that a picture never catches it half-way).
    cursor_blink: bool = True

    # -- the process --------------------------------------------------------------------
    #: Once every job has its first answer, keep what was loaded out of the cyclic garbage collector's full
    #: passes (for a process that runs only this app).
    freeze_loaded: bool = False
