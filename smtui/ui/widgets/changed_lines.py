"""Which lines of a widget to repaint: those that read differently now."""

from __future__ import annotations

from collections.abc import Sequence

from textual.geometry import Region


def changed_lines(before: Sequence[object], after: Sequence[object], width: int) -> list[Region]:
    """One-line regions, ``width`` wide, of the lines that differ between ``before`` and ``after`` (as many lines
    each). Over SSH every byte counts: Textual sends a repainted line from the widget's left edge, so a pane whose
    answer changed a field or two repaints those lines, not all of them. Empty when nothing changed (a refresh
    with no region at all would repaint every line)."""
    return [Region(0, y, width, 1) for y, (old, new) in enumerate(zip(before, after)) if old != new]
