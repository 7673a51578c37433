"""The help screen: keys and what every status symbol means."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from smtui.ui.once import DismissedOnce
from smtui.ui.status_style import PRIMARY, SECONDARY

KEYS = (
    ("↑ ↓  j k", "move between jobs (or scroll the focused pane)"),
    ("Home End  g G", "first / last job (top / bottom of a pane)"),
    ("Tab  Shift+Tab", "next / previous pane"),
    ("l", "logs of the selected job, every instance merged (Escape: back)"),
    ("  f w t", "logs: follow the newest / wrap long lines / show times"),
    ("  / n N", "logs: search the loaded lines, next / previous hit"),
    ("/", "filter the jobs by name, status or stage (Enter keeps it, Escape clears)"),
    ("o", "sort the jobs: by name, status, elapsed time, metric (a tuning job's objective: best first), "
          "then as given"),
    ("x", "stop the selected job, after a confirmation (not with --read-only)"),
    ("a", "watch another job, by name"),
    ("d  Delete", "stop watching the selected job (the job itself goes on)"),
    ("c  u", "send the job's ARN / its console URL to the terminal's clipboard (OSC 52, over SSH too; "
             "tmux passes it on only with set-clipboard on)"),
    ("r", "poll the selected job now"),
    ("s", "show / hide values that look like secrets (tokens, passwords, keys)"),
    ("Ctrl+P", "command palette: jump to a job, change theme"),
    ("?", "this help"),
    ("q  Ctrl+C", "quit"),
)

#: What the screen does when things go wrong, in a few lines.
TROUBLE = (
    ("! 40s old", "the last poll of this job failed; the row shows the last answer and its age"),
    ("banner", "one problem every job meets (credentials, the endpoint): what to do about it"),
    ("•••• (hidden)", "a secret-looking value; s shows it"),
)


class HelpScreen(DismissedOnce, ModalScreen[None]):
    """Keys and the legend of status symbols."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; border-title-color: $primary; background: $surface; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column()
        for key, what in KEYS:
            keys.add_row(key, what)
        legend = Table.grid(padding=(0, 1))
        legend.add_column(no_wrap=True)
        legend.add_column(no_wrap=True)
        legend.add_column()
        for status, style in {**PRIMARY, **SECONDARY}.items():
            legend.add_row(style.symbol, status, Text(style.description, style="dim"))
        trouble = Table.grid(padding=(0, 2))
        trouble.add_column(style="bold", no_wrap=True)
        trouble.add_column()
        for sign, what in TROUBLE:
            trouble.add_row(sign, what)
        with VerticalScroll() as scroll:
            scroll.border_title = "smtui help"
            scroll.border_subtitle = "Esc to close"
            yield Static(keys)
            yield Static(Text("\nWhen things go wrong", style="bold"))
            yield Static(trouble)
            yield Static(Text("\nStatus symbols", style="bold"))
            yield Static(legend)
