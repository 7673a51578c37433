"""The help screen: the keys, read from the bindings themselves, and what every status symbol means."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from smtui.ui.once import DismissedOnce
from smtui.ui.status_style import PRIMARY, SECONDARY

#: The command palette's key is the app's; what it offers is said here.
PALETTE = "command palette: jump to a job, change the theme"

#: What the screen does when things go wrong, in a few lines.
TROUBLE = (
    ("! 40s old", "the last poll of this job failed; the row shows the last answer and its age"),
    ("banner", "one problem every job meets (credentials, the endpoint): what to do about it"),
    ("•••• (hidden)", "a secret-looking value; s shows it"),
)


def key_rows(bindings: Iterable[BindingType], key_display: Callable[[Binding], str]) -> list[tuple[str, str]]:
    """One (keys, what they do) row per binding group, or else per action, in the order the bindings come.

    A binding's ``tooltip`` says what it does (else its description); a group's
    description speaks for all its bindings. System bindings are left out.
    """
    rows: dict[object, tuple[list[str], str]] = {}
    for binding in Binding.make_bindings(bindings):  # one Binding per key
        if binding.system:
            continue
        if binding.group is not None:
            row_key: object = binding.group
            what = binding.group.description
        else:
            row_key = binding.action.removeprefix("app.")
            what = binding.tooltip or binding.description.lower()
        keys, said = rows.setdefault(row_key, ([], what))
        shown = key_display(binding)
        if shown not in keys:
            keys.append(shown)
        if not said and what:
            rows[row_key] = (keys, what)
    return [("  ".join(keys), what) for keys, what in rows.values()]


class HelpScreen(DismissedOnce, ModalScreen[None]):
    """Keys and the legend of status symbols.

    Args:
        sections: (heading, bindings) for each screen whose keys are listed, in order.
    """

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; border-title-color: $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, sections: Iterable[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self.sections = [(heading, list(bindings)) for heading, bindings in sections]

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "smtui help"
            scroll.border_subtitle = "Esc to close"
            for index, (heading, bindings) in enumerate(self.sections):
                keys = Table.grid(padding=(0, 2))
                keys.add_column(style="bold", no_wrap=True)
                keys.add_column()
                for shown, what in key_rows(bindings, self.app.get_key_display):
                    keys.add_row(shown, what)
                yield Static(Text(f"{'' if index == 0 else chr(10)}{heading}", style="bold"))
                yield Static(keys)
            trouble = Table.grid(padding=(0, 2))
            trouble.add_column(style="bold", no_wrap=True)
            trouble.add_column()
            for sign, what in TROUBLE:
                trouble.add_row(sign, what)
            yield Static(Text("\nWhen things go wrong", style="bold"))
            yield Static(trouble)
            legend = Table.grid(padding=(0, 1))
            legend.add_column(no_wrap=True)
            legend.add_column(no_wrap=True)
            legend.add_column()
            for status, style in {**PRIMARY, **SECONDARY}.items():
                legend.add_row(style.symbol, status, Text(style.description, style="dim"))
            yield Static(Text("\nStatus symbols", style="bold"))
            yield Static(legend)
