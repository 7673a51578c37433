"""Screens that go away once, however many keys were already on their way to them."""

from __future__ import annotations

from textual.await_complete import AwaitComplete


class DismissedOnce:
    """Mixed into a screen before Textual's screen class: :meth:`dismiss` acts only while the screen is on top.

    Keys a terminal delivers together (Escape pressed twice quickly, Enter and Escape) are queued for the screen
    that is on top when they arrive. Textual's ``dismiss`` pops whatever screen is on top, so the second one,
    handled after the first had dismissed the screen, popped the main screen from under it: an empty screen
    stack, and the app ended. Here a screen that is no longer on top ignores it, and so does its callback.
    """

    def dismiss(self, result=None) -> AwaitComplete:  # type: ignore[override]
        if not self.is_active:  # type: ignore[attr-defined]
            return AwaitComplete.nothing()
        return super().dismiss(result)  # type: ignore[misc]
