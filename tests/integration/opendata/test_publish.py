"""Grants and contracts published as open data from the bundled warehouse (Leicestershire 2016-17 v2).

The session's refresh already wrote the files beside its warehouse (the open_data asset); these tests
read them as a user, a funder or GrantNav would, and check them against marts.fct_allocation.
"""

import csv
import hashlib
import json
import subprocess
from decimal import Decimal

import pytest

from opcc.core import warehouse as wh
from opcc.opendata import standard
from tests.conftest import run_opcc

VERSION = "2016-17 v2"
STEM = "LEI-2016-17-v2"


@pytest.fixture(scope="module")
def folder(bundled_warehouse):
    return wh.open_data_dir(bundled_warehouse) / "LEI" / "2016-17-v2"


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def pence(value):
    return int(Decimal(str(value)) * 100)


def test_the_refresh_wrote_every_file_and_the_manifest_says_what_each_is(folder):
    manifest = json.loads((folder / f"{STEM}-manifest.json").read_text(encoding="utf-8"))
    names = {f["file"] for f in manifest["files"]}
    assert {f"{STEM}-360giving.json", f"{STEM}-360giving.xlsx", f"{STEM}-grants-register.csv", f"{STEM}-grants-register.html",
            f"{STEM}-contracts-register.csv", f"{STEM}-contracts-register.html", f"{STEM}-organisations.csv",
            f"{STEM}-findings.csv"} == names
    for entry in manifest["files"]:
        assert hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
        assert entry["purpose"]
    assert manifest["grants"] == {"count": 14, "amount_gbp": "563567.00"}
    assert any("validates against the 360Giving package schema" in c for c in manifest["checks"])
    assert any("Great Expectations suite open_data" in c for c in manifest["checks"])


def test_the_360giving_package_validates_and_its_grants_are_the_plf_and_pcc_grant_allocations_to_the_penny(folder, db):
    package = json.loads((folder / f"{STEM}-360giving.json").read_text(encoding="utf-8"))
    assert standard.validate_package(package) == []
    allocated = dict(db.execute(
        "select contract_id, allocated_gbp from marts.fct_allocation where commissioner_code = 'LEI' and framework_version = ? "
        "and funding_mechanism in ('Partnership Locality Fund', 'PCC Grant')",
        [VERSION],
    ).fetchall())
    assert len(allocated) == 14 and sum(allocated.values()) == Decimal("563567.00")
    grants = {g["id"]: g for g in package["grants"]}
    assert len(grants) == len(package["grants"]) == 14
    by_contract = {gid.split("-", 2)[2].rsplit("-", 2)[0]: g for gid, g in grants.items()}
    assert set(by_contract) == set(allocated)
    for contract, grant in by_contract.items():
        assert pence(grant["amountAwarded"]) == pence(allocated[contract])
        assert grant["id"] == f"360G-opccleics-{contract}-2016-17" and grant["currency"] == "GBP"
        assert grant["fundingOrganization"] == [{"id": "360G-opccleics", "name": "Office of the Police and Crime Commissioner for Leicestershire"}]
        assert grant["plannedDates"] == [{"startDate": "2016-04-01", "endDate": "2017-03-31", "duration": 12}]
        assert grant["awardDate"] == "2015-10-23"
    assert sum(pence(g["amountAwarded"]) for g in grants.values()) == pence(sum(allocated.values()))
    blaby = by_contract["LEI-050"]
    assert blaby["grantProgramme"][0]["title"] == "Partnership Locality Fund"
    assert {"name": "Blaby District Council area", "countryCode": "GB", "geoCode": "E07000129", "geoCodeType": "NMD"} in blaby["beneficiaryLocation"]
    assert {c["code"] for c in blaby["classifications"]} == {"VARIOUS", "community_safety_partnerships"}
    city = by_contract["LEI-046"]
    assert city["recipientOrganization"] == [{"id": "GB-LAE-LCE", "name": "Leicester City Council"}]
    street_sport = by_contract["LEI-027"]
    assert [c["code"] for c in street_sport["classifications"]][:2] == ["SP8", "SP1"]  # primary first
    assert {"geoCode": "E06000016", "geoCodeType": "UA"}.items() <= street_sport["beneficiaryLocation"][1].items()


def test_flattentool_reads_the_workbook_back_equal_to_the_json(folder):
    package = json.loads((folder / f"{STEM}-360giving.json").read_text(encoding="utf-8"))
    back = standard.read_spreadsheet(folder / f"{STEM}-360giving.xlsx")
    assert standard.comparable(back) == standard.comparable(package["grants"])


def test_libreoffice_opens_the_workbook_with_every_grant(folder, tmp_path):
    completed = subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(folder / f"{STEM}-360giving.xlsx")],
        capture_output=True, text=True, timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    rows = read_csv(tmp_path / f"{STEM}-360giving.csv")  # the first sheet: grants
    assert len(rows) == 14
    assert sum(pence(r["Amount Awarded"]) for r in rows) == 56_356_700
    assert {r["Identifier"] for r in rows} == {f"360G-opccleics-LEI-0{n}-2016-17" for n in [26, 27, 28, 29, 30, *range(46, 55)]}


def test_the_grants_register_names_recipient_purpose_conditions_and_reasons_for_every_grant(folder, db):
    rows = read_csv(folder / f"{STEM}-grants-register.csv")
    assert len(rows) == 14 and sum(pence(r["amount_gbp"]) for r in rows) == 56_356_700
    for row in rows:
        for column in ("recipient_name", "purpose", "conditions", "reasons", "decision_reference", "funding_mechanism"):
            assert row[column].strip(), (row["contract_id"], column)
        priorities = [r[0] for r in db.execute(
            "select strategic_priority from marts.fct_allocation_by_priority p join marts.dim_strategic_priority d "
            "using (plan_code, strategic_priority) where framework_version = ? and contract_id = ? and d.is_plan_priority",
            [VERSION, row["contract_id"]],
        ).fetchall()]
        assert all(f"{p} " in row["reasons"] for p in priorities), row
    make_moves = next(r for r in rows if r["contract_id"] == "LEI-026")
    assert make_moves["recipient_name"] == "Go-Getta CIC"
    assert make_moves["purpose"].startswith("Make Moves – Charnwood: Youth Café")
    assert "SP8 To prevent ASB" in make_moves["reasons"] and "(secondary)" in make_moves["reasons"]
    assert "Quarterly returns" in make_moves["conditions"] and "20 days" in make_moves["conditions"]


def test_the_contracts_register_lists_every_contract_over_ten_thousand_pounds(folder, db):
    rows = read_csv(folder / f"{STEM}-contracts-register.csv")
    expected = dict(db.execute(
        "select contract_id, allocated_gbp from marts.fct_allocation where framework_version = ? "
        "and mechanism_class not in ('partnership_grant', 'community_grant') and allocated_gbp > 10000",
        [VERSION],
    ).fetchall())
    assert {r["contract_id"]: Decimal(r["value_gbp"]) for r in rows} == expected
    assert "LEI-031" not in {r["contract_id"] for r in rows}  # exactly £10,000 does not exceed it
    for row in rows:
        for column in ("provider", "term_start", "term_end", "funding_mechanism", "strategic_priorities", "decision_reference"):
            assert row[column], (row["contract_id"], column)
    victim_first = next(r for r in rows if r["contract_id"] == "LEI-022")
    assert victim_first["provider"] == "Catch 22" and victim_first["value_gbp"] == "634384.00"
    assert victim_first["decision_reference"] == "Commissioning framework 2016-17 v2, decision of 23 October 2015"
    to_be_named = next(r for r in rows if r["contract_id"] == "LEI-055")
    assert to_be_named["provider"] == "To be confirmed" and to_be_named["provider_org_id"] == ""


def test_organisations_say_how_each_was_identified_and_the_unidentified_are_findings(folder):
    organisations = {r["organisation_name"]: r for r in read_csv(folder / f"{STEM}-organisations.csv")}
    assert organisations["Leicester City Council"]["org_id"] == "GB-LAE-LCE"
    assert "GB-LAE" in organisations["Leicester City Council"]["identified_by"]
    go_getta = organisations["Go-Getta CIC"]
    assert go_getta["org_id"] == "360G-opccleics-ORG-go-getta-cic"
    assert go_getta["identified_by"].startswith("no registered identifier (not in organisations.csv)")
    findings = read_csv(folder / f"{STEM}-findings.csv")
    about = {(f["subject_kind"], f["subject"]): f["finding"] for f in findings}
    assert "no registered organisation identifier" in about[("organisation", "Go-Getta CIC")]
    assert ("organisation", "Leicester City Council") not in about
    assert "no ONS code for the community safety partnership area" in about[("area", "Blaby (community safety partnership area)")]
    assert ("contract", "LEI-055") in about


def test_the_register_pages_open_in_chromium(folder, tmp_path):
    page = folder / f"{STEM}-grants-register.html"
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http" not in html.split("<body>")[1]
    assert "£563,567.00" in html and "Go-Getta CIC" in html
    shot = tmp_path / "grants.png"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}", "--window-size=1400,900", page.as_uri()],
        capture_output=True, timeout=120, check=False,
    )
    assert shot.exists() and shot.stat().st_size > 20_000


def test_opcc_publish_writes_a_version_into_a_folder(warehouse_copy, tmp_path):
    out = tmp_path / "site"
    completed = run_opcc("publish", "--warehouse", str(warehouse_copy), "--commissioner", "LEI", "--version", VERSION, "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    assert f"Wrote {out / f'{STEM}-360giving.json'}" in completed.stdout
    assert "14 grants £563,567.00" in completed.stdout
    assert "checked: identifiers unique, amounts positive, organisation identifiers well formed" in completed.stdout
    assert standard.validate_package(json.loads((out / f"{STEM}-360giving.json").read_text(encoding="utf-8"))) == []
    assert not list(tmp_path.glob(".site.*")), "nothing half-written is left beside the folder"

    older = run_opcc("publish", "--warehouse", str(warehouse_copy), "--version", "2016-17 v1", "--out", str(out))
    assert older.returncode == 0, older.stderr
    assert (out / "LEI-2016-17-v1-360giving.json").exists() and not (out / f"{STEM}-360giving.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--commissioner", "XYZ"], "error: no commissioner 'XYZ' in this warehouse (commissioners: LEI)"),
        (["--version", "2019-20 v1"], "error: LEI has no published framework version '2019-20 v1' (versions: '2016-17 v1', '2016-17 v2')"),
    ],
)
def test_opcc_publish_refuses_in_one_line(warehouse_copy, tmp_path, args, message):
    completed = run_opcc("publish", "--warehouse", str(warehouse_copy), "--out", str(tmp_path / "out"), *args)
    assert completed.returncode == 2
    assert completed.stderr.strip() == message
    assert not (tmp_path / "out").exists()


def test_opcc_publish_without_a_warehouse_says_so(tmp_path):
    completed = run_opcc("publish", "--warehouse", str(tmp_path / "none.duckdb"))
    assert completed.returncode == 2 and "run `opcc refresh` first" in completed.stderr and "Traceback" not in completed.stderr


def test_the_run_log_counts_each_publications_findings_in_one_line(bundled_warehouse, folder):
    """A finding is listed once, in the findings file; the run's log says how many there are, by kind,
    in one line per publication (a line per finding cost seconds of Dagster events at national scale)."""
    from orchestration.defs.instance import open_instance

    findings = read_csv(folder / f"{STEM}-findings.csv")
    assert findings, "the bundled version has findings to count"
    kinds = {}
    for row in findings:
        kinds[row["subject_kind"]] = kinds.get(row["subject_kind"], 0) + 1
    with open_instance(bundled_warehouse) as instance:
        run = instance.get_runs(limit=1)[0]
        messages = [
            record.event_log_entry.user_message
            for record in instance.get_records_for_run(run.run_id, limit=100_000).records
            if record.event_log_entry.user_message.startswith("open data ")
        ]
    mine = [m for m in messages if m.startswith(f"open data LEI {VERSION}:")]
    expected = ", ".join(f"{n:,} {kind}" for kind, n in sorted(kinds.items()))
    assert mine == [f"open data LEI {VERSION}: {len(findings):,} finding(s) ({expected}), listed in {STEM}-findings.csv"]
    assert not any(row["finding"] in m for row in findings for m in messages)
