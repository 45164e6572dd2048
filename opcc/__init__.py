"""The warehouse's library, in the order the data flows: core (periods, settings, the warehouse file,
the audit ledger, the dbt project), ingest, framework_import, quality, reporting, opendata, portal.
It never imports Dagster nor the orchestration package (tests/unit/test_architecture.py)."""

import os

# openpyxl writes workbooks through lxml when it is installed (flattentool brings it), and then the
# bytes differ: the project's workbooks (sample returns, templates, review packs) are written the same
# way whatever else is installed, so that the committed samples stay reproducible byte for byte.
os.environ.setdefault("OPENPYXL_LXML", "False")
