"""One line of the job list, from a row's cells: each fitted to its column, in the row's style."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from smtui.ui.job_cells import COLUMNS, PADDING, Cell, fit


def row_strip(cells: Sequence[Cell], widths: Sequence[int], width: int, roles: Mapping[str, Style], base: Style,
              row: Style, column_styles: Mapping[str, Style]) -> Strip:
    """One line ``width`` cells wide: each cell fitted to its column's width between its padding, its spans in
    their roles' styles under the row's (or its column's) style, then the widget's ``base`` style.

    The row's style goes over each span's own (a status colour), so a cursor row is one unbroken bar. A
    column of width 0 is left out, with its padding.
    """
    segments: list[Segment] = []
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
