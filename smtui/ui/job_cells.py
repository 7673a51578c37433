"""What each cell of a job's row says, and how it fits its column: pure text, without Textual.

A cell is a tuple of spans, each a run of text with a style role
(``success``, ``error``, ... or None) that the widget maps to a theme colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.cells import cell_len, set_cell_size

from smtui.aws import errors
from smtui.aws.discovery import Objective
from smtui.aws.places import split_id
from smtui.aws.store import JobState
from smtui.present.cost import short_money
from smtui.present.durations import duration_step, row_duration
from smtui.present.numbers import metric_value
from smtui.present.utilisation import GPU
from smtui.ui.fmt import safe
from smtui.ui.status_style import NOT_FOUND, POLL_ERROR, WAITING, StatusStyle, primary_style, secondary_style

#: A run of text and its style role (``success``, ``error``, ... or None for the plain style).
Span = tuple[str, "str | None"]
#: What one cell shows.
Cell = tuple[Span, ...]

#: What the status column says of a job with no data yet, by why its poll failed.
ERROR_LABELS = {
    errors.THROTTLED: "throttled",
    errors.NETWORK: "unreachable",
    errors.SERVICE: "AWS error",
    errors.AUTH: "credentials",
    errors.ACCESS_DENIED: "denied",
    errors.CONFIG: "config",
}


@dataclass(frozen=True)
class Column:
    """One column of the list: its key, its header, and how it gives way when the terminal is narrow."""

    key: str
    label: str
    #: Numbers line up on the right.
    right: bool = False
    #: Cut in the middle (job names often differ only at the end) rather than at the end.
    cut_middle: bool = False
    #: Cut without an ellipsis (the metric's value comes first, its name may go).
    plain_cut: bool = False
    #: Cut the first span, keeping the rest whole while there is room (a stale row's age outlasts the stage).
    keep_tail: bool = False


COLUMNS = (
    Column("status", "Status"),
    Column("name", "Job", cut_middle=True),
    # Only when several regions or accounts are watched; its header says which (Region, Account or Where).
    Column("place", "Region"),
    Column("stage", "Stage", keep_tail=True),
    Column("elapsed", "Elapsed", right=True),
    Column("util", "Util", right=True),
    Column("cost", "Cost", right=True),
    Column("metric", "Metric", plain_cut=True),
)
KEYS = tuple(column.key for column in COLUMNS)
#: The sort a click on each column's header asks for.
COLUMN_SORTS = {
    "status": "status",
    "name": "name",
    "place": "name",
    "stage": "status",
    "elapsed": "elapsed",
    "util": "util",
    "cost": "cost",
    "metric": "metric",
}
#: Cells between two columns (one of padding on each side of each).
PADDING = 1
#: When the columns do not fit, they give way in this order, each down to the width given: the metric's
#: name, the end of a long stage, the end of a long job name, the cost (all of it: the title bar has the
#: total), the stage's words (its symbol stays), more of the job name, the utilisation (all of it), the
#: metric's value, the region or account, the status's word (all of it at once: its symbol stays), then more
#: of the job name again. The elapsed time never gives way.
GIVE_WAY = (
    ("metric", 7, False),
    ("stage", 14, False),
    ("name", 20, False),
    ("cost", 0, True),
    ("stage", 1, False),
    ("name", 16, False),
    ("util", 0, True),
    ("metric", 0, False),
    ("place", 0, True),
    ("status", 1, True),
    ("name", 8, False),
)
#: Room left over after giving way goes back to these columns first, up to their natural widths.
TAKE_BACK = ("name", "stage")


def _styled(style: StatusStyle, label: str) -> list[Span]:
    return [(f"{style.symbol} {label}", style.role)]


def row_cells(
    state: JobState,
    now: datetime | None,
    objective: Objective | None = None,
    best_job: str | None = None,
    metric: str | None = None,
) -> tuple[Cell, ...]:
    """The cells of one job's row: status, name, region or account, stage, elapsed time, utilisation, cost,
    metric (``metric`` when one was chosen, named in the header)."""
    snapshot, error = state.snapshot, state.error
    if state.not_found:
        status = _styled(NOT_FOUND, "not found")
    elif snapshot is None:
        status = (
            _styled(POLL_ERROR, ERROR_LABELS.get(error.kind, "error"))
            if error is not None
            else _styled(WAITING, "waiting")
        )
    else:
        status = _styled(primary_style(snapshot.status), safe(snapshot.status or "?", 24))
        if error is not None:
            status.append((" !", "error"))  # known data, but the last poll failed
    stage: list[Span] = []
    if snapshot is not None and snapshot.secondary_status:
        stage = _styled(secondary_style(snapshot.secondary_status), safe(snapshot.secondary_status, 24))
    if snapshot is not None and error is not None and now is not None:
        # The row shows what the last good answer said, and how old that is.
        age = row_duration(max((now - snapshot.fetched_at).total_seconds(), 0))
        stage.append((f"  ! {age} old", "error"))
    elapsed = snapshot.elapsed(now) if snapshot is not None and now is not None else None
    if elapsed is not None and not snapshot.is_terminal:  # (an elapsed time: a snapshot and a clock)
        # The row's clock ticks as finely as its elapsed time reads: a running job's cost moves with it, and
        # a row past ten minutes changes once a minute (between answers), not every second.
        seconds = elapsed.total_seconds()
        lag = seconds % duration_step(seconds)
        now, elapsed = now - timedelta(seconds=lag), timedelta(seconds=seconds - lag)
    shown = state.shown_metric(objective, metric)
    value: Cell = ()
    if shown is not None and (objective is not None or metric is not None):
        # Every row shows the same metric, named in the header: the value, and a star for the tuning job's best.
        if state.name == best_job and objective is not None and shown[0] == objective.metric:
            value = ((f"{metric_value(shown[1]):>7}", "success"), (" ★", "success"))
        else:
            value = ((f"{metric_value(shown[1]):>7}", None),)
    elif shown is not None:
        # Value first: when the column is cut short it is the name that goes.
        value = ((f"{metric_value(shown[1]):>7} ", None), (safe(shown[0], 40), "muted"))
    place, name = split_id(state.name)
    return (
        tuple(status),
        ((name, None),),
        ((place, "muted"),) if place else (),
        tuple(stage),
        ((row_duration(elapsed.total_seconds()) if elapsed is not None else "–", None),),
        _util_cell(state),
        _cost_cell(state, now),
        value,
    )


def _util_cell(state: JobState) -> Cell:
    """A running job's mean GPU (or CPU) utilisation over its hosts: ``93% GPU``; in the warning colour when
    something is wrong with its instances."""
    util = state.list_utilisation()
    if util is None:
        return ()
    metric, value, wrong = util
    return ((f"{value:.0f}%", "warning" if wrong else None), (" GPU" if metric == GPU else " CPU", "muted"))


def _cost_cell(state: JobState, now: datetime | None) -> Cell:
    """What the job has cost (so far, muted, while it runs); nothing without a price."""
    if state.snapshot is None or now is None:
        return ()
    bill = state.cost(now)
    if bill.cost_usd is None:
        return ()
    return ((short_money(bill.cost_usd), "muted" if bill.estimated else None),)


def cell_width(cell: Cell) -> int:
    """How many terminal cells ``cell`` takes."""
    return sum(cell_len(text) for text, _ in cell)


def fit(cell: Cell, width: int, column: Column) -> Cell:
    """``cell`` made exactly ``width`` terminal cells wide: padded, or cut as ``column`` says."""
    size = cell_width(cell)
    if size <= width:
        pad = (" " * (width - size), None)
        return (pad, *cell) if column.right else (*cell, pad)
    if width <= 0:
        return ()
    if column.keep_tail and len(cell) > 1:
        room = width - cell_width(cell[1:])
        if room >= 3:
            return fit(cell[:1], room, Column(column.key, column.label)) + cell[1:]
    if column.plain_cut and len(cell) > 1:
        # The value, then the name whole or not at all: never half a metric's name.
        first = cell[:1]
        out = list(
            first if cell_width(first) <= width else fit(first, width, Column(column.key, column.label, plain_cut=True))
        )
        for span in cell[1:]:
            if cell_width(tuple(out)) + cell_len(span[0]) > width:
                break
            out.append(span)
        used = cell_width(tuple(out))
        return (*out, (" " * (width - used), None)) if used < width else tuple(out)
    plain = column.plain_cut or width < 3  # too narrow for an ellipsis to say anything
    out: list[Span] = []
    if column.cut_middle:
        text = "".join(part for part, _ in cell)
        head = width // 2
        out.append((_cut(text, head) + "…" + _last_cells(text, width - 1 - head), cell[0][1]))
        used = cell_width(tuple(out))
        return (*out, (" " * (width - used), None)) if used < width else tuple(out)
    room = width if plain else width - 1
    for text, role in cell:
        if room <= 0:
            break
        part = _cut(text, room)
        out.append((part, role))
        room -= cell_len(part)
    if not plain:
        out.append(("…", out[-1][1] if out else None))
    used = cell_width(tuple(out))
    if used < width:
        out.append((" " * (width - used), None))
    return tuple(out)


def _cut(text: str, cells: int) -> str:
    """The start of ``text`` that fits in ``cells`` (a wide character that would straddle the edge goes)."""
    if text.isascii():
        return text[:cells]
    fitted = set_cell_size(text, cells)
    return fitted.rstrip(" ") if cell_len(text) > cells else fitted


def _last_cells(text: str, cells: int) -> str:
    if cells <= 0:
        return ""
    if text.isascii():
        return text[-cells:]
    out, used = [], 0
    for char in reversed(text):
        used += cell_len(char)
        if used > cells:
            break
        out.append(char)
    return "".join(reversed(out))


def fit_widths(natural: list[int], available: int) -> list[int]:
    """Column widths for ``available`` terminal cells: ``natural`` when they fit, else giving way as
    :data:`GIVE_WAY` says. A column given no room at all is left out (with its padding)."""
    widths = list(natural)

    def total() -> int:
        return sum(w + 2 * PADDING for w in widths if w > 0)

    for key, floor, whole in GIVE_WAY:
        excess = total() - available
        if excess <= 0:
            break
        index = KEYS.index(key)
        if widths[index] > floor:
            widths[index] = floor if whole else max(floor, widths[index] - excess)
    for key in TAKE_BACK:
        index = KEYS.index(key)
        if widths[index]:
            widths[index] = min(natural[index], widths[index] + max(available - total(), 0))
    return widths
