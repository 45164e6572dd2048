"""Run one command and report its wall time and memory, as JSON on stdout.

    python -m benchmarks.measure COMMAND [ARGS...]

Run in a fresh process of its own so that the kernel's peak-RSS bookkeeping for
children covers this command only. Two memory figures:

  peak_rss_mb       the largest peak of any single process (the refresh, or dbt), from the kernel
  peak_tree_rss_mb  the largest sum of resident memory over the whole process tree at any moment,
                    sampled every 50 ms from /proc (Linux): what the machine must hold at once
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

PAGE = 4096


def tree_rss_bytes(root: int) -> int:
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue  # the process ended while we looked
    return total


def main(command: list[str]) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_bytes(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    done.set()
    sampler.join()
    return {
        "seconds": time.perf_counter() - started,
        "returncode": process.returncode,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "peak_tree_rss_mb": peak / 2**20,
        "stdout": stdout[-3000:],
        "stderr": stderr[-3000:],
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
