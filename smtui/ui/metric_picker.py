"""Choosing a metric from those the watched jobs report: for the job list's column, or a comparison."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from smtui.ui.fmt import safe
from smtui.ui.once import DismissedOnce

#: The choice that puts the list's metric column back to each job's own first metric.
DEFAULT_CHOICE = ""


class MetricPicker(DismissedOnce, ModalScreen[str | None]):
    """A list of metrics (each with how many jobs report it); dismissed with the one chosen, or None.

    Args:
        title: what the choice is for.
        metrics: (metric, how many jobs report it), in the order to offer them.
        current: the metric chosen now, highlighted first.
        default: a label for :data:`DEFAULT_CHOICE` offered first (None: not offered).
    """

    BINDINGS = [Binding("escape,q", "dismiss(None)", "Cancel")]

    DEFAULT_CSS = """
    MetricPicker { align: center middle; }
    MetricPicker > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 80%;
        border: round $primary; border-title-color: $primary; background: $surface; padding: 0 1;
    }
    MetricPicker OptionList { height: auto; max-height: 20; border: none; background: $surface; }
    MetricPicker #picker-help { color: $text-muted; }
    """

    def __init__(
        self, title: str, metrics: Sequence[tuple[str, int]], *, current: str | None = None, default: str | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.metrics = list(metrics)
        self.current = current
        self.default = default

    def compose(self) -> ComposeResult:
        options: list[Option] = []
        if self.default is not None:
            options.append(Option(Text(self.default, style="italic"), id="\0"))
        for metric, count in self.metrics:
            label = Text(safe(metric, 50))
            label.append(f"  {count} job{'s' if count != 1 else ''}", style="dim")
            options.append(Option(label, id=f"m:{metric}"))
        with Vertical() as box:
            box.border_title = self.title_text
            if options:
                yield OptionList(*options, id="picker")
            yield Static(
                "Enter chooses · Escape cancels" if options else "No job reports a metric yet · Escape closes",
                id="picker-help",
                markup=False,
            )

    def on_mount(self) -> None:
        if not self.metrics and self.default is None:
            return
        picker = self.query_one(OptionList)
        picker.focus()
        wanted = "\0" if self.current == DEFAULT_CHOICE and self.default is not None else f"m:{self.current}"
        try:
            picker.highlighted = picker.get_option_index(wanted)
        except OptionDoesNotExist:  # the current choice is not offered
            picker.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        self.dismiss(DEFAULT_CHOICE if option_id == "\0" else option_id.removeprefix("m:"))
