"""What the keys of the metrics view change: the span of time shown (zoom and pan), and the smoothing.

The span is kept as fractions of the whole history, so it stays put as the
history grows; a span that reaches the end follows the newest points.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

#: The smoothing strengths ``S`` steps through: the weight of the exponential moving average (0: none).
SMOOTHING = (0.0, 0.6, 0.8, 0.9, 0.95, 0.99)
#: How far in the view zooms: a 256th of the history.
MAX_ZOOM = 256.0
#: How much of the span one pan moves.
PAN_STEP = 0.25


@dataclass(frozen=True)
class XWindow:
    """The part of the x range shown: ``1 / zoom`` of it, ending at ``end`` (a fraction of the range), or at
    the newest point when ``end`` is None."""

    zoom: float = 1.0
    end: float | None = None

    @property
    def follows(self) -> bool:
        """The span ends at the newest point, and moves with it."""
        return self.end is None

    def span(self, low: float, high: float) -> tuple[float, float]:
        """The x values shown, of the range ``low`` to ``high``."""
        width = 1.0 / self.zoom
        end = 1.0 if self.end is None else self.end
        start = end - width
        return low + start * (high - low), low + end * (high - low)

    def _at(self, zoom: float, end: float | None) -> XWindow:
        zoom = min(max(zoom, 1.0), MAX_ZOOM)
        if end is not None:
            end = min(max(end, 1.0 / zoom), 1.0)
            if end >= 1.0 - 1e-9:
                end = None
        return XWindow(zoom, end)

    def zoom_in(self) -> XWindow:
        """Half the span, around its middle (or still ending at the newest point when it follows it)."""
        if self.follows:
            return self._at(self.zoom * 2, None)
        middle = self.end - 0.5 / self.zoom
        return self._at(self.zoom * 2, middle + 0.25 / self.zoom)

    def zoom_out(self) -> XWindow:
        """Twice the span, around its middle, up to the whole range."""
        if self.follows:
            return self._at(self.zoom / 2, None)
        middle = self.end - 0.5 / self.zoom
        return self._at(self.zoom / 2, middle + 1.0 / self.zoom)

    def pan(self, steps: float) -> XWindow:
        """Move the span ``steps`` quarters of itself later (negative: earlier)."""
        end = 1.0 if self.end is None else self.end
        return self._at(self.zoom, end + steps * PAN_STEP / self.zoom)

    def to_start(self) -> XWindow:
        """The same span, at the start of the range."""
        return self._at(self.zoom, 1.0 / self.zoom)

    def to_end(self) -> XWindow:
        """The same span, at the newest point (following it)."""
        return replace(self, end=None)

    def describe(self) -> str:
        """What the title says of the span: nothing for the whole range, else the zoom and where it is."""
        if self.zoom <= 1.0:
            return ""
        where = "newest" if self.follows else f"to {self.end:.0%}"
        return f"zoom {self.zoom:g}x ({where})"


def next_smoothing(current: float) -> float:
    """The next strength of :data:`SMOOTHING` after ``current``, back to none after the strongest."""
    later = [s for s in SMOOTHING if s > current + 1e-9]
    return later[0] if later else SMOOTHING[0]
