"""Who may see what: the one place the portal decides it.

A provider account reaches the contracts granted to it; a staff account every contract of its
commissioner in the registry. Anything else is answered 404 (not 403), so a page never says whether
another provider's contract exists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from opcc.portal.models import PROVIDER, STAFF, Account
from opcc.portal.setup import current_paths
from opcc.portal.warehouse_view import Contract, registry


def account_of(request) -> Account:
    account = getattr(request.user, "account", None) if request.user.is_authenticated else None
    if account is None or not request.user.is_active:
        raise PermissionDenied("no portal account")
    return account


def visible_contracts(account: Account) -> list[Contract]:
    contracts = registry(current_paths().raw)
    if account.role == STAFF:
        return sorted((c for c in contracts.values() if c.commissioner_code == account.commissioner_code),
                      key=lambda c: c.contract_id)
    granted = set(account.contract_ids())
    return sorted((c for c in contracts.values() if c.contract_id in granted and c.commissioner_code == account.commissioner_code),
                  key=lambda c: c.contract_id)


def contract_for(account: Account, contract_id: str) -> Contract:
    for contract in visible_contracts(account):
        if contract.contract_id == contract_id:
            return contract
    raise Http404("no such contract")


def require_staff(account: Account) -> None:
    if account.role != STAFF:
        raise PermissionDenied("staff only")


def require_provider(account: Account) -> None:
    if account.role != PROVIDER:
        raise PermissionDenied("providers only")


def manages(staff: Account, other: Account) -> bool:
    """A staff account manages the provider accounts of its commissioner."""
    return staff.role == STAFF and other.role == PROVIDER and other.commissioner_code == staff.commissioner_code
