"""Django, configured from code for one portal folder: no settings module to keep beside the project.

Everything security-related is the framework's or a maintained extension's: Django's sessions,
CSRF protection, password hashing (Argon2, PBKDF2 to read older hashes), clickjacking and
content-type headers; django-axes for sign-in throttling; django-csp for the Content-Security-Policy.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from opcc.portal import config

PACKAGE_DIR = Path(__file__).resolve().parent


# size: Django's settings are one dictionary; each security setting is commented where it stands.
def django_settings(paths: config.PortalPaths, host: str = "127.0.0.1") -> dict:
    from csp.constants import NONE, SELF

    tls = config.behind_tls()
    return {
        "DEBUG": False,
        "SECRET_KEY": config.secret_key(paths.home),
        "ALLOWED_HOSTS": config.allowed_hosts(host),
        "ROOT_URLCONF": "opcc.portal.root_urls",
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "axes",
            "opcc.portal.apps.PortalConfig",
        ],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "csp.middleware.CSPMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "axes.middleware.AxesMiddleware",
        ],
        "AUTHENTICATION_BACKENDS": ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"],
        "PASSWORD_HASHERS": [
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ],
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
            {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
        ],
        "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(paths.database)}},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "autoescape": True,
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                        "django.template.context_processors.csrf",
                    ],
                },
            }
        ],
        "MESSAGE_STORAGE": "django.contrib.messages.storage.session.SessionStorage",
        "LOGIN_URL": "portal:login",
        "LOGIN_REDIRECT_URL": "portal:home",
        "LOGOUT_REDIRECT_URL": "portal:login",
        "USE_TZ": True,
        "TIME_ZONE": "Europe/London",
        "LANGUAGE_CODE": "en-gb",
        "USE_I18N": False,
        # Sessions: signed cookie id, server-side data, short-lived, never readable by a script.
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "SESSION_COOKIE_AGE": config.SESSION_HOURS * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": tls,
        "SESSION_COOKIE_NAME": "opcc_portal_session",
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": tls,
        "CSRF_COOKIE_NAME": "opcc_portal_csrf",
        "CSRF_FAILURE_VIEW": "opcc.portal.views.csrf_failure",
        "CSRF_TRUSTED_ORIGINS": [f"https://{h}" for h in config.allowed_hosts(host) if tls and not h.startswith("[")],
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if tls else None,
        "SECURE_HSTS_SECONDS": 31536000 if tls else 0,
        "SECURE_SSL_REDIRECT": tls,
        # HSTS for the portal's own host only: whether every subdomain of a commissioner's domain is HTTPS,
        # or belongs on the browsers' preload list, is the commissioner's IT's decision, not the portal's.
        "SILENCED_SYSTEM_CHECKS": ["security.W005", "security.W021"],
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "CONTENT_SECURITY_POLICY": {
            "DIRECTIVES": {
                "default-src": [NONE],
                "style-src": [SELF],
                "img-src": [SELF],
                "form-action": [SELF],
                "frame-ancestors": [NONE],
                "base-uri": [NONE],
            }
        },
        # Uploads: one setting (config.MAX_UPLOAD_BYTES); a larger body is refused before it is read whole.
        "FILE_UPLOAD_MAX_MEMORY_SIZE": config.MAX_UPLOAD_BYTES,
        "DATA_UPLOAD_MAX_MEMORY_SIZE": config.MAX_UPLOAD_BYTES + 64 * 1024,
        "FILE_UPLOAD_TEMP_DIR": str(paths.incoming),
        "FILE_UPLOAD_PERMISSIONS": 0o640,
        # Sign-in throttling (django-axes): per account and address.
        "AXES_FAILURE_LIMIT": config.LOGIN_FAILURE_LIMIT,
        "AXES_COOLOFF_TIME": timedelta(minutes=config.LOGIN_COOLOFF_MINUTES),
        "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
        "AXES_RESET_ON_SUCCESS": True,
        "AXES_VERBOSE": False,
        "AXES_LOCKOUT_TEMPLATE": "portal/locked.html",
        # Errors of the portal itself go to standard error (the service's journal); no request data is logged.
        "LOGGING": {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"stderr": {"class": "logging.StreamHandler"}},
            "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
        },
        "OPCC_PORTAL_PATHS": paths,
    }


def configure(paths: config.PortalPaths, host: str = "127.0.0.1", migrate: bool = True) -> None:
    """Configure Django for this portal folder (once per process) and bring its database up to date."""
    import django
    from django.conf import settings

    paths.home.mkdir(parents=True, exist_ok=True)
    paths.incoming.mkdir(parents=True, exist_ok=True)
    paths.refused.mkdir(parents=True, exist_ok=True)
    if not settings.configured:
        settings.configure(**django_settings(paths, host))
        django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def current_paths() -> config.PortalPaths:
    from django.conf import settings

    return settings.OPCC_PORTAL_PATHS
