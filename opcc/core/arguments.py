"""How the command line reads a number a person types, for every opcc command (the main command in
orchestration/commands/cli.py and `opcc portal`): a number it cannot use is refused with one line
when the command is read, before anything starts."""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

import click

# A port a server can listen on (0 would be a port chosen at random, that nobody could be told).
PORT = click.IntRange(1, 65535)


class SecondsType(click.ParamType):
    """A number of seconds to wait: finite, not negative, and no longer than a timer can wait
    (threading.TIMEOUT_MAX, about 292 years): 'inf', 'nan' or 1e400 are refused, not met by a timer
    thread's traceback once the work has started."""

    name = "seconds"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = float(value)
        else:
            try:
                seconds = float(str(value).strip())
            except ValueError:
                self.fail(f"'{value}' is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or not 0 <= seconds <= threading.TIMEOUT_MAX:
            self.fail(f"'{value}' is not a number of seconds from 0 to {threading.TIMEOUT_MAX:.0f}", param, ctx)
        return seconds


SECONDS = SecondsType()


class CodeType(click.ParamType):
    """A code as a person types it: spaces around it dropped, and (`upper`) in capitals, the way the
    warehouse writes commissioner, priority and indicator codes ('lei' is LEI). An empty one is
    refused: `--commissioner ""` from a script whose variable was unset must not quietly mean the
    default commissioner."""

    name = "code"

    def __init__(self, upper: bool = True):
        self.upper = upper

    def convert(self, value, param, ctx):
        text = " ".join(str(value).split())
        if not text:
            self.fail("is empty: give a code, or leave the option out", param, ctx)
        return text.upper() if self.upper else text


CODE = CodeType()
ID = CodeType(upper=False)  # an id whose case is the register's own (a contract id)


class OutputPath(click.Path):
    """A file or folder a command is to write: refused when it is read if what it would be written in
    cannot be, the nearest existing folder above it being a file or not writable by this user. The
    command then writes nothing, rather than stopping with a traceback half-way through its work.
    Missing folders below that one are made by the command when it writes."""

    def __init__(self, folder: bool):
        super().__init__(file_okay=not folder, dir_okay=folder, path_type=Path)

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        above = Path(path).absolute().parent
        while not above.exists() and above != above.parent:
            above = above.parent
        if not above.is_dir():
            self.fail(f"{above} is a file, not a folder: {path} cannot be written there", param, ctx)
        if not os.access(above, os.W_OK | os.X_OK):
            self.fail(f"this user may not write in {above}", param, ctx)
        return path


OUT_FILE = OutputPath(folder=False)
OUT_FOLDER = OutputPath(folder=True)
