# size: the 360Giving publication: build, validate, write and refuse in one place; to split when the pack goes declarative (issue 24, item 3).
"""Write a commissioner's framework version as open data, from the opendata.pub_* models only.

For one commissioner and one published framework version, into one folder:

  <CODE>-<version>-360giving.json      360Giving data package of every grant (validated against the schema)
  <CODE>-<version>-360giving.xlsx      the same grants as a 360Giving workbook, made and read back by flattentool
  <CODE>-<version>-grants-register.csv / .html     Specified Information Order grants register
  <CODE>-<version>-contracts-register.csv / .html  every contract above the contract_register_threshold_gbp setting
  <CODE>-<version>-organisations.csv   every organisation named, its identifier and how it was identified
  <CODE>-<version>-findings.csv        what to know before publishing (identifiers and area codes missing ...)
  <CODE>-<version>-manifest.json       what each file is, its sha256, and the checks it passed

Every file is checked before the folder is put in place: the JSON against the 360Giving schema, the
workbook read back equal to the JSON, and every file's amounts against marts.fct_allocation to the
penny. The folder is written beside and swapped in whole, so a reader never sees half a publication.
Only the columns of the pub_* models are written: nothing from provider returns or quarantine.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from opcc.core.safe_text import looks_like_formula
from opcc.core.settings import csv_module, setting
from opcc.opendata import standard
from opcc.opendata.pages import register_page

csv = csv_module()

TITLE_LIMIT = 140  # the standard asks for titles under 140 characters


class PublishRefused(Exception):
    """The request cannot be met as asked (unknown commissioner or version); the message says why."""


class PublishFailed(Exception):
    """The files did not pass their checks; nothing was put in place. `problems` lists why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


@dataclass
class Publication:
    commissioner_code: str
    commissioner_name: str
    framework_version: str
    folder: Path
    files: dict[str, Path] = field(default_factory=dict)  # kind -> path
    grants: int = 0
    grants_gbp: Decimal = Decimal(0)
    contracts: int = 0
    contracts_gbp: Decimal = Decimal(0)
    findings: list[tuple[str, str, str]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)  # every record as read back from the files
    has_360giving: bool = False
    in_package: list[str] = field(default_factory=list)  # the contracts whose grants the 360Giving file holds
    target: Path | None = None  # where the folder goes once committed
    held_back_note: str | None = None  # 'held back since <date>: <reason>': the files are the version as last published

    def summary(self) -> list[str]:
        lines = [f"Wrote {path}" for path in self.files.values()]
        lines.append(
            f"{self.commissioner_code} {self.framework_version}: {self.grants} grants £{self.grants_gbp:,.2f}, "
            f"{self.contracts} contracts over £{Decimal(str(setting('contract_register_threshold_gbp'))):,.0f} "
            f"£{self.contracts_gbp:,.2f}"
        )
        lines += [f"checked: {check}" for check in self.checks]
        lines += [f"finding: {subject}: {finding}" for _, subject, finding in self.findings]
        return lines


def version_slug(version: str) -> str:
    return version.strip().replace(" ", "-")


def resolve_version(con: duckdb.DuckDBPyConnection, code: str, version: str | None) -> tuple[str, str]:
    """(commissioner name, framework version): the one asked for, else the commissioner's current one."""
    row = con.execute("select commissioner_name from marts.dim_commissioner where commissioner_code = ?", [code]).fetchone()
    if row is None:
        known = [r[0] for r in con.execute("select commissioner_code from marts.dim_commissioner order by 1").fetchall()]
        raise PublishRefused(f"no commissioner '{code}' in this warehouse (commissioners: {', '.join(known) or 'none'})")
    name = row[0]
    versions = con.execute(
        "select framework_version, status, held_back_because from marts.dim_framework_version "
        "where commissioner_code = ? order by financial_year, version_number",
        [code],
    ).fetchall()
    if version is None:
        current = [v for v, status, _ in versions if status == "current"]
        if not current:
            raise PublishRefused(f"{code} has no published framework version to publish")
        return name, current[-1]
    wanted = version.strip()
    for candidate, status, because in versions:
        if wanted in (candidate, version_slug(candidate), f"{code}-{version_slug(candidate)}"):
            if status == "held back":
                raise PublishRefused(f"{code} {candidate} was held back by the quality gate and is not published: {because}")
            return name, candidate
    listed = ", ".join(f"'{v}'" for v, status, _ in versions if status != "held back") or "none"
    raise PublishRefused(f"{code} has no published framework version '{version}' (versions: {listed})")


def publish(
    con: duckdb.DuckDBPyConnection, code: str, version: str | None, out: Path,
    guard: Callable[[list[dict]], list[str]] | None = None,
) -> Publication:
    """Write the open data of one commissioner's framework version into `out` (replaced whole).

    `guard` judges the records read back from the files (guard.py: the Great Expectations suite) and
    returns its blocking failures; any failure, or any check here, leaves `out` as it was."""
    publication = prepare(con, code, version, out)
    try:
        if guard is not None:
            _guarded(publication, guard(publication.records))
        return commit(publication)
    finally:
        discard(publication)


def prepare(con: duckdb.DuckDBPyConnection, code: str, version: str | None, out: Path) -> Publication:
    """Write and check every file in a folder beside `out`; `commit` puts it in place, `discard` drops it."""
    name, version = resolve_version(con, code, version)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pending = out.parent / f".{out.name}.pending-{os.getpid()}"
    shutil.rmtree(pending, ignore_errors=True)
    pending.mkdir()
    try:
        publication = _write_all(con, code, name, version, pending)
        publication.held_back_note = con.execute(
            "select held_back_note from marts.dim_framework_version where commissioner_code = ? and framework_version = ?", [code, version]
        ).fetchone()[0]
        problems = _check_all(con, publication, pending)
        if problems:
            raise PublishFailed(problems)
    except BaseException:
        shutil.rmtree(pending, ignore_errors=True)
        raise
    publication.target = out
    return publication


def guarded(publications: list[Publication], problems: list[str]) -> None:
    """Record the guard's verdict on every publication it judged (raises PublishFailed if it failed)."""
    for publication in publications:
        _guarded(publication, problems)


def _guarded(publication: Publication, problems: list[str]) -> None:
    if problems:
        raise PublishFailed(problems)
    publication.checks.append(
        "identifiers unique, amounts positive, organisation identifiers well formed (Great Expectations suite open_data)"
    )


def commit(publication: Publication) -> Publication:
    """The manifest, then the prepared folder swapped in whole for the one it replaces."""
    pending, out = publication.folder, publication.target
    _manifest(publication, pending)
    _swap_in(pending, out)
    publication.folder = out
    publication.files = {kind: out / path.name for kind, path in publication.files.items()}
    return publication


def discard(publication: Publication) -> None:
    if publication.folder != publication.target:
        shutil.rmtree(publication.folder, ignore_errors=True)


def _swap_in(pending: Path, out: Path) -> None:
    previous = out.parent / f".{out.name}.previous-{os.getpid()}"
    if out.exists():
        out.rename(previous)
    pending.rename(out)
    shutil.rmtree(previous, ignore_errors=True)


def _rows(con, sql: str, params: list) -> list[dict]:
    relation = con.execute(sql, params)
    columns = [d[0] for d in relation.description]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _text(value) -> str:
    """A cell of a published CSV: text that a spreadsheet could run as a formula is quoted, as in the workbooks."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_text(row.get(c)) for c in columns])


GRANT_REGISTER_COLUMNS = [
    "grant_id", "contract_id", "recipient_name", "recipient_org_id", "amount_gbp", "purpose", "conditions", "reasons",
    "funding_mechanism", "award_date", "start_date", "end_date", "decision_reference",
]
CONTRACT_REGISTER_COLUMNS = [
    "contract_id", "provider", "provider_org_id", "value_gbp", "term_start", "term_end", "funding_mechanism",
    "strategic_priorities", "decision_reference", "purpose",
]


# size: every file of one publication written together or not at all.
def _write_all(con, code: str, name: str, version: str, folder: Path) -> Publication:
    publication = Publication(code, name, version, folder)
    stem = f"{code}-{version_slug(version)}"
    key = [code, version]
    grants = _rows(con, "select * from opendata.pub_grants where commissioner_code = ? and framework_version = ? order by contract_id", key)
    contracts = _rows(
        con, "select * from opendata.pub_contracts where commissioner_code = ? and framework_version = ? order by contract_id", key
    )
    classifications = _rows(
        con,
        "select * from opendata.pub_grant_classifications where commissioner_code = ? and framework_version = ? "
        "order by contract_id, position",
        key,
    )
    locations = _rows(
        con,
        "select * from opendata.pub_grant_locations where commissioner_code = ? and framework_version = ? order by contract_id, position",
        key,
    )
    findings = con.execute(
        "select subject_kind, subject, finding from opendata.pub_findings where commissioner_code = ? and framework_version = ? "
        "order by subject_kind, subject",
        key,
    ).fetchall()
    publication.findings = [tuple(f) for f in findings]
    publication.grants, publication.contracts = len(grants), len(contracts)
    publication.grants_gbp = sum((g["amount_gbp"] for g in grants), Decimal(0))
    publication.contracts_gbp = sum((c["value_gbp"] for c in contracts), Decimal(0))

    prefix = con.execute("select grant_id_prefix from marts.dim_commissioner where commissioner_code = ?", [code]).fetchone()[0]
    # The standard requires an award date: a grant without one waits (a finding says so) and is in the registers.
    dated = [g for g in grants if g["award_date"] is not None]
    publication.in_package = [g["contract_id"] for g in dated]
    if prefix and dated:
        package = _package(publication, prefix, dated, classifications, locations)
        json_path = folder / f"{stem}-360giving.json"
        json_path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        xlsx_path = folder / f"{stem}-360giving.xlsx"
        standard.write_spreadsheet(json_path, xlsx_path)
        publication.files.update({"360giving_json": json_path, "360giving_xlsx": xlsx_path})
        publication.has_360giving = True

    grant_rows = [{**g, "funding_mechanism": g["programme_title"]} for g in grants]
    _write_csv(folder / f"{stem}-grants-register.csv", GRANT_REGISTER_COLUMNS, grant_rows)
    _write_csv(folder / f"{stem}-contracts-register.csv", CONTRACT_REGISTER_COLUMNS, contracts)
    publication.files["grants_register_csv"] = folder / f"{stem}-grants-register.csv"
    publication.files["contracts_register_csv"] = folder / f"{stem}-contracts-register.csv"
    threshold = Decimal(str(setting("contract_register_threshold_gbp")))
    (folder / f"{stem}-grants-register.html").write_text(
        register_page(
            f"Grants register: {name}", f"Crime and disorder reduction grants, commissioning framework {version}",
            "Each grant the commissioner makes, with its recipient, amount, purpose, conditions, and the reasons the "
            "commissioner considered it would secure crime and disorder reduction (the strategic priorities it serves), "
            "as the Elected Local Policing Bodies (Specified Information) Order 2011 asks.",
            ["grant_id", "recipient_name", "amount_gbp", "purpose", "conditions", "reasons", "decision_reference"],
            grant_rows, money=("amount_gbp",), total_column="amount_gbp", findings=publication.findings,
        ),
        encoding="utf-8",
    )
    (folder / f"{stem}-contracts-register.html").write_text(
        register_page(
            f"Contracts register: {name}", f"Contracts worth more than £{threshold:,.0f}, commissioning framework {version}",
            f"Every contract with a value exceeding £{threshold:,.0f}: provider, value, term, funding mechanism, the "
            "strategic priorities it serves and the commissioning decision it rests on.",
            ["contract_id", "provider", "value_gbp", "term_start", "term_end", "funding_mechanism", "strategic_priorities",
             "decision_reference"],
            contracts, money=("value_gbp",), total_column="value_gbp", findings=None,
        ),
        encoding="utf-8",
    )
    publication.files["grants_register_html"] = folder / f"{stem}-grants-register.html"
    publication.files["contracts_register_html"] = folder / f"{stem}-contracts-register.html"

    organisations: dict[tuple, dict] = {}
    for row, role, name_key, id_key, how_key in [
        *[(g, "grant recipient", "recipient_name", "recipient_org_id", "recipient_identified_by") for g in grants],
        *[(c, "contract provider", "provider", "provider_org_id", "provider_identified_by") for c in contracts],
    ]:
        entry = organisations.setdefault(
            (row[name_key], row[id_key]),
            {"organisation_name": row[name_key], "org_id": row[id_key], "identified_by": row[how_key], "roles": set()},
        )
        entry["roles"].add(role)
    if grants:
        funder = grants[0]
        organisations.setdefault(
            (funder["funder_name"], funder["funder_id"]),
            {"organisation_name": funder["funder_name"], "org_id": funder["funder_id"],
             "identified_by": funder["funder_identified_by"], "roles": {"funder"}},
        )
    org_rows = [{**o, "roles": ", ".join(sorted(o["roles"]))} for o in sorted(organisations.values(), key=lambda o: o["organisation_name"])]
    _write_csv(folder / f"{stem}-organisations.csv", ["organisation_name", "org_id", "identified_by", "roles"], org_rows)
    _write_csv(
        folder / f"{stem}-findings.csv", ["subject_kind", "subject", "finding"],
        [dict(zip(("subject_kind", "subject", "finding"), f, strict=True)) for f in publication.findings],
    )
    publication.files["organisations_csv"] = folder / f"{stem}-organisations.csv"
    publication.files["findings_csv"] = folder / f"{stem}-findings.csv"
    return publication


def _package(publication: Publication, prefix: str, grants, classifications, locations) -> dict:
    by_grant_class: dict[str, list] = {}
    for c in classifications:
        by_grant_class.setdefault(c["contract_id"], []).append({"vocabulary": c["vocabulary"], "code": c["code"], "title": c["title"]})
    by_grant_place: dict[str, list] = {}
    for place in locations:
        location = {"name": place["area_name"], "countryCode": "GB"}
        if place["geocode"]:
            location["geoCode"] = place["geocode"]
            kind = standard.geocode_type(place["geocode"])
            if kind:
                location["geoCodeType"] = kind
        by_grant_place.setdefault(place["contract_id"], []).append({k: v for k, v in location.items() if v})
    items = []
    for g in grants:
        recipient = {"id": g["recipient_org_id"], "name": g["recipient_name"]}
        if g["recipient_charity_number"]:
            recipient["charityNumber"] = g["recipient_charity_number"]
        if g["recipient_company_number"]:
            recipient["companyNumber"] = g["recipient_company_number"]
        title = g["title"] if len(g["title"]) < TITLE_LIMIT else g["title"][: TITLE_LIMIT - 2] + "…"
        item = {
            "id": g["grant_id"],
            "title": title,
            "description": g["description"],
            "currency": g["currency"],
            "amountAwarded": _number(g["amount_gbp"]),
            "awardDate": _iso(g["award_date"]),
            "plannedDates": [{k: v for k, v in {
                "startDate": _iso(g["start_date"]), "endDate": _iso(g["end_date"]), "duration": g["duration_months"],
            }.items() if v is not None}],
            "recipientOrganization": [recipient],
            "fundingOrganization": [{"id": g["funder_id"], "name": g["funder_name"]}],
            "grantProgramme": [{k: v for k, v in {
                "code": g["programme_code"], "title": g["programme_title"], "description": g["programme_description"],
            }.items() if v}],
        }
        if by_grant_place.get(g["contract_id"]):
            item["beneficiaryLocation"] = by_grant_place[g["contract_id"]]
        if by_grant_class.get(g["contract_id"]):
            item["classifications"] = by_grant_class[g["contract_id"]]
        items.append(item)
    first = grants[0]
    return {
        "grants": items,
        "version": standard.STANDARD_VERSION,
        "title": f"Grants of the {publication.commissioner_name}, commissioning framework {publication.framework_version}",
        "description": (
            f"The grants of commissioning framework {publication.framework_version} ({len(items)} grants, "
            f"£{sum((g['amount_gbp'] for g in grants), Decimal(0)):,.2f}), from the performance warehouse's audited figures. Recipients are identified "
            "by org-id identifiers where the office holds one, else by an identifier made from its 360Giving prefix; "
            "the organisations file says which."
        ),
        "identifier": f"{prefix}-{version_slug(publication.framework_version)}",
        "issued": date.today().isoformat(),
        "publisher": {"name": first["funder_name"], "identifier": first["funder_id"]},
        "license": str(setting("open_data_licence")),
    }


def _pence(value) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def _read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _check_all(con, publication: Publication, folder: Path) -> list[str]:
    """Read every file back and check it; the records read back are what the export guard judges."""
    code, version = publication.commissioner_code, publication.framework_version
    problems, records = [], []
    grant_ids = [r[0] for r in con.execute(
        "select contract_id from opendata.pub_grants where commissioner_code = ? and framework_version = ?", [code, version]
    ).fetchall()]
    contract_ids = [r[0] for r in con.execute(
        "select contract_id from opendata.pub_contracts where commissioner_code = ? and framework_version = ?", [code, version]
    ).fetchall()]
    allocated = dict(con.execute(
        "select contract_id, allocated_gbp from marts.fct_allocation where commissioner_code = ? and framework_version = ?",
        [code, version],
    ).fetchall())
    marts_grants = _pence(sum((allocated[c] for c in grant_ids), Decimal(0)))
    marts_in_package = _pence(sum((allocated[c] for c in publication.in_package), Decimal(0)))
    marts_contracts = _pence(sum((allocated[c] for c in contract_ids), Decimal(0)))
    threshold = Decimal(str(setting("contract_register_threshold_gbp")))
    left_out = [c for c, v in allocated.items() if c not in grant_ids and c not in contract_ids and v > threshold]
    if left_out:
        problems.append(f"contracts over £{threshold:,.0f} in no register: {', '.join(sorted(left_out))}")

    if publication.has_360giving:
        json_path, xlsx_path = publication.files["360giving_json"], publication.files["360giving_xlsx"]
        package = json.loads(json_path.read_text(encoding="utf-8"), parse_float=Decimal)
        problems += [f"{json_path.name}: {p}" for p in standard.validate_package(json.loads(json_path.read_text(encoding="utf-8")))]
        publication.checks.append(f"{json_path.name} validates against the 360Giving package schema {standard.STANDARD_VERSION}")
        from_workbook = standard.read_spreadsheet(xlsx_path)
        if standard.comparable(from_workbook) != standard.comparable(package["grants"]):
            problems.append(f"{xlsx_path.name} read back by flattentool differs from {json_path.name}")
        else:
            publication.checks.append(f"{xlsx_path.name} read back by flattentool equals {json_path.name}")
        for source, grants in ((json_path.name, package["grants"]), (xlsx_path.name, from_workbook)):
            total = sum(_pence(g["amountAwarded"]) for g in grants)
            if total != marts_in_package:
                problems.append(
                    f"{source}: grants add up to £{total / 100:,.2f}, marts.fct_allocation to £{marts_in_package / 100:,.2f}"
                )
        for g in package["grants"]:
            for org in g["recipientOrganization"]:
                records.append(_record(publication, json_path.name, "grant", g["id"], g["amountAwarded"], org["name"], org["id"]))

    grant_register = _read_csv(publication.files["grants_register_csv"])
    contract_register = _read_csv(publication.files["contracts_register_csv"])
    for source, rows, column, expected in (
        (publication.files["grants_register_csv"].name, grant_register, "amount_gbp", marts_grants),
        (publication.files["contracts_register_csv"].name, contract_register, "value_gbp", marts_contracts),
    ):
        total = sum(_pence(r[column]) for r in rows)
        if total != expected:
            problems.append(f"{source}: adds up to £{total / 100:,.2f}, marts.fct_allocation to £{expected / 100:,.2f}")
    for row in grant_register:
        missing = [c for c in ("recipient_name", "amount_gbp", "purpose", "conditions", "reasons") if not row[c].strip()]
        if missing:
            problems.append(f"grants register: {row['contract_id']} has no {', '.join(missing)}")
        records.append(_record(
            publication, publication.files["grants_register_csv"].name, "grant", row["grant_id"] or row["contract_id"],
            row["amount_gbp"], row["recipient_name"], row["recipient_org_id"] or None,
        ))
    for row in contract_register:
        records.append(_record(
            publication, publication.files["contracts_register_csv"].name, "contract", row["contract_id"], row["value_gbp"],
            row["provider"], row["provider_org_id"] or None,
        ))
    publication.checks.append(
        f"grants add up to £{marts_grants / 100:,.2f} and the contracts register to £{marts_contracts / 100:,.2f} in every file, "
        "as in marts.fct_allocation"
    )
    publication.records = records
    return problems


def _record(publication: Publication, file_name: str, kind: str, record_id, amount, name, org_id) -> dict:
    return {
        "commissioner_code": publication.commissioner_code,
        "framework_version": publication.framework_version,
        "file_name": file_name,
        "record_kind": kind,
        "record_id": str(record_id),
        "amount_gbp": Decimal(str(amount)),
        "organisation_name": name,
        "organisation_id": org_id,
    }


FILE_PURPOSES = {
    "360giving_json": "360Giving data package of every grant (schema 1.4), for GrantNav, funders and researchers",
    "360giving_xlsx": "The same grants as a 360Giving workbook (flattentool), for people who read spreadsheets",
    "grants_register_csv": "Specified Information Order grants register: recipient, amount, purpose, conditions, reasons",
    "grants_register_html": "The grants register as a page for the commissioner's website",
    "contracts_register_csv": "Contracts register: every contract above the threshold, provider, value, term, mechanism, "
    "priorities, decision",
    "contracts_register_html": "The contracts register as a page for the commissioner's website",
    "organisations_csv": "Every organisation named, the identifier published and how it was identified",
    "findings_csv": "What to know before publishing: organisations without an identifier, areas without a code ...",
    "manifest": "This list: each file, what it is for, its sha256, and the checks the files passed",
}


def _manifest(publication: Publication, folder: Path) -> None:
    stem = f"{publication.commissioner_code}-{version_slug(publication.framework_version)}"
    path = folder / f"{stem}-manifest.json"
    manifest = {
        "commissioner": publication.commissioner_name,
        "commissioner_code": publication.commissioner_code,
        "framework_version": publication.framework_version,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "grants": {"count": publication.grants, "amount_gbp": f"{publication.grants_gbp:.2f}"},
        "contracts_register": {"count": publication.contracts, "value_gbp": f"{publication.contracts_gbp:.2f}",
                               "threshold_gbp": str(setting("contract_register_threshold_gbp"))},
        "files": [
            {"file": p.name, "purpose": FILE_PURPOSES[kind], "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
             "bytes": p.stat().st_size}
            for kind, p in publication.files.items()
        ],
        "checks": publication.checks,
        "findings": len(publication.findings),
        **({"held_back": publication.held_back_note} if publication.held_back_note else {}),
    }
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    publication.files["manifest"] = path
