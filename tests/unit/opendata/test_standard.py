"""The 360Giving standard as the project holds it: schema validation, code types and the flattentool
round trip, all on the files copied into the project, with the network switched off."""

import copy
import socket

import pytest

from opcc.opendata import standard

GRANT = {
    "id": "360G-example-1",
    "title": "A grant",
    "description": "What it does",
    "currency": "GBP",
    "amountAwarded": 1234.5,
    "awardDate": "2015-10-23",
    "plannedDates": [{"startDate": "2016-04-01", "endDate": "2017-03-31", "duration": 12}],
    "recipientOrganization": [{"id": "GB-LAE-LCE", "name": "A council"}],
    "fundingOrganization": [{"id": "360G-example", "name": "A commissioner"}],
    "beneficiaryLocation": [{"name": "An area", "geoCode": "E07000129", "geoCodeType": "NMD", "countryCode": "GB"}],
    "classifications": [{"vocabulary": "plan", "code": "P1", "title": "A priority"}],
    "grantProgramme": [{"code": "FUND", "title": "A fund"}],
}


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("something tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def package(*grants):
    return {"grants": list(grants), "version": standard.STANDARD_VERSION}


def test_a_well_formed_package_validates_offline(no_network):
    assert standard.validate_package(package(GRANT)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda g: g.pop("currency"), "'currency' is a required property"),
        (lambda g: g.update(amountAwarded="£1,234.50"), "is not of type 'number'"),
        (lambda g: g.update(awardDate="23/10/2015"), "awardDate"),
        (lambda g: g.update(recipientOrganization=[]), "recipientOrganization"),
        (lambda g: g.update(currency="POUNDS"), "currency"),
    ],
)
def test_the_schema_refuses_what_the_standard_does_not_allow(no_network, change, expected):
    broken = copy.deepcopy(GRANT)
    change(broken)
    problems = standard.validate_package(package(broken))
    assert problems and any(expected in p for p in problems), problems


def test_an_empty_package_is_not_a_package():
    assert standard.validate_package({"grants": []})


@pytest.mark.parametrize(
    ("geocode", "kind"),
    [("E22000001", "CSP"), ("W14000001", "CDRP"), ("E07000129", "NMD"), ("E06000016", "UA"), ("E10000018", "CTY"),
     ("S12000005", "CA"), ("X99", None), ("", None), (None, None)],
)
def test_geocode_types_come_from_the_standard_codelist(geocode, kind):
    assert standard.geocode_type(geocode) == kind


def test_flattentool_writes_a_workbook_and_reads_it_back_equal(tmp_path, no_network):
    import json

    from openpyxl import load_workbook

    second = copy.deepcopy(GRANT)
    second.update(id="360G-example-2", title="=HYPERLINK(\"http://example.org\")", amountAwarded=29700)
    second["beneficiaryLocation"].append({"name": "Another area", "geoCode": "E22000001", "geoCodeType": "CSP"})
    source = tmp_path / "grants.json"
    source.write_text(json.dumps(package(GRANT, second)), encoding="utf-8")
    workbook = tmp_path / "grants.xlsx"
    standard.write_spreadsheet(source, workbook)

    assert standard.comparable(standard.read_spreadsheet(workbook)) == standard.comparable([GRANT, second])
    sheets = load_workbook(workbook)
    assert "grants" in sheets.sheetnames and "Identifier" in [c.value for c in sheets["grants"][1]]
    cells = [c for row in sheets["grants"].iter_rows() for c in row if str(c.value or "").startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells), "text from a document stays text, never a formula"
