"""One line per event in the portal's audit log (the AuditEvent table)."""

from __future__ import annotations


def client_address(request) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def record(event: str, request=None, account_id: int | None = None, detail: str = "") -> None:
    from opcc.portal.models import AuditEvent

    AuditEvent.objects.create(event=event, account_id_ref=account_id, address=client_address(request), detail=detail[:2000])
