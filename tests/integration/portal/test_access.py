"""The portal's boundaries, through Django's test client against the real warehouse (read-only):
every route for a provider of the contract, another provider, staff of the commissioner, staff of
another commissioner and nobody; CSRF; escaping; the audit log; throttled and hashed passwords."""

from __future__ import annotations

import dataclasses
import re

import duckdb
import pytest
from django.test import Client, override_settings

from tests.integration.portal.conftest import OTHER_COMMISSIONER, PASSWORD, bundled_contracts, make_account


@pytest.fixture
def site(site_paths, warehouse_copy):
    # A copy: the session's warehouse may be open in this worker with another connection's settings.
    paths = dataclasses.replace(site_paths, warehouse=warehouse_copy)
    with override_settings(OPCC_PORTAL_PATHS=paths):
        yield paths


@pytest.fixture
def world(site):
    """Two providers of the same commissioner, its staff, the staff of another commissioner."""
    from opcc.portal.models import Upload

    mine, theirs = bundled_contracts(site.raw)[:2]
    people = {
        "provider": make_account("provider", [mine.contract_id]),
        "other provider": make_account("provider", [theirs.contract_id]),
        "staff": make_account("staff", commissioner=mine.commissioner_code),
        "other staff": make_account("staff", commissioner=OTHER_COMMISSIONER),
    }
    upload = Upload.objects.create(account=people["other provider"], contract_id=theirs.contract_id, period="2016-17 Q1",
                                   received_at="2026-01-01T00:00:00Z", status="refused", stored_name="nothing.csv",
                                   sha256="0" * 64, size_bytes=1)
    with duckdb.connect(str(site.warehouse), read_only=True) as con:
        sha, period = con.execute(
            "select sha256, period from marts.fct_return_submissions where contract_id = ? and is_on_disk order by period limit 1",
            [theirs.contract_id]).fetchone()
    return {"people": people, "mine": mine.contract_id, "theirs": theirs.contract_id, "upload": upload.pk, "sha": sha,
            "period": period}


def client_for(account, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(account.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def routes(w) -> list[tuple[str, str, dict]]:
    """Every route that shows or changes a contract, aimed at the other provider's contract."""
    c, p = w["theirs"], w["period"]
    return [
        ("get", f"/contracts/{c}/", {}),
        ("get", f"/contracts/{c}/template/{p}/", {}),
        ("post", f"/contracts/{c}/upload/", {"period": p}),
        ("get", f"/contracts/{c}/uploads/{w['upload']}/", {}),
        ("get", f"/contracts/{c}/received/{w['sha']}/", {}),
        ("post", f"/contracts/{c}/comment/", {"period": p, "text": "hello"}),
    ]


def account_routes(w) -> list[tuple[str, str, dict]]:
    target = w["people"]["other provider"].pk
    return [("get", "/accounts/", {}), ("post", "/accounts/", {"email": "x@example.org", "contracts": [w["theirs"]]}),
            ("get", "/activity/", {}),
            *[("post", f"/accounts/{target}/{action}/", {}) for action in ("invite", "disable", "enable")]]


def call(client: Client, method: str, url: str, data: dict):
    return getattr(client, method)(url, data)


def test_nobody_signed_in_reaches_only_the_sign_in_page(world):
    client = Client()
    for method, url, data in [("get", "/", {}), *routes(world), *account_routes(world)]:
        response = call(client, method, url, data)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), (method, url)


def test_a_provider_reaches_nothing_of_another_providers_contract(world):
    client = client_for(world["people"]["provider"])
    for method, url, data in routes(world):
        assert call(client, method, url, data).status_code in (403, 404), (method, url)
    for method, url, data in account_routes(world):
        assert call(client, method, url, data).status_code in (403, 404), (method, url)
    home = client.get("/").content.decode()
    assert world["mine"] in home and world["theirs"] not in home


def test_staff_of_another_commissioner_reach_nothing(world):
    client = client_for(world["people"]["other staff"])
    for method, url, data in routes(world):
        assert call(client, method, url, data).status_code in (403, 404), (method, url)
    for method, url, data in account_routes(world)[3:]:
        assert call(client, method, url, data).status_code == 404, (method, url)
    page = client.get("/accounts/").content.decode()
    assert world["people"]["other provider"].user.email not in page
    assert world["theirs"] not in client.get("/").content.decode()


def test_the_provider_of_a_contract_reaches_its_pages(world):
    client = client_for(world["people"]["other provider"])
    c, p = world["theirs"], world["period"]
    page = client.get(f"/contracts/{c}/")
    assert page.status_code == 200 and p in page.content.decode()
    template = client.get(f"/contracts/{c}/template/{p}/")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    received = client.get(f"/contracts/{c}/received/{world['sha']}/")
    assert received.status_code == 200 and c.encode() in b"".join(received.streaming_content)
    assert client.post(f"/contracts/{c}/comment/", {"period": p, "text": "x"}).status_code == 403  # staff only
    assert client.get("/accounts/").status_code == 403
    assert client.get(f"/contracts/{c}/template/..%2F..%2Fetc/").status_code == 404


def test_staff_see_every_contract_of_their_commissioner_and_comment_to_the_provider(world, site):
    staff = client_for(world["people"]["staff"])
    c, p = world["theirs"], world["period"]
    home = staff.get("/").content.decode()
    assert world["mine"] in home and c in home and "Chase list" in home
    chase = home.split('id="chase"', 1)[1].split("</table>", 1)[0]
    with duckdb.connect(str(site.warehouse), read_only=True) as con:
        to_chase = con.execute("select contract_id, period from marts.fct_contract_quarter "
                               "where return_status in ('missing', 'late')").fetchall()
    assert to_chase
    rows = chase.split("<tr>")[2:]
    for contract_id, period in to_chase:
        assert any(f">{contract_id}</a></td>" in row and f"<td>{period}</td>" in row for row in rows), (contract_id, period)
    assert staff.get(f"/contracts/{c}/").status_code == 200
    assert staff.get(f"/contracts/{c}/received/{world['sha']}/").status_code == 200
    assert staff.post(f"/contracts/{c}/upload/", {"period": p}).status_code == 403  # providers upload
    text = "<script>alert('x')</script> please resend"
    assert staff.post(f"/contracts/{c}/comment/", {"period": p, "text": text}).status_code == 302
    provider_page = client_for(world["people"]["other provider"]).get(f"/contracts/{c}/").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; please resend" in provider_page
    assert "<script>" not in provider_page
    other_page = client_for(world["people"]["provider"]).get(f"/contracts/{world['mine']}/").content.decode()
    assert "please resend" not in other_page


def test_staff_manage_their_providers_accounts(world):
    staff = client_for(world["people"]["staff"])
    target = world["people"]["other provider"]
    page = staff.get("/accounts/").content.decode()
    assert target.user.email in page and world["people"]["provider"].user.email in page
    made = staff.post("/accounts/", {"email": "new-provider@example.org", "contracts": [world["theirs"]]})
    link = re.search(r"http://testserver/invite/[\w-]+/", made.content.decode())
    assert made.status_code == 200 and link
    assert staff.post(f"/accounts/{target.pk}/disable/").status_code == 302
    target.user.refresh_from_db()
    assert not target.user.is_active
    assert client_for(target).get("/").status_code in (302, 403)
    assert staff.post(f"/accounts/{target.pk}/enable/").status_code == 302
    target.user.refresh_from_db()
    assert target.user.is_active
    # A staff account is not a provider account to manage.
    assert staff.post(f"/accounts/{world['people']['other staff'].pk}/disable/").status_code == 404


def test_a_state_changing_request_without_a_csrf_token_is_refused(world):
    provider = client_for(world["people"]["other provider"], csrf=True)
    c, p = world["theirs"], world["period"]
    assert provider.post(f"/contracts/{c}/upload/", {"period": p}).status_code == 403
    staff = client_for(world["people"]["staff"], csrf=True)
    assert staff.post(f"/contracts/{c}/comment/", {"period": p, "text": "x"}).status_code == 403
    assert staff.post(f"/accounts/{world['people']['other provider'].pk}/disable/").status_code == 403
    assert staff.post("/logout/").status_code == 403
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/login/", {"username": "a@example.org", "password": "x"}).status_code == 403
    # With the token the form carries, the same request goes through.
    page = staff.get(f"/contracts/{c}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert staff.post(f"/contracts/{c}/comment/", {"period": p, "text": "x", "csrfmiddlewaretoken": token}).status_code == 302


def test_upload_through_the_page_shows_every_problem_escaped(world, site):
    client = client_for(world["people"]["other provider"])
    c, p = world["theirs"], world["period"]
    bad = f"contract_id,period,measure,value,comment\n{c},{p},spend_gbp,<b>lots</b>,\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"/contracts/{c}/upload/", {"period": p, "file": SimpleUploadedFile("../../x<i>.csv", bad)})
    page = response.content.decode()
    assert response.status_code == 422 and "Return not accepted" in page
    assert "&lt;b&gt;lots&lt;/b&gt;" in page and "<b>lots</b>" not in page
    assert "x<i>" not in page and "x&lt;i&gt;" not in page  # the name sent is never used
    wrong = client.post(f"/contracts/{c}/upload/", {"period": p, "file": SimpleUploadedFile("r.pdf", b"%PDF")})
    assert wrong.status_code == 302
    assert "only .csv or .xlsx" in client.get(f"/contracts/{c}/").content.decode()
    not_due = client.post(f"/contracts/{c}/upload/", {"period": "2031-32 Q1", "file": SimpleUploadedFile("r.csv", bad)})
    assert not_due.status_code == 302
    from opcc.portal.models import AuditEvent

    uploader = world["people"]["other provider"].pk
    events = list(AuditEvent.objects.filter(account_id_ref=uploader, event="upload refused").values_list("detail", flat=True))
    assert len(events) == 2 and all(e.startswith(f"{c} {p}") for e in events)
    staff = client_for(world["people"]["staff"]).get("/activity/")
    assert staff.status_code == 200 and "upload refused" in staff.content.decode()
    assert "upload refused" not in client_for(world["people"]["other staff"]).get("/activity/").content.decode()


def test_sign_in_is_audited_hashed_and_throttled(site):
    from opcc.portal.config import LOGIN_FAILURE_LIMIT
    from opcc.portal.models import AuditEvent

    mine = bundled_contracts(site.raw)[0]
    account = make_account("provider", [mine.contract_id])
    assert account.user.password.startswith("argon2$") and PASSWORD not in account.user.password
    email = account.user.email
    client = Client()
    assert client.post("/login/", {"username": email, "password": PASSWORD}).status_code == 302
    assert AuditEvent.objects.filter(event="sign-in", account_id_ref=account.pk).exists()
    client.post("/logout/")
    assert AuditEvent.objects.filter(event="sign-out", account_id_ref=account.pk).exists()
    for _ in range(LOGIN_FAILURE_LIMIT):
        assert client.post("/login/", {"username": email, "password": "wrong"}).status_code in (200, 403, 429)
    failed = AuditEvent.objects.filter(event="sign-in failed", account_id_ref=account.pk)
    assert failed.count() >= LOGIN_FAILURE_LIMIT - 1
    assert not any(email in (e.detail + e.address) for e in AuditEvent.objects.all())
    locked = client.post("/login/", {"username": email, "password": PASSWORD})
    assert locked.status_code in (403, 429) and "_auth_user_id" not in client.session
    client.post("/login/", {"username": "nobody@example.org", "password": "x"})
    assert AuditEvent.objects.filter(event="sign-in failed", detail="no such account").exists()


def test_an_invitation_link_works_once(site):
    from opcc.portal.accounts import create_account

    mine = bundled_contracts(site.raw)[0]
    account, link = create_account("invited@example.org", "provider", [mine.contract_id])
    path = link.split("127.0.0.1:8000", 1)[1] if "127.0.0.1:8000" in link else "/" + link.split("/", 3)[3]
    client = Client()
    assert client.get(path).status_code == 200
    new = "another long passphrase 77"
    assert client.post(path, {"new_password1": new, "new_password2": new}).status_code == 302
    assert client.get("/").status_code == 200
    assert Client().get(path).status_code == 404
    account.user.refresh_from_db()
    assert account.user.check_password(new)
