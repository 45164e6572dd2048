"""The project's YAML is read with libyaml's parser, to the same values as PyYAML's own."""

from pathlib import Path

import pytest
import yaml

from opcc.core.yaml_files import SAFE_LOADER, load_yaml

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTS = sorted(
    path
    for folder in ("dbt_project", "opcc", "orchestration", "expectations")
    for pattern in ("*.yml", "*.yaml")
    for path in (ROOT / folder).rglob(pattern)
    if not {"target", "dbt_packages", "logs"} & set(path.relative_to(ROOT).parts)
)


def test_the_project_has_yaml_to_read():
    assert len(DOCUMENTS) > 10


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_document_reads_as_pyyaml_reads_it(path):
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


def test_libyaml_parses_where_pyyaml_has_it():
    if yaml.__with_libyaml__:
        assert SAFE_LOADER is yaml.CSafeLoader
    assert load_yaml("a: [1, 2.5, yes, '=x', 2016-17 Q1]") == {"a": [1, 2.5, True, "=x", "2016-17 Q1"]}


def test_a_document_that_would_build_an_object_is_refused():
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']")
