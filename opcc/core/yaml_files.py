"""YAML read with libyaml's parser where PyYAML was built with it.

The same safe loader's constructors make the same values; only the scanning and parsing is done in
C. Every process that draws review packs reads the reporting models' yml (about 0.8 s of CPU
with PyYAML's pure-Python parser, a tenth of that with libyaml's), and every refresh reads the
project's settings and raw file declarations.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(document: str | bytes | IO) -> Any:
    """The document's value, as yaml.safe_load reads it."""
    return yaml.load(document, Loader=SAFE_LOADER)
