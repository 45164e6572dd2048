"""Each rule has one wording: its `meta.rule` (what the refresh, the pack and `opcc check` print, with
settings filled in) and its `description` (what Data Docs print) say the same thing."""

import json
import re

from opcc.core.settings import setting
from opcc.quality import load_suites
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


def test_every_warning_says_what_it_found_in_words():
    for suite in load_suites():
        for rule in suite.rules:
            if not rule.blocking:
                assert "{n}" in rule.finding_many and rule.finding_one, (suite.name, rule.rule)
                assert "{" not in rule.finding_one, f"{suite.name}: a setting left unnamed in {rule.finding_one!r}"


def test_a_finding_names_the_rows_and_shows_their_values():
    from opcc.quality.runner import RuleOutcome
    from opcc.quality.suites import Rule

    ratio = setting("overspend_warning_ratio")
    rule = next(r for s in load_suites() for r in s.rules if r.show == "spend_to_date_ratio")
    assert rule.finding_one.startswith(f"1 contract spent more than {round(ratio * 100)}%")
    rows = [{"contract_id": "X-1", "period": "2030-31 Q4", "spend_to_date_ratio": 1.366}]
    one = RuleOutcome(rule, False, 10, 1, ["ignored"], rows, ("contract_id", "period"))
    assert one.describe() == f"✗ {rule.finding_one}: X-1 2030-31 Q4, 137%"
    many = RuleOutcome(rule, False, 10, 7, [], rows * 2, ("contract_id", "period"))
    assert many.describe().startswith("✗ 7 ") and many.describe().endswith("X-1 2030-31 Q4, 137%; X-1 2030-31 Q4, 137% and 5 more")
    plain = Rule("Every row is fine", "expect_x", "c", "warning")
    assert RuleOutcome(plain, False, 3, 1, ["a / b: c=1"]).describe() == "✗ Every row is fine: 1 of 3 rows (e.g. a / b: c=1)"
