"""The command palette: Textual's, with its page keys safe to press the moment it opens."""

from __future__ import annotations

from textual.binding import Binding
from textual.command import CommandList
from textual.command import CommandPalette as TextualCommandPalette

from smtui.ui.once import DismissedOnce


class CommandPalette(DismissedOnce, TextualCommandPalette):
    """Textual's command palette (``Ctrl+P``), whose PageUp, PageDown and Escape cannot end the app.

    Textual 8.2 pages through the list by its map of option lines, which is built when the list is drawn:
    PageUp or PageDown pressed while the list is hidden, or before it is drawn with its new options (the
    key right after Ctrl+P, or after a letter typed), raised KeyError from the option list and ended the
    app. Here they do nothing until the list is on the screen.
    """

    BINDINGS = [
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Previous page", show=False),
    ]

    def action_page(self, direction: int) -> None:
        commands = self.query_one(CommandList)
        if not commands.option_count or not commands.display or not commands.region.height:
            return
        try:
            if direction > 0:
                commands.action_page_down()
            else:
                commands.action_page_up()
        except KeyError:
            pass  # drawn, but not yet with the options just found: the next press pages
