"""Each rule has one wording: its `meta.rule` (what the refresh, the pack and `opcc check` print, with
settings filled in) and its `description` (what Data Docs print) say the same thing."""

import json
import re

from orchestration.quality import load_suites
from orchestration.settings import setting
from tests.conftest import PROJECT_ROOT

SUITES = PROJECT_ROOT / "expectations" / "gx" / "expectations"


def test_data_docs_wording_is_the_rule_wording():
    for path in SUITES.glob("*.json"):
        for expectation in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            rule = expectation["meta"]["rule"]
            assert expectation["description"] == re.sub(r"\{([a-z_]+)\}", r"\1", rule), (path.name, rule)


def test_rule_words_name_settings_by_their_values():
    rules = {r.rule for suite in load_suites() for r in suite.rules}
    assert f"Returns arrive by the deadline ({setting('return_due_days')} days after quarter end)" in rules
