"""Tables a person reads in a terminal: they fit its width, and text is wrapped, never cut.

Numbers keep their whole width and are right-aligned; headers wrap at their
words; text columns give up
width, the widest first, down to their longest word (at most 24 characters),
and their cells wrap onto the next lines of the row. A row of several lines is
separated by a blank line when any row takes more than one line.
"""

from __future__ import annotations

import textwrap

GAP = 2  # spaces between columns
LONGEST_KEPT_WORD = 14  # a longer word (an indicator code) is broken across lines to fit


def fit_widths(header: list[str], cells: list[list[str]], numeric: list[bool], width: int) -> list[int]:
    # a header wraps at its words, so a column of short numbers under a long header stays narrow
    widths = [max(max(map(len, h.split() or [""])), *(len(row[i]) for row in cells)) for i, h in enumerate(header)]
    text_columns = [i for i, n in enumerate(numeric) if not n]
    floor = {
        i: max([min(widths[i], 8), *(min(len(word), LONGEST_KEPT_WORD) for row in cells for word in row[i].split())])
        for i in text_columns
    }
    while sum(widths) + GAP * (len(widths) - 1) > width:
        shrinkable = [i for i in text_columns if widths[i] > floor[i]]
        if not shrinkable:
            break
        widths[max(shrinkable, key=lambda i: widths[i] - floor[i])] -= 1
    return widths


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False) or [""]


def render(title: str, header: list[str], numeric: list[bool], cells: list[list[str]], width: int) -> str:
    """The table under its title, fitted to `width`, with a count of its rows."""
    widths = fit_widths(header, cells, numeric, width)
    gap = GAP if sum(widths) + GAP * (len(widths) - 1) <= width else 1  # closer columns before a wider table
    out = [title] if title else []
    head = [_lines(h, w) for h, w in zip(header, widths, strict=True)]
    out.extend(_row(head, widths, numeric, gap))
    out.append((" " * gap).join("-" * w for w in widths))
    rows = [_row([[v] if n else _lines(v, w) for v, w, n in zip(row, widths, numeric, strict=True)], widths, numeric, gap) for row in cells]
    spaced = any(len(lines) > 1 for lines in rows)  # rows of several lines are kept apart by a blank line
    for number, lines in enumerate(rows):
        if spaced and number:
            out.append("")
        out.extend(lines)
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)


def _row(parts: list[list[str]], widths: list[int], numeric: list[bool], gap: int) -> list[str]:
    height = max(len(p) for p in parts)
    lines = []
    for k in range(height):
        cells = []
        for part, w, n in zip(parts, widths, numeric, strict=True):
            text = part[k] if k < len(part) else ""
            cells.append(text.rjust(w) if n else text.ljust(w))
        lines.append((" " * gap).join(cells).rstrip())
    return lines
