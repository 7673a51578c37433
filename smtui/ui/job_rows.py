"""The job list's rows, without Textual: which jobs show and in what order, what each cell says, the cursor.

:class:`JobRows` is the model :class:`~smtui.ui.widgets.job_list.JobList`
draws. It takes the store's frozen views and keeps, for the jobs that pass the
filter, their order (as given, or sorted), each row's cells as text spans with a
style role, and the widths of the columns. It notes which rows changed and
whether the layout did, so that the widget repaints one line for a changed cell
and everything only when rows move or a column changes width.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from rich.cells import cell_len

from smtui.aws.discovery import Objective
from smtui.aws.store import SORTS, JobsView, maximize_first
from smtui.present.metric_kinds import UNKNOWN, direction
from smtui.ui.fmt import safe
from smtui.ui.job_cells import COLUMN_SORTS, COLUMNS, Cell, cell_width, fit_widths, row_cells
from smtui.ui.job_marks import RowMarks


class JobRows(RowMarks):
    """The rows the job list shows, in order, with their cells, the column widths and the cursor.

    Feed it the store's views (:meth:`set_view`), the clock (:meth:`tick`), and
    what the user asks (:meth:`set_filter`, :meth:`sort_by`, cursor moves). After
    each change, :attr:`dirty` holds the jobs whose row changed and
    :attr:`relaid` says whether rows moved or a column changed width; the widget
    reads and resets them with :meth:`take_changes`.
    """

    def __init__(self) -> None:
        self.view = JobsView()
        #: What the rows are filtered by (lower case; empty shows every job).
        self.filter_text = ""
        #: What the rows are sorted by (a name in :data:`~smtui.aws.store.SORTS`).
        self.sort_key = "given"
        #: A tuning job's objective: the metric column shows it instead of each job's first metric.
        self.objective: Objective | None = None
        #: The tuning job's best training job so far, starred.
        self.best_job: str | None = None
        #: The header of the column that says where each job is (Region, Account, Where); None: one place, no
        #: such column.
        self.places: str | None = None
        #: The metric the metric column shows for every job (None: the objective, or each job's first metric).
        self.metric_choice: str | None = None
        #: The jobs marked (Space), to compare: a mark shows in the gutter left of their rows.
        self.marked: set[str] = set()
        self.now: datetime | None = None
        #: The jobs shown, in order.
        self.shown: list[str] = []
        self._index: dict[str, int] = {}
        #: Each job's cells and their widths, kept while they hold (filtered-out jobs' too, so that a new filter
        #: or sort costs no cell work): dropped when its state changes while it is out of view.
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self._sizes: dict[str, tuple[int, ...]] = {}
        #: How many shown cells of each column have each width.
        self._widths: list[Counter[int]] = [Counter() for _ in COLUMNS]
        #: Jobs whose cells move with the clock (running jobs, stale rows).
        self._clocked: set[str] = set()
        #: The rows in view (None: all of them). Rows out of view are not worked out again when their job
        #: changes or the clock moves: they are marked stale, and worked out when they come into view.
        self._visible: range | None = None
        self._stale: set[str] = set()
        self._cursor_name: str | None = None
        self._cursor = -1
        self.dirty: set[str] = set()
        self.relaid = False

    # -- reading --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.shown)

    def index_of(self, name: str) -> int | None:
        """The row of ``name``, or None when it is not shown."""
        return self._index.get(name)

    def cells(self, index: int) -> tuple[Cell, ...]:
        """The cells of row ``index`` (worked out now if they were left stale out of view)."""
        name = self.shown[index]
        if name in self._stale:
            self._stale.discard(name)
            self._set_row(name)
        return self._cells[name]

    def set_visible(self, start: int, stop: int) -> None:
        """Say which rows are in view; stale rows coming into view are worked out again."""
        visible = range(max(start, 0), max(stop, start, 0))
        if visible != self._visible:
            self._visible = visible
            self._freshen_visible()

    def _freshen_visible(self) -> None:
        if not self._stale:
            return
        for index in self._visible if self._visible is not None else range(len(self.shown)):
            if index >= len(self.shown):
                break
            name = self.shown[index]
            if name in self._stale:
                self._stale.discard(name)
                self._set_row(name)

    def is_stale(self, name: str) -> bool:
        """Whether ``name``'s row was left as it was while out of view (:meth:`cells` works it out again)."""
        return name in self._stale

    def _in_view(self, name: str) -> bool:
        index = self._index.get(name)
        return index is not None and (self._visible is None or index in self._visible)

    def labels(self) -> tuple[str, ...]:
        """The column headers (the metric's is the tuning objective's name and direction, when there is one)."""
        objective, chosen = self.objective, self.metric_choice
        if chosen is not None:
            known = direction(chosen) != UNKNOWN or (objective is not None and objective.metric == chosen)
            arrow = (" ↑" if maximize_first(objective, chosen) else " ↓") if known else ""
            metric = f"{safe(chosen, 40)}{arrow}"
        else:
            metric = f"{safe(objective.metric, 40)} {'↑' if objective.maximize else '↓'}" if objective else "Metric"
        special = {"metric": metric, "place": self.places or ""}
        return tuple(special.get(column.key, column.label) for column in COLUMNS)

    def natural_widths(self) -> list[int]:
        """Each column's width: its widest shown cell, or its header (0 for the place column with one place)."""
        return [
            0 if column.key == "place" and not self.places else max(max(counts, default=0), cell_len(label))
            for column, counts, label in zip(COLUMNS, self._widths, self.labels())
        ]

    def widths(self, available: int) -> list[int]:
        """The column widths for ``available`` terminal cells, less the gutter (see :func:`fit_widths`)."""
        return fit_widths(self.natural_widths(), available - self.gutter)

    def take_changes(self) -> tuple[set[str], bool]:
        """(jobs whose row changed, whether the layout changed) since the last call; resets both."""
        changes = self.dirty, self.relaid
        self.dirty, self.relaid = set(), False
        return changes

    # -- the cursor -------------------------------------------------------------------

    @property
    def cursor(self) -> int:
        """The cursor's row; -1 when no row shows."""
        return self._cursor

    @property
    def cursor_name(self) -> str | None:
        """The job under the cursor; None when no row shows."""
        return self._cursor_name

    def move_cursor(self, delta: int) -> str | None:
        """Move the cursor ``delta`` rows (stopping at the ends); returns the job under it."""
        return self.cursor_to(self._cursor + delta if self.shown else -1)

    def cursor_to(self, index: int) -> str | None:
        """Put the cursor on row ``index`` (held within the rows); returns the job under it."""
        if not self.shown:
            self._cursor, self._cursor_name = -1, None
            return None
        index = min(max(index, 0), len(self.shown) - 1)
        if self.shown[index] != self._cursor_name:
            # Both rows change look: the bar leaves one and lands on the other.
            if self._cursor_name is not None:
                self.dirty.add(self._cursor_name)
            self.dirty.add(self.shown[index])
        self._cursor, self._cursor_name = index, self.shown[index]
        return self._cursor_name

    def select(self, name: str) -> bool:
        """Put the cursor on ``name``; False (and no move) when it is not shown."""
        index = self._index.get(name)
        if index is None:
            return False
        self.cursor_to(index)
        return True

    # -- what changes them ------------------------------------------------------------

    def set_view(self, view: JobsView, changed: Iterable[str] | None = None) -> None:
        """Take a newer view of the store. ``changed`` names the jobs whose state changed; None means any may have
        (jobs added or removed are found either way)."""
        if view.version < self.view.version:
            return  # an older view than the one shown: what it says is in the newer one already
        previous, self.view = self.view, view
        names = view.names if changed is None else [name for name in changed if name in view.states]
        if view.names != previous.names:
            self.marked &= set(view.states)  # a job no longer watched is no longer marked
            for name in [*names, *(name for name in self._cells if name not in view.states)]:
                self._forget(name)
            self._rebuild()
            return
        rebuild = False
        for name in names:
            if (name in self._index) != self._passes(name):
                self._forget(name)
                rebuild = True  # a new status or stage moved it in or out of the filter
            elif name in self._index:
                old = previous.get(name)
                self._refresh_row(name)
                if (
                    self.sort_key not in ("given", "name")
                    and old is not None
                    and (
                        old.sort_key(self.sort_key, self.now, self.objective, self.metric_choice)
                        != view.states[name].sort_key(self.sort_key, self.now, self.objective, self.metric_choice)
                    )
                ):
                    rebuild = True  # its place in the order may have changed
            else:
                self._forget(name)  # out of view: worked out again if it shows
        if rebuild:
            self._rebuild()

    def tick(self, now: datetime) -> None:
        """Advance the clock: the elapsed time of running jobs and the age of stale rows."""
        self.now = now
        for name in self._clocked - self._index.keys():
            self._forget(name)  # no longer shown
        shown = self.shown
        in_view = (
            self._clocked
            if self._visible is None
            else {shown[i] for i in self._visible if i < len(shown)} & self._clocked
        )
        # Rows out of view are worked out when they come into view: hundreds of running jobs, a dozen in view.
        self._stale |= self._clocked - in_view
        for name in list(in_view):  # (working a row out may take it off the clock)
            self._stale.discard(name)
            self._set_row(name)

    def set_filter(self, text: str) -> int:
        """Show only the jobs whose name, status or stage contains ``text`` (any case); returns how many show."""
        text = text.strip().lower()
        if text != self.filter_text:
            self.filter_text = text
            self._rebuild()
        return len(self.shown)

    def sort_by(self, key: str) -> str:
        """Sort by ``key``, one of :data:`~smtui.aws.store.SORTS`; returns it."""
        if key not in SORTS:
            raise ValueError(f"unknown sort {key!r}")
        if key != self.sort_key:
            self.sort_key = key
            self._rebuild()
        return key

    def cycle_sort(self) -> str:
        """Sort by the next of :data:`~smtui.aws.store.SORTS`, back to the order given after the last."""
        return self.sort_by(SORTS[(SORTS.index(self.sort_key) + 1) % len(SORTS)])

    def click_sort(self, column: str) -> str:
        """What a click on ``column``'s header does: sort by it, or, when sorted by it already, go back to the
        order given."""
        key = COLUMN_SORTS.get(column, "given")
        return self.sort_by("given" if key == self.sort_key else key)

    def set_places(self, label: str | None) -> None:
        """Show the column that says where each job is, under ``label`` (None: hide it)."""
        if label != self.places:
            self.places = label
            self.relaid = True

    def set_metric(self, metric: str | None) -> None:
        """Show ``metric`` in the metric column for every job (None: the objective, or each job's first), and
        sort by it."""
        if metric == self.metric_choice:
            return
        self.metric_choice = metric
        for name in list(self._cells):
            self._forget(name)
        self._rebuild()
        self.relaid = True  # the header changed

    def set_objective(self, objective: Objective | None, best_job: str | None) -> None:
        """Show a tuning job's objective in the metric column, and star its best job."""
        if (objective, best_job) == (self.objective, self.best_job):
            return
        starred = {self.best_job, best_job} - {None}
        changed_objective = objective != self.objective
        self.objective, self.best_job = objective, best_job
        if changed_objective or self.sort_key == "metric":
            for name in list(self._cells) if changed_objective else starred:
                self._forget(name)
            self._rebuild()
            self.relaid = True  # the header changed
            return
        for name in starred:
            if name in self._index:
                self._refresh_row(name)
            else:
                self._forget(name)

    # -- inside -----------------------------------------------------------------------

    def _passes(self, name: str) -> bool:
        if not self.filter_text:
            return True
        state = self.view.states.get(name)
        snapshot = state.snapshot if state is not None else None
        fields = (name, snapshot.status or "", snapshot.secondary_status or "") if snapshot else (name,)
        return any(self.filter_text in field.lower() for field in fields)

    def _ordered(self) -> list[str]:
        names = list(self.view.names)
        if self.sort_key == "given":
            return names
        if self.sort_key == "name":
            return sorted(names)
        states, by, now = self.view.states, self.sort_key, self.now
        objective, metric = self.objective, self.metric_choice
        return sorted(names, key=lambda name: states[name].sort_key(by, now, objective, metric))

    def _rebuild(self) -> None:
        """Work out the shown rows again; the cursor stays on its job when that still shows."""
        wanted = [name for name in self._ordered() if self._passes(name)]
        if wanted != self.shown:
            self.shown = wanted
            self._index = {name: index for index, name in enumerate(wanted)}
            self.relaid = True
        widths: list[Counter[int]] = [Counter() for _ in COLUMNS]
        for name in self.shown:
            if name not in self._cells:
                self._work_out(name)
            for counts, size in zip(widths, self._sizes[name]):
                counts[size] += 1
        self._widths = widths
        self.dirty.clear()
        self._freshen_visible()  # the rows now in view may be others
        self.relaid = True
        current = self._cursor_name
        index = self._index.get(current) if current is not None else None
        self.cursor_to(index if index is not None else self._cursor)

    def _forget(self, name: str) -> None:
        """Drop what is kept of a job's cells (its state changed while it was filtered out, or it went)."""
        self._cells.pop(name, None)
        self._sizes.pop(name, None)
        self._clocked.discard(name)
        self._stale.discard(name)

    def _refresh_row(self, name: str) -> None:
        """A shown row's job changed, or the clock moved: work the row out again if it is in view, else mark it
        stale. Its old widths count until then: a row out of view that grew wider widens its column when it
        comes into view."""
        if self._in_view(name):
            self._stale.discard(name)
            self._set_row(name)
        else:
            self._stale.add(name)

    def _work_out(self, name: str) -> tuple[tuple[Cell, ...], tuple[int, ...]] | None:
        """Work out a job's cells and their widths; returns those it had before (None if none, or the same)."""
        state = self.view.states[name]
        cells = row_cells(state, self.now, self.objective, self.best_job, self.metric_choice)
        old = self._cells.get(name)
        if cells == old:
            return None
        old_sizes = self._sizes.get(name)
        self._cells[name] = cells
        self._sizes[name] = tuple(cell_width(cell) for cell in cells)
        snapshot = state.snapshot
        if snapshot is not None and (not snapshot.is_terminal or state.error is not None):
            self._clocked.add(name)
        else:
            self._clocked.discard(name)
        return (old, old_sizes) if old is not None and old_sizes is not None else None

    def _set_row(self, name: str) -> None:
        """Work out one shown row's cells again, noting a change of cells or of a column's width."""
        had = name in self._cells
        before = self._work_out(name)
        if before is None and had:
            return  # nothing changed
        sizes = self._sizes[name]
        old_sizes = before[1] if before is not None else None
        if sizes != old_sizes:
            natural = self.natural_widths()
            for counts, size, old in zip(self._widths, sizes, old_sizes or (None,) * len(sizes)):
                if old is not None:
                    counts[old] -= 1
                    if not counts[old]:
                        del counts[old]
                counts[size] += 1
            if self.natural_widths() != natural:
                self.relaid = True
        self.dirty.add(name)
