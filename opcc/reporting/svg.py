"""A small SVG writer for the review pack's charts: text measured from a table of DejaVu Sans
widths, nice axis ticks, and a drawing that knows its chart's name.

The pack draws a few dozen shapes per chart; writing them directly is about a thousand times cheaper
than starting and driving a plotting library, and a refresh draws charts for every pack. Units are
points (a 9 pt label has font-size 9), so a chart's proportions match its size in inches x 72.
Every text that reaches the SVG goes through `html_text`, the escaping of every other page.
"""

from __future__ import annotations

import math
import unicodedata

from opcc.core.safe_text import html_text

FONT_FAMILY = "'DejaVu Sans', sans-serif"  # the page's font: the widths below are its widths
# Advance widths of DejaVu Sans, printable ASCII (space to ~) in thousandths of an em.
_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636,
    636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
    603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)
_OTHER = {"£": 636, "…": 1000, "–": 500, "—": 1000, "’": 318, "‘": 318, "“": 518, "”": 518, "€": 636}
BOLD = 1.1  # DejaVu Sans Bold is about a tenth wider


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of one line of text in points, as the page's font draws it (near enough to lay out by)."""
    total = 0
    for char in text:
        code = ord(char)
        if 32 <= code < 127:
            total += _WIDTHS[code - 32]
        elif char in _OTHER:
            total += _OTHER[char]
        elif unicodedata.east_asian_width(char) in "WF":
            total += 1000
        elif unicodedata.combining(char):
            continue
        else:
            total += 640
    return total * size / 1000 * (BOLD if bold else 1)


def num(value: float) -> str:
    """A coordinate, written the same way every run (two decimals at most, no trailing zeros)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)  # the steps a plotting library picks for a few ticks (x 10^k)
AUTO_STEPS = (1, 2, 2.5, 5)  # ... and for an axis left to choose its own


def nice_ticks(low: float, high: float, most: int, integer: bool = False, steps: tuple[float, ...] = STEPS) -> list[float]:
    """Round ticks inside [low, high], at most `most` intervals between the ends: `steps` x 10^k apart."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(most, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = 10 * power
    for factor in steps:
        candidate = factor * power
        if (high - low) / candidate <= most and not (integer and (candidate < 1 or candidate != int(candidate))):
            step = candidate
            break
    if integer:
        step = max(round(step), 1)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


class Drawing:
    """An SVG of `width` x `height` points whose element ids all start with the chart's name."""

    def __init__(self, name: str, width: float, height: float):
        self.name, self.width, self.height = name, width, height
        self.parts: list[str] = []

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def group(self, part: str) -> None:
        self.parts.append(f'<g id="{html_text(self.name)}-{html_text(part)}">')

    def end(self) -> None:
        self.parts.append("</g>")

    def rect(self, x: float, y: float, width: float, height: float, fill: str) -> None:
        self.parts.append(f'<rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}" fill="{fill}"/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#000", width: float = 0.8) -> None:
        self.parts.append(
            f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" stroke="{stroke}" stroke-width="{num(width)}"/>'
        )

    def polyline(self, points: list[tuple[float, float]], stroke: str, width: float) -> None:
        coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        self.parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{stroke}" stroke-width="{num(width)}" stroke-linejoin="round" stroke-linecap="round"/>'
        )

    def circle(self, x: float, y: float, r: float, fill: str) -> None:
        self.parts.append(f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" fill="{fill}"/>')

    def text(self, x: float, y: float, text: str, size: float, anchor: str = "start", valign: str = "baseline",
             colour: str = "#000", bold: bool = False, rotate: bool = False) -> None:
        """Text at (x, y); a text of several lines (\\n) is one <text> a line, so each line stays a searchable phrase.
        `valign` places the block: 'baseline' (of its last line), 'top', 'middle' or 'bottom'."""
        lines = text.split("\n")
        step = size * 1.2
        block = step * (len(lines) - 1)
        # baselines from the top of a line: DejaVu's capitals stand 0.73 em high
        first = {"top": 0.76 * size, "middle": 0.36 * size - block / 2, "bottom": -block - 0.24 * size, "baseline": -block}[valign] + y
        style = f' font-size="{num(size)}"' + (' font-weight="bold"' if bold else "") + (f' fill="{colour}"' if colour != "#000" else "")
        anchor_attr = f' text-anchor="{anchor}"' if anchor != "start" else ""
        for index, line in enumerate(lines):
            baseline = first + index * step
            if rotate:  # a vertical axis label, reading upwards, centred on (x, y)
                self.parts.append(f'<text transform="translate({num(x)} {num(y)}) rotate(-90)" text-anchor="middle"{style}>'
                                  f"{html_text(line)}</text>")
            else:
                self.parts.append(f'<text x="{num(x)}" y="{num(baseline)}"{anchor_attr}{style}>{html_text(line)}</text>')

    def figure(self, title: str, max_width: bool = True) -> str:
        """The chart as the page embeds it: sized by the page (the viewBox keeps its proportions), titled for a screen reader."""
        label = html_text(title)
        svg = (
            f'<svg class="chart" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {num(self.width)} {num(self.height)}" font-family="{FONT_FAMILY}">'
            + "".join(self.parts) + "</svg>"
        )
        style = f' style="max-width:{round(self.width * 96 / 72)}px"' if max_width else ""
        return f'<figure class="chart"{style}>{svg}<figcaption>{label}</figcaption></figure>'
