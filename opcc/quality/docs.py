"""Data Docs: the Great Expectations results of a warehouse, as pages that open offline.

Validation results and Data Docs belong to a warehouse, not to the project:
they are kept in `<warehouse file>.quality/` beside it (`opcc.duckdb.quality/`) (the GE project reads the
folders from ${OPCC_GX_VALIDATIONS} and ${OPCC_DATA_DOCS}, given to its context as its runtime environment). GE's pages load
jQuery and bootstrap from a CDN; here every network reference is stripped, the
index's tables are rendered as plain HTML (every text escaped), every script
and inline handler is removed, and each page carries the review pack's
Content-Security-Policy (no script at all), with a few lines of local styling.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import re
import shutil
import time
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

from opcc.quality.counts import Counts, _count, classify

KEEP_RUNS = 5  # the index reads every kept result on each refresh


def quality_dir(live: Path) -> Path:
    """The warehouse's Great Expectations results and Data Docs, in its outputs folder."""
    from opcc.core.warehouse import outputs_dir

    return outputs_dir(live) / "quality"


def data_docs_index(live: Path) -> Path:
    return quality_dir(live) / "data_docs" / "index.html"


def results_folders(live: Path) -> dict[str, str]:
    """Where this warehouse's validation results and Data Docs go: the values of the GE project's
    ${OPCC_GX_VALIDATIONS} and ${OPCC_DATA_DOCS}, handed to its context (never through os.environ)."""
    return {
        "OPCC_GX_VALIDATIONS": str(quality_dir(live) / "validations"),
        "OPCC_DATA_DOCS": str(quality_dir(live) / "data_docs"),
    }


def build(context, live: Path, run_names: set[str] | None = None) -> Path:
    """Prune old results, render Data Docs for them, make them work offline.

    Only this run's results and the index are rendered when the site exists and the suites have
    not changed since it was built; otherwise the whole site, from every result kept. GE logs a
    failure to write a page (a full disk) as a multi-line traceback and goes on; its logger is
    quietened here and the first failure to write raises OSError for the caller to report in one
    line.
    """
    started = time.time()
    site = quality_dir(live) / "data_docs"
    for old in prune(quality_dir(live) / "validations"):
        shutil.rmtree(site / "validations" / old, ignore_errors=True)
    stamp = site / ".suites"
    suites = _suites_fingerprint()
    current = stamp.exists() and stamp.read_text(encoding="utf-8") == suites and (site / "index.html").exists()
    logger = logging.getLogger("great_expectations")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        if run_names and current:
            keys = [key for key in context.validation_results_store.list_keys() if (key.run_id.run_name or "") in run_names]
            context.build_data_docs(resource_identifiers=keys)
            make_offline(site, since=started)
        else:
            context.build_data_docs()
            make_offline(site)
    finally:
        logger.setLevel(level)
    stamp.write_text(suites, encoding="utf-8")
    return site / "index.html"


def _suites_fingerprint() -> str:
    from opcc.core.settings import EXPECTATIONS_DIR

    digest = hashlib.sha256()
    for path in sorted((EXPECTATIONS_DIR / "gx" / "expectations").glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def prune(validations: Path) -> list[Path]:
    """Keep the last KEEP_RUNS results per suite (<suite>/<run name>/<run time>/...); the removed ones'
    paths under `validations`."""
    removed: list[Path] = []
    if not validations.exists():
        return removed
    for suite_dir in validations.iterdir():
        if not suite_dir.is_dir():
            continue
        runs = sorted((p for run_name in suite_dir.iterdir() if run_name.is_dir() for p in run_name.iterdir()), key=lambda p: p.name)
        for old in runs[:-KEEP_RUNS]:
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old.relative_to(validations))
    return removed


OFFLINE_STYLE = """
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5rem; color: #1f2933; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
.nav-tabs { list-style: none; padding: 0; display: flex; gap: 1rem; }
.alert { background: #f3f5f7; padding: .5rem 1rem; border-radius: 4px; }
.text-danger, .fa-times { color: #b42318; } .text-success, .fa-check-circle { color: #027a48; }
.d-none, .modal, button, nav img, footer { display: none; }
.fa-check-circle::before { content: "✓ passed"; font-style: normal; }
.fa-times::before, .fa-times-circle::before { content: "✗ failed"; font-style: normal; }
.fa-exclamation-triangle::before { content: "! warned"; font-style: normal; color: #b54708; }
caption.counts { caption-side: top; text-align: left; font-weight: 600; padding: .3rem 0; }
a.clickable { color: #175cd3; }
</style>
"""

# The same policy as the review pack: no script, nothing from the network, styles and inline images
# only. Data Docs show text from outside (failing values, file names): with no script allowed,
# nothing written into a page can run, whatever escaped or did not.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'

_TABLE_SCRIPT = re.compile(
    r"\$\('#(?P<id>[\w-]+)'\)\.bootstrapTable\(\s*Object\.assign\(\s*\{\s*columns:\s*(?P<columns>\[.*?\]),\s*data:\s*(?P<data>\[.*?\]),\s*\n",
    re.S,
)
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.I | re.S)
_HANDLER = re.compile(r"""\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_SAFE_LINK = re.compile(r"^[\w][\w ./%-]*\.html$")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


WARNED = "! warned"


def result_of(page: str, validations: Path | None) -> dict | None:
    """The validation result (GE's JSON) a Data Docs page of `validations/...html` shows, if kept."""
    if validations is None or not page.startswith("validations/") or ".." in page:
        return None
    path = validations / (unquote(page).removeprefix("validations/").removesuffix(".html") + ".json")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def only_warnings(result: dict | None) -> bool:
    """A result that failed only because warning rules flagged rows: the refresh, the pack and
    `opcc check` count it as warned, not failed, and so do Data Docs."""
    if not result or result.get("success"):
        return False
    failed = [r for r in result.get("results", []) if not r.get("success")]
    return bool(failed) and all((r.get("expectation_config") or {}).get("severity") == "warning" for r in failed)


def counts_of(results: list[dict]) -> Counts:
    """Rules counted as every summary counts them (runner.classify), over kept results."""
    from opcc.quality.suites import BLOCKING, load_suites

    holds_back = {s.name: s.holds_back for s in load_suites()}
    counts = Counts()
    for result in results:
        for item in result.get("results", []):
            blocking = (item.get("expectation_config") or {}).get("severity") == BLOCKING
            _count(counts, classify(bool(item.get("success")), blocking, holds_back.get(result.get("suite_name"), False)))
    return counts


def _cell_text(value, result: dict | None = None) -> str:
    """The text a cell of GE's index shows (its value is GE's HTML snippet, or plain text)."""
    text = str(value if value is not None else "")
    if "fa-check-circle" in text:
        return "✓ passed"
    if "fa-times" in text:
        return WARNED if only_warnings(result) else "✗ failed"
    parser = _Text()
    parser.feed(text.split("<span class=top>")[0])  # the tooltip of a batch is not the cell
    return " ".join(" ".join(parser.parts).split())


def _static_table(columns: list[dict], rows: list[dict], validations: Path | None = None) -> str:
    """GE's index table as plain HTML, every text escaped; a row's link only to a page of the site.
    A suite's results appear once per run (its latest), and a result that only warning rules
    failed reads "warned"; above a table of results, the latest run's rules counted as the
    refresh and `opcc check` count them."""
    head = "".join(f"<th>{escape(str(c.get('title', '')))}</th>" for c in columns)
    fields = {str(c.get("title", "")): c.get("field") for c in columns}
    body, seen, latest = [], set(), []
    for row in rows:
        link = str(row.get("_table_row_link_path") or "")
        once = (_cell_text(row.get(fields.get("Run Name"))), _cell_text(row.get(fields.get("Expectation Suite"))))
        if "Run Name" in fields and once in seen:
            continue
        seen.add(once)
        result = result_of(link, validations)
        if result is not None and once[0] == _cell_text(rows[0].get(fields.get("Run Name"))):
            latest.append(result)
        cells = []
        for number, column in enumerate(columns):
            text = escape(_cell_text(row.get(column.get("field")), result))
            if number == len(columns) - 1 and _SAFE_LINK.match(link) and ".." not in link:
                text = f'<a class="clickable" href="{escape(quote(link, safe="/%"), quote=True)}">{text or "open"}</a>'
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
    if latest:
        run = escape(_cell_text(rows[0].get(fields.get("Run Name"))))
        table = f'<caption class="counts">Latest run ({run}): {len(latest)} suites, {escape(counts_of(latest).line())}</caption>' + table
    return table


def without_script(html: str, validations: Path | None = None) -> str:
    """A Data Docs page with its tables rendered here (escaped), every script and inline handler
    removed and the pack's Content-Security-Policy in its head."""
    for found in _TABLE_SCRIPT.finditer(html):
        try:
            columns, rows = ast.literal_eval(found["columns"]), ast.literal_eval(found["data"])
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            columns, rows = [], []
        table = re.compile(r'(<table\s+id="' + re.escape(found["id"]) + r'"[^>]*>)\s*</table>', re.S)
        html = table.sub(lambda m, c=columns, r=rows: m.group(1) + _static_table(c, r, validations) + "</table>", html, count=1)
    html = _SCRIPT.sub("", html)
    html = _HANDLER.sub("", html)
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    return html.replace("<head>", "<head>\n" + CSP_META, 1) if "<head>" in html else CSP_META + html


def as_warned(html: str) -> str:
    """A result page whose failures are all warnings: its status and its flagged rules read as warnings."""
    html = re.sub(r'<i class="fas fa-times text-danger"( aria-hidden="true")?></i>\s*Failed\b',
                  r'<i class="fas fa-exclamation-triangle text-warning"\1></i> Warned (only warning rules flagged rows)', html)
    return html.replace('class="fas fa-times text-danger"', 'class="fas fa-exclamation-triangle text-warning"')


_EXTERNAL = [
    re.compile(r"<script[^>]+src=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I),
    re.compile(r"<link[^>]+href=\"https?://[^\"]*\"[^>]*/?>", re.I),
    re.compile(r"<img[^>]+src=\"https?://[^\"]*\"[^>]*/?>", re.I | re.S),
    re.compile(r"url\(['\"]?https?://[^)]*\)", re.I),
]


def make_offline(site: Path, since: float | None = None) -> None:
    """Strip every reference to the network from GE's Data Docs and add local styling (in the pages
    written since `since`, or all)."""
    validations = site.parent / "validations"
    for page in site.rglob("*.html"):
        if since is not None and page.stat().st_mtime < since:
            continue
        html = page.read_text(encoding="utf-8")
        if only_warnings(result_of(page.relative_to(site).as_posix(), validations)):
            html = as_warned(html)
        for pattern in _EXTERNAL:
            html = pattern.sub("", html)
        html = re.sub(r'href="(https?|javascript|data):[^"]*"', 'href="#"', html, flags=re.I)  # outbound links go nowhere
        html = without_script(html, validations)
        if "</head>" in html and OFFLINE_STYLE not in html:
            html = html.replace("</head>", OFFLINE_STYLE + "</head>", 1)
        page.write_text(html, encoding="utf-8")
