"""Great Expectations at every layer: the suites (suites.py), running them (runner.py), their Data
Docs (docs.py) and starting a new one (authoring.py)."""

from opcc.quality.docs import data_docs_index, quality_dir
from opcc.quality.runner import (
    Counts,
    HeldBack,
    RuleOutcome,
    SuiteOutcome,
    finish,
    held_back,
    prefetch,
    record,
    run_checkpoints,
    summarise,
    summarise_recorded,
    validate,
)
from opcc.quality.suites import BLOCKING, Rule, Suite, load_suites

__all__ = [
    "BLOCKING",
    "Counts",
    "HeldBack",
    "Rule",
    "RuleOutcome",
    "Suite",
    "SuiteOutcome",
    "data_docs_index",
    "finish",
    "held_back",
    "load_suites",
    "prefetch",
    "quality_dir",
    "record",
    "run_checkpoints",
    "summarise",
    "summarise_recorded",
    "validate",
]
