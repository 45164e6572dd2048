"""What the framework document importer knows about one commissioner's documents, as data
(leicestershire.yml): the words and tables that are that commissioner's, not the warehouse's."""

from __future__ import annotations

from pathlib import Path

from opcc.core.yaml_files import load_yaml

with Path(__file__).with_name("leicestershire.yml").open(encoding="utf-8") as _handle:
    ADAPTER: dict = load_yaml(_handle)
