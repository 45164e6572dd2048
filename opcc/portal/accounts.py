"""Creating accounts and invitations (the command line and the staff page both come here)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from opcc.portal.config import INVITATION_HOURS
from opcc.portal.models import PROVIDER, STAFF, Account, ContractGrant, Invitation
from opcc.portal.setup import current_paths
from opcc.portal.warehouse_view import commissioner_codes, registry


class AccountError(ValueError):
    pass


def portal_url() -> str:
    return (os.environ.get("OPCC_PORTAL_URL") or "http://127.0.0.1:8000").rstrip("/")


def _check(email: str, role: str, contracts: list[str], commissioner: str | None) -> str:
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError(f"'{email[:80]}' is not an email address") from None
    if get_user_model().objects.filter(username__iexact=email).exists():
        raise AccountError("an account with that email address already exists")
    raw = current_paths().raw
    if role == STAFF:
        if contracts:
            raise AccountError("a staff account sees every contract of its commissioner: give --commissioner, not --contracts")
        if not commissioner:
            raise AccountError("a staff account needs --commissioner CODE")
        if commissioner not in commissioner_codes(raw):
            raise AccountError(f"no commissioner '{commissioner[:40]}' in raw/reference/commissioners.csv")
        return commissioner
    if role != PROVIDER:
        raise AccountError("the role is provider or staff")
    if not contracts:
        raise AccountError("a provider account needs --contracts ID[,ID...]")
    known = registry(raw)
    unknown = [c for c in contracts if c not in known]
    if unknown:
        raise AccountError(f"no contract {', '.join(u[:40] for u in unknown)} in the contract registry (raw/framework/contracts.csv)")
    owners = {known[c].commissioner_code for c in contracts}
    if len(owners) > 1:
        raise AccountError("the contracts belong to more than one commissioner: make one account per commissioner")
    owner = owners.pop()
    if commissioner and commissioner != owner:
        raise AccountError(f"the contracts are {owner}'s, not {commissioner[:40]}'s")
    return owner


def create_account(email: str, role: str, contracts: list[str] | None = None, commissioner: str | None = None,
                   password: str | None = None, created_by: str = "command line",
                   base_url: str | None = None) -> tuple[Account, str | None]:
    """Make an account; with no password, return a one-time invitation link to set one."""
    email = email.strip().lower()
    contracts = sorted({c.strip() for c in contracts or [] if c.strip()})
    owner = _check(email, role, contracts, commissioner)
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model(username=email, email=email)
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise AccountError(" ".join(error.messages)) from None
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        account = Account.objects.create(user=user, role=role, commissioner_code=owner, created_by=created_by)
        ContractGrant.objects.bulk_create([ContractGrant(account=account, contract_id=c) for c in contracts])
        link = None if password is not None else invite(account, base_url)
    return account, link


def invite(account: Account, base_url: str | None = None) -> str:
    """A new one-time link (earlier unused ones stop working) to set the account's password."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    account.invitations.filter(used_at__isnull=True).update(used_at=now)
    Invitation.objects.create(account=account, token_sha256=Invitation.digest(token),
                              expires_at=now + timedelta(hours=INVITATION_HOURS))
    return f"{(base_url or portal_url()).rstrip('/')}/invite/{token}/"


def open_invitation(token: str) -> Invitation | None:
    found = Invitation.objects.select_related("account__user").filter(token_sha256=Invitation.digest(token or "")).first()
    if found is None or found.used_at is not None or found.expires_at < timezone.now():
        return None
    return found
