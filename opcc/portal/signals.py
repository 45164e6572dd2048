"""The audit log of sign-ins: every sign-in, sign-out and failed sign-in, by account id and address."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from opcc.portal.audit import record


def _account_id(user) -> int | None:
    account = getattr(user, "account", None) if user is not None else None
    return account.pk if account is not None else None


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record("sign-in", request, _account_id(user))


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    record("sign-out", request, _account_id(user))


@receiver(user_login_failed)
def _failed(sender, credentials, request=None, **kwargs):
    # The address typed is never stored: only the account it names, if any.
    name = (credentials or {}).get("username") or ""
    user = get_user_model().objects.filter(username__iexact=name).first() if name else None
    record("sign-in failed", request, _account_id(user), "" if user else "no such account")
