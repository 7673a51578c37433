"""The main screen's title bar and the job list's border title, worked out from what they show."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.text import Text

from smtui.aws.discovery import TuningState
from smtui.aws.store import JobsView
from smtui.present.cost import money
from smtui.present.durations import interval_text
from smtui.present.numbers import metric_value


def title_line(
    view: JobsView,
    *,
    interval: float,
    effective: float,
    max_rps: float | None,
    scope: str | None,
    subtitle: str,
    now: datetime | None = None,
    width: int | None = None,
    each: bool = False,
) -> Text:
    """``smtui  9 jobs: 8 running, 1 completed  ! 1 not updating  ·  $1,234  ·  every 5s  ·  scope  ·  where``.

    What matters most comes first, so a narrow terminal cuts what matters least: the counts, a poll that
    fails, the jobs' cost, then how often they are polled and where. With ``width``, the parts after the
    cost that do not fit whole are left out, rather than cut in the middle. ``effective`` is the interval in
    effect (``interval`` is the user's ceiling); ``each`` says the budget is each region's and account's.
    """
    count = len(view)
    summary = ", ".join(f"{n} {phase}" for phase, n in view.counts().items())
    text = Text.assemble(("smtui", "bold"), f"  {count} job{'s' if count != 1 else ''}")
    if summary:
        text.append(f": {summary}")
    if view.failing:
        text.append(f"  ! {view.failing} not updating", style="bold")
    if now is not None:
        # The total as of the start of the minute: a fleet's total moves every second, and a title that says
        # so would send the whole bar to the terminal each time.
        total, unpriced = view.costs(now.replace(second=0, microsecond=0))
        if total:
            unpriced_text = f" + {unpriced} unpriced" if unpriced else ""
            # Cents say nothing next to thousands of dollars.
            amount = money(total) if total < 1000 else f"${total:,.0f}"
            text.append(f"  ·  {amount}{unpriced_text}", style="bold")
    if effective > interval * 1.01 and max_rps:
        # The request budget stretched the polls past the ceiling: say so, with the budget that did it.
        cadence = f"every {interval_text(effective)} ({max_rps:g} req/s budget{' each' if each else ''})"
    else:
        cadence = f"every {interval_text(min(effective, interval) if effective > 0 else interval)}"
    for part in (cadence, scope, subtitle):
        if part and (width is None or text.cell_len + 5 + cell_len(part) <= width):
            text.append(f"  ·  {part}", style="dim")
        elif part:
            break
    return text


def jobs_title(
    *,
    tuning: TuningState | None,
    filter_text: str,
    shown: int,
    total: int,
    sort_key: str,
    marked: int = 0,
    metric: str | None = None,
) -> str:
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
