"""RAG words and statuses have one home, the seed dbt_project/seeds/vocabulary.csv: the models'
tests, the pack and the workbook all read it."""

import re

from opcc.core import vocabulary
from opcc.reporting import format as pack_format
from opcc.reporting import workbook
from tests.conftest import PROJECT_ROOT


def test_each_word_is_shown_and_coloured_one_way_whatever_its_vocabulary():
    rows = vocabulary._rows()
    for column in ("shown_as", "fill_colour", "text_colour"):
        seen: dict[str, set[str]] = {}
        for row in rows:
            seen.setdefault(row["word"], set()).add(row[column])
        assert {word: values for word, values in seen.items() if len(values) > 1} == {}, column
    assert all(re.fullmatch(r"([0-9A-F]{6})?", row[c]) for row in rows for c in ("fill_colour", "text_colour"))


def test_the_pack_and_workbook_read_the_vocabulary():
    assert vocabulary.words("return_status") == [
        "received", "received (date unknown)", "late", "resubmitted", "resubmission rejected", "missing"
    ]
    assert pack_format.RAG_WORDS["no target"] == "no target set" and pack_format.RAG_WORDS["note"] == "note"
    assert set(pack_format.RAG_WORDS) == set(vocabulary.words("rag", "outcome_rag", "indicator_rag", "attention"))
    assert workbook.FILLS["red"] == ("C62828", "FFFFFF") and set(workbook.FILLS) == {"red", "amber", "green", "not reported", "note"}


def test_no_model_test_lists_a_vocabularys_words_again():
    """An accepted_values test naming RAG or status words would be a second home for them."""
    listed = re.compile(r"accepted_values:[^\n]*(\n\s+arguments:)?[^\n]*values: \[([^\]]*)\]")
    vocabularies = {row["vocabulary"] for row in vocabulary._rows()}
    word_sets = {frozenset(vocabulary.words(name)) for name in vocabularies}
    found = []
    for path in (PROJECT_ROOT / "dbt_project" / "models").rglob("*.yml"):
        for match in listed.finditer(path.read_text(encoding="utf-8")):
            values = frozenset(value.strip() for value in match[2].split(","))
            if values in word_sets:
                found.append(f"{path.name}: {sorted(values)}")
    assert not found, "use in_vocabulary: " + "; ".join(found)
