"""The portal's pages. Every view that shows or changes a contract asks access.contract_for first."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opcc.core.periods import is_period
from opcc.ingest.return_tools import TemplateError, make_template
from opcc.portal import access, accounts, intake
from opcc.portal.audit import record
from opcc.portal.config import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES
from opcc.portal.models import PROVIDER, STAFF, Account, AuditEvent, Comment, Upload
from opcc.portal.setup import PACKAGE_DIR, current_paths
from opcc.portal.warehouse_view import (
    latest_status,
    published_at,
    returns_due,
    returns_due_for,
    submissions,
    submitted_file,
    warehouse,
)


class UploadForm(forms.Form):
    period = forms.CharField(max_length=32)
    file = forms.FileField(allow_empty_file=False)


class CommentForm(forms.Form):
    period = forms.CharField(max_length=32)
    text = forms.CharField(max_length=2000, widget=forms.Textarea)


class ProviderAccountForm(forms.Form):
    email = forms.EmailField(max_length=200)
    contracts = forms.MultipleChoiceField(choices=(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, contract_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contracts"].choices = [(c, c) for c in contract_ids]


def _limits() -> dict:
    return {"max_mb": MAX_UPLOAD_BYTES // (1024 * 1024), "suffixes": " or ".join(UPLOAD_SUFFIXES),
            "accept": ",".join(UPLOAD_SUFFIXES)}


@require_GET
def stylesheet(request):
    return FileResponse(open(PACKAGE_DIR / "static" / "portal" / "portal.css", "rb"), content_type="text/css")


@login_required
@require_GET
def home(request):
    account = access.account_of(request)
    contracts = access.visible_contracts(account)
    paths = current_paths()
    chase = []
    with warehouse(paths.warehouse) as con:
        counts = latest_status(con, [c.contract_id for c in contracts])
        published = published_at(con)
        if account.role == STAFF:
            every = returns_due_for(con, [c.contract_id for c in contracts])
            for contract in contracts:
                for due in every[contract.contract_id][1]:
                    if due.needs_chasing:
                        chase.append((contract, due))
    rows = [(c, counts.get(c.contract_id, {})) for c in contracts]
    recent = Upload.objects.filter(contract_id__in=[c.contract_id for c in contracts])[:50]
    return render(request, "portal/home.html", {
        "account": account, "rows": rows, "chase": chase, "published": published, "today": date.today(), "recent": recent,
        "warehouse_missing": published is None and not paths.warehouse.exists(),
    })


def _contract_page(request, account: Account, contract_id: str, result: intake.Received | None = None, status: int = 200):
    contract = access.contract_for(account, contract_id)
    paths = current_paths()
    with warehouse(paths.warehouse) as con:
        rhythm, due = returns_due(con, contract_id)
        history = submissions(con, contract_id)
    uploads = Upload.objects.filter(contract_id=contract_id)
    comments = Comment.objects.filter(contract_id=contract_id).order_by("-created_at", "-pk")
    return render(request, "portal/contract.html", {
        "account": account, "contract": contract, "rhythm": rhythm, "due": due, "history": history,
        "uploads": uploads, "comments": comments, "result": result, "limits": _limits(),
        "periods": [d.period for d in due], "is_staff_account": account.role == STAFF,
    }, status=status)


@login_required
@require_GET
def contract(request, contract_id: str):
    account = access.account_of(request)
    return _contract_page(request, account, contract_id)


@login_required
@require_GET
def template(request, contract_id: str, period: str):
    account = access.account_of(request)
    access.contract_for(account, contract_id)
    try:
        intake.check_identity(contract_id, period)
    except intake.UploadRefused:
        raise Http404("no such period") from None
    paths = current_paths()
    with tempfile.TemporaryDirectory(dir=paths.incoming) as folder:
        try:
            made = make_template(paths.warehouse, contract_id, period, Path(folder) / "template.xlsx")
        except (TemplateError, ValueError, FileNotFoundError) as error:
            return HttpResponse(f"No template: {error}", content_type="text/plain; charset=utf-8", status=404)
        data = made.read_bytes()
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{contract_id} {period} return.xlsx"'
    return response


@login_required
@require_POST
def upload(request, contract_id: str):
    account = access.account_of(request)
    access.require_provider(account)
    access.contract_for(account, contract_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose the period and a file to upload.")
        return redirect("portal:contract", contract_id=contract_id)
    period = form.cleaned_data["period"]
    with warehouse(current_paths().warehouse) as con:
        allowed = {d.period for d in returns_due(con, contract_id)[1]}
    if period not in allowed:
        messages.error(request, "That period has no return due for this contract.")
        return redirect("portal:contract", contract_id=contract_id)
    sent = form.cleaned_data["file"]
    try:
        result = intake.receive(current_paths(), contract_id, period, sent.chunks(), sent.name, account.pk)
    except intake.UploadRefused as error:
        record("upload refused", request, account.pk, f"{contract_id} {period}: {error}")
        messages.error(request, f"Not uploaded: {error}.")
        return redirect("portal:contract", contract_id=contract_id)
    Upload.objects.create(
        account=account, contract_id=contract_id, period=period, received_at=result.received_at,
        status=Upload.ACCEPTED if result.accepted else Upload.REFUSED, stored_name=result.stored_name,
        sha256=result.sha256, size_bytes=result.size_bytes, rows_ok=result.rows_ok, reason=result.reason,
        problems=result.problems, warnings=result.warnings,
    )
    record("upload accepted" if result.accepted else "upload refused", request, account.pk,
           f"{contract_id} {period}: {result.stored_name}" + ("" if result.accepted else f" ({result.reason})"))
    return _contract_page(request, account, contract_id, result, status=200 if result.accepted else 422)


@login_required
@require_GET
def uploaded_file(request, contract_id: str, upload_id: int):
    account = access.account_of(request)
    access.contract_for(account, contract_id)
    found = Upload.objects.filter(pk=upload_id, contract_id=contract_id).first()
    if found is None:
        raise Http404("no such upload")
    paths = current_paths()
    folder = paths.raw / "returns" / found.period if found.status == Upload.ACCEPTED else paths.refused
    path = folder / found.stored_name  # a name the portal generated, never one a user typed
    if not path.is_file() or path.is_symlink():
        raise Http404("the file is no longer there")
    record("download", request, account.pk, f"{contract_id} upload {found.pk}")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=found.stored_name)


@login_required
@require_GET
def received_file(request, contract_id: str, sha256: str):
    account = access.account_of(request)
    access.contract_for(account, contract_id)
    paths = current_paths()
    with warehouse(paths.warehouse) as con:
        path = submitted_file(con, paths.raw, contract_id, sha256)
    if path is None:
        raise Http404("no such file")
    record("download", request, account.pk, f"{contract_id} {path.name}")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)


@login_required
@require_POST
def comment(request, contract_id: str):
    account = access.account_of(request)
    access.require_staff(account)
    access.contract_for(account, contract_id)
    form = CommentForm(request.POST)
    if form.is_valid() and is_period(form.cleaned_data["period"]):
        Comment.objects.create(author=account, contract_id=contract_id, period=form.cleaned_data["period"],
                               text=form.cleaned_data["text"])
        record("comment", request, account.pk, f"{contract_id} {form.cleaned_data['period']}")
        messages.success(request, "Comment sent to the provider.")
    else:
        messages.error(request, "A comment needs a period and some text (up to 2,000 characters).")
    return redirect("portal:contract", contract_id=contract_id)


@login_required
@require_http_methods(["GET", "POST"])
def provider_accounts(request):
    account = access.account_of(request)
    access.require_staff(account)
    contract_ids = [c.contract_id for c in access.visible_contracts(account)]
    form = ProviderAccountForm(request.POST or None, contract_ids=contract_ids)
    link = None
    if request.method == "POST" and form.is_valid():
        try:
            created, link = accounts.create_account(form.cleaned_data["email"], PROVIDER, form.cleaned_data["contracts"],
                                                    account.commissioner_code, created_by=account.label,
                                                    base_url=request.build_absolute_uri("/"))
            record("account created", request, account.pk, f"provider {created.label}")
            form = ProviderAccountForm(contract_ids=contract_ids)
        except accounts.AccountError as error:
            form.add_error(None, str(error))
    providers = Account.objects.select_related("user").filter(role=PROVIDER, commissioner_code=account.commissioner_code)
    return render(request, "portal/accounts.html", {"account": account, "providers": providers, "form": form,
                                                    "link": link})


@login_required
@require_POST
def provider_account_action(request, account_id: int, action: str):
    account = access.account_of(request)
    access.require_staff(account)
    other = Account.objects.select_related("user").filter(pk=account_id).first()
    if other is None or not access.manages(account, other):
        raise Http404("no such account")
    link = None
    if action == "disable":
        other.user.is_active = False
        other.user.save(update_fields=["is_active"])
    elif action == "enable":
        other.user.is_active = True
        other.user.save(update_fields=["is_active"])
    elif action == "invite":
        link = accounts.invite(other, request.build_absolute_uri("/"))
    else:
        raise Http404("no such action")
    record(f"account {action}", request, account.pk, f"provider {other.label}")
    if link:
        messages.success(request, f"New invitation link for {other.label} (works once, for {accounts.INVITATION_HOURS} hours): {link}")
    else:
        messages.success(request, f"{other.label}: {action}d.")
    return redirect("portal:accounts")


@login_required
@require_GET
def activity(request):
    """The audit log of the commissioner's accounts (staff and providers): sign-ins, failures, uploads, changes."""
    account = access.account_of(request)
    access.require_staff(account)
    ids = list(Account.objects.filter(commissioner_code=account.commissioner_code).values_list("pk", flat=True))
    events = AuditEvent.objects.filter(account_id_ref__in=ids)[:300]
    return render(request, "portal/activity.html", {"account": account, "events": events})


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token: str):
    invitation = accounts.open_invitation(token)
    if invitation is None:
        return render(request, "portal/invitation_gone.html", status=404)
    user = invitation.account.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        record("password set", request, invitation.account.pk, "from an invitation")
        user = get_user_model().objects.get(pk=user.pk)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("portal:home")
    return render(request, "portal/invitation.html", {"form": form, "email": user.email})


def forbidden(request, exception=None):
    return render(request, "portal/error.html", {"title": "Not allowed", "text": "This page is not open to your account."},
                  status=403)


def not_found(request, exception=None):
    return render(request, "portal/error.html", {"title": "Not found", "text": "There is no such page for your account."},
                  status=404)


def csrf_failure(request, reason=""):
    return render(request, "portal/error.html", {
        "title": "Form refused", "text": "The form was out of date or did not come from this site: go back, reload the page and try again.",
    }, status=403)
