"""A quality finding in the pack, in the same sentence the refresh summary and `opcc check` print.

The words are the rule's own (its suite's `meta.finding`, read by opcc.quality.suites) and the
sentence is made by the runner's `RuleOutcome.finding`, the one home of how a finding reads; the
pack only gives it the failing rows that are this commissioner's, read back from
audit.quality_results ('LEI-024 / 2016-17 Q4: spend_to_date_ratio=1.37, days_late=0').
"""

from __future__ import annotations

import functools
import re

from opcc.quality.runner import RuleOutcome
from opcc.quality.suites import load_suites

MISSING = {"None", "nan", "NaN", "<NA>", "NaT", ""}


@functools.cache
def _rules() -> dict[tuple[str, str], tuple]:
    return {(suite.name, rule.rule): (rule, tuple(suite.identify_rows_by)) for suite in load_suites() for rule in suite.rules}


def parse_row(listed: str, keys: tuple[str, ...]) -> dict:
    """A recorded failing row as the columns the suite identified it by and the values it listed."""
    where, _, what = listed.partition(": ")
    row: dict = dict(zip(keys, (part.strip() for part in where.split(" / ")), strict=False))
    for pair in re.split(r", (?=\w+=)", what) if what else []:
        column, _, value = pair.partition("=")
        row[column.strip()] = None if value.strip() in MISSING else value.strip()
    return row


def sentence(suite: str, rule_text: str, rows: list[str], checked: int) -> str | None:
    """The finding as the refresh words it, for these rows; None for a rule with no words of its own."""
    found = _rules().get((suite, rule_text))
    if found is None or not found[0].finding_many or not rows:
        return None
    rule, keys = found
    outcome = RuleOutcome(rule, False, checked, len(rows), [], [parse_row(r, keys) for r in rows], keys)
    return outcome.finding()
