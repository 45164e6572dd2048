"""`opcc docs`: the dbt documentation of the live warehouse, as one page that opens offline.

dbt's docs are generated against the published warehouse, attached read-only
(the `docs` target in profiles.yml), into a folder beside it; the result is a
single self-contained HTML file (`dbt docs generate --static`) with the models,
their lineage and every column's description and type. Nothing in the project
folder changes, and the page fetches nothing. The project's guide (docs/, built by
orchestration/docs_guide.py) goes into the folder's `guide/` beside it.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import tempfile
from pathlib import Path

from opcc.core.dbt_project import DATABASE_ENV, DBT_PROJECT_DIR, _environment, _lock, _project_args, _release_database

# dbt docs can report page views to dbt Labs when usage statistics are on; they are off in
# dbt_project.yml, and the page names no tracker to reach even if that changed.
_TRACKERS = re.compile(r"fishtownanalytics\.sinter-collect\.com|fuzzed\.getdbt\.com")


# The guide's folder inside the docs folder: the dbt page is its index.html, the guide beside it.
GUIDE_FOLDER = "guide"


def docs_dir(live: Path) -> Path:
    from opcc.core.warehouse import outputs_dir

    return outputs_dir(live) / "docs"


def generate(live: Path, out: Path | None = None) -> Path:
    """Write <out>/index.html (default: beside the warehouse) and return its path."""
    from dbt.cli.main import dbtRunner

    if not live.exists():
        raise FileNotFoundError(f"no warehouse at {live}; run `opcc refresh` first")
    out = out or docs_dir(live)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dbt-docs-", dir=out) as work:
        target = Path(work)
        with _lock, _environment(**{DATABASE_ENV: str(live)}):
            try:
                result = dbtRunner().invoke(
                    ["docs", "generate", "--static", "--target", "docs", "--quiet", "--target-path", str(target),
                     "--log-path", str(target), *_project_args(DBT_PROJECT_DIR)]
                )
            finally:
                _release_database()
        page = target / "static_index.html"
        if not result.success or not page.exists():
            raise RuntimeError(f"dbt docs generate failed: {result.exception or 'see the log above'}")
        index = out / "index.html"
        index.write_text(_TRACKERS.sub("invalid.invalid", page.read_text(encoding="utf-8")), encoding="utf-8")
        shutil.copyfile(target / "catalog.json", out / "catalog.json")
    return index


def serve(folder: Path, host: str, port: int, say=print) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        say(f"dbt docs on http://{host}:{port}/ and the guide on http://{host}:{port}/{GUIDE_FOLDER}/ (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            say("Stopped.")
