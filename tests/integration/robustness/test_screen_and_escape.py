"""Every text shown passes one screen and one escape: names of files and folders through the
personal-data screen before they are kept or printed; Data Docs pages run no script at all."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

from opcc.ingest.personal_data import shown_name
from opcc.ingest.returns import discover, disk_path, scan_returns_folder
from opcc.quality.docs import CONTENT_SECURITY_POLICY, without_script

HEADER = "contract_id,period,measure,value,comment\n"
PERSON = "Mr John Smith john.smith@example.com 07700 900123.csv"
HOSTILE = "<img src=x onerror=\"document.body.dataset.pwned='1'\">.csv"


def test_a_file_named_after_a_person_is_kept_and_shown_only_as_a_stand_in(tmp_path):
    folder = tmp_path / "raw" / "returns" / "2016-17 Q1"
    folder.mkdir(parents=True)
    (folder / PERSON).write_text(HEADER + "LEI-001,2016-17 Q1,spend_gbp,1,\n", encoding="utf-8")
    (tmp_path / "raw" / "returns" / "Jane_Smith_07700900123").mkdir()
    (tmp_path / "raw" / "returns" / "Jane_Smith_07700900123" / "x.csv").write_text(HEADER, encoding="utf-8")
    found, _ = discover(tmp_path / "raw", "2016-17 Q1", settle=0)
    ((disk, shown),) = found
    assert disk.name == PERSON
    for part in ("Smith", "john.smith", "07700"):
        assert part not in shown
    assert shown.startswith("returns/2016-17 Q1/[name withheld: may be personal data, ") and shown.endswith(".csv")
    assert shown_name(PERSON) == shown.rsplit("/", 1)[1], "the same stand-in at every refresh"
    assert disk_path(tmp_path / "raw", shown) == disk, "the counter finds the file a stand-in names"
    notes = scan_returns_folder(tmp_path / "raw", date(2016, 11, 24)).notes
    assert notes and all("07700900123" not in n.path + n.reason for n in notes)


def test_ordinary_names_are_kept_as_they_are():
    for name in ("LEI-001.csv", "LEI-001 resubmitted 2.xlsx", "2016-17 Q1", HOSTILE):
        assert shown_name(name) == name


def test_data_docs_pages_lose_every_script_and_handler_and_render_their_tables_escaped():
    page = (
        "<html><head><title>t</title></head><body>"
        '<table\n  id="t1"\n  class="x"\n>\n </table>'
        "<script>\n  $('#t1').bootstrapTable(\n    Object.assign(\n      {\n"
        "        columns: [{'field': 'run_name', 'title': 'Run Name'}, {'field': 'name', 'title': 'Suite'}],\n"
        f"        data: [{{'run_name': {HOSTILE!r}, 'name': '<b>x</b>', '_table_row_link_path': 'javascript:alert(1).html'}}],\n"
        "        toolbar: 'y'\n      }, {}));\n</script>"
        '<button onclick="alert(1)">x</button><img src=x onerror=alert(1)>'
        "</body></html>"
    )
    html = without_script(page)
    assert "<script" not in html.lower()
    assert "onerror" not in html and "onclick" not in html
    assert CONTENT_SECURITY_POLICY in html
    assert "&lt;img src=x" not in html or "<img src=x onerror" not in html
    assert "javascript:" not in html
    assert "<td>x</td>" in html  # GE's own markup in a cell is shown as its text


def chromium_dom(page: Path, profile: Path) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed (apt-get install chromium; .ci/run installs it)"
    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=2000",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout


def test_a_page_with_hostile_text_runs_no_script_in_chromium(tmp_path):
    """The check the integration test makes on every real page, shown to catch a script that runs."""
    unsafe = tmp_path / "unsafe.html"
    unsafe.write_text(f"<html><head></head><body><p>{HOSTILE}</p></body></html>", encoding="utf-8")
    assert 'data-pwned="1"' in chromium_dom(unsafe, tmp_path / "p1"), "the probe must be able to see a script run"
    safe = tmp_path / "safe.html"
    safe.write_text(without_script(unsafe.read_text(encoding="utf-8")), encoding="utf-8")
    assert 'data-pwned' not in chromium_dom(safe, tmp_path / "p2")


def test_the_submission_log_names_a_file_as_the_warehouse_shows_it(tmp_path):
    """The log's line for a file named after a person is kept under the same stand-in as the file."""
    from opcc.ingest.raw_tables import RAW_TABLES_BY_NAME, read_raw_table

    returns = tmp_path / "raw" / "returns"
    returns.mkdir(parents=True)
    (returns / "submission_log.csv").write_text(
        f"period,file,received_at,note\n2016-17 Q1,{PERSON},08/07/2016,\n2016-17 Q1,LEI-001.csv,08/07/2016,\n", encoding="utf-8"
    )
    loaded = read_raw_table(tmp_path / "raw", RAW_TABLES_BY_NAME["submission_log"])
    files = loaded.bulk.table.column("file").to_pylist()
    assert files == [shown_name(PERSON), "LEI-001.csv"]
    assert not any("Smith" in f for f in files)
