"""The log pane: a job's merged log lines, drawn only as far as they are in view."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from smtui.aws.log_tail import LogLine
from smtui.present.formatting import visible
from smtui.present.log_match import LineFilter
from smtui.present.secrets import MASK, mask_text

#: Host colours, in turn (algo-1 takes the first).
HOST_ROLES = ("primary", "success", "warning", "accent", "secondary", "error")
SEPARATOR = " │ "


class LogView(ScrollView, can_focus=True):
    """Log lines in time order, each marked with its host, following the newest unless scrolled up.

    Only the rows in view are rendered, so ten thousand lines cost what forty
    do. ``wrap`` folds long lines at the pane's width; ``timestamps`` puts each
    event's time first; ``search`` highlights a text, case-insensitively.
    """

    DEFAULT_CSS = """
    LogView { background: $surface; }
    LogView > .logview--host-primary { color: $primary; text-style: bold; }
    LogView > .logview--host-success { color: $success; text-style: bold; }
    LogView > .logview--host-warning { color: $warning; text-style: bold; }
    LogView > .logview--host-accent { color: $accent; text-style: bold; }
    LogView > .logview--host-secondary { color: $secondary; text-style: bold; }
    LogView > .logview--host-error { color: $error; text-style: bold; }
    LogView > .logview--muted { color: $text-muted; }
    LogView > .logview--match { background: $warning 40%; }
    LogView > .logview--current { background: $warning; color: $background; }
    """

    COMPONENT_CLASSES = {f"logview--host-{role}" for role in HOST_ROLES} | {
        "logview--muted",
        "logview--match",
        "logview--current",
    }
    """Host colours (`logview--host-primary` …), `--muted` for times and separators, `--match` and
    `--current` for search hits."""

    BINDINGS = [Binding("j", "scroll_down", "Down", show=False), Binding("k", "scroll_up", "Up", show=False)]

    wrap: reactive[bool] = reactive(False)
    timestamps: reactive[bool] = reactive(False)
    search: reactive[str] = reactive("")
    #: Whether new lines scroll into view; scrolling up pauses it, reaching the end resumes it.
    follow: reactive[bool] = reactive(True)
    #: Whether secrets in the lines (keys, tokens, passwords) are shown instead of hidden.
    reveal: reactive[bool] = reactive(False)

    class FollowChanged(Message):
        """Following started or paused (the user scrolled up, or back to the end)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        #: Every line loaded, and those of them shown (the ones the filter keeps).
        self.loaded: Sequence[LogLine] = ()
        self.lines: Sequence[LogLine] = ()
        self.line_filter = LineFilter()
        #: Each line's message made safe to draw, kept across updates (escaping is the costly part).
        self._messages: dict[LogLine, str] = {}
        self._host_width = 0
        #: First row of each line (wrapping), with the total at the end.
        self._starts: list[int] = [0]
        self._matches: list[int] = []
        #: The line of the search hit last jumped to.
        self.current_match: int | None = None
        self._moving = False

    # -- content -------------------------------------------------------------------

    def set_lines(self, lines: Sequence[LogLine]) -> None:
        """Show ``lines`` (a buffer's, in time order) that the filter keeps; keeps the line at the top in place
        when paused."""
        anchor = self._top_line() if not self.follow else None
        self.loaded = lines
        if len(self._messages) > 2 * len(lines) + 1000:
            self._messages = {line: self._messages[line] for line in lines if line in self._messages}
        self._host_width = max((len(line.host) for line in lines), default=0)
        self.lines = self._kept(lines)
        self._relayout()
        if anchor is not None:
            self._scroll_quietly(self._row_of(bisect.bisect_left(self.lines, anchor)))

    def narrow(self, line_filter: LineFilter) -> None:
        """Show only the loaded lines ``line_filter`` keeps (as ``less``'s ``&``), the one at the top of the
        pane staying in view when it is kept."""
        if line_filter == self.line_filter:
            return
        anchor = self._top_line() if not self.follow else None
        self.line_filter = line_filter
        self.lines = self._kept(self.loaded)
        self.current_match = None
        self._relayout()
        if anchor is not None:
            self._scroll_quietly(self._row_of(bisect.bisect_left(self.lines, anchor)))

    def _kept(self, lines: Sequence[LogLine]) -> Sequence[LogLine]:
        keeps = self.line_filter.keeps
        if not self.line_filter.active:
            return lines
        return [line for line in lines if keeps(line.host, self._message(line))]

    def _top_line(self) -> LogLine | None:
        index = self._line_at(round(self.scroll_y))[0]
        return self.lines[index] if 0 <= index < len(self.lines) else None

    def _message(self, line: LogLine) -> str:
        message = self._messages.get(line)
        if message is None:
            shown = line.message if self.reveal else MASK if line.hidden else mask_text(line.message)
            message = self._messages[line] = visible(shown.expandtabs(8))
        return message

    def _prefix(self, line: LogLine) -> str:
        prefix = f"{line.host:<{self._host_width}}{SEPARATOR}"
        if self.timestamps:
            prefix = f"{line.time.astimezone():%H:%M:%S.%f}"[:12] + SEPARATOR + prefix
        return prefix

    def text_of(self, index: int) -> str:
        """Line ``index`` as drawn, without styles: [time │] host │ message."""
        line = self.lines[index]
        return self._prefix(line) + self._message(line)

    def _relayout(self) -> None:
        width = max(self.scrollable_content_region.width, 10)
        count = len(self.lines)
        if self.wrap:
            starts = [0] * (count + 1)
            row = 0
            for index in range(count):
                starts[index] = row
                text = self.text_of(index)
                length = len(text) if text.isascii() else cell_len(text)
                row += max(1, -(-length // width))
            starts[count] = row
            self._starts = starts
            self.virtual_size = Size(width, row)
        else:
            self._starts = []
            prefix = len(self._prefix(self.lines[0])) if count else 0
            longest = max((len(self._message(line)) for line in self.lines), default=0)
            self.virtual_size = Size(prefix + longest, count)
        self._find_matches()
        if self.follow:
            self._scroll_quietly(self.max_scroll_y)
            # The new size may reach the scroll limits only after the next layout (a pane that was hidden).
            self.call_after_refresh(self._stick_to_end)
        self.refresh()

    def _stick_to_end(self) -> None:
        if self.follow:
            self._scroll_quietly(self.max_scroll_y)

    def _row_of(self, index: int) -> int:
        if not self.wrap:
            return index
        return self._starts[min(index, len(self._starts) - 1)]

    def _line_at(self, row: int) -> tuple[int, int]:
        """(line index, row within the line) of virtual row ``row``."""
        if not self.wrap:
            return row, 0
        index = bisect.bisect_right(self._starts, row) - 1
        return index, row - self._starts[index] if index >= 0 else 0

    def _scroll_quietly(self, y: float) -> None:
        self._moving = True
        try:
            self.scroll_to(y=y, animate=False, immediate=True)
        finally:
            self._moving = False

    # -- reactives -------------------------------------------------------------------

    def watch_wrap(self) -> None:
        anchor = self._top_line()
        self._relayout()
        if anchor is not None and not self.follow:
            self._scroll_quietly(self._row_of(bisect.bisect_left(self.lines, anchor)))

    def watch_timestamps(self) -> None:
        self.watch_wrap()

    def watch_reveal(self) -> None:
        self._messages = {}
        self.lines = self._kept(self.loaded)  # a pattern is matched against the lines as shown
        self.watch_wrap()

    def watch_search(self) -> None:
        self._find_matches()
        self.current_match = None
        self.refresh()

    def watch_follow(self, follow: bool) -> None:
        # Only when not at the end already: following resumed by a scroll that reached the end is
        # set from inside that scroll (an animation's last step), which must not be stopped from there.
        if follow and self.scroll_y < self.max_scroll_y:
            self._scroll_quietly(self.max_scroll_y)
        self.post_message(self.FollowChanged())

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if not self._moving:
            # Scrolling up pauses following; coming back down to the end resumes it. A move the other
            # way (the pane grew and the end came up to meet it) leaves following as it was.
            at_end = new >= self.max_scroll_y
            if at_end and new > old:
                self.follow = True
            elif not at_end and new < old:
                self.follow = False

    # -- keys ------------------------------------------------------------------------
    # The keys scroll at once instead of animating: lines arriving during an animated scroll move
    # its end, so the scroll would stop short of the newest line and leave following paused.

    def action_scroll_end(self) -> None:
        self.follow = True

    def action_scroll_home(self) -> None:
        self.follow = False
        self.scroll_home(animate=False)

    def action_scroll_up(self) -> None:
        self.scroll_up(animate=False)

    def action_scroll_down(self) -> None:
        self.scroll_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def on_resize(self) -> None:
        self._relayout()

    # -- search ----------------------------------------------------------------------

    def _find_matches(self) -> None:
        # The lines as shown: a hidden secret is not found by searching for it.
        needle = visible(self.search).lower()
        if not needle:
            self._matches = []
            return
        self._matches = [i for i, line in enumerate(self.lines) if needle in self._message(line).lower()]

    @property
    def match_count(self) -> int:
        return len(self._matches)

    def next_match(self, backwards: bool = False) -> bool:
        """Scroll to the next hit after the current one (before it, ``backwards``); False if there is none."""
        if not self._matches:
            return False
        current = self.current_match if self.current_match is not None else self._line_at(round(self.scroll_y))[0]
        if backwards:
            position = bisect.bisect_left(self._matches, current) - 1
            target = self._matches[position % len(self._matches)]
        else:
            position = bisect.bisect_right(self._matches, current if self.current_match is not None else current - 1)
            target = self._matches[position % len(self._matches)]
        self.current_match = target
        self.follow = False
        row = self._row_of(target)
        self._scroll_quietly(max(row - self.scrollable_content_region.height // 2, 0))
        self.refresh()
        return True

    # -- drawing ---------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index, part = self._line_at(round(self.scroll_y) + y)
        if not 0 <= index < len(self.lines):
            return Strip.blank(width, base)
        text = self._styled(index)
        if self.wrap:
            plain = text.plain
            cuts = _row_cuts(plain, width)
            start = cuts[part] if part < len(cuts) else len(plain)
            end = cuts[part + 1] if part + 1 < len(cuts) else len(plain)
            text = text[start:end]
            strip = Strip(list(text.render(self.app.console)))
        else:
            scroll_x = round(self.scroll_x)
            strip = Strip(list(text.render(self.app.console))).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, base).apply_style(base)

    def _styled(self, index: int) -> Text:
        line = self.lines[index]
        plain = self.text_of(index)
        text = Text(plain, no_wrap=True, end="")
        muted = self.get_component_rich_style("logview--muted")
        host_start = 0
        if self.timestamps:
            host_start = 12 + len(SEPARATOR)
            text.stylize(muted, 0, host_start)
        role = HOST_ROLES[line.host_index % len(HOST_ROLES)]
        host_end = host_start + self._host_width
        text.stylize(self.get_component_rich_style(f"logview--host-{role}"), host_start, host_end)
        text.stylize(muted, host_end, host_end + len(SEPARATOR))
        if self.search:
            style = self.get_component_rich_style(
                "logview--current" if index == self.current_match else "logview--match"
            )
            body = host_end + len(SEPARATOR)
            pattern = re.compile(re.escape(visible(self.search)), re.IGNORECASE)
            for found in pattern.finditer(plain, body):
                text.stylize(style, found.start(), found.end())
        return text


def _row_cuts(plain: str, width: int) -> list[int]:
    """Character offsets where each wrapped row of ``plain`` starts, at ``width`` cells a row."""
    if plain.isascii():
        return list(range(0, max(len(plain), 1), width))
    cuts, cells = [0], 0
    for offset, char in enumerate(plain):
        size = cell_len(char)
        if cells + size > width:
            cuts.append(offset)
            cells = 0
        cells += size
    return cuts
