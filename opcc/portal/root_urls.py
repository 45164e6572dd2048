"""The site's URLs: the portal at the root (a reverse proxy may still mount it under a path)."""

from django.urls import include, path

urlpatterns = [path("", include("opcc.portal.urls"))]

handler403 = "opcc.portal.views.forbidden"
handler404 = "opcc.portal.views.not_found"
