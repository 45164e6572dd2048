"""The site's URLs: the portal at the root (a reverse proxy may still mount it under a path)."""

from django.urls import include, path

urlpatterns = [path("", include("orchestration.portal.urls"))]

handler403 = "orchestration.portal.views.forbidden"
handler404 = "orchestration.portal.views.not_found"
