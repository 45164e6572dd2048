"""The libraries' own log lines and warnings during a command: kept for the log file, not the terminal.

dbt, Dagster and Great Expectations write notices (deprecations, subsetting, regex hints) through
Python's logging and warnings; an analyst running a refresh needs the summary, not those. Unless
`--verbose`, they are collected while the command runs and appended to the warehouse's refresh log
afterwards (appending after the run keeps them clear of the log the run itself writes).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

# Enough for any refresh's notices; a flood beyond it is counted, not kept.
MOST_KEPT = 10_000


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.lines) >= MOST_KEPT:
            self.dropped += 1
            return
        with contextlib.suppress(Exception):
            self.lines.append(self.format(record))


class LibraryLogs:
    """What was collected: `count` lines, written to a file by `append_to`."""

    def __init__(self) -> None:
        self._collector = _Collector()
        self._warnings: list[warnings.WarningMessage] = []

    @property
    def count(self) -> int:
        return len(self._collector.lines) + self._collector.dropped + len(self._warnings)

    def append_to(self, log: Path) -> None:
        with contextlib.suppress(OSError):
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "a", encoding="utf-8") as out:
                for w in self._warnings:
                    out.write(f"warning: {w.category.__name__}: {w.message} ({w.filename}:{w.lineno})\n")
                for line in self._collector.lines:
                    out.write(f"log: {line}\n")
                if self._collector.dropped:
                    out.write(f"log: {self._collector.dropped} more library log lines not kept\n")


@contextlib.contextmanager
def kept_from_terminal(verbose: bool) -> Iterator[LibraryLogs]:
    """While the block runs, library log records and warnings are collected (nothing printed), unless verbose."""
    kept = LibraryLogs()
    if verbose:
        yield kept
        return
    root = logging.getLogger()
    before = (root.handlers[:], root.level)
    # A handler on the root logger before any library configures logging makes their basicConfig a
    # no-op, so their records come here instead of to stderr.
    root.handlers = [kept._collector]
    try:
        with warnings.catch_warnings(record=True) as caught:
            yield kept
        kept._warnings = list(caught)
    finally:
        root.handlers, _ = before
        root.setLevel(before[1])
        logging.captureWarnings(False)
