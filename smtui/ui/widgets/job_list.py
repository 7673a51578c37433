"""The list pane: one row per job, drawn line by line from the row model."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from textual.binding import Binding
from textual.cache import FIFOCache, LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from smtui.aws.discovery import Objective
from smtui.aws.store import JobsView
from smtui.ui.job_cells import KEYS, Cell
from smtui.ui.job_rows import JobRows
from smtui.ui.widgets.job_list_mouse import JobListMouse
from smtui.ui.widgets.job_strip import ROLES, changed_spans, paint_header, paint_row

#: Bindings that belong together, shown as one line of the help.
MOVE = Binding.Group("move between jobs")
ENDS = Binding.Group("first / last job")
PAGE = Binding.Group("a page of jobs up / down")


class JobList(JobListMouse, ScrollView, can_focus=True):
    """Jobs with their status (symbol and colour), stage, elapsed time and first metric (or a tuning objective).

    It draws a :class:`~smtui.ui.job_rows.JobRows` model on Textual's line
    API: only the lines in view are rendered, a changed cell repaints its row
    alone, and the cursor row is one bar across the pane. The header sorts
    the list when clicked. Moving the cursor posts :class:`JobList.Highlighted`.
    """

    DEFAULT_CSS = """
    JobList {
        background: $surface;
        color: $foreground;
        height: auto;
        overflow-x: hidden;
        &:focus {
            background-tint: $foreground 5%;
            & > .joblist--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .joblist--header { background-tint: $foreground 5%; }
        }
        & > .joblist--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .joblist--header { background: ansi_bright_blue; color: ansi_default; }
        & > .joblist--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .joblist--hover { background: $block-hover-background; }
        & > .joblist--header-hover { background: $accent 30%; }
        & > .joblist--success { color: $success; }
        & > .joblist--error { color: $error; }
        & > .joblist--warning { color: $warning; }
        & > .joblist--active { color: $primary; text-style: bold; }
        & > .joblist--info { color: $accent; }
        & > .joblist--muted { color: $text-muted; }
        & > .joblist--mark { color: $accent; text-style: bold; }
    }
    """

    COMPONENT_CLASSES = {f"joblist--{role}" for role in ROLES} | {
        "joblist--header",
        "joblist--cursor",
        "joblist--hover",
        "joblist--header-hover",
        "joblist--mark",
    }
    """One class per status role (`joblist--success`, `--error`, `--warning`, `--active`, `--info`, `--muted`);
    `--header` the column headers, `--cursor` the selected row, `--hover` the row under the mouse,
    `--header-hover` the header under it and `--mark` the mark of a job marked to compare."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, group=MOVE),
        Binding("down,j", "cursor_down", "Down", show=False, group=MOVE),
        Binding("home,g", "first", "First job", show=False, group=ENDS),
        Binding("end,G", "last", "Last job", show=False, group=ENDS),
        Binding("pageup", "page_up", "Page up", show=False, group=PAGE),
        Binding("pagedown", "page_down", "Page down", show=False, group=PAGE),
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            show=False,  # the footer keeps its room for the keys of the screen; the help lists it
            tooltip="mark the job (or take its mark away) and go to the next: m then compares the marked jobs",
        ),
        Binding(
            "asterisk",
            "mark_shown",
            "Mark all",
            show=False,
            tooltip="mark every job shown (a tuning job's training jobs, say), or take the marks away",
        ),
    ]

    class Highlighted(Message):
        """The cursor is on another job (``name``), or on none when the list is empty."""

        def __init__(self, job_list: JobList, name: str | None) -> None:
            super().__init__()
            self.job_list = job_list
            self.name = name

        @property
        def control(self) -> JobList:
            return self.job_list

    class InView(Message):
        """Other jobs are in view (scrolled, filtered, sorted, added): :meth:`JobList.in_view` says which."""

    class Marked(Message):
        """Jobs were marked, or their marks taken away (the list's ``rows.marked`` says which are now)."""

    class Sorted(Message):
        """A click on a column's header sorted the list (or put it back in the order given)."""

        def __init__(self, job_list: JobList, sort_key: str) -> None:
            super().__init__()
            self.job_list = job_list
            self.sort_key = sort_key

        @property
        def control(self) -> JobList:
            return self.job_list

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows = JobRows()
        #: Rendered rows, by (job, under the cursor, under the mouse): a row is drawn again only when it changed.
        self._lines: LRUCache[tuple[str, bool, bool], Strip] = LRUCache(256)
        #: Each row as last drawn: its cells, and whether it had the cursor, the mouse and a mark.
        self._drawn: FIFOCache[str, tuple[tuple[Cell, ...], bool, bool, bool]] = FIFOCache(256)
        #: The column widths, and the width they were worked out for.
        self._widths: tuple[int, list[int]] | None = None
        self._announced: str | None = None
        self._in_view: tuple[str, ...] = ()

    # -- what the screen tells it -------------------------------------------------------

    @property
    def shown(self) -> tuple[str, ...]:
        """The jobs shown, in order."""
        return tuple(self.rows.shown)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def cursor(self) -> int:
        """The cursor's row, or -1 when the list is empty."""
        return self.rows.cursor

    @property
    def cursor_name(self) -> str | None:
        """The job under the cursor, or None when the list is empty."""
        return self.rows.cursor_name

    @property
    def sort_key(self) -> str:
        return self.rows.sort_key

    @property
    def filter_text(self) -> str:
        return self.rows.filter_text

    @property
    def objective(self) -> Objective | None:
        return self.rows.objective

    @property
    def best_job(self) -> str | None:
        return self.rows.best_job

    def set_metric(self, metric: str | None) -> None:
        """Show ``metric`` in the metric column for every job, and sort by it (None: the default)."""
        self.rows.set_metric(metric)
        self._apply()

    @property
    def labels(self) -> dict[str, str]:
        """The header of each column, by key."""
        return dict(zip(KEYS, self.rows.labels()))

    def cell_text(self, name: str, column: str) -> str:
        """What the cell of ``name`` in ``column`` says, whole (before it is fitted to its column)."""
        index = self.rows.index_of(name)
        if index is None:
            raise KeyError(name)
        return "".join(text for text, _ in self.rows.cells(index)[KEYS.index(column)])

    def show(self, view: JobsView, changed: Iterable[str] | None = None) -> None:
        """Take a newer view of the store; ``changed`` names the jobs whose state changed (None: any)."""
        self.rows.set_view(view, changed)
        self._apply()

    def tick(self, now: datetime) -> None:
        """Advance the elapsed times of running jobs and the ages of stale rows."""
        self.rows.tick(now)
        self._apply()

    def set_filter(self, text: str) -> int:
        """Show only the jobs whose name, status or stage contains ``text`` (any case); returns how many show."""
        count = self.rows.set_filter(text)
        self._apply()
        return count

    def cycle_sort(self) -> str:
        """Sort by the next way in turn; returns its name."""
        key = self.rows.cycle_sort()
        self._apply()
        return key

    def set_objective(self, objective: Objective | None, best_job: str | None) -> None:
        """Show a tuning job's objective in the metric column, and star its best job."""
        self.rows.set_objective(objective, best_job)
        self._apply()

    def set_places(self, label: str | None) -> None:
        """Show where each job is (its region or account) under ``label``; None hides the column."""
        self.rows.set_places(label)
        self._apply()

    def select(self, name: str) -> bool:
        """Put the cursor on ``name``; False when it is not shown."""
        found = self.rows.select(name)
        self._apply(reveal=True)
        return found

    # -- keys and the mouse ---------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.rows.move_cursor(-1)
        self._apply(reveal=True)

    def action_cursor_down(self) -> None:
        self.rows.move_cursor(1)
        self._apply(reveal=True)

    def action_first(self) -> None:
        self.rows.cursor_to(0)
        self._apply(reveal=True)

    def action_last(self) -> None:
        self.rows.cursor_to(len(self.rows) - 1)
        self._apply(reveal=True)

    def action_page_up(self) -> None:
        self.rows.move_cursor(-self._page())
        self._apply(reveal=True)

    def action_page_down(self) -> None:
        self.rows.move_cursor(self._page())
        self._apply(reveal=True)

    def action_toggle_mark(self) -> None:
        name = self.rows.cursor_name
        if name is None:
            return
        self.rows.toggle_mark(name)
        self.rows.move_cursor(1)
        self._apply(reveal=True)
        self.post_message(self.Marked())

    def action_mark_shown(self) -> None:
        self.rows.mark_shown()
        self._apply()
        self.post_message(self.Marked())

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    # -- drawing --------------------------------------------------------------------------

    def _apply(self, *, reveal: bool = False) -> None:
        """Repaint what the model says changed, and say so when the cursor is on another job."""
        self._sync_visible()
        dirty, relaid = self.rows.take_changes()
        if relaid:
            self._lines.clear()
            self._widths = None
            height = len(self.rows) + 1
            if self.virtual_size.height != height:
                self.virtual_size = Size(0, height)  # a new height lays the screen out again
            self.refresh()
        else:
            top = round(self.scroll_y)
            for name in dirty:
                for key in ((name, False, False), (name, True, False), (name, False, True), (name, True, True)):
                    self._lines.discard(key)
                index = self.rows.index_of(name)
                if index is not None and top <= index < top + self._page():
                    self._repaint_row(name, index, top)
        if reveal or relaid:
            self._reveal_cursor()
            self._sync_visible()
            if self.rows.dirty or self.rows.relaid:
                self.call_later(self._apply)  # rows that came into view changed: drawn in the next frame
        name = self.rows.cursor_name
        if name != self._announced:
            self._announced = name
            self.post_message(self.Highlighted(self, name))

    def _repaint_row(self, name: str, index: int, top: int) -> None:
        """Repaint the cells of a row in view that changed, or the whole row when its look changed too."""
        drawn = self._drawn.get(name)
        look = (index == self.rows.cursor, self._hover == index + 1 - top, name in self.rows.marked)
        if drawn is None or drawn[1:] != look:
            self.refresh_line(index + 1)
            return
        spans = changed_spans(drawn[0], self.rows.cells(index), self._column_widths(), self.rows.gutter)
        if spans:  # One region, first changed cell to last: each goes out from the list's left edge on.
            start, end = min(x for x, _ in spans), max(x + width for x, width in spans)
            self.refresh(Region(start, index + 1 - top, end - start, 1))

    def _reveal_cursor(self) -> None:
        index = self.rows.cursor
        if index < 0:
            return
        top, page = round(self.scroll_y), self._page()
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + page:
            self.scroll_to(y=index - page + 1, animate=False)

    def in_view(self) -> list[str]:
        """The jobs whose rows are in view, top to bottom."""
        return list(self._in_view)

    def _sync_visible(self) -> None:
        """Tell the row model which rows are in view: only those are worked out as their jobs change."""
        top = round(self.scroll_y)
        self.rows.set_visible(top, top + self._page() + 1)
        in_view = tuple(self.rows.shown[top : top + self._page()])
        if in_view != self._in_view:
            self._in_view = in_view
            self.post_message(self.InView())

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._sync_visible()
            if self.rows.dirty or self.rows.relaid:
                self._apply()

    def on_resize(self) -> None:
        self._lines.clear()
        self._sync_visible()
        self.call_after_refresh(self._reveal_cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    def on_focus(self) -> None:
        self._lines.clear()

    def on_blur(self) -> None:
        self._lines.clear()

    def _column_widths(self) -> list[int]:
        # The room changes when the vertical scrollbar comes or goes, not only on a resize.
        width = self.scrollable_content_region.width
        if self._widths is None or self._widths[0] != width:
            if self._widths is not None:
                self._lines.clear()
            self._widths = (width, self.rows.widths(width))
        return self._widths[1]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        self._column_widths()  # first: a new width drops the lines drawn for the old one
        base = self.rich_style
        if y == 0:
            hover = self._hover_column if self._hover == 0 else None
            return paint_header(self, self.rows, self._column_widths(), width, base, hover)
        index = round(self.scroll_y) + y - 1
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, base)
        name = self.rows.shown[index]
        key = (name, index == self.rows.cursor, self._hover == y)
        line = None if self.rows.is_stale(name) else self._lines.get(key)
        if line is None:
            cells = self.rows.cells(index)
            if self.rows.relaid:
                self.call_later(self._apply)  # a row that was out of view widened a column: lay out again
            look = {"cursor": key[1], "hover": key[2], "marked": name in self.rows.marked}
            line = self._lines[key] = paint_row(self, self.rows, cells, self._column_widths(), width, base, **look)
            self._drawn[name] = (cells, key[1], key[2], look["marked"])
        return line
