"""The one way quality results are counted: by rule, in every summary the warehouse prints (the
refresh, `opcc check`, the review pack, Data Docs). Its own module so that Data Docs, which the
runner uses, can count without importing the runner."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Counts:
    """The one way results are counted: by rule, in every summary the warehouse prints."""

    rules: int = 0
    passed: int = 0
    warned: int = 0  # a warning rule that flagged rows
    failed: int = 0  # a blocking rule that failed (stopped the refresh)
    held_back: int = 0  # a blocking rule that failed and held framework versions back

    def line(self) -> str:
        parts = [f"{self.rules} rules: {self.passed} passed", f"{self.warned} warned"]
        if self.held_back:
            parts.append(f"{self.held_back} held a version back")
        parts.append(f"{self.failed} failed")
        return ", ".join(parts)


def classify(passed: bool, blocking: bool, holds_back: bool) -> str:
    """passed, warned, held_back or failed: the one definition every count uses."""
    if passed:
        return "passed"
    if not blocking:
        return "warned"
    return "held_back" if holds_back else "failed"


def _count(counts: Counts, outcome: str) -> None:
    counts.rules += 1
    setattr(counts, outcome, getattr(counts, outcome) + 1)
