"""Marks on the job list's rows (``Space``, ``*``): the jobs to compare, and the gutter they take.

A part of :class:`~smtui.ui.job_rows.JobRows`, mixed into it: it uses the rows' ``marked``, ``shown``,
``view``, ``dirty`` and ``relaid``.
"""

from __future__ import annotations


class RowMarks:
    """Marking jobs of the row model, and the gutter left of the columns while any is marked."""

    @property
    def gutter(self) -> int:
        """Cells left of the columns for the marks: two while any job is marked, else none."""
        return 2 if self.marked else 0

    def toggle_mark(self, name: str) -> bool:
        """Mark ``name`` or take its mark away; returns whether it is marked now."""
        gutter = self.gutter
        if name in self.marked:
            self.marked.discard(name)
        elif name in self.view.states:
            self.marked.add(name)
        self.dirty.add(name)
        if self.gutter != gutter:
            self.relaid = True  # the gutter came or went: every row moves
        return name in self.marked

    def mark_shown(self) -> int:
        """Mark every job shown, or, when they all are already, take their marks away; returns how many are
        marked."""
        gutter = self.gutter
        shown = set(self.shown)
        if shown and shown <= self.marked:
            self.marked -= shown
        else:
            self.marked |= shown
        self.dirty |= shown
        if self.gutter != gutter:
            self.relaid = True
        return len(self.marked)
