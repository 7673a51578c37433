"""A braille canvas: lines drawn with 2x4 dots per terminal cell, each cell owned by the series that drew last.

Braille characters (U+2800 to U+28FF) have eight dots, two across and four
down, so a 60x12 cell plot has 120x48 points to draw on: four times the
vertical resolution of block characters. A cell can hold one colour only, so
it takes the colour of the last series that put a dot in it; where colour
cannot tell series apart (``NO_COLOR``, or two close hues), their dash
patterns do.
"""

from __future__ import annotations

from collections.abc import Sequence

#: The bit of each dot, by [row][column] inside a cell.
_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
_BRAILLE = 0x2800

#: Dash patterns, one per series in turn: which pixels along a line are drawn (cycled).
PATTERNS: tuple[tuple[bool, ...], ...] = (
    (True,),  # solid: ⠒⠒⠒⠒
    (True, True, True, True, False, False),  # dashes: ⠒⠒ ⠒
    (True, False),  # dots: ⠂⠂⠂⠂
    (True, True, True, False, True, False),  # dash and dot: ⠒⠂⠂⠒
)


def pattern_sample(pattern: Sequence[bool], cells: int) -> str:
    """A horizontal run of ``pattern`` ``cells`` wide, as a legend shows it (``⠒⠒⠒``, ``⠒⠒ ``)."""
    out = []
    for cell in range(cells):
        bits = 0
        for column in range(2):
            if pattern[(cell * 2 + column) % len(pattern)]:
                bits |= _DOTS[1][column]
        out.append(chr(_BRAILLE + bits) if bits else " ")
    return "".join(out)


class BrailleCanvas:
    """``width`` x ``height`` cells of braille dots (``2 * width`` x ``4 * height`` pixels), with text on top.

    Pixel (0, 0) is the top left. Each cell remembers the role (a series'
    style) of the last dot put in it; :meth:`put` writes a character over a
    cell (a marker), which wins over its dots.
    """

    def __init__(self, width: int, height: int) -> None:
        self.width = max(width, 0)
        self.height = max(height, 0)
        self._bits = [0] * (self.width * self.height)
        self._roles: list[str | None] = [None] * (self.width * self.height)
        self._text: dict[int, tuple[str, str | None]] = {}

    @property
    def pixel_width(self) -> int:
        return self.width * 2

    @property
    def pixel_height(self) -> int:
        return self.height * 4

    def dot(self, x: int, y: int, role: str | None) -> None:
        """Set pixel (x, y), if it is on the canvas, and give its cell ``role``."""
        if 0 <= x < self.pixel_width and 0 <= y < self.pixel_height:
            index = (y >> 2) * self.width + (x >> 1)
            self._bits[index] |= _DOTS[y & 3][x & 1]
            self._roles[index] = role

    def line(
        self, x0: int, y0: int, x1: int, y1: int, role: str | None, pattern: Sequence[bool] = (True,), phase: int = 0
    ) -> int:
        """A line from (x0, y0) to (x1, y1) in ``pattern`` starting at ``phase``; returns the phase after it
        (so a polyline's dashes run on from one segment to the next)."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        # Long segments far off the canvas (a zoomed-in view) are cut to it first, so work stays bounded.
        if max(dx, -dy) > 4 * (self.pixel_width + self.pixel_height) + 8:
            clipped = self._clip(x0, y0, x1, y1)
            if clipped is None:
                return phase
            return self.line(*clipped, role, pattern, phase)
        size = len(pattern)
        while True:
            if pattern[phase % size]:
                self.dot(x0, y0, role)
            phase += 1
            if x0 == x1 and y0 == y1:
                return phase
            doubled = 2 * error
            if doubled >= dy:
                error += dy
                x0 += sx
            if doubled <= dx:
                error += dx
                y0 += sy

    def _clip(self, x0: int, y0: int, x1: int, y1: int) -> tuple[int, int, int, int] | None:
        """The part of a segment inside the canvas (one pixel of margin), by Liang-Barsky; None if none."""
        low_x, high_x, low_y, high_y = -1, self.pixel_width, -1, self.pixel_height
        dx, dy = x1 - x0, y1 - y0
        t0, t1 = 0.0, 1.0
        for p, q in ((-dx, x0 - low_x), (dx, high_x - x0), (-dy, y0 - low_y), (dy, high_y - y0)):
            if p == 0:
                if q < 0:
                    return None
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return None
        return (round(x0 + t0 * dx), round(y0 + t0 * dy), round(x0 + t1 * dx), round(y0 + t1 * dy))

    def put(self, column: int, row: int, char: str, role: str | None) -> bool:
        """Write ``char`` over cell (column, row); False when the cell is off the canvas."""
        if 0 <= column < self.width and 0 <= row < self.height:
            self._text[row * self.width + column] = (char, role)
            return True
        return False

    def is_free(self, column: int, row: int) -> bool:
        """Whether a cell is on the canvas and has neither dots nor text."""
        if not (0 <= column < self.width and 0 <= row < self.height):
            return False
        index = row * self.width + column
        return not self._bits[index] and index not in self._text

    def char_at(self, column: int, row: int) -> str:
        """What cell (column, row) shows."""
        index = row * self.width + column
        if index in self._text:
            return self._text[index][0]
        return chr(_BRAILLE + self._bits[index]) if self._bits[index] else " "

    def rows(self) -> list[list[tuple[str, str | None]]]:
        """Each row as runs of text with one role each (empty cells have None)."""
        out = []
        for row in range(self.height):
            runs: list[tuple[str, str | None]] = []
            for column in range(self.width):
                index = row * self.width + column
                if index in self._text:
                    char, role = self._text[index]
                elif self._bits[index]:
                    char, role = chr(_BRAILLE + self._bits[index]), self._roles[index]
                else:
                    char, role = " ", None
                if runs and runs[-1][1] == role:
                    runs[-1] = (runs[-1][0] + char, role)
                else:
                    runs.append((char, role))
            out.append(runs)
        return out
