"""The help screen's keys come from the bindings, so they cannot drift from what the keys do."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from smtui.ui.help import HelpScreen, key_rows
from smtui.ui.log_screen import LogScreen
from smtui.ui.watch import WatchScreen
from smtui.ui.widgets.job_list import JobList
from tests.screens import RUNNING, SIZE, simulated_app, until_loaded


def test_rows_group_keys_by_group_then_by_action():
    bindings = [
        Binding("up,k", "cursor_up", "Up", group=Binding.Group("move")),
        Binding("down,j", "cursor_down", "Down", group=Binding.Group("move")),
        Binding("q", "app.quit", "Quit", tooltip="quit"),
        Binding("ctrl+c", "quit", "Quit", priority=True),
        Binding("escape", "clear", "Clear", system=True),
        Binding("r", "refresh", "Refresh"),
    ]
    display = App().get_key_display
    assert key_rows(bindings, display) == [("↑  k  ↓  j", "move"), ("q  ^c", "quit"), ("r", "refresh")]


async def test_every_key_of_the_main_and_log_screens_is_in_the_help():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            listed = {heading: key_rows(bindings, app.get_key_display) for heading, bindings in help_screen.sections}
            for heading, classes in (("Jobs", (JobList, WatchScreen)), ("Logs", (LogScreen,))):
                shown = " ".join(keys for keys, _ in listed[heading]).split()
                for cls in classes:
                    for binding in Binding.make_bindings(cls.BINDINGS):
                        if not binding.system:
                            assert app.get_key_display(binding) in shown, (heading, binding.key)
                assert all(what for _, what in listed[heading])
            assert ("^p", "command palette: jump to a job, change the theme") in listed["Jobs"]
