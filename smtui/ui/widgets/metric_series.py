"""Small live series of a job's metrics: a sparkline each, with the latest value."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from smtui.aws.snapshot import MetricPoint
from smtui.present.numbers import metric_value
from smtui.ui.fmt import safe

BARS = "▁▂▃▄▅▆▇█"
#: Seconds a new point stays marked.
FRESH_FOR = 2.0


def sparkline(values: Sequence[float], width: int) -> str:
    """The last ``width`` finite values as block characters, lowest to highest.

    Non-finite values (NaN, ±inf) are drawn as gaps so one bad point cannot
    flatten the rest of the line.
    """
    values = list(values)[-width:]
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return " " * len(values)
    low, high = min(finite), max(finite)
    scale = (high - low) or 1.0
    return "".join(
        BARS[min(len(BARS) - 1, int((v - low) / scale * (len(BARS) - 1) + 0.5))] if math.isfinite(v) else " "
        for v in values
    )


class MetricSeries(Widget):
    """One row per metric: name, sparkline, latest value.

    The newest point is marked while it is fresh: for :data:`FRESH_FOR`
    seconds after points arrive, the last cell of the line and the value are
    highlighted. Metrics that only have a final value show it with a
    ``final`` tag.
    """

    DEFAULT_CSS = """
    MetricSeries { height: auto; padding: 0 1; }
    MetricSeries > .metricseries--name { color: $text-muted; }
    MetricSeries > .metricseries--line { color: $primary; }
    MetricSeries > .metricseries--value { text-style: bold; }
    MetricSeries > .metricseries--new { color: $accent; text-style: bold reverse; }
    MetricSeries > .metricseries--muted { color: $text-muted; }
    """

    COMPONENT_CLASSES = {
        "metricseries--name",
        "metricseries--line",
        "metricseries--value",
        "metricseries--new",
        "metricseries--muted",
    }
    """`--name` the metric name, `--line` the sparkline, `--value` the latest value, `--new` a fresh point."""

    names: reactive[tuple[str, ...]] = reactive(tuple, layout=True)
    series: reactive[Mapping[str, tuple[MetricPoint, ...]]] = reactive(dict, always_update=True)
    finals: reactive[Mapping[str, float]] = reactive(dict)
    #: Metrics whose newest point just arrived: marked for :data:`FRESH_FOR` seconds.
    fresh: reactive[frozenset[str]] = reactive(frozenset)
    #: The timer that takes the mark off.
    _settle: Timer | None = None

    def show(
        self,
        names: Sequence[str],
        series: Mapping[str, tuple[MetricPoint, ...]],
        finals: Mapping[str, float],
        fresh: frozenset[str] = frozenset(),
    ) -> None:
        """Replace what is shown; metrics in ``fresh`` get the new-point mark."""
        self.names = tuple(names)  # a reactive: only a changed tuple refreshes the layout
        self.finals = dict(finals)
        self.series = dict(series)
        if self._settle is not None:
            self._settle.stop()
            self._settle = None
        self.fresh = fresh
        if fresh:
            # The mark is on or off: a timer takes it off. (An animated value repainted the widget at the
            # animation's frame rate for the whole time, 120 repaints for one mark.)
            self._settle = self.set_timer(FRESH_FOR, self._settled)

    def _settled(self) -> None:
        self._settle = None
        self.fresh = frozenset()

    def _name_width(self, width: int) -> int:
        return min(max(len(safe(n, 1024)) for n in self.names), max(8, width // 3))

    def _name_lines(self, name: str, width: int) -> list[str]:
        """A name longer than the name column, whole, on lines of its own (folded at the widget's width)."""
        text = safe(name, 1024)
        return [text[i : i + width] for i in range(0, len(text), max(width, 1))]

    def get_content_height(self, container, viewport, width: int) -> int:
        if not self.names:
            return 1
        name_width = self._name_width(width)
        return sum(1 + (len(self._name_lines(n, width)) if len(safe(n, 1024)) > name_width else 0) for n in self.names)

    def render(self) -> RenderableType:
        if not self.names:
            return Text("No metrics defined for this job", style=self.get_component_rich_style("metricseries--muted"))
        width = self.content_region.width or self.size.width or 60
        name_width = self._name_width(width)
        value_width = 9
        line_width = max(4, width - name_width - value_width - 3)
        out = Text(no_wrap=True, overflow="ellipsis")
        for index, name in enumerate(self.names):
            if index:
                out.append("\n")
            points = self.series.get(name, ())
            label = safe(name, 1024)
            if len(label) > name_width:
                # The name is the information: whole, above its line, never cut.
                for line in self._name_lines(name, width):
                    out.append(line + "\n", style=self.get_component_rich_style("metricseries--name"))
                label = ""
            out.append(f"{label:<{name_width}} ", style=self.get_component_rich_style("metricseries--name"))
            is_new = name in self.fresh
            if points:
                line = sparkline([p.value for p in points], line_width)
                out.append(line[:-1], style=self.get_component_rich_style("metricseries--line"))
                out.append(
                    line[-1:],
                    style=self.get_component_rich_style("metricseries--new" if is_new else "metricseries--line"),
                )
                out.append(" " * (line_width - len(line)))
                value = metric_value(points[-1].value)
                out.append(
                    f" {value:>{value_width}}",
                    style=self.get_component_rich_style("metricseries--new" if is_new else "metricseries--value"),
                )
            elif name in self.finals:
                out.append(f"{'final':<{line_width}}", style=self.get_component_rich_style("metricseries--muted"))
                out.append(
                    f" {metric_value(self.finals[name]):>{value_width}}",
                    style=self.get_component_rich_style("metricseries--value"),
                )
            else:
                out.append(f"{'no data yet':<{line_width}}", style=self.get_component_rich_style("metricseries--muted"))
        return out
