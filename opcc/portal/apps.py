from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "opcc.portal"
    label = "portal"
    verbose_name = "Provider portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opcc.portal import signals  # noqa: F401  (the audit log of sign-ins)
