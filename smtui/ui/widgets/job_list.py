"""The list pane: one row per job, updated in place."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from smtui.aws import errors
from smtui.aws.discovery import Objective
from smtui.aws.errors import NOT_FOUND as NOT_FOUND_KIND
from smtui.aws.errors import PollError
from smtui.aws.snapshot import JobSnapshot
from smtui.present.durations import compact_duration
from smtui.ui.fmt import metric_value, safe
from smtui.ui.status_style import NOT_FOUND, POLL_ERROR, WAITING, StatusStyle, primary_style, secondary_style

#: What the status column says of a job with no data yet, by why its poll failed.
ERROR_LABELS = {
    errors.THROTTLED: "throttled",
    errors.NETWORK: "unreachable",
    errors.SERVICE: "AWS error",
    errors.AUTH: "credentials",
    errors.ACCESS_DENIED: "denied",
    errors.CONFIG: "config",
}

ROLES = ("success", "error", "warning", "active", "info", "muted")


#: How ``o`` sorts the list, in turn: as given, by name, by status (running first, then failed,
#: stopped, completed), by elapsed time (longest first), by first metric (lowest first; for a
#: tuning job's objective, best first).
SORTS = ("given", "name", "status", "elapsed", "metric")
#: The sort a click on each column's header asks for.
COLUMN_SORTS = {"status": "status", "name": "name", "stage": "status", "elapsed": "elapsed", "metric": "metric"}
#: The status sort's order.
STATUS_ORDER = {"InProgress": 0, "Stopping": 1, "Failed": 2, "Stopped": 3, "Completed": 4}


class JobList(DataTable):
    """Jobs with their status (symbol and colour), stage, elapsed time and first metric.

    Rows are keyed by job name and changed with ``update_cell``; the table is
    never cleared and refilled, so the cursor and scroll position stay put.
    """

    DEFAULT_CSS = """
    JobList > .joblist--success { color: $success; }
    JobList > .joblist--error { color: $error; }
    JobList > .joblist--warning { color: $warning; }
    JobList > .joblist--active { color: $primary; text-style: bold; }
    JobList > .joblist--info { color: $accent; }
    JobList > .joblist--muted { color: $text-muted; }
    """

    COMPONENT_CLASSES = {f"joblist--{role}" for role in ROLES}
    """One class per status role: `joblist--success`, `--error`, `--warning`, `--active`, `--info`, `--muted`."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("home,g", "scroll_top", "First job", show=False),
        Binding("end,G", "scroll_bottom", "Last job", show=False),
    ]

    COLUMNS = (("status", "Status"), ("name", "Job"), ("stage", "Stage"), ("elapsed", "Elapsed"), ("metric", "Metric"))

    def __init__(self, **kwargs) -> None:
        #: (row locations, row count, rows in order, line offsets): see :meth:`_rows_and_offsets`.
        self._rows_layout: tuple[object, int, list, list] | None = None
        #: What ``/`` filters the rows by (lower case; empty shows every job).
        self.filter_text = ""
        #: What ``o`` sorted the rows by (a name in :data:`SORTS`).
        self.sort_key = "given"
        #: Every job in the order it was added, shown or filtered out.
        self._order_of_names: list[str] = []
        #: The columns' widths when last measured: cells drawn before a change of width are drawn again.
        self._measured_widths: list[int] = []
        #: Indexes of the rows whose cells changed while they were out of view.
        self._offscreen_changes: set[int] = set()
        #: A tuning job's objective: the metric column shows it instead of each job's first metric.
        self.objective: Objective | None = None
        #: The tuning job's best training job so far, starred.
        self.best_job: str | None = None
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._snapshots: dict[str, JobSnapshot] = {}
        self._errors: dict[str, PollError] = {}
        self._latest: dict[str, tuple[str, float]] = {}
        #: What each cell shows now, so unchanged cells are not redrawn.
        self._shown: dict[tuple[str, str], Text] = {}

    # DataTable recomputes its row order and line offsets, O(rows) each, whenever anything in
    # it changes, and a changed cell counts. With a thousand jobs and dozens of elapsed times
    # ticking, that was most of the app's CPU. Both depend only on the row locations, which
    # adding, removing, sorting and clearing rows change (by replacing or growing them).

    def _rows_and_offsets(self) -> tuple[list, list]:
        """(rows in order, (row key, y) for each line), cached until the row locations change."""
        locations, count = self._row_locations, self.row_count
        cache = self._rows_layout
        if cache is None or cache[0] is not locations or cache[1] != count:
            rows = [self.rows[locations.get_key(index)] for index in range(count)]
            offsets = [(row.key, y) for row in rows for y in range(row.height)]
            cache = self._rows_layout = (locations, count, rows, offsets)
        return cache[2], cache[3]

    @property
    def ordered_rows(self) -> list:
        return self._rows_and_offsets()[0]

    @property
    def _y_offsets(self) -> list:
        return self._rows_and_offsets()[1]

    def on_mount(self) -> None:
        for key, label in self.COLUMNS:
            self.add_column(label, key=key)

    def add_jobs(self, names: list[str], *, at_top: bool = False, now: datetime | None = None) -> None:
        """Add a row for each job not listed yet, in the given order, after the others or above them."""
        new = [name for name in dict.fromkeys(names) if name not in self._order_of_names]
        if not new:
            return
        if at_top and self._order_of_names:
            self._order_of_names = [*new, *self._order_of_names]
            self._rebuild_rows(now)
            return
        self._order_of_names.extend(new)
        if self.sort_key != "given":
            self._rebuild_rows(now)
            return
        for name in new:
            if name not in self.rows and self._passes(name):
                self.add_row(*self._cells(name, now), key=name)

    def remove_job(self, name: str) -> None:
        """Take a job's row out and forget what the list knew of it."""
        if name in self._order_of_names:
            self._order_of_names.remove(name)
        for known in (self._snapshots, self._errors, self._latest):
            known.pop(name, None)
        for column, _ in self.COLUMNS:
            self._shown.pop((name, column), None)
        if name in self.rows:
            self.remove_row(name)
            self._offscreen_changes.clear()
            self.refresh()

    def set_objective(self, objective: Objective | None, best_job: str | None, now: datetime | None) -> None:
        """Show a tuning job's objective metric in the metric column, and star its best job."""
        if objective == self.objective and best_job == self.best_job:
            return
        changed = objective != self.objective
        stars = {self.best_job, best_job} - {None}
        self.objective, self.best_job = objective, best_job
        if changed:
            # The objective's name, and which way is better: "validation:auc ↑".
            label = f"{safe(objective.metric, 40)} {'↑' if objective.maximize else '↓'}" if objective else "Metric"
            self.columns[ColumnKey("metric")].label = Text(label)
            for name, snapshot in self._snapshots.items():
                self._latest.pop(name, None)
                self._remember_final(name, snapshot)
            for name in self._order_of_names:
                self._update_row(name, now)
            self.refresh()
        else:
            for name in stars:
                self._update_row(name, now)
        if self.sort_key == "metric":
            self._rebuild_rows(now)

    def set_filter(self, text: str, now: datetime | None) -> int:
        """Show only the jobs whose name, status or stage contains ``text`` (any case); returns how many.

        The cursor stays on the job it was on when that job still shows.
        """
        text = text.strip().lower()
        if text != self.filter_text:
            self.filter_text = text
            self._rebuild_rows(now)
        return self.row_count

    def cycle_sort(self, now: datetime | None) -> str:
        """Sort by the next of :data:`SORTS` (back to the order given after the last); returns its name."""
        return self.sort_by(SORTS[(SORTS.index(self.sort_key) + 1) % len(SORTS)], now)

    def sort_by(self, key: str, now: datetime | None) -> str:
        """Sort by ``key``, one of :data:`SORTS`; returns it."""
        self.sort_key = key
        self._rebuild_rows(now)
        return key

    def _sorted(self, now: datetime | None) -> list[str]:
        order = self._order_of_names
        if self.sort_key == "name":
            return sorted(order)
        if self.sort_key == "status":
            def rank(name: str) -> tuple:
                snapshot = self._snapshots.get(name)
                return (STATUS_ORDER.get(snapshot.status if snapshot else None, len(STATUS_ORDER)), name)
            return sorted(order, key=rank)
        if self.sort_key == "elapsed":
            def age(name: str) -> float:
                snapshot = self._snapshots.get(name)
                elapsed = snapshot.elapsed(now) if snapshot is not None and now is not None else None
                return -elapsed.total_seconds() if elapsed is not None else 0.0
            return sorted(order, key=age)
        if self.sort_key == "metric":
            sign = -1.0 if self.objective is not None and self.objective.maximize else 1.0

            def value(name: str) -> tuple:
                latest = self._latest.get(name)
                return (latest is None or latest[1] != latest[1], sign * latest[1] if latest else 0.0)
            return sorted(order, key=value)
        return list(order)

    def _rebuild_rows(self, now: datetime | None) -> None:
        current = self.cursor_name()
        wanted = [name for name in self._sorted(now) if self._passes(name)]
        if wanted != [row.key.value for row in self.ordered_rows]:
            self.clear()
            for name in wanted:
                cells = self._cells(name, now)
                self.add_row(*cells, key=name)
                for (column, _), value in zip(self.COLUMNS, cells):
                    self._shown[(name, column)] = value
            if current in self.rows:
                self.move_cursor(row=self.get_row_index(current))

    def _passes(self, name: str) -> bool:
        if not self.filter_text:
            return True
        snapshot = self._snapshots.get(name)
        fields = [name, snapshot.status or "", snapshot.secondary_status or ""] if snapshot else [name]
        return any(self.filter_text in field.lower() for field in fields)

    def cursor_name(self) -> str | None:
        if not self.row_count:
            return None
        return self.ordered_rows[min(self.cursor_row, self.row_count - 1)].key.value

    def _style(self, style: StatusStyle) -> Text:
        return Text(f"{style.symbol} ", style=self.get_component_rich_style(f"joblist--{style.role}"))

    def _cells(self, name: str, now: datetime | None) -> tuple[Text, Text, Text, Text, Text]:
        snapshot = self._snapshots.get(name)
        error = self._errors.get(name)
        if error is not None and error.kind == NOT_FOUND_KIND:
            status = self._style(NOT_FOUND).append("not found")
        elif snapshot is None:
            status = self._style(POLL_ERROR if error else WAITING).append(ERROR_LABELS.get(error.kind, "error") if error else "waiting")
        else:
            style = primary_style(snapshot.status)
            status = self._style(style).append(safe(snapshot.status or "?", 24))
            if error is not None:
                # Known data, but the last poll failed: say the row is stale.
                status.append(" !", style=self.get_component_rich_style("joblist--error"))
        if snapshot is not None and snapshot.secondary_status:
            stage = self._style(secondary_style(snapshot.secondary_status)).append(safe(snapshot.secondary_status, 24))
        else:
            stage = Text("")
        if snapshot is not None and error is not None and now is not None:
            # The row shows what the last good answer said, and how old that is.
            age = compact_duration(max((now - snapshot.fetched_at).total_seconds(), 0))
            stage.append(f"  ! {age} old", style=self.get_component_rich_style("joblist--error"))
        elapsed = Text(compact_duration(snapshot.elapsed(now)) if snapshot and now else "–", justify="right")
        latest = self._latest.get(name)
        metric = Text("")
        if latest is not None and self.objective is not None:
            # Every row shows the same metric, named in the header: the value, and a star for the best job.
            best = name == self.best_job
            success = self.get_component_rich_style("joblist--success")
            metric = Text.assemble((f"{metric_value(latest[1]):>7}", success if best else ""), (" ★" if best else "", success))
        elif latest is not None:
            # Value first: when the column is cut short it is the name that goes.
            metric = Text.assemble(f"{metric_value(latest[1]):>7} ", (safe(latest[0], 40), self.get_component_rich_style("joblist--muted")))
        return status, Text(name), stage, elapsed, metric

    def update_job(self, name: str, now: datetime, *, snapshot: JobSnapshot | None = None, error: PollError | None = None, clear_error: bool = False) -> None:
        """Refresh the row of ``name`` after a poll."""
        if snapshot is not None:
            self._snapshots[name] = snapshot
            if name not in self._latest or snapshot.final_metrics:
                self._remember_final(name, snapshot)
        if error is not None:
            self._errors[name] = error
        elif clear_error:
            self._errors.pop(name, None)
        if self.filter_text and (name in self.rows) != self._passes(name):
            self._rebuild_rows(now)  # a new status or stage moved the job in or out of the filter
            return
        self._update_row(name, now)

    def _shown_metric(self, snapshot: JobSnapshot) -> str | None:
        """The metric the column shows for a job: the tuning objective, or else its first metric."""
        if self.objective is not None:
            return self.objective.metric
        return snapshot.metric_names[0] if snapshot.metric_names else None

    def _remember_final(self, name: str, snapshot: JobSnapshot) -> None:
        """Take the shown metric's value from FinalMetricDataList (any metric, if the first has none)."""
        shown = self._shown_metric(snapshot)
        if shown is not None and shown in snapshot.final_metrics:
            self._latest[name] = (shown, snapshot.final_metrics[shown])
        elif self.objective is None and snapshot.final_metrics:
            self._latest[name] = next(iter(snapshot.final_metrics.items()))

    def update_metric(self, name: str, metric: str, value: float, now: datetime) -> None:
        """Show the latest value of the job's shown metric."""
        snapshot = self._snapshots.get(name)
        if snapshot is None or self._shown_metric(snapshot) != metric:
            return
        self._latest[name] = (metric, value)
        self._update_row(name, now)

    def tick(self, now: datetime) -> None:
        """Advance the elapsed time of running jobs and the age of stale rows."""
        for name in list(self._errors):
            snapshot = self._snapshots.get(name)
            if snapshot is not None:
                cells = self._cells(name, now)
                self._set_cell(name, "elapsed", cells[3])
                self._set_cell(name, "stage", cells[2])
        for name, snapshot in self._snapshots.items():
            if not snapshot.is_terminal and name not in self._errors:
                # Only the elapsed time moves with the clock; the other cells wait for a poll.
                self._set_cell(name, "elapsed", Text(compact_duration(snapshot.elapsed(now)), justify="right"))

    def _update_row(self, name: str, now: datetime) -> None:
        if name not in self.rows:
            return
        for (key, _), value in zip(self.COLUMNS, self._cells(name, now)):
            self._set_cell(name, key, value)

    def _set_cell(self, name: str, column: str, value: Text) -> None:
        """Change one cell, only if what it shows changed (a redraw costs; a column resize costs more)."""
        if name not in self.rows:
            return  # filtered out: its row is rebuilt from the data when it shows again
        if self._shown.get((name, column)) == value:
            return
        previous = self._shown.get((name, column))
        self._shown[(name, column)] = value
        # Only a cell that grew can need a wider column.
        grew = previous is None or value.cell_len > previous.cell_len
        if grew and column != "elapsed":
            self.update_cell(name, column, value, update_width=True)
            return
        # DataTable.update_cell repaints the whole table; over SSH a changed cell should cost one
        # row. This is update_cell's own bookkeeping (textual 8.2), with the row's region refreshed.
        self._data[RowKey(name)][ColumnKey(column)] = value
        index = self.get_row_index(name)
        if index not in self._visible_rows():
            # Off screen: DataTable's render caches all go when anything changes, so a row nobody
            # sees waits until it scrolls into view (see render_lines).
            self._offscreen_changes.add(index)
            return
        self._update_count += 1
        # Every row is one line high, so the row's region needs no sum over the rows above it.
        y = index + (self.header_height if self.show_header else 0)
        self._refresh_region(Region(0, y, max(self.size.width, self.virtual_size.width), 1))

    def _visible_rows(self) -> range:
        """The indexes of the rows in view."""
        top = round(self.scroll_y) - (self.header_height if self.show_header else 0)
        return range(max(top, 0), max(top + self.scrollable_content_region.height, 0))

    def _update_dimensions(self, new_rows) -> None:
        # DataTable measures a changed cell's column when it is next idle (this is its last step), but
        # caches rendered cells without their width: a cell drawn between the change and that moment
        # kept its old, narrower width until something else changed (with a frozen clock, for good).
        super()._update_dimensions(new_rows)
        widths = [column.content_width for column in self.columns.values()]
        if widths != self._measured_widths:
            self._measured_widths = widths
            self._update_count += 1
            self.refresh()

    def render_lines(self, crop: Region) -> list:
        if self._offscreen_changes:
            visible = self._visible_rows()
            arrived = {index for index in self._offscreen_changes if index in visible}
            if arrived:
                self._offscreen_changes -= arrived
                self._update_count += 1
        return super().render_lines(crop)
