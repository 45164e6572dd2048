"""`opcc serve`: the Dagster UI and the daemon (schedules, sensors, the run queue), together.

Both run on the warehouse's own Dagster instance (orchestration/defs/instance.py),
so what the command line, the UI, the schedule and the sensor run all shows in
one place. They are child processes in process groups of their own; Ctrl-C
(or SIGTERM, as systemd sends) stops both and everything they started (code
servers, runs in progress) and waits for them, and if either dies the other is
stopped too, so nothing is left running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from opcc.core.settings import OFFLINE_ENVIRONMENT, PROJECT_ROOT
from orchestration.defs.instance import ensure_home

CODE_LOCATION = "orchestration.defs.definitions"
STOP_SECONDS = 30.0


@dataclass
class Child:
    name: str
    process: subprocess.Popen

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)


def _bin(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def environment(live: Path, raw: Path) -> dict[str, str]:
    home = ensure_home(live)
    return {
        **os.environ,
        **OFFLINE_ENVIRONMENT,
        "DAGSTER_HOME": str(home),
        "OPCC_WAREHOUSE": str(live),
        "OPCC_RAW": str(raw),
    }


def commands(host: str, port: int) -> dict[str, list[str]]:
    location = ["-m", CODE_LOCATION, "--working-directory", str(PROJECT_ROOT)]
    return {
        "webserver": [_bin("dagster-webserver"), *location, "--host", host, "--port", str(port)],
        "daemon": [_bin("dagster-daemon"), "run", *location],
    }


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def exposure_warning(host: str) -> str | None:
    """A warning when the UI listens beyond this machine: it has no login of its own."""
    if host in LOOPBACK or host.startswith("127."):
        return None
    return (
        f"warning: the Dagster UI listens on {host}, reachable from other machines, and has no login of its own: "
        "anyone who reaches it can start a refresh. Bind 127.0.0.1 (the default) and put it behind a reverse proxy "
        "that authenticates (see the README, 'The operations console')."
    )


def serve(live: Path, raw: Path, host: str, port: int, say=print) -> int:
    warning = exposure_warning(host)
    if warning:
        say(warning)
    env = environment(live, raw)
    children = [
        Child(name, subprocess.Popen(argv, env=env, cwd=PROJECT_ROOT, start_new_session=True))
        for name, argv in commands(host, port).items()
    ]
    say(f"Dagster UI on http://{host}:{port}, with the daemon: schedules and sensors run while this runs.")
    say(f"Instance {env['DAGSTER_HOME']}; warehouse {live}; raw {raw}. Ctrl-C stops both.")
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        while not stopping:
            dead = [c for c in children if not c.alive()]
            if dead:
                say(f"the {dead[0].name} stopped (exit {dead[0].process.returncode}); stopping the rest")
                code = 1
                break
            time.sleep(0.5)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        shutdown(children)
    if stopping:
        say("Stopped.")
    return code


def shutdown(children: list[Child]) -> None:
    """SIGINT to every child's process group (as a terminal would), then SIGKILL what is left."""
    for child in children:
        child.signal_group(signal.SIGINT)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for child in children:
        child.signal_group(signal.SIGKILL)  # the group: code servers and run workers too
        if child.alive():
            child.process.wait(timeout=10)
