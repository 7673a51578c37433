"""The main screen's title bar and the job list's border title, worked out from what they show."""

from __future__ import annotations

from rich.text import Text

from smtui.aws.discovery import TuningState
from smtui.aws.store import JobsView
from smtui.present.durations import interval_text
from smtui.ui.fmt import metric_value


def title_line(view: JobsView, *, interval: float, effective: float, max_rps: float | None,
               scope: str | None, subtitle: str) -> Text:
    """``smtui  9 jobs: 8 running, 1 completed  ! 1 not updating  ·  every 30s  ·  scope  ·  where``."""
    count = len(view)
    summary = ", ".join(f"{n} {phase}" for phase, n in view.counts().items())
    text = Text.assemble(("smtui", "bold"), f"  {count} job{'s' if count != 1 else ''}")
    if summary:
        text.append(f": {summary}")
    if view.failing:
        text.append(f"  ! {view.failing} not updating", style="bold")
    if effective > interval * 1.01 and max_rps:
        # The request budget stretched the polls: say so, with the budget that did it.
        cadence = f"every {interval_text(effective)} ({max_rps:g} req/s budget)"
    else:
        cadence = f"every {interval_text(interval)}"
    scoped = f"  ·  {scope}" if scope else ""
    text.append(f"  ·  {cadence}{scoped}  ·  {subtitle}", style="dim")
    return text


def jobs_title(*, tuning: TuningState | None, filter_text: str, shown: int, total: int, sort_key: str,
               marked: int = 0, metric: str | None = None) -> str:
    """The job list's border title: ``Jobs · tuning-job InProgress 8 of 12 launched · best 0.93 · “llama” 3 of 9
    · by name``. Border titles are markup: only characters a name, a status or a number has are put in."""
    title = "Jobs"
    if tuning is not None:
        launched = f" {tuning.launched} of {tuning.max_jobs} launched" if tuning.max_jobs else ""
        title += f" · {tuning.name} {tuning.status}{launched}"
        if tuning.best_value is not None and tuning.objective is not None:
            title += f" · best {metric_value(tuning.best_value)}"
    if filter_text:
        text = "".join(c for c in filter_text if c.isalnum() or c in "-_.: ")
        title += f" · “{text}” {shown} of {total}"
    if sort_key != "given":
        title += f" · by {metric if sort_key == 'metric' and metric else sort_key}"
    if marked:
        title += f" · {marked} marked (m compares)" if marked > 1 else " · 1 marked"
    return title
