"""The portal's own records, in its own SQLite database (never the warehouse).

Accounts are Django's users; an Account says what a user may see: a provider account the contracts
listed in ContractGrant, a staff account every contract of its commissioner. Uploads, comments and
the audit log name an account by its id, never by an email.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

PROVIDER, STAFF = "provider", "staff"


class Account(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    role = models.CharField(max_length=16, choices=[(PROVIDER, "provider"), (STAFF, "staff")])
    commissioner_code = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=64, default="command line")

    def contract_ids(self) -> list[str]:
        return sorted(self.grants.values_list("contract_id", flat=True))

    @property
    def label(self) -> str:
        return f"account {self.pk}"


class ContractGrant(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="grants")
    contract_id = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "contract_id"], name="one_grant_per_contract")]


class Invitation(models.Model):
    """A one-time link to set a password; only a hash of its token is kept."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    token_sha256 = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Upload(models.Model):
    """Every file a provider sent through the portal: accepted (now in raw/returns/<period>/) or refused (kept aside)."""

    ACCEPTED, REFUSED = "accepted", "refused"
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="uploads")
    contract_id = models.CharField(max_length=64)
    period = models.CharField(max_length=32)
    received_at = models.DateTimeField()
    status = models.CharField(max_length=16)
    stored_name = models.CharField(max_length=200)  # generated; the provider's file name is never a path
    sha256 = models.CharField(max_length=64)
    size_bytes = models.IntegerField()
    rows_ok = models.IntegerField(default=0)
    reason = models.TextField(blank=True)
    problems = models.JSONField(default=list)
    warnings = models.JSONField(default=list)

    class Meta:
        ordering = ["-received_at", "-pk"]


class Comment(models.Model):
    """A commissioner's comment to the provider on one contract's return for one period."""

    author = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="comments")
    contract_id = models.CharField(max_length=64)
    period = models.CharField(max_length=32)
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class AuditEvent(models.Model):
    """Sign-ins, failed sign-ins, uploads, downloads, comments and account changes, by account id."""

    at = models.DateTimeField(auto_now_add=True)
    event = models.CharField(max_length=32)
    account_id_ref = models.IntegerField(null=True)
    address = models.CharField(max_length=64, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
