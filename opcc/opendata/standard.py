"""The 360Giving Data Standard, read from the copy in standards/: schema validation, geographic code
types, and the spreadsheet form made and read back with flattentool, the standard's own converter.

Nothing here reaches the network: the package schema refers to the grant schema by a web address,
which is resolved to the local copy; flattentool is given the local file.
"""

from __future__ import annotations

import functools
import json
import tempfile
import warnings
from decimal import Decimal
from pathlib import Path

from opcc.core.settings import csv_module

csv = csv_module()

STANDARDS = Path(__file__).resolve().parent / "standards"
GRANT_SCHEMA = STANDARDS / "360-giving-schema.json"
PACKAGE_SCHEMA = STANDARDS / "360-giving-package-schema.json"
GEOCODE_TYPES = STANDARDS / "geoCodeType.csv"
# The version of the standard the package declares (major.minor, as the package schema asks).
STANDARD_VERSION = "1.4"


@functools.cache
def _schemas() -> tuple[dict, dict]:
    return (
        json.loads(GRANT_SCHEMA.read_text(encoding="utf-8")),
        json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8")),
    )


@functools.cache
def _validator():
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    grant, package = _schemas()
    # The standard's files say "http://json-schema.org/draft/2020-12/schema" (not https), which the
    # referencing library does not detect: the dialect is given.
    grant_resource = DRAFT202012.create_resource(grant)
    # The package names the grant schema by its 1.4.2 address, the grant schema itself says 1.4.3.
    addresses = {grant["$id"], package["properties"]["grants"]["items"]["$ref"]}
    registry = Registry().with_resources([(address, grant_resource) for address in addresses])
    if "date-time" not in Draft202012Validator.FORMAT_CHECKER.checkers:
        # Without it every date matches both branches of the schema's oneOf and nothing validates.
        raise RuntimeError("date-time format checking is not available: install rfc3339-validator (see pyproject.toml)")
    return Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_package(package: dict) -> list[str]:
    """Every way the package breaks the 360Giving schema, one line each (empty when it validates)."""
    problems = []
    for error in sorted(_validator().iter_errors(package), key=lambda e: [str(p) for p in e.absolute_path]):
        where = "/".join(str(p) for p in error.absolute_path) or "(package)"
        problems.append(f"{where}: {_reason(error)}")
    return problems


def _reason(error) -> str:
    """What broke, without the whole grant printed: a oneOf failure says what each branch missed."""
    if error.context:
        reasons = sorted({c.message for c in error.context if len(c.message) <= 200})
        if reasons:
            return f"{error.validator} not met: " + "; ".join(reasons)
    return error.message if len(error.message) <= 300 else error.message[:297] + "..."


@functools.cache
def _geocode_types() -> dict[str, str]:
    """ONS statistical entity (E22, E06 ...) -> the 360Giving geoCodeType for codes of that entity."""
    types = {}
    with GEOCODE_TYPES.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            entity = row["Documentation (URL)"].rstrip("/").rsplit("/", 1)[-1]
            types.setdefault(entity, row["Code"].strip())
    return types


def geocode_type(geocode: str | None) -> str | None:
    """The geoCodeType of an ONS code ('E22000001' -> 'CSP', 'E07000129' -> 'NMD'); None if unknown."""
    if not geocode or len(geocode) < 3:
        return None
    return _geocode_types().get(geocode[:3].upper())


def write_spreadsheet(package_path: Path, xlsx_path: Path) -> None:
    """The package's grants as a 360Giving workbook (column titles, one sheet per repeated field)."""
    import flattentool

    from opcc.core.safe_text import put_text

    with warnings.catch_warnings():
        # flattentool warns about every schema field without a title; the standard has several
        warnings.simplefilter("ignore")
        flattentool.flatten(
            str(package_path), schema=str(GRANT_SCHEMA), output_name=str(xlsx_path), output_format="xlsx",
            main_sheet_name="grants", root_list_path="grants", root_id="", use_titles=True,
            remove_empty_schema_columns=True,
        )
    # flattentool writes text starting with '=' as a formula; published text must stay text.
    from openpyxl import load_workbook

    workbook = load_workbook(xlsx_path)
    changed = False
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    put_text(cell, str(cell.value))
                    changed = True
    if changed:
        workbook.save(xlsx_path)


def read_spreadsheet(xlsx_path: Path) -> list[dict]:
    """The grants a 360Giving workbook holds, unflattened by flattentool against the schema."""
    import flattentool

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "grants.json"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            flattentool.unflatten(
                str(xlsx_path), input_format="xlsx", output_name=str(out), root_list_path="grants", root_id="",
                schema=str(GRANT_SCHEMA), convert_titles=True,
            )
        return json.loads(out.read_text(encoding="utf-8"), parse_float=Decimal).get("grants", [])


def comparable(value):
    """Numbers as exact decimals, so 29700, 29700.0 and Decimal('29700.00') compare equal."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).normalize()
    return value
