"""Painting one line of the job list: a row of fitted cells (or the header) as a Strip in the widget's styles."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from smtui.ui.job_cells import COLUMNS, PADDING, Cell, fit
from smtui.ui.job_rows import JobRows

#: The style roles of cells, each a component class ``joblist--ROLE`` of the list.
ROLES = ("success", "error", "warning", "active", "info", "muted")
#: What marks a marked job's row, left of its columns.
MARK = "◆"


def paint_header(widget, rows: JobRows, widths: list[int], width: int, base: Style, hover_column: str | None) -> Strip:
    """The header line: each column's label, the one under the mouse highlighted."""
    style = widget.get_component_rich_style("joblist--header")
    hover = {hover_column: style + widget.get_component_rich_style("joblist--header-hover")} if hover_column else {}
    return paint_line(widget, rows, [((label, None),) for label in rows.labels()], widths, width, base, style, hover)


def paint_row(
    widget,
    rows: JobRows,
    cells: tuple[Cell, ...],
    widths: list[int],
    width: int,
    base: Style,
    *,
    cursor: bool,
    hover: bool,
    marked: bool,
) -> Strip:
    """A job's line, as a bar when the cursor is on it, highlighted under the mouse, with its mark if marked."""
    row = Style()
    if hover:
        row += widget.get_component_rich_style("joblist--hover")
    if cursor:
        row += widget.get_component_rich_style("joblist--cursor")
    return paint_line(widget, rows, list(cells), widths, width, base, row, {}, marked)


def paint_line(
    widget,
    rows: JobRows,
    cells: list[Cell],
    widths: list[int],
    width: int,
    base: Style,
    row: Style,
    column_styles: dict[str, Style],
    marked: bool = False,
) -> Strip:
    """One line: the gutter (while jobs are marked), then each cell fitted to its column between its padding,
    in the row's style, filling ``width``. ``widget`` gives the component styles (``joblist--ROLE``).

    The row's style goes over each span's own (a status colour), so a cursor row is one unbroken bar.
    """
    roles = {role: widget.get_component_rich_style(f"joblist--{role}") for role in ROLES}
    segments: list[Segment] = []
    if rows.gutter:
        mark = widget.get_component_rich_style("joblist--mark") + row
        segments.append(Segment((MARK if marked else " ").ljust(rows.gutter), mark))
    for column, column_width, cell in zip(COLUMNS, widths, cells):
        if not column_width:
            continue
        style = column_styles.get(column.key, row)
        pad = Segment(" " * PADDING, style)
        segments.append(pad)
        for text, role in fit(cell, column_width, column):
            segments.append(Segment(text, roles[role] + style if role else style))
        segments.append(pad)
    # Adjacent spans of one style joined: a row repainted every second (its elapsed time) costs the terminal
    # half the bytes.
    return Strip(segments).crop_extend(0, width, row).apply_style(base).simplify()


def changed_spans(
    drawn: tuple[Cell, ...], cells: tuple[Cell, ...], widths: list[int], gutter: int
) -> list[tuple[int, int]]:
    """The (x, width) of each column whose cell differs between the row as drawn and as it is now, the columns
    as wide as before: a running row repaints its elapsed time and cost each second, not its whole line, which
    is most of what a screen of running jobs sends the terminal."""
    spans = []
    x = gutter
    for column_width, old, new in zip(widths, drawn, cells):
        if not column_width:
            continue
        if old != new:
            spans.append((x + PADDING, column_width))
        x += column_width + 2 * PADDING
    return spans
