"""Two small views of the selected job: its summary (cost, time left, ...) and its hosts' utilisation."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from smtui.present.host_text import host_lines
from smtui.present.summary import JobSummary
from smtui.present.summary_text import summary_lines
from smtui.present.utilisation import Utilisation
from smtui.ui.widgets.changed_lines import changed_lines

#: The roles the layout functions give their spans, and the component class each is drawn with.
_ROLES = ("label", "bar", "warning", "error", "muted", "spark")


class _Lines(Widget):
    """Lines of (text, role) spans, laid out for the widget's width, a component class per role."""

    def _lines(self, width: int) -> list[list[tuple[str, str | None]]]:
        raise NotImplementedError

    def _text(self, width: int) -> Text:
        prefix = self.__class__.__name__.lower()
        out = Text(no_wrap=True, overflow="crop", end="")
        painted = self._painted
        lines = painted[1] if painted is not None and painted[0] == width else self._lines(max(width, 20))
        for index, line in enumerate(lines):
            if index:
                out.append("\n")
            for text, role in line:
                style = self.get_component_rich_style(f"{prefix}--{role}") if role in _ROLES else ""
                out.append(text, style=style)
        return out

    #: The height the panel was last laid out at.
    _laid_out = 0

    def _height(self, width: int) -> int:
        return max(1, len(self._lines(max(width, 20))))

    @property
    def _width(self) -> int:
        return self.content_region.width or self.size.width or 80

    def get_content_height(self, container, viewport, width: int) -> int:
        self._laid_out = self._height(width)
        return self._laid_out

    #: The lines last asked for, and the width they were laid out for.
    _painted: tuple[int, list[list[tuple[str, str | None]]]] | None = None

    def _content_changed(self) -> None:
        """Repaint the lines that changed; lay the screen out again only when the number of lines changed. The
        selected job's summary changes every second while it runs (elapsed time, cost): a layout each time
        redrew the whole screen, and a repaint of every line sent all of them to the terminal."""
        width = self._width
        lines = self._lines(max(width, 20))
        before, self._painted = self._painted, (width, lines)
        if len(lines) != self._laid_out:
            self.refresh(layout=True)
        elif before is None or before[0] != width:
            self.refresh()
        elif changed := changed_lines(before[1], lines, width):
            self.refresh(*changed)

    def render(self) -> Text:
        return self._text(self._width)


class GlancePanel(_Lines):
    """The selected job at a glance: instances, on-demand or spot, billable time and cost, time left, metrics.

    Set :attr:`summary`; the rows come from :func:`~smtui.present.summary_text.summary_lines`, so the
    screen says what ``smtui describe`` prints.
    """

    DEFAULT_CSS = """
    GlancePanel { height: auto; }
    GlancePanel > .glancepanel--label { color: $text-muted; }
    GlancePanel > .glancepanel--bar { color: $primary; }
    GlancePanel > .glancepanel--warning { color: $warning; }
    GlancePanel > .glancepanel--error { color: $error; text-style: bold; }
    """

    COMPONENT_CLASSES = {"glancepanel--label", "glancepanel--bar", "glancepanel--warning", "glancepanel--error"}
    """`--label` the row names, `--bar` a time bar, `--warning` / `--error` what needs attention."""

    summary: reactive[JobSummary | None] = reactive(None, repaint=False)

    def watch_summary(self) -> None:
        self._content_changed()

    def _lines(self, width: int) -> list[list[tuple[str, str | None]]]:
        if self.summary is None:
            return [[("Waiting for the job's first answer", "label")]]
        return summary_lines(self.summary, width, bar_width=16, fold=True)


class HostPanel(_Lines):
    """The selected job's instances: a line per host with bars and a sparkline, or the spread over many hosts.

    Set :attr:`utilisation` (see :mod:`smtui.present.utilisation`); warnings come first, in the warning colour.
    """

    DEFAULT_CSS = """
    HostPanel { height: auto; }
    HostPanel > .hostpanel--muted { color: $text-muted; }
    HostPanel > .hostpanel--bar { color: $primary; }
    HostPanel > .hostpanel--spark { color: $accent; }
    HostPanel > .hostpanel--warning { color: $warning; text-style: bold; }
    HostPanel > .hostpanel--error { color: $error; text-style: bold; }
    """

    COMPONENT_CLASSES = {
        "hostpanel--muted",
        "hostpanel--bar",
        "hostpanel--spark",
        "hostpanel--warning",
        "hostpanel--error",
    }
    """`--bar` a utilisation bar, `--spark` the recent trend, `--warning` / `--error` what is wrong."""

    utilisation: reactive[Utilisation | None] = reactive(None, repaint=False)

    def watch_utilisation(self) -> None:
        self._content_changed()

    def _lines(self, width: int) -> list[list[tuple[str, str | None]]]:
        if self.utilisation is None:
            return [[("No instance metrics yet", "muted")]]
        return host_lines(self.utilisation, width)
