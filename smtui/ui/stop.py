"""The confirmation asked before StopTrainingJob."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmStop(ModalScreen[bool]):
    """Asks whether to stop ``job``; dismissed with True only when the user confirms.

    Cancel has the focus, so a stray Enter does not stop a job.
    """

    BINDINGS = [Binding("escape,n", "dismiss(False)", "Cancel"), Binding("y", "dismiss(True)", "Stop the job")]

    DEFAULT_CSS = """
    ConfirmStop { align: center middle; }
    ConfirmStop > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: round $error; border-title-color: $error; background: $surface; padding: 1 2;
    }
    ConfirmStop Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmStop Button { margin-left: 2; }
    """

    def __init__(self, job: str, stage: str = "") -> None:
        super().__init__()
        self.job = job
        self.stage = stage

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Stop training job"
            where = f" It is now {self.stage}." if self.stage else ""
            yield Static(f"Stop {self.job}?{where}\n\nSageMaker sends its containers SIGTERM and gives them 120 "
                         "seconds to save the model, then the job is Stopped. This cannot be undone.", markup=False)
            with Horizontal():
                yield Button("Stop job (y)", variant="error", id="stop")
                yield Button("Cancel (n)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "stop")
