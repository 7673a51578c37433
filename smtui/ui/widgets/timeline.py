"""The timeline: a job's secondary-status transitions on a time axis."""

from __future__ import annotations

from datetime import datetime

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from smtui.aws.snapshot import JobSnapshot, Transition
from smtui.present.durations import compact_duration
from smtui.present.sections import visible
from smtui.ui.fmt import clock_time, safe
from smtui.ui.status_style import secondary_style
from smtui.ui.widgets.changed_lines import changed_lines

#: The fill of a stage's bar, so stages differ by texture as well as colour.
BAR_FILL = {
    "Pending": "·",
    "Starting": "░",
    "LaunchingMLInstances": "░",
    "PreparingTrainingStack": "░",
    "Downloading": "▒",
    "DownloadingTrainingImage": "▒",
    "Training": "█",
    "Uploading": "▓",
    "Updating": "▒",
    "Interrupted": "╳",
    "Restarting": "░",
    "Stopping": "▄",
}
#: Short names so the label column stays narrow.
SHORT_NAME = {
    "LaunchingMLInstances": "Launching",
    "PreparingTrainingStack": "Preparing",
    "DownloadingTrainingImage": "Image pull",
    "MaxRuntimeExceeded": "Max runtime",
    "MaxWaitTimeExceeded": "Max wait",
}
LABEL_WIDTH = 13
#: At most this many stages are drawn (the newest); `smtui describe` lists them all.
MAX_STAGES = 50
ROLES = ("success", "error", "warning", "active", "info", "muted")


class Timeline(Widget):
    """Secondary-status stages of one job against a shared time axis.

    Each row is a stage: symbol, name, a bar placed on the axis, its duration
    and status message. The open stage grows with ``now``. A stage that
    arrives while watching sweeps in along its row (``reveal`` runs 0 → 1).
    """

    DEFAULT_CSS = """
    Timeline { height: auto; min-height: 3; padding: 0 1; }
    Timeline > .timeline--success { color: $success; }
    Timeline > .timeline--error { color: $error; }
    Timeline > .timeline--warning { color: $warning; }
    Timeline > .timeline--active { color: $primary; text-style: bold; }
    Timeline > .timeline--info { color: $accent; }
    Timeline > .timeline--muted { color: $text-muted; }
    Timeline > .timeline--axis { color: $text-muted; }
    Timeline > .timeline--new { background: $accent 25%; text-style: bold; }
    """

    COMPONENT_CLASSES = {f"timeline--{role}" for role in ROLES} | {"timeline--axis", "timeline--new"}
    """Status roles (`timeline--success` …), `timeline--axis` for the axis, `timeline--new` for an arriving stage."""

    #: The job drawn; set it with :meth:`show`, which repaints what it changed.
    snapshot: reactive[JobSnapshot | None] = reactive(None, repaint=False)
    #: What the last tick or answer drew, line by line; None after anything else redrew the whole widget.
    _shown_lines: list[Text] | None = None
    #: (snapshot, what else the drawing depends on, the drawing): the last render, reused by the next.
    _rendered: tuple | None = None
    #: The clock; a tick redraws only the lines it changed (see :meth:`watch_now`).
    now: reactive[datetime | None] = reactive(None, repaint=False)
    #: Index of the first stage still animating in; -1 when none.
    arriving: reactive[int] = reactive(-1)
    #: Progress of the arrival animation, 0 to 1.
    reveal: reactive[float] = reactive(1.0)
    #: What to say while there is no snapshot.
    placeholder: reactive[str] = reactive("No job selected", layout=True)

    def show(self, snapshot: JobSnapshot | None, *, animate_from: int | None = None) -> None:
        """Show ``snapshot``; stages from ``animate_from`` on sweep in."""
        old_rows = self._rows(self.snapshot)
        self.snapshot = snapshot
        if self._rows(snapshot) != old_rows:
            # Only a different number of rows changes the layout; a new poll of the same stages repaints the
            # lines it changed.
            self._shown_lines = None
            self.refresh(layout=True)
        else:
            self._repaint_changed()
        if animate_from is None or snapshot is None or animate_from >= snapshot.transition_count:
            return
        self.arriving = animate_from
        self.reveal = 0.0
        self.animate("reveal", 1.0, duration=1.2, easing="out_cubic", on_complete=self._arrived)

    @staticmethod
    def _rows(snapshot: JobSnapshot | None) -> tuple:
        if snapshot is None:
            return ()
        return (snapshot.transition_count, bool(snapshot.response.get("FailureReason")))

    def _arrived(self) -> None:
        self.arriving = -1

    def get_content_height(self, container, viewport, width: int) -> int:
        if self.snapshot is None:
            return 1
        if not self.snapshot.transitions:
            return 1 + len(self._failure_lines(width))
        hidden, shown = self._shown(self.snapshot)
        return (1 if hidden else 0) + len(shown) + 2 + len(self._failure_lines(width))

    @staticmethod
    def _shown(snapshot: JobSnapshot) -> tuple[int, tuple[Transition, ...]]:
        """(how many older stages are left out, the stages drawn)."""
        shown = snapshot.transitions[-MAX_STAGES:]
        return snapshot.transition_count - len(shown), shown

    def _failure(self) -> str:
        """What the job's FailureReason says went wrong, made safe to draw ("" without one)."""
        summary = self.snapshot.failure_summary if self.snapshot else None
        return visible(summary) if summary else ""

    def _failure_lines(self, width: int) -> list[str]:
        """The failure reason wrapped to at most three lines of ``width``."""
        failure = self._failure()
        if not failure:
            return []
        room = max(width - 2, 10)
        lines = [failure[i : i + room] for i in range(0, len(failure), room)]
        if len(lines) > 3:
            lines = lines[:3]
            lines[-1] = lines[-1][:-1] + "…"
        return lines

    def _role(self, role: str):
        return self.get_component_rich_style(f"timeline--{role}")

    def watch_reveal(self) -> None:
        self._shown_lines = None

    def on_resize(self) -> None:
        self._shown_lines = None

    def watch_now(self) -> None:
        self._repaint_changed()

    def _repaint_changed(self) -> None:
        # A tick usually changes one duration and a bar's tip, and a new answer a line or two.
        lines = self._styled_lines()
        shown, self._shown_lines = self._shown_lines, lines
        if shown is None or len(shown) != len(lines):
            self.refresh()
        elif changed := changed_lines(shown, lines, self.size.width):
            self.refresh(*changed)

    def _styled_lines(self) -> list[Text]:
        rendered = self.render()
        return rendered.split("\n", allow_blank=True) if isinstance(rendered, Text) else []

    def render(self) -> RenderableType:
        # A tick renders once to find the lines it changed (watch_now), then Textual renders those
        # lines: the second time comes from here.
        width = self.content_region.width or self.size.width or 60
        key = (self.now, width, self.arriving, self.reveal, self.placeholder, self.app.theme)
        cached = self._rendered
        if cached is not None and cached[0] is self.snapshot and cached[1] == key:
            return cached[2]
        rendered = self._render_timeline()
        self._rendered = (self.snapshot, key, rendered)
        return rendered

    def _render_timeline(self) -> RenderableType:
        snapshot, now = self.snapshot, self.now
        if snapshot is None:
            return Text(self.placeholder, style=self._role("muted"))
        width = self.content_region.width or self.size.width or 60
        if not snapshot.transitions:
            lines = Text("No status transitions yet", style=self._role("muted"), no_wrap=True, overflow="ellipsis")
            self._append_failure(lines, width)
            return lines
        hidden, transitions = self._shown(snapshot)
        now = now or snapshot.fetched_at
        start = transitions[0].start
        end = (
            max(now, transitions[-1].start) if not snapshot.is_terminal else max(t.end or t.start for t in transitions)
        )
        span = max((end - start).total_seconds(), 1.0)
        duration_width = 8
        # The bar takes a little over half of the free width; status messages get the rest.
        free = width - LABEL_WIDTH - 1 - duration_width - 2
        bar_width = max(10, min(60, int(free * 0.45)))
        message_width = max(0, width - LABEL_WIDTH - 2 - bar_width - 1 - duration_width - 2)
        lines = Text(no_wrap=True, overflow="ellipsis")
        if hidden:
            lines.append(f"… {hidden:,} earlier stage{'s' if hidden != 1 else ''}\n", style=self._role("muted"))
        for index, transition in enumerate(transitions, start=hidden):
            lines.append_text(self._row(index, transition, start, span, now, bar_width, message_width))
            lines.append("\n")
        lines.append_text(self._axis(start, end, bar_width, snapshot.is_terminal))
        self._append_failure(lines, width)
        return lines

    def _append_failure(self, lines: Text, width: int) -> None:
        # Why it failed belongs next to where it failed; the details pane has it in full.
        for index, line in enumerate(self._failure_lines(width)):
            lines.append("\n")
            lines.append("✗ " if index == 0 else "  ", style=self._role("error"))
            lines.append(line, style=self._role("error"))

    def _row(
        self,
        index: int,
        transition: Transition,
        origin: datetime,
        span: float,
        now: datetime,
        bar_width: int,
        message_width: int,
    ) -> Text:
        style = secondary_style(transition.status)
        role = self._role(style.role)
        is_open = transition.end is None
        arriving = 0 <= self.arriving <= index
        reveal = self.reveal if arriving else 1.0
        begin = (transition.start - origin).total_seconds() / span
        finish = ((transition.end or now) - origin).total_seconds() / span
        left = min(int(begin * bar_width), bar_width - 1)
        right = max(left + 1, min(bar_width, round(finish * bar_width)))
        shown = left + max(1, round((right - left) * reveal))
        fill = BAR_FILL.get(transition.status)
        bar = Text(" " * left)
        if fill is None:
            # Final states are moments, not spans: a marker on the axis.
            bar.append(style.symbol, style=role)
        else:
            body = fill * (shown - left)
            if is_open and reveal >= 1.0:
                body = body[:-1] + "▶" if len(body) > 1 else body
            bar.append(body, style=role if is_open else role + self._role("muted"))
        bar.pad_right(bar_width - bar.cell_len)
        label = safe(SHORT_NAME.get(transition.status, transition.status), LABEL_WIDTH - 2)
        row = Text.assemble(
            (f"{style.symbol} ", role),
            (f"{label:<{LABEL_WIDTH - 2}} ", role if is_open else ""),
            bar,
            " ",
            (f"{compact_duration(transition.duration(now)):>8}", "" if fill else self._role("muted")),
        )
        if message_width > 3 and transition.message:
            message = safe(transition.message, message_width)
            row.append("  ")
            row.append(message, style=self._role("muted"))
        if arriving and reveal < 1.0:
            row.stylize(self._role("new"))
        return row

    def _axis(self, start: datetime, end: datetime, bar_width: int, finished: bool) -> Text:
        axis_style = self._role("axis")
        ticks = "├" + "─" * max(bar_width - 2, 0) + "┤"
        for fraction in (0.25, 0.5, 0.75):
            position = int(fraction * (bar_width - 1))
            ticks = ticks[:position] + "┼" + ticks[position + 1 :]
        label_start = clock_time(start)
        label_end = clock_time(end) if finished else "now"
        total = compact_duration(end - start)
        gap = max(1, bar_width - len(label_start) - len(label_end))
        middle = f" {total} "
        if len(middle) + 2 <= gap:
            pad_left = (gap - len(middle)) // 2
            labels = label_start + " " * pad_left + middle + " " * (gap - len(middle) - pad_left) + label_end
        else:
            labels = label_start + " " * gap + label_end
        indent = " " * LABEL_WIDTH
        return Text.assemble((indent + ticks + "\n", axis_style), (indent + labels, axis_style))
