"""The dialogs of the main screen: the confirmation asked before StopTrainingJob, and adding a job by name."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from smtui.names import job_name_problem
from smtui.ui.once import DismissedOnce


class ConfirmStop(DismissedOnce, ModalScreen[bool]):
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
            yield Static(
                f"Stop {self.job}?{where}\n\nSageMaker sends its containers SIGTERM and gives them 120 "
                "seconds to save the model, then the job is Stopped. This cannot be undone.",
                markup=False,
            )
            with Horizontal():
                yield Button("Stop job (y)", variant="error", id="stop")
                yield Button("Cancel (n)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "stop")


class AddJob(DismissedOnce, ModalScreen[str | None]):
    """Asks for the name of a training job to watch; dismissed with the name, or None.

    A name SageMaker would refuse is said under the box and not accepted.
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    DEFAULT_CSS = """
    AddJob { align: center middle; }
    AddJob > Vertical {
        width: 72; max-width: 100%; height: auto;
        border: round $primary; border-title-color: $primary; background: $surface; padding: 1 2;
    }
    AddJob #add-problem { color: $error; height: auto; margin-top: 1; }
    AddJob #add-help { color: $text-muted; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Watch another job"
            yield Input(placeholder="training job name", id="add-name", max_length=200)
            yield Static("", id="add-problem", markup=False)
            yield Static("Enter adds it · Escape cancels", id="add-help", markup=False)

    def on_mount(self) -> None:
        self.query_one("#add-problem").display = False
        box = self.query_one(Input)
        box.cursor_blink = self.app.settings.cursor_blink  # type: ignore[attr-defined]
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#add-problem").display = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.dismiss(None)
            return
        problem = job_name_problem(name)
        if problem:
            message = self.query_one("#add-problem", Static)
            message.update(problem)
            message.display = True
            return
        self.dismiss(name)
