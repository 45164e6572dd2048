"""The portal in a real browser (Debian's Chromium through Playwright), served by `opcc portal serve`
on a copy of raw/ and of the bundled warehouse, accounts made with `opcc portal add-user`.

Screenshots at 1366 px and at phone width (390 px) are kept under the test's temporary folder.
"""

from __future__ import annotations

import csv
import io
import re

import duckdb
import pytest

from opcc.portal.warehouse_view import registry
from tests.conftest import run_opcc
from tests.integration.portal.conftest import PASSWORD, PortalServer

WIDTHS = {"desktop": 1366, "phone": 390}


def changed_return(raw, contract_id: str, period: str, spend_delta: float = 1.0, bad: bool = False) -> bytes:
    """The bundled return of a contract for a period, with its spend changed (a new submission, not a copy)."""
    source = next((raw / "returns" / period).glob(f"{contract_id}*.csv"))
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))))
    for row in rows:
        if row["measure"] == "spend_gbp":
            row["value"] = f"{float(row['value']) + spend_delta:.2f}"
        elif bad:
            row["value"] = "about <b>forty</b>"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def two_contracts(raw):
    contracts = sorted(registry(raw).values(), key=lambda c: c.contract_id)
    return contracts[0], contracts[1]


def add_user(server: PortalServer, email: str, *args: str, password: str | None = PASSWORD):
    done = server.opcc("add-user", email, *args, *(["--password-stdin"] if password else []),
                       stdin=f"{password}\n" if password else None)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def sign_in(page, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")


@pytest.fixture
def served(raw_copy, warehouse_copy):
    server = PortalServer(raw_copy, warehouse_copy)
    yield server
    server.stop()


def test_a_provider_uploads_sees_problems_is_refused_elsewhere_and_signs_out(served, browser, tmp_path):
    mine, theirs = two_contracts(served.raw)
    add_user(served, "provider@example.org", "--role", "provider", "--contracts", mine.contract_id)
    served.start()
    period = sorted(p.name for p in (served.raw / "returns").iterdir() if p.is_dir())[-1]
    good, bad = tmp_path / "good return.csv", tmp_path / "bad return.csv"
    good.write_bytes(changed_return(served.raw, mine.contract_id, period))
    bad.write_bytes(changed_return(served.raw, mine.contract_id, period, bad=True))
    shots = tmp_path / "screenshots"

    page = browser.new_page(viewport={"width": WIDTHS["desktop"], "height": 900})
    sign_in(page, served.url, "provider@example.org")
    assert page.locator("#contracts").inner_text().count(mine.contract_id) == 1
    assert theirs.contract_id not in page.content()
    page.screenshot(path=str(shots / "desktop-home.png"), full_page=True)

    page.click(f"text={mine.contract_id}")
    page.select_option("#id_period", period)
    page.set_input_files("#id_file", str(good))
    page.click("#upload button")
    assert "Return accepted" in page.locator("#result").inner_text()
    stored = page.locator("#result strong").inner_text()
    assert stored.startswith(f"{mine.contract_id} portal ") and (served.raw / "returns" / period / stored).is_file()
    page.screenshot(path=str(shots / "desktop-accepted.png"), full_page=True)

    page.select_option("#id_period", period)
    page.set_input_files("#id_file", str(bad))
    page.click("#upload button")
    assert "Return not accepted" in page.locator("#result").inner_text()
    problems = page.locator("#problems tbody tr")
    assert problems.count() >= 2
    first = problems.nth(0).inner_text()
    assert re.match(r"\d+\s+value\s+value 'about <b>forty</b>' is not a number", first), first
    assert page.locator("#problems b").count() == 0  # shown as text, not markup
    page.screenshot(path=str(shots / "desktop-refused.png"), full_page=True)

    refused = page.goto(f"{served.url}/contracts/{theirs.contract_id}/")
    assert refused.status == 404 and "Not found" in page.locator("h1").inner_text()
    refused = page.goto(f"{served.url}/contracts/{theirs.contract_id}/template/{period}/")
    assert refused.status == 404

    phone = browser.new_page(viewport={"width": WIDTHS["phone"], "height": 844})
    sign_in(phone, served.url, "provider@example.org")
    phone.goto(f"{served.url}/contracts/{mine.contract_id}/")
    phone.screenshot(path=str(shots / "phone-contract.png"), full_page=True)
    # Nothing sideways on a phone but the tables, which scroll in their own box.
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"] + 1

    page.goto(f"{served.url}/")
    page.click("text=Sign out")
    page.wait_for_selector("#id_username")
    assert page.goto(f"{served.url}/contracts/{mine.contract_id}/").url.startswith(f"{served.url}/login/")
    for name in ("desktop-home", "desktop-accepted", "desktop-refused", "phone-contract"):
        assert (shots / f"{name}.png").stat().st_size > 10_000
    headers = page.goto(f"{served.url}/login/").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"


def test_from_the_command_line_to_the_browser_to_the_next_refresh_to_the_staff_view(served, browser, tmp_path):
    mine, _ = two_contracts(served.raw)
    add_user(served, "staff@example.org", "--role", "staff", "--commissioner", mine.commissioner_code)
    printed = add_user(served, "provider@example.org", "--role", "provider", "--contracts", mine.contract_id, password=None)
    link = re.search(r"http://\S+/invite/(\S+)/", printed)
    assert link, printed
    served.start()
    period = sorted(p.name for p in (served.raw / "returns").iterdir() if p.is_dir())[-1]
    upload = tmp_path / "return.csv"
    upload.write_bytes(changed_return(served.raw, mine.contract_id, period, spend_delta=123.45))

    page = browser.new_page(viewport={"width": WIDTHS["desktop"], "height": 900})
    page.goto(f"{served.url}/invite/{link[1]}/")
    new_password = "the provider's own long passphrase"
    page.fill("#id_new_password1", new_password)
    page.fill("#id_new_password2", new_password)
    page.click("main button[type=submit]")
    page.click(f"text={mine.contract_id}")
    page.select_option("#id_period", period)
    page.set_input_files("#id_file", str(upload))
    page.click("#upload button")
    assert "Return accepted" in page.locator("#result").inner_text()
    stored = page.locator("#result strong").inner_text()
    page.click("text=Sign out")

    with duckdb.connect(str(served.warehouse), read_only=True) as con:
        rejected_before = con.execute("select path, reason from audit.rejected_files order by all").fetchall()
    refresh = run_opcc("refresh", "--warehouse", str(served.warehouse), "--raw", str(served.raw), "--quiet")
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr
    with duckdb.connect(str(served.warehouse), read_only=True) as con:
        found = con.execute(
            "select submission_status, log_note, spend_gbp_in_this_file from marts.fct_return_submissions "
            "where contract_id = ? and path = ?", [mine.contract_id, f"returns/{period}/{stored}"]).fetchall()
        rejected_after = con.execute("select path, reason from audit.rejected_files order by all").fetchall()
    assert len(found) == 1 and found[0][0] == "in force" and "portal" in found[0][1], found
    assert rejected_after == rejected_before  # the portal leaves nothing in raw/ that the refresh must refuse

    staff = browser.new_page(viewport={"width": WIDTHS["desktop"], "height": 900})
    sign_in(staff, served.url, "staff@example.org")
    assert stored in staff.locator("#recent").inner_text()
    staff.goto(f"{served.url}/contracts/{mine.contract_id}/")
    history = staff.locator("#history").inner_text()
    assert stored in history and "uploaded through the portal by account" in history
    assert stored in staff.locator("#uploads").inner_text()
    staff.screenshot(path=str(tmp_path / "screenshots" / "desktop-staff-after-refresh.png"), full_page=True)
