"""Where the portal keeps its things, and its settings (the one home of each).

The portal's folder sits beside the raw folder (`<raw>/../portal/`, or $OPCC_PORTAL_HOME):
  accounts.sqlite3   accounts, sessions, comments, the upload record and the audit log
  secret_key         the key that signs sessions (made on first use, readable by its owner only)
  incoming/          an upload while it is checked (removed after)
  refused/           uploads that failed a rule, each with its reason; never under raw/
None of it is in the warehouse, and none of it is committed (.gitignore).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from opcc.ingest.filetypes import READABLE_SUFFIXES

# Uploads: the one setting for their size and the kinds accepted (the kinds the return reader reads).
MAX_UPLOAD_BYTES = int(os.environ.get("OPCC_PORTAL_MAX_UPLOAD_BYTES") or 5 * 1024 * 1024)
UPLOAD_SUFFIXES = tuple(sorted(READABLE_SUFFIXES))
# An invitation link works once, for this long.
INVITATION_HOURS = 72
# Sign-in throttling (django-axes): this many failures for one account from one address locks it for COOLOFF.
LOGIN_FAILURE_LIMIT = 5
LOGIN_COOLOFF_MINUTES = 15
SESSION_HOURS = 8


@dataclass(frozen=True)
class PortalPaths:
    raw: Path
    warehouse: Path
    home: Path

    @property
    def database(self) -> Path:
        return self.home / "accounts.sqlite3"

    @property
    def incoming(self) -> Path:
        return self.home / "incoming"

    @property
    def refused(self) -> Path:
        return self.home / "refused"


def portal_home(raw: Path) -> Path:
    explicit = os.environ.get("OPCC_PORTAL_HOME")
    return Path(explicit).expanduser().absolute() if explicit else raw.absolute().parent / "portal"


def paths_for(raw: Path, warehouse: Path) -> PortalPaths:
    return PortalPaths(raw=raw.absolute(), warehouse=warehouse.absolute(), home=portal_home(raw))


def secret_key(home: Path) -> str:
    """The portal's signing key: made once, kept in its folder with owner-only permissions."""
    path = home / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def behind_tls() -> bool:
    """Served behind a TLS reverse proxy (OPCC_PORTAL_TLS=1): cookies only over HTTPS, HSTS, the proxy's scheme trusted."""
    return os.environ.get("OPCC_PORTAL_TLS", "").strip().lower() in ("1", "true", "yes")


def allowed_hosts(host: str) -> list[str]:
    extra = [h.strip() for h in os.environ.get("OPCC_PORTAL_ALLOWED_HOSTS", "").split(",") if h.strip()]
    return sorted({"127.0.0.1", "localhost", "[::1]", host, *extra})
