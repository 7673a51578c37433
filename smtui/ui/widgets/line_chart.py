"""A line chart on Textual's line API: braille lines, labelled axes, marked points and a legend.

Why not plotext (through textual-plotext), which runs on the Textual we pin:
it draws the whole plot again as one ANSI string on every refresh (about 80 ms
for one 3,000-point series at 120x38, 580 ms for ten: a tuning job's overlay
would stall the screen), paints its lines in RGB colours of its own rather
than the theme's, has no dash patterns for telling series apart under
``NO_COLOR``, and chooses where ticks and points land inside its own code, so a
test could not check a marked minimum against the data without redoing its
arithmetic. Here :func:`~smtui.present.chart.draw_chart` works the chart out
as spans and numbers, which the tests check; this widget only paints them.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from smtui.present.chart import COLOURS, ChartOptions, ChartPicture, Series, draw_chart

_ROLES = ("title", "label", "axis", "muted", "raw")


class LineChart(Widget):
    """One chart: :meth:`show` gives it series and options; it draws them to fit its size.

    The picture is worked out once per change of data, options or size, and
    each line is painted from it.
    """

    DEFAULT_CSS = """
    LineChart {
        height: 12;
        background: $surface;
        & > .chart--title { text-style: bold; color: $text; }
        & > .chart--label { color: $text-muted; }
        & > .chart--axis { color: $text-muted; }
        & > .chart--muted { color: $text-muted; }
        & > .chart--raw { color: $foreground 30%; }
        & > .chart--series-0 { color: $text-primary; }
        & > .chart--series-1 { color: $text-accent; }
        & > .chart--series-2 { color: $text-success; }
        & > .chart--series-3 { color: $text-error; }
        & > .chart--series-4 { color: $foreground; }
        & > .chart--mark-0 { color: $text-primary; text-style: bold; }
        & > .chart--mark-1 { color: $text-accent; text-style: bold; }
        & > .chart--mark-2 { color: $text-success; text-style: bold; }
        & > .chart--mark-3 { color: $text-error; text-style: bold; }
        & > .chart--mark-4 { color: $foreground; text-style: bold; }
    }
    """

    COMPONENT_CLASSES = {f"chart--{role}" for role in _ROLES} | {
        f"chart--{kind}-{n}" for kind in ("series", "mark") for n in range(COLOURS)
    }
    """`--title` the title line, `--label` tick labels, `--axis` the axes, `--muted` legend words, `--raw` the
    unsmoothed line under a smoothed one, `--series-N` the Nth colour of lines, `--mark-N` marked points in it."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._series: tuple[Series, ...] = ()
        self._options = ChartOptions()
        self._picture: ChartPicture | None = None
        self._styles: dict[str, Style] | None = None

    def show(self, series: Sequence[Series], options: ChartOptions) -> None:
        """Draw ``series`` as ``options`` say (a redraw only when either changed)."""
        series = tuple(series)
        if series == self._series and options == self._options:
            return
        self._series, self._options = series, options
        self._picture = None
        self.refresh()

    @property
    def series(self) -> tuple[Series, ...]:
        return self._series

    @property
    def options(self) -> ChartOptions:
        return self._options

    @property
    def picture(self) -> ChartPicture:
        """The chart as drawn at the widget's size (worked out when first asked after a change)."""
        width, height = self.size
        picture = self._picture
        if picture is None or picture.width != width or len(picture.lines) != height:
            picture = self._picture = draw_chart(self._series, width, height, self._options)
        return picture

    def on_resize(self) -> None:
        self._picture = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def _role_styles(self) -> dict[str, Style]:
        if self._styles is None:
            styles = {role: self.get_component_rich_style(f"chart--{role}") for role in _ROLES}
            for n in range(COLOURS):
                styles[f"series-{n}"] = self.get_component_rich_style(f"chart--series-{n}")
                styles[f"mark-{n}"] = self.get_component_rich_style(f"chart--mark-{n}")
            self._styles = styles
        return self._styles

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        picture = self.picture
        if y >= len(picture.lines):
            return Strip.blank(width, base)
        styles = self._role_styles()
        segments = [Segment(text, styles[role] if role else None) for text, role in picture.lines[y] if text]
        return Strip(segments).crop_extend(0, width, None).apply_style(base)
