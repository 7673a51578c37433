"""The job list under the mouse: a click on a row selects it, on a header sorts by it; the row under it lights up."""

from __future__ import annotations

from textual import events

from smtui.ui.job_cells import KEYS, PADDING


class JobListMouse:
    """The mouse's part of :class:`~smtui.ui.widgets.job_list.JobList`, which it is mixed into (its rows, column
    widths, scroll position and messages)."""

    #: The line under the mouse (0 is the header) and the column under it, or None.
    _hover: int | None = None
    _hover_column: str | None = None

    def column_x(self, key: str) -> int:
        """Where column ``key`` starts, in cells from the left of the list's content."""
        widths = self._column_widths()
        x = self.rows.gutter  # the marks' gutter, while jobs are marked
        for column, width in zip(KEYS, widths):
            if column == key:
                return x
            x += width + 2 * PADDING if width else 0
        raise KeyError(key)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                key = self.rows.click_sort(column)
                self._apply(reveal=True)
                self.post_message(self.Sorted(self, key))
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self.rows):
            self.rows.cursor_to(index)
            self._apply()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            self._set_hover(None, None)
        else:
            self._set_hover(offset.y, self._column_at(offset.x) if offset.y == 0 else None)

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None, None)

    def _set_hover(self, line: int | None, column: str | None) -> None:
        if (line, column) != (self._hover, self._hover_column):
            top = round(self.scroll_y)
            for changed in {self._hover, line} - {None}:
                self.refresh_line(changed + top)  # a line of the view is refreshed by its virtual row
            self._hover, self._hover_column = line, column

    def _column_at(self, x: int) -> str | None:
        x -= self.rows.gutter
        for key, width in zip(KEYS, self._column_widths()):
            if not width:
                continue
            x -= width + 2 * PADDING
            if x < 0:
                return key
        return None
