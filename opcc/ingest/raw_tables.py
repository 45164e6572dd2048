"""The input files the warehouse reads besides provider returns, and the raw table each lands in.

Every kind of file has one entry in raw_files.yml, the one manifest of their
schemas (the importers write the files by it too): the glob that finds its files
under the raw folder, the columns it must have (and the ones it may have), and
what it holds. The Dagster raw asset and `opcc validate-return` both load tables
through `load_raw_table`, so a file is read the same way wherever it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from opcc.core.yaml_files import load_yaml
from opcc.ingest.csvfiles import BulkRead, read_bulk
from opcc.ingest.personal_data import printable, screen_table_column, shown_name


@dataclass(frozen=True)
class RawTable:
    name: str
    pattern: str
    columns: tuple[str, ...]
    group: str
    description: str
    optional: bool = False  # no file yet is an empty table, not a failure
    optional_columns: tuple[str, ...] = ()  # may be missing from a file's header (read as blank)
    screened_columns: tuple[str, ...] = ()  # free text people type: kept only if it passes the personal-data screen
    named_columns: tuple[str, ...] = ()  # names of files: kept as the warehouse shows them (personal_data.shown_name)

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + self.optional_columns


MANIFEST = Path(__file__).with_name("raw_files.yml")


def _load_manifest(path: Path = MANIFEST) -> dict[str, tuple[RawTable, ...]]:
    with path.open(encoding="utf-8") as handle:
        groups = load_yaml(handle)["tables"]
    return {
        group: tuple(RawTable(**{key: tuple(value) if isinstance(value, list) else value for key, value in entry.items()}) for entry in entries)
        for group, entries in groups.items()
    }


_MANIFEST = _load_manifest()
FRAMEWORK_TABLES = _MANIFEST["framework"]
PLAN_TABLES = _MANIFEST["plans"]
REFERENCE_TABLES = _MANIFEST["reference"]
# What the open data (opcc publish) needs beyond the framework: kept by the analyst, each optional, so
# a commissioner without them still refreshes and its findings say what is missing.
PUBLICATION_TABLES = _MANIFEST["publication"]
RAW_TABLES = FRAMEWORK_TABLES + PLAN_TABLES + REFERENCE_TABLES + PUBLICATION_TABLES
RAW_TABLES_BY_NAME = {spec.name: spec for spec in RAW_TABLES}


def matching_files(raw: Path, pattern: str) -> list[tuple[Path, str]]:
    return [(p, _shown(p.relative_to(raw).as_posix())) for p in sorted(raw.glob(pattern)) if p.is_file()]


def _shown(relative: str) -> str:
    """A path as kept and printed: itself, or, with a name that is not UTF-8, each such part's stand-in."""
    return relative if printable(relative) == relative else "/".join(shown_name(part) for part in relative.split("/"))


@dataclass
class LoadedTable:
    spec: RawTable
    files: list[tuple[Path, str]]
    bulk: BulkRead | None
    missing: str = ""  # why the table could not be built at all


def read_raw_table(raw: Path, spec: RawTable) -> LoadedTable:
    files = matching_files(raw, spec.pattern)
    if not files and not spec.optional:
        return LoadedTable(spec, files, None, f"no file matches {spec.pattern} under {raw}: the {spec.name} table cannot be built")
    bulk = read_bulk(files, spec.all_columns, optional_columns=spec.optional_columns)
    for column in spec.screened_columns:
        bulk.table = screen_table_column(bulk.table, column)
    for column in spec.named_columns:
        # A file named after a person is logged under its stand-in, as its path is shown (a small table: the log).
        index = bulk.table.schema.get_field_index(column)
        names = [shown_name(name or "") for name in bulk.table.column(column).to_pylist()]
        bulk.table = bulk.table.set_column(index, column, pa.array(names, pa.string()))
    return LoadedTable(spec, files, bulk)


def write_raw_table(con, loaded: LoadedTable) -> None:
    """Replace raw.<table> with the rows read (every column as printed text, with source file and row)."""
    con.register("_batch", loaded.bulk.table)
    con.execute(f"create or replace table raw.{loaded.spec.name} as select * from _batch")
    con.unregister("_batch")
