"""Serving the portal with waitress (a production WSGI server, pure Python) until Ctrl-C."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from opcc.portal import config
from opcc.portal.setup import configure


def serve(paths: config.PortalPaths, host: str, port: int, say: Callable[[str], None] = print) -> int:
    configure(paths, host)
    import waitress
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    say(f"Provider portal on http://{host}:{port}/ (accounts in {paths.database}; raw folder {paths.raw}; "
        f"warehouse {paths.warehouse}); Ctrl-C stops it")
    options = {"threads": 4, "ident": "opcc-portal", "max_request_body_size": config.MAX_UPLOAD_BYTES + 256 * 1024,
               "clear_untrusted_proxy_headers": True}
    if config.behind_tls():  # the reverse proxy on this machine says which scheme and client it served
        options |= {"trusted_proxy": "127.0.0.1", "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"}}
    with contextlib.suppress(KeyboardInterrupt):
        waitress.serve(application, host=host, port=port, **options)
    return 0
