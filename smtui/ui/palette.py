"""The command palette: Textual's, with its page keys safe to press the moment it opens, and the main screen's
entries (jump to any watched job)."""

from __future__ import annotations

from functools import partial

from textual import on
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandList, DiscoveryHit, Hit, Hits, Provider
from textual.command import CommandPalette as TextualCommandPalette
from textual.widgets import Input

from smtui.ui.once import DismissedOnce


class CommandPalette(DismissedOnce, TextualCommandPalette):
    """Textual's command palette (``Ctrl+P``), which keys pressed quickly cannot end the app.

    In Textual 8.2:

    - PageUp and PageDown page through the list by its map of option lines, which is built when the list is
      drawn: pressed while the list is hidden, or before it is drawn with its new options (the key right after
      Ctrl+P, or after a letter typed), they raised KeyError from the option list. Here they do nothing until
      the list is on the screen.
    - Letters typed just before Escape are handled after it: each starts a search, whose worker looks for the
      list after the palette was taken down (NoMatches). Here a palette that is going away does not search.
    - A second Escape dismissed the screen under the palette (see :class:`~smtui.ui.once.DismissedOnce`).
    """

    BINDINGS = [
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Previous page", show=False),
    ]

    def dismiss(self, result=None) -> AwaitComplete:  # type: ignore[override]
        self.workers.cancel_node(self)  # a search under way stops with the palette
        return super().dismiss(result)

    @on(Input.Changed)
    def _not_after_closing(self, event: Input.Changed) -> None:
        if not self.is_active:
            event.prevent_default()  # Textual's own handler would start a search
            event.stop()

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


class JobCommands(Provider):
    """Command palette entries: jump to any watched job."""

    async def discover(self) -> Hits:
        screen = self.app.watch_screen
        for name in screen.jobs.names:
            yield DiscoveryHit(f"Go to {name}", partial(screen.select_job, name), help="Select this job")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        screen = self.app.watch_screen
        for name in screen.jobs.names:
            command = f"Go to {name}"
            score = matcher.match(command)
            if score > 0:
                yield Hit(score, matcher.highlight(command), partial(screen.select_job, name), help="Select this job")
