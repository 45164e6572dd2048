"""What the analyst keeps decides what is published, and nothing private ever leaves.

One refresh of a copy of the bundled data in which the analyst marks a directly commissioned line as
a grant, mistypes an identifier and a date, and in which personal data is planted where it could
leak from: a provider's comment that loads, comments that are quarantined, and the analyst's own note.
"""

import csv
import json

import duckdb
import pytest

from opcc.core import warehouse as wh
from opcc.opendata import standard
from orchestration.commands.refresh import run_refresh

pytestmark = pytest.mark.warehouse

PLANTED = {
    "loaded comment": "Caseworker Quentin Zabrowski chased the referrals",
    "phone": "07700 900461",
    "email": "quentin.zabrowski@example.org",
    "analyst note": "Ask Petronella Vandersloot",
}


def append(path, lines):
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in lines)


def test_marks_mistakes_and_planted_personal_data(warehouse_copy, raw_copy):
    reference = raw_copy / "reference"
    append(reference / "publication_details.csv", [
        f'LEI-032,2016-17,grant,Paid to victims through the Victim First service,,2016-13-01,,,,"{PLANTED["analyst note"]}"',
    ])
    append(reference / "organisations.csv", ["Catch 22,GB-CHC-12AB,,,typed from a letterhead"])
    q2 = raw_copy / "returns" / "2016-17 Q2"
    lines = (q2 / "LEI-022.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + f',"{PLANTED["loaded comment"]}"'
    lines[2] = lines[2].rsplit(",", 1)[0] + f',"Call {PLANTED["phone"]} or {PLANTED["email"]}"'
    (q2 / "LEI-022.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    outcome = run_refresh(warehouse_copy, raw_copy, progress=False)
    assert outcome.success, outcome.reason

    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        comments = [r[0] for r in con.execute("select comment from raw.provider_returns where comment is not null").fetchall()]
        assert PLANTED["loaded comment"] in comments, "the comment that loads is in the warehouse, for the review"
        assert con.execute(
            "select count(*) from audit.quarantined_rows where path = 'returns/2016-17 Q2/LEI-022.csv' and reason like 'personal data%'"
        ).fetchone()[0] >= 1
    folder = wh.open_data_dir(warehouse_copy) / "LEI" / "2016-17-v2"
    files = sorted(folder.iterdir())
    assert len(files) == 9
    for path in files:
        text = path.read_text(encoding="utf-8") if path.suffix != ".xlsx" else "\n".join(
            str(cell.value) for row in _cells(path) for cell in row
        )
        for what, planted in PLANTED.items():
            for fragment in (planted, planted.split()[-1]):
                assert fragment not in text, (path.name, what)

    package = json.loads((folder / "LEI-2016-17-v2-360giving.json").read_text(encoding="utf-8"))
    assert standard.validate_package(package) == []
    hardship = next(g for g in package["grants"] if g["id"] == "360G-opccleics-LEI-032-2016-17")
    assert hardship["amountAwarded"] == 10000 and hardship["awardDate"] == "2015-10-23"  # the mistyped date is not used
    assert sum(g["amountAwarded"] for g in package["grants"]) == 573_567
    with (folder / "LEI-2016-17-v2-grants-register.csv").open(newline="", encoding="utf-8") as handle:
        register = {r["contract_id"]: r for r in csv.DictReader(handle)}
    assert register["LEI-032"]["conditions"] == "Paid to victims through the Victim First service"
    with (folder / "LEI-2016-17-v2-findings.csv").open(newline="", encoding="utf-8") as handle:
        findings = {(r["subject_kind"], r["subject"]): r["finding"] for r in csv.DictReader(handle)}
    assert "'GB-CHC-12AB' is not of the form of the GB-CHC list" in findings[("organisation", "Catch 22")]
    assert findings[("publication detail", "reference/publication_details.csv row 7")] == (
        "column award_date: '2016-13-01' is not a date (YYYY-MM-DD); the default is published"
    )
    catch22 = {o["id"] for g in package["grants"] for o in g["recipientOrganization"] if o["name"] == "Catch 22"}
    assert catch22 == {"360G-opccleics-ORG-catch-22"}, "a malformed identifier is never published"


def _cells(path):
    from openpyxl import load_workbook

    for sheet in load_workbook(path).worksheets:
        yield from sheet.iter_rows()
