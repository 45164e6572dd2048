"""The words the warehouse writes for RAG colours and statuses, from their one home: the dbt seed
dbt_project/seeds/vocabulary.csv, which the models' `in_vocabulary` tests read too."""

from __future__ import annotations

import csv
import functools

from opcc.core.settings import DBT_PROJECT_DIR

VOCABULARY_CSV = DBT_PROJECT_DIR / "seeds" / "vocabulary.csv"


@functools.cache
def _rows() -> tuple[dict[str, str], ...]:
    with VOCABULARY_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def words(*vocabularies: str) -> list[str]:
    """The words of these vocabularies (rag, outcome_rag, return_status ...), each once, in order."""
    return list(dict.fromkeys(row["word"] for row in _rows() if row["vocabulary"] in vocabularies))


def shown_as(*vocabularies: str) -> dict[str, str]:
    """How the review pack shows each word of these vocabularies."""
    return {row["word"]: row["shown_as"] for row in _rows() if row["vocabulary"] in vocabularies}


def fills() -> dict[str, tuple[str, str]]:
    """The workbook's (fill, text) colours of every word that is shown as a colour."""
    return {row["word"]: (row["fill_colour"], row["text_colour"]) for row in _rows() if row["fill_colour"]}
